import { describe, expect, it } from 'vitest';
import { CtapStatus as S, type CborMap, type CborValue } from '../../harness/protocol/index.ts';
import { ctap22Checks } from '../../harness/suites/ctap22/ctap22Checks.ts';
import { runHarness } from '../runner/runHarness.ts';
import { editAuthData, expectEveryCheckPasses, expectFailures, notPassing, outcomes, type Fault, recordRequests, rewriteResponse, rewriteStatus, runAgainst } from './faultyDevice.ts';
import { openPinSuiteSim, swapStatus } from './pinSuiteSim.ts';

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

describe('ctap22 suite: the other ways a CTAP 2.2 key gets it wrong', () => {
  const GA = 0x02;
  /** getInfo with `name` left out of the extensions list. */
  const withoutExtension = (name: string) => rewriteResponse(INFO, (b) => b.set(0x02, (b.get(0x02) as string[]).filter((e) => e !== name)));
  const withOption = (name: string, value: boolean) => rewriteResponse(INFO, (b) => b.set(0x04, new Map([...(b.get(0x04) as Map<string, boolean>), [name, value]])));

  it('should skip every check, saying why, on a CTAP 2.2 key without a PIN', async () => {
    const noPin = rewriteResponse(INFO, (b) => {
      const o = new Map(b.get(0x04) as Map<string, boolean>);
      o.delete('clientPin');
      b.set(0x04, o);
    });
    const results = await runAgainst({ suites: ['ctap22'], fault: noPin });
    expect(outcomes(results)).toEqual(Object.fromEntries(ids.map((id) => [id, 'skip: clientPin option absent: the device has no PIN'])));
  });

  it('should skip the attestation-format checks, saying why, when getInfo lists no formats', async () => {
    const results = await runAgainst({ checks: ['CTAP22-ATTFMT-001', 'CTAP22-ATTFMT-002'], fault: rewriteResponse(INFO, (b) => b.set(0x16, [])) });
    expect(outcomes(results)).toEqual({ 'CTAP22-ATTFMT-001': 'skip: getInfo lists no attestationFormats', 'CTAP22-ATTFMT-002': 'skip: getInfo lists no attestationFormats' });
  });

  it('should fail CTAP22-ATTFMT-001 on a none attestation with a statement, and say what format it expected', async () => {
    const noneWithSig = rewriteResponse(MC, (b) => b.get(0x01) === 'none' && b.set(0x03, new Map([['sig', new Uint8Array(8)]])));
    expect(notPassing(await runAgainst({ checks: ['CTAP22-ATTFMT-001'], fault: noneWithSig }))).toEqual({ 'CTAP22-ATTFMT-001': 'fail: a none attestation with a non-empty attStmt' });
    const ignored = await runAgainst({ checks: ['CTAP22-ATTFMT-001', 'CTAP22-ATTFMT-002'], quirks: ['attestation-preference-ignored'], evidence: true });
    expect(ignored.get('CTAP22-ATTFMT-001')).toMatchObject({ expected: 'fido-u2f', actual: 'packed' });
    expect(ignored.get('CTAP22-ATTFMT-002')).toMatchObject({ expected: 'fido-u2f', actual: 'packed' });
  });

  it('should ask each listed format alone, then an unknown format before the first one that is not packed', async () => {
    const sent: CborMap[] = [];
    await runAgainst({ checks: ['CTAP22-ATTFMT-001', 'CTAP22-ATTFMT-002'], fault: recordRequests(MC, sent) });
    expect(sent.map((p) => p.get(0x0b))).toEqual([['packed'], ['fido-u2f'], ['none'], ['x-fido-harness-unknown', 'fido-u2f']]);
    const onlyPacked: CborMap[] = [];
    const listed = rewriteResponse(INFO, (b) => b.set(0x16, ['packed']));
    const record = recordRequests(MC, onlyPacked);
    const results = await runAgainst({ checks: ['CTAP22-ATTFMT-002'], fault: (cmd, p, next) => record(cmd, p, (q) => listed(cmd, q, next)) });
    expect(outcomes(results)).toEqual({ 'CTAP22-ATTFMT-002': 'pass: as specified' });
    expect(onlyPacked.map((p) => p.get(0x0b))).toEqual([['x-fido-harness-unknown', 'packed']]);
  });

  it('should skip the hmac-secret-mc and thirdPartyPayment checks on a key without them, saying why', async () => {
    const noMc = await runAgainst({ checks: ['CTAP22-HMACMC-001'], fault: withoutExtension('hmac-secret-mc') });
    expect(outcomes(noMc)).toEqual({ 'CTAP22-HMACMC-001': 'skip: the hmac-secret-mc extension is not offered in getInfo' });
    const noTpp = await runAgainst({ checks: ['CTAP22-TPP-001', 'CTAP22-TPP-002'], fault: withoutExtension('thirdPartyPayment') });
    const skip = 'skip: the thirdPartyPayment extension is not offered in getInfo';
    expect(outcomes(noTpp)).toEqual({ 'CTAP22-TPP-001': skip, 'CTAP22-TPP-002': skip });
  });

  const mcOutput = (change: (v: Uint8Array) => CborValue) => editAuthData(MC, (a) => a.extensions?.has('hmac-secret-mc') && a.extensions.set('hmac-secret-mc', change(a.extensions.get('hmac-secret-mc') as Uint8Array)));
  const gaOutput = (change: (v: Uint8Array) => CborValue | undefined) =>
    editAuthData(GA, (a) => {
      const v = a.extensions?.get('hmac-secret');
      if (!(v instanceof Uint8Array)) return;
      const changed = change(v);
      if (changed === undefined) a.extensions = new Map([['credProtect', 1]]);
      else a.extensions!.set('hmac-secret', changed);
    });
  const hmacMcRows: Array<[string, Fault, string | RegExp]> = [
    ['an output that is no whole AES block', mcOutput((v) => v.subarray(0, 20)), /^hmac-secret-mc output does not decrypt: /],
    ['an output of 48 bytes under the IV', mcOutput((v) => new Uint8Array(Buffer.concat([v, new Uint8Array(16)]))), 'hmac-secret-mc output decrypts to 48 bytes, expected 32'],
    ['no output at getAssertion', gaOutput(() => undefined), 'no hmac-secret output at getAssertion'],
    ['a getAssertion output of 48 bytes under the IV', gaOutput((v) => new Uint8Array(Buffer.concat([v, new Uint8Array(16)]))), 'hmac-secret output decrypts to 48 bytes, expected 32'],
    [
      'a getAssertion output other than the one at creation',
      gaOutput((v) => {
        const c = Uint8Array.from(v);
        c[c.length - 1]! ^= 0x01;
        return c;
      }),
      'hmac-secret-mc output differs from the getAssertion output for the same salt and user verification',
    ],
  ];
  for (const [what, fault, message] of hmacMcRows) {
    it(`should fail CTAP22-HMACMC-001 on ${what}`, async () => {
      const results = await runAgainst({ checks: ['CTAP22-HMACMC-001'], fault });
      expectFailures(results, { 'CTAP22-HMACMC-001': message });
    });
  }

  it('should assert the hmac-secret-mc credential silently, with UV, over the protocol of the makeCredential input', async () => {
    const made: CborMap[] = [];
    const asked: CborMap[] = [];
    const record = recordRequests(MC, made);
    const ga = recordRequests(GA, asked);
    await runAgainst({ checks: ['CTAP22-HMACMC-001'], fault: (cmd, p, next) => record(cmd, p, (q) => ga(cmd, q, next)) });
    expect(made.map((p) => [(p.get(0x02) as CborMap).get('id'), (p.get(0x06) as CborMap).get('hmac-secret'), ((p.get(0x06) as CborMap).get('hmac-secret-mc') as CborMap).get(4)])).toEqual([
      ['ctap22-hmacmc-001.fido-harness.test', true, 2],
    ]);
    expect(asked.map((p) => [(p.get(0x05) as CborMap).get('up'), p.has(0x06), ((p.get(0x04) as CborMap).get('hmac-secret') as CborMap).get(4)])).toEqual([[false, true, 2]]);
  });

  it('should fail CTAP22-TPP-002 when the payment credential is not listed, and give TPP-001\'s expected value', async () => {
    const unknown = rewriteResponse(CM, (b) => b.has(0x07) && b.set(0x07, new Map<string, unknown>([['id', new Uint8Array(16)], ['type', 'public-key']]) as never));
    expect(notPassing(await runAgainst({ checks: ['CTAP22-TPP-002'], fault: unknown }))).toEqual({ 'CTAP22-TPP-002': expect.stringMatching(/^fail: credential [0-9a-f]{16}… not listed$/) });
    const pays = await runAgainst({ checks: ['CTAP22-TPP-001'], fault: everyCredentialPays(), evidence: true });
    expect(pays.get('CTAP22-TPP-001')).toMatchObject({ status: 'fail', expected: 'false', actual: 'true' });
  });

  it('should skip the persistent-token checks, saying why, without perCredMgmtRO', async () => {
    const results = await runAgainst({ checks: ['CTAP22-PPUAT-001', 'CTAP22-ENC-001'], fault: withOption('perCredMgmtRO', false) });
    const skip = 'skip: perCredMgmtRO option not true (no persistent pinUvAuthToken)';
    expect(outcomes(results)).toEqual({ 'CTAP22-PPUAT-001': skip, 'CTAP22-ENC-001': skip });
  });

  it('should fail CTAP22-ENC-001 on an encIdentifier of the wrong length, or an encCredStoreState that does not change', async () => {
    const long = rewriteResponse(INFO, (b) => b.get(0x19) instanceof Uint8Array && b.set(0x19, new Uint8Array(48)));
    expect(notPassing(await runAgainst({ checks: ['CTAP22-ENC-001'], fault: long }))).toEqual({ 'CTAP22-ENC-001': 'fail: encIdentifier of 48 bytes does not decrypt to 16' });
    const short = rewriteResponse(INFO, (b) => b.get(0x19) instanceof Uint8Array && b.set(0x19, new Uint8Array(16)));
    expect(notPassing(await runAgainst({ checks: ['CTAP22-ENC-001'], fault: short }))).toEqual({ 'CTAP22-ENC-001': 'fail: encIdentifier of 16 bytes does not decrypt to 16' });
    let first: CborValue | undefined;
    const stale = rewriteResponse(INFO, (b) => {
      if (!(b.get(0x1e) instanceof Uint8Array)) return;
      first ??= b.get(0x1e);
      b.set(0x1e, first!);
    });
    expect(notPassing(await runAgainst({ checks: ['CTAP22-ENC-001'], fault: stale }))).toEqual({ 'CTAP22-ENC-001': 'fail: encCredStoreState unchanged after a new discoverable credential' });
    const noState = rewriteResponse(INFO, (b) => b.delete(0x1e));
    expect(outcomes(await runAgainst({ checks: ['CTAP22-ENC-001'], fault: noState }))).toEqual({ 'CTAP22-ENC-001': 'pass: as specified' });
  });

  it('should use the persistent token across a power cycle where the run can power-cycle the key, and fail when the key drops it', async () => {
    const sim = await openPinSuiteSim();
    try {
      // each check power-cycles the key once (the run's own set-up one before them)
      const cycled: string[] = [];
      const powerCycle = sim.authenticator.powerCycle.bind(sim.authenticator);
      sim.authenticator.powerCycle = () => (cycled.push(new Error().stack?.includes('ctap22Checks') ? 'check' : 'set-up'), powerCycle());
      const results = await sim.run({ checks: ['CTAP22-PPUAT-001', 'CTAP22-ENC-001'] });
      expect(results.map((r) => `${r.id} ${r.status}: ${r.message}`)).toEqual(['CTAP22-PPUAT-001 pass: used before and after a power cycle', 'CTAP22-ENC-001 pass: as specified']);
      expect(cycled.filter((c) => c === 'check')).toHaveLength(2);
      sim.authenticator.powerCycle = powerCycle;
      let metadataCalls = 0;
      const dropped = swapStatus(CM, 0x00, S.CTAP2_ERR_PIN_AUTH_INVALID, (req) => req?.get(0x01) === 0x01 && ++metadataCalls === 2);
      const [r] = await sim.run({ checks: ['CTAP22-PPUAT-001'] }, dropped);
      expect(`${r!.status}: ${r!.message}`).toBe('fail: getCredsMetadata with the persistent token after a power cycle: expected 0x00 CTAP2_OK, got 0x33 CTAP2_ERR_PIN_AUTH_INVALID');
      const [first] = await sim.run({ checks: ['CTAP22-PPUAT-001'] }, swapStatus(CM, 0x00, S.CTAP2_ERR_PIN_AUTH_INVALID, (req) => req?.get(0x01) === 0x01));
      expect(`${first!.status}: ${first!.message}`).toBe('fail: getCredsMetadata with the persistent token: expected 0x00 CTAP2_OK, got 0x33 CTAP2_ERR_PIN_AUTH_INVALID');
    } finally {
      await sim.close();
    }
  });
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
