import { describe, expect, it } from 'vitest';
import { CtapStatus as S } from '../../harness/protocol/index.ts';
import { ctap22Checks } from '../../harness/suites/ctap22/ctap22Checks.ts';
import { runHarness } from '../runner/runHarness.ts';
import { expectEveryCheckPasses, notPassing, type Fault, rewriteResponse, rewriteStatus, runAgainst } from './faultyDevice.ts';

const MC = 0x01;
const CM = 0x0a;
const INFO = 0x04;
const ids = ctap22Checks.map((c) => c.id);

describe('ctap22 suite (CTAP 2.2)', () => {
  it('should pass every check on the clean simulator', async () => {
    const results = await runAgainst({ suites: ['ctap22'] });
    expectEveryCheckPasses(results, ids);
  });

  it('should skip every check, saying why, on a CTAP 2.1 key', async () => {
    const results = await runAgainst({ suites: ['ctap22'], ctap22: false });
    expect(Object.values(notPassing(results, true))).toEqual(ids.map(() => expect.stringMatching(/^skip: .*does not claim FIDO_2_2/)));
  });

  it('should skip with the reason on a CTAP 2.1 device profile, while the fingerprint and EA areas run on it (YubiKey Bio Enterprise, MDS BLOB 23)', async () => {
    const { report } = await runHarness([
      '--sim-profile', '83c47309-aabb-4108-8470-8be838b573cb',
      '--mds', 'test/fixtures/mds/blob-2023-no23.jwt', '--at', '2023-05-01',
      '--suite', 'ctap22,bio-enrollment,enterprise-attestation',
    ]);
    const by = (suite: string) => report.checks.filter((c) => c.suite === suite);
    expect(by('ctap22').length).toBe(ids.length);
    expect(by('ctap22').every((c) => c.status === 'skip' && /does not claim FIDO_2_2/.test(c.message ?? ''))).toBe(true);
    expect(by('bio-enrollment').every((c) => c.status === 'pass')).toBe(true);
    expect(by('enterprise-attestation').every((c) => c.status === 'pass')).toBe(true);
  }, 120_000);

  const cases: Array<[string, { fault?: Fault; quirks?: string[] }, Record<string, string>]> = [
    ['maxPINLength is 64', { fault: rewriteResponse(INFO, (b) => b.set(0x1d, 64)) }, { 'CTAP22-INFO-001': 'fail: maxPINLength 64 outside 4..63' }],
    [
      'attestationFormatsPreference is ignored',
      { quirks: ['attestation-preference-ignored'] },
      {
        'CTAP22-ATTFMT-001': 'fail: attestationFormatsPreference ["fido-u2f"] was answered with format "packed"',
        'CTAP22-ATTFMT-002': 'fail: ["x-fido-harness-unknown", "fido-u2f"] was answered with "packed"',
      },
    ],
    [
      'the attestation is signed over another RP ID hash',
      { quirks: ['wrong-rpid-hash'] },
      { 'CTAP22-ATTFMT-001': 'fail: the packed attestation does not verify: ATT_RP_ID_MISMATCH: authData.rpIdHash is not SHA-256("ctap22-attfmt-001.fido-harness.test") (§7.1 step 13)' },
    ],
    ['hmac-secret-mc is not answered', { fault: stripMcOutput() }, { 'CTAP22-HMACMC-001': 'fail: no hmac-secret-mc output in authenticatorData extensions' }],
    [
      'every credential is made a payment credential',
      { fault: everyCredentialPays() },
      { 'CTAP22-TPP-001': 'fail: thirdPartyPayment output is true for a credential made without it', 'CTAP22-TPP-002': 'fail: thirdPartyPayment listed as true, expected false' },
    ],
    ['credential management never lists thirdPartyPayment true', { fault: rewriteResponse(CM, (b) => b.has(0x0c) && b.set(0x0c, false)) }, { 'CTAP22-TPP-002': 'fail: thirdPartyPayment listed as false, expected true' }],
    [
      'the persistent token may delete',
      { fault: rewriteStatus(CM, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_OK) },
      { 'CTAP22-PPUAT-001': 'fail: deleteCredential with the read-only persistent token: expected 0x33 CTAP2_ERR_PIN_AUTH_INVALID, got 0x00 CTAP2_OK' },
    ],
    ['encIdentifier is missing', { fault: rewriteResponse(INFO, (b) => b.delete(0x19)) }, { 'CTAP22-ENC-001': 'fail: getInfo has no encIdentifier while a persistent token exists' }],
  ];
  for (const [what, layer, expected] of cases) {
    const checks = Object.keys(expected);
    it(`should fail ${checks.join(', ')} when ${what}`, async () => {
      const results = await runAgainst({ checks, ...layer });
      expect(notPassing(results)).toEqual(expected);
    });
  }
});

/** makeCredential always asks for thirdPartyPayment, whatever the harness sent. */
function everyCredentialPays(): Fault {
  return async (cmd, params, next) => {
    if (cmd !== MC || !params) return next(params);
    const ext = new Map((params.get(0x06) as Map<unknown, unknown> | undefined) ?? []);
    ext.set('thirdPartyPayment', true);
    const copy = new Map(params);
    copy.set(0x06, ext as never);
    return next(copy);
  };
}

/** makeCredential drops its hmac-secret-mc input before the simulator sees it (no output comes back). */
function stripMcOutput(): Fault {
  return async (cmd, params, next) => {
    if (cmd === MC && params?.get(0x06) instanceof Map) {
      const ext = new Map(params.get(0x06) as Map<unknown, unknown>);
      ext.delete('hmac-secret-mc');
      const copy = new Map(params);
      copy.set(0x06, ext as never);
      return next(copy);
    }
    return next(params);
  };
}
