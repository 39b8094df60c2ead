import { describe, expect, it } from 'vitest';
import { CtapStatus as S, type CborValue } from '../../harness/protocol/index.ts';
import { ctap22Checks } from '../../harness/suites/ctap22/ctap22Checks.ts';
import { runHarness } from '../runner/runHarness.ts';
import { expectEveryCheckPasses, notPassing, outcomes, type Fault, rewriteResponse, rewriteStatus, runAgainst } from './faultyDevice.ts';

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

describe('CTAP22-INFO-001: the CTAP 2.2 getInfo members (CTAP 2.2 §6.4)', () => {
  const FORMATS = 0x16;
  const TRANSPORTS = 0x09;
  const FOR_RESET = 0x1a;
  const MIN_PIN = 0x0d;
  const MAX_PIN = 0x1d;
  // minPINLength 8 only once the run has set its PIN of 4 ('1234'): the check reads getInfo afresh
  let pinSet = false;
  const minPin8 = (b: Map<CborValue, CborValue>) => pinSet && b.set(MIN_PIN, 8);
  const rows: Array<[string, (info: Map<CborValue, CborValue>) => void, string]> = [
    ['attestationFormats empty', (b) => b.set(FORMATS, []), 'fail: attestationFormats is []: a non-empty list of format names'],
    ['attestationFormats absent', (b) => b.delete(FORMATS), 'fail: attestationFormats is undefined: a non-empty list of format names'],
    ['an empty format name', (b) => b.set(FORMATS, ['packed', '']), 'fail: attestationFormats is ["packed",""]: a non-empty list of format names'],
    ['a format that is not a name', (b) => b.set(FORMATS, ['packed', 7]), 'fail: attestationFormats is ["packed",7]: a non-empty list of format names'],
    ['transportsForReset beyond transports', (b) => b.set(FOR_RESET, ['usb', 'ble']), 'fail: transportsForReset names ["ble"], not among transports ["nfc","usb"]'],
    ['transportsForReset without transports', (b) => (b.set(FOR_RESET, ['usb']), b.delete(TRANSPORTS)), 'fail: transportsForReset names ["usb"], not among transports []'],
    ['a transportsForReset entry that is not a name', (b) => b.set(FOR_RESET, [5]), 'fail: transportsForReset names [5], not among transports ["nfc","usb"]'],
    ['transportsForReset within transports', (b) => b.set(FOR_RESET, ['usb']), 'pass: attestationFormats packed, fido-u2f, none, maxPINLength 63'],
    ['maxPINLength 3', (b) => b.set(MAX_PIN, 3), 'fail: maxPINLength 3 outside 4..63'],
    ['maxPINLength below minPINLength', (b) => (minPin8(b), b.set(MAX_PIN, 6)), 'fail: maxPINLength 6 outside 8..63'],
    ['maxPINLength equal to minPINLength', (b) => (minPin8(b), b.set(MAX_PIN, 8)), 'pass: attestationFormats packed, fido-u2f, none, maxPINLength 8'],
    ['maxPINLength 4 without minPINLength', (b) => (b.delete(MIN_PIN), b.set(MAX_PIN, 4)), 'pass: attestationFormats packed, fido-u2f, none, maxPINLength 4'],
    ['no maxPINLength', (b) => b.delete(MAX_PIN), 'pass: attestationFormats packed, fido-u2f, none'],
  ];
  for (const [what, edit, expected] of rows) {
    it(`${what}: ${expected.split(':')[0]}`, async () => {
      pinSet = false;
      const info = rewriteResponse(INFO, edit);
      const results = await runAgainst({ checks: ['CTAP22-INFO-001'], fault: (cmd, p, next) => ((pinSet ||= cmd === 0x06), info(cmd, p, next)) });
      expect(outcomes(results)).toEqual({ 'CTAP22-INFO-001': expected });
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
