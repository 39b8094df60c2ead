import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FEATURES } from '../../authenticator-sim/index.ts';
import type { Authenticator } from '../../authenticator-sim/Authenticator.ts';
import { CtapStatus as S, encodeCanonicalCbor, pinHash, type AuthenticatorInfo, type CborMap, type CborValue } from '../../harness/protocol/index.ts';
import { authDataOf } from '../../harness/suites/client-pin/tokenChecks.ts';
import type { SuiteContext } from '../../harness/suites/SuiteContext.ts';
import { clientPinChecks } from '../../harness/suites/client-pin/clientPinChecks.ts';
import { planRun } from '../../harness/suites/planRun.ts';
import { flipFirstBit } from '../../harness/suites/pinOps.ts';
import { acceptInstead, clearAuthDataFlags, editResponse, infoOption, failed, openPinSuiteSim, subCommandIs, swapStatus, type PinSuiteSim, type Tamper } from './pinSuiteSim.ts';

const MC = 0x01;
const GA = 0x02;
const PIN = 0x06;
const OTHER = S.CTAP1_ERR_OTHER;
const UV = 0x04;
const sub = { getPINRetries: 1, getKeyAgreement: 2, setPIN: 3, changePIN: 4, getPINToken: 5, withPermissions: 9 };

/** A token request by `subCmd` (getPINToken or with permissions: a key may check each on its own path) with pinUvAuthProtocol, keyAgreement (3) and pinHashEnc (6) but `member`. */
const lacksOnly = (member: 3 | 6, subCmd: number) => (req: CborMap | undefined) =>
  req !== undefined && req.get(1) !== undefined && req.get(2) === subCmd && !req.has(member) && [3, 6].every((m) => m === member || req.has(m));

/**
 * For each check of the client-pin suite, a device answer that breaks the rule it enforces (a tamper
 * between host and simulator) and what the check must then say: with it in place the check must fail, for
 * that reason. Where a simulator quirk exists (pin-retries-not-decremented) the quirk is used instead. A
 * device that accepts what it must refuse answers a well-formed CTAP2_OK (acceptInstead), so the check
 * fails on the status, not on a body that does not decode.
 */
type Case = [Tamper, string];
const OK = '0x00 CTAP2_OK';
const AUTH_INVALID = '0x33 CTAP2_ERR_PIN_AUTH_INVALID';
const perProtocol = (v: 1 | 2): Record<string, Case> => ({
  'KA-001': [(c, req, res) => (c === PIN && subCommandIs(sub.getKeyAgreement)(req) ? editResponse(res, (m) => (m.get(1) as CborMap).set(3, -7)) : res), 'alg is -7, expected -25 (ECDH-ES + HKDF-256)'],
  'SETPIN-001': [swapStatus(PIN, S.CTAP2_OK, OTHER, subCommandIs(sub.setPIN)), `setPIN on a device without a PIN: expected ${OK}, got 0x7f CTAP1_ERR_OTHER`],
  // the status the brief asked for (CTAP2_ERR_NOT_ALLOWED) is not the spec's: a device answering it fails
  'SETPIN-002': [swapStatus(PIN, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_ERR_NOT_ALLOWED, subCommandIs(sub.setPIN)), `setPIN with a PIN already set: expected ${AUTH_INVALID}, got 0x30 CTAP2_ERR_NOT_ALLOWED`],
  'SETPIN-003': [swapStatus(PIN, S.CTAP2_ERR_PIN_AUTH_INVALID, OTHER, subCommandIs(sub.setPIN)), `setPIN with a wrong pinUvAuthParam: expected ${AUTH_INVALID}, got 0x7f CTAP1_ERR_OTHER`],
  'POLICY-001': [swapStatus(PIN, S.CTAP2_ERR_PIN_POLICY_VIOLATION, S.CTAP2_OK, subCommandIs(sub.setPIN)), `setPIN with 3 digits (minPINLength 4): expected 0x37 CTAP2_ERR_PIN_POLICY_VIOLATION, got ${OK}`],
  'POLICY-002': [swapStatus(PIN, S.CTAP2_ERR_PIN_POLICY_VIOLATION, S.CTAP2_OK, subCommandIs(sub.setPIN)), `setPIN with 3 code points / 6 bytes: expected 0x37 CTAP2_ERR_PIN_POLICY_VIOLATION, got ${OK}`],
  'POLICY-003': [swapStatus(PIN, S.CTAP2_ERR_PIN_POLICY_VIOLATION, S.CTAP2_OK, subCommandIs(sub.setPIN)), `setPIN with a 64-byte PIN: expected 0x37 CTAP2_ERR_PIN_POLICY_VIOLATION, got ${OK}`],
  'POLICY-004': [swapStatus(PIN, S.CTAP2_OK, S.CTAP2_ERR_PIN_POLICY_VIOLATION, subCommandIs(sub.setPIN)), `setPIN with a 63-byte PIN: expected ${OK}, got 0x37 CTAP2_ERR_PIN_POLICY_VIOLATION`],
  'PAD-001': [swapStatus(PIN, S.CTAP1_ERR_INVALID_PARAMETER, S.CTAP2_OK, subCommandIs(sub.setPIN)), `setPIN with 128 bytes of padded PIN: expected 0x02 CTAP1_ERR_INVALID_PARAMETER, got ${OK}`],
  'CHANGE-001': [swapStatus(PIN, S.CTAP2_OK, OTHER, subCommandIs(sub.changePIN)), `changePIN with the right current PIN: expected ${OK}, got 0x7f CTAP1_ERR_OTHER`],
  'CHANGE-002': [swapStatus(PIN, S.CTAP2_ERR_PIN_INVALID, S.CTAP2_ERR_PIN_AUTH_INVALID, subCommandIs(sub.changePIN)), `changePIN with a wrong current PIN: expected 0x31 CTAP2_ERR_PIN_INVALID, got ${AUTH_INVALID}`],
  'CHANGE-003': [acceptInstead(MC, S.CTAP2_ERR_PIN_AUTH_INVALID), `makeCredential with a token issued before changePIN: expected ${AUTH_INVALID}, got ${OK}`],
  'WRONG-002': [swapStatus(PIN, S.CTAP2_ERR_PIN_INVALID, S.CTAP2_OK), `wrong PIN: expected 0x31 CTAP2_ERR_PIN_INVALID, got ${OK}`],
  'BLOCK-001': [swapStatus(PIN, S.CTAP2_ERR_PIN_AUTH_BLOCKED, S.CTAP2_ERR_PIN_INVALID), 'wrong PIN number 3 in a row: expected 0x34 CTAP2_ERR_PIN_AUTH_BLOCKED, got 0x31 CTAP2_ERR_PIN_INVALID'],
  // a device that does not look for that one member (the request has all the others)
  'MISSING-001': [swapStatus(PIN, S.CTAP2_ERR_MISSING_PARAMETER, S.CTAP1_ERR_INVALID_PARAMETER, lacksOnly(3, sub.withPermissions)), 'token request without keyAgreement: expected 0x14 CTAP2_ERR_MISSING_PARAMETER, got 0x02 CTAP1_ERR_INVALID_PARAMETER'],
  'MISSING-002': [swapStatus(PIN, S.CTAP2_ERR_MISSING_PARAMETER, S.CTAP2_ERR_PIN_INVALID, lacksOnly(6, sub.withPermissions)), 'token request without pinHashEnc: expected 0x14 CTAP2_ERR_MISSING_PARAMETER, got 0x31 CTAP2_ERR_PIN_INVALID'],
  'PERM-001': [acceptInstead(GA, S.CTAP2_ERR_PIN_AUTH_INVALID), `getAssertion with an mc-only token: expected ${AUTH_INVALID}, got ${OK}`],
  'PERM-002': [acceptInstead(MC, S.CTAP2_ERR_PIN_AUTH_INVALID), `makeCredential with a ga-only token: expected ${AUTH_INVALID}, got ${OK}`],
  'PERM-003': [acceptInstead(MC, S.CTAP2_ERR_PIN_AUTH_INVALID), `makeCredential on other.clientpin-v${v}-perm-003.fido-harness.test with a token for clientpin-v${v}-perm-003.fido-harness.test: expected ${AUTH_INVALID}, got ${OK}`],
  'PERM-004': [swapStatus(PIN, S.CTAP1_ERR_INVALID_PARAMETER, S.CTAP2_ERR_UNAUTHORIZED_PERMISSION, subCommandIs(sub.withPermissions)), 'token request with permissions 0: expected 0x02 CTAP1_ERR_INVALID_PARAMETER, got 0x40 CTAP2_ERR_UNAUTHORIZED_PERMISSION'],
  'PERM-005': [swapStatus(GA, S.CTAP2_OK, S.CTAP2_ERR_PIN_AUTH_INVALID), `getAssertion: expected ${OK}, got ${AUTH_INVALID}`],
  'ONCE-001': [acceptInstead(MC, S.CTAP2_ERR_PIN_AUTH_INVALID), `second makeCredential with the same token: expected ${AUTH_INVALID}, got ${OK}`],
  'LEGACY-001': [clearAuthDataFlags(UV, [MC]), 'UV flag clear on makeCredential with a getPINToken token'],
  'LEGACY-002': [swapStatus(PIN, S.CTAP1_ERR_INVALID_PARAMETER, S.CTAP2_OK, subCommandIs(sub.getPINToken)), `getPINToken with permissions: expected 0x02 CTAP1_ERR_INVALID_PARAMETER, got ${OK}`],
  'LEGACY-003': [acceptInstead(MC, S.CTAP2_ERR_PIN_AUTH_INVALID), `makeCredential on a second RP with the same getPINToken token: expected ${AUTH_INVALID}, got ${OK}`],
  'UVFLAG-001': [clearAuthDataFlags(UV, [MC]), 'UV flag clear on makeCredential with a token'],
  'UVFLAG-002': [clearAuthDataFlags(UV, [GA]), 'UV flag clear on getAssertion with a token'],
  'PARAM-001': [acceptInstead(MC, S.CTAP2_ERR_PIN_AUTH_INVALID), `makeCredential with a ${v === 1 ? 8 : 16}-byte pinUvAuthParam: expected ${AUTH_INVALID}, got ${OK}`],
  'PROBE-001': [swapStatus(MC, S.CTAP2_ERR_PIN_INVALID, S.CTAP2_ERR_PIN_NOT_SET), 'makeCredential with an empty pinUvAuthParam: expected 0x31 CTAP2_ERR_PIN_INVALID, got 0x35 CTAP2_ERR_PIN_NOT_SET'],
  'PROBE-002': [swapStatus(GA, S.CTAP2_ERR_PIN_INVALID, S.CTAP2_ERR_PIN_NOT_SET), 'getAssertion with an empty pinUvAuthParam: expected 0x31 CTAP2_ERR_PIN_INVALID, got 0x35 CTAP2_ERR_PIN_NOT_SET'],
});

const general: Record<string, Case> = {
  'CLIENTPIN-RETRIES-001': [(c, req, res) => (c === PIN && subCommandIs(sub.getPINRetries)(req) ? editResponse(res, (m) => m.set(3, 9)) : res), 'pinRetries is 9'],
  'CLIENTPIN-SUBCMD-001': [swapStatus(PIN, S.CTAP2_ERR_INVALID_SUBCOMMAND, S.CTAP1_ERR_INVALID_PARAMETER), 'clientPIN subCommand 0x1f: expected 0x3e CTAP2_ERR_INVALID_SUBCOMMAND, got 0x02 CTAP1_ERR_INVALID_PARAMETER'],
  'CLIENTPIN-PROTO-001': [swapStatus(PIN, S.CTAP1_ERR_INVALID_PARAMETER, S.CTAP2_ERR_MISSING_PARAMETER), 'getKeyAgreement with pinUvAuthProtocol 99: expected 0x02 CTAP1_ERR_INVALID_PARAMETER, got 0x14 CTAP2_ERR_MISSING_PARAMETER'],
  // a key that reads subCommand and misses the absent protocol (the check's request names getKeyAgreement)
  'CLIENTPIN-PROTO-002': [swapStatus(PIN, S.CTAP2_ERR_MISSING_PARAMETER, S.CTAP1_ERR_INVALID_PARAMETER, subCommandIs(sub.getKeyAgreement)), 'getKeyAgreement without pinUvAuthProtocol: expected 0x14 CTAP2_ERR_MISSING_PARAMETER, got 0x02 CTAP1_ERR_INVALID_PARAMETER'],
  'CLIENTPIN-PUAT-001': [swapStatus(MC, S.CTAP2_ERR_PUAT_REQUIRED, S.CTAP2_ERR_PIN_AUTH_INVALID), `rk makeCredential without a token while a PIN is set: expected 0x36 CTAP2_ERR_PUAT_REQUIRED, got ${AUTH_INVALID}`],
  'PIN-TOKEN-001': [clearAuthDataFlags(UV, [MC]), 'makeCredential with the token did not set the UV flag'],
  'PIN-TOKEN-002': [clearAuthDataFlags(UV, [MC]), 'makeCredential with the token did not set the UV flag'],
};

/** The other ways to break each rule, where a check asks more than one thing: [check, tamper, message]. */
const keyAgreement = (edit: (key: CborMap) => void): Tamper => (c, req, res) => (c === PIN && subCommandIs(sub.getKeyAgreement)(req) ? editResponse(res, (m) => edit(m.get(1) as CborMap)) : res);
const retriesAnswer = (edit: (m: CborMap) => void): Tamper => (c, req, res) => (c === PIN && subCommandIs(sub.getPINRetries)(req) ? editResponse(res, edit) : res);
/** Answers `to` for the `nth` (1-based) time `command` answered `from` (subcommand `subCmd`). */
function nthStatus(command: number, subCmd: number | undefined, from: number, to: number, nth: number): Tamper {
  let seen = 0;
  return (c, req, res) => (c === command && res.status === from && (subCmd === undefined || subCommandIs(subCmd)(req)) && ++seen === nth ? { status: to, payload: new Uint8Array(0) } : res);
}
interface SeenRequest {
  command: number;
  rpId?: string;
  /** clientPIN: subCommand and pinUvAuthProtocol */
  sub?: unknown;
  v?: unknown;
  /** getAssertion: the up option and whether an allowList was sent */
  up?: unknown;
  allowList?: boolean;
}
/** Records the requests: RP IDs of makeCredential (rp.id), getAssertion (rpId) and clientPIN (rpId), and what else the checks mean to send. */
function requests() {
  const seen: SeenRequest[] = [];
  const tamper: Tamper = (c, req, res) => {
    const rp = c === MC ? (req?.get(2) as Map<string, unknown> | undefined)?.get('id') : c === GA ? req?.get(1) : c === PIN ? req?.get(10) : undefined;
    const r: SeenRequest = { command: c, ...(rp === undefined ? {} : { rpId: String(rp) }) };
    if (c === PIN) Object.assign(r, { sub: req?.get(2), v: req?.get(1) });
    if (c === GA) Object.assign(r, { up: (req?.get(5) as Map<string, unknown> | undefined)?.get('up'), allowList: ((req?.get(3) as unknown[] | undefined)?.length ?? 0) > 0 });
    seen.push(r);
    return res;
  };
  return { seen, tamper };
}

/** The `nth` getPINRetries answer says `n`. */
function nthRetries(nth: number, n: number): Tamper {
  let seen = 0;
  return (c, req, res) => (c === PIN && subCommandIs(sub.getPINRetries)(req) && ++seen === nth ? editResponse(res, (m) => m.set(3, n)) : res);
}
/** makeCredential answers whose authenticatorData lost its attested credential data (AT flag clear, CTAP 2.1 §6.1). */
const noAttestedCredential: Tamper = (c, _req, res) =>
  c === MC
    ? editResponse(res, (m) => {
        const authData = (m.get(2) as Uint8Array).slice(0, 37);
        authData[32] = authData[32]! & ~0x40;
        m.set(2, authData);
      })
    : res;
const keyAgreementRefused = (status: number): Tamper => swapStatus(PIN, S.CTAP2_OK, status, subCommandIs(sub.getKeyAgreement));
const morePerProtocol = (v: 1 | 2): Array<[string, Tamper, string | RegExp]> => {
  const id = (rest: string) => `CLIENTPIN-V${v}-${rest}`;
  return [
    [id('KA-001'), keyAgreement((k) => k.set(1, 3)), 'kty is 3, expected 2 (EC2)'],
    [id('KA-001'), keyAgreement((k) => k.set(-1, 3)), 'crv is 3, expected 1 (P-256)'],
    [id('KA-001'), keyAgreement((k) => k.set(-3, (k.get(-3) as Uint8Array).subarray(1))), 'y is not 32 bytes'],
    [id('KA-001'), keyAgreement((k) => k.set(-2, (k.get(-2) as Uint8Array).subarray(1))), 'x is not 32 bytes'],
    [id('KA-001'), keyAgreement((k) => k.set(-3, 'y')), 'y is not 32 bytes'],
    [id('KA-001'), keyAgreement((k) => k.set(-3, Uint8Array.from(k.get(-3) as Uint8Array, (b, i) => (i === 31 ? b ^ 1 : b)))), /^\(x, y\) = \([0-9a-f]{64}, [0-9a-f]{64}\) is not a point on P-256$/],
    [id('KA-001'), (c, req, res) => (c === PIN && subCommandIs(sub.getKeyAgreement)(req) ? editResponse(res, (m) => m.delete(1)) : res), 'no keyAgreement (0x01) in the answer'],
    [id('KA-001'), swapStatus(PIN, S.CTAP2_OK, OTHER, subCommandIs(sub.getKeyAgreement)), `getKeyAgreement: expected ${OK}, got 0x7f CTAP1_ERR_OTHER`],
    // a refused key agreement is not the refusal the check waits for: a key answering CTAP1_ERR_INVALID_PARAMETER
    // to every getKeyAgreement passed PAD-001 when its status was judged as setPIN's
    [id('PAD-001'), keyAgreementRefused(S.CTAP1_ERR_INVALID_PARAMETER), 'getKeyAgreement answered 0x02 CTAP1_ERR_INVALID_PARAMETER'],
    [id('POLICY-001'), keyAgreementRefused(S.CTAP2_ERR_PIN_POLICY_VIOLATION), 'getKeyAgreement answered 0x37 CTAP2_ERR_PIN_POLICY_VIOLATION'],
    [id('POLICY-002'), keyAgreementRefused(S.CTAP2_ERR_PIN_POLICY_VIOLATION), 'getKeyAgreement answered 0x37 CTAP2_ERR_PIN_POLICY_VIOLATION'],
    [id('POLICY-003'), keyAgreementRefused(S.CTAP2_ERR_PIN_POLICY_VIOLATION), 'getKeyAgreement answered 0x37 CTAP2_ERR_PIN_POLICY_VIOLATION'],
    [id('SETPIN-003'), keyAgreementRefused(S.CTAP2_ERR_PIN_AUTH_INVALID), `getKeyAgreement answered ${AUTH_INVALID}`],
    // the runner's own setPIN takes the first key agreement
    [id('CHANGE-002'), nthStatus(PIN, sub.getKeyAgreement, S.CTAP2_OK, S.CTAP2_ERR_PIN_INVALID, 2), 'getKeyAgreement answered 0x31 CTAP2_ERR_PIN_INVALID'],
    [id('KA-001'), keyAgreement((k) => k.set(-2, 'x'.repeat(32))), 'x is not 32 bytes'],
    [id('KA-001'), keyAgreement((k) => k.set(-3, 'y'.repeat(32))), 'y is not 32 bytes'],
    // the retry counter as the key reports it, the nth getPINRetries of the check
    [id('WRONG-001'), nthRetries(3, 7), 'pinRetries is 7 after the right PIN, expected 8'],
    [id('WRONG-001'), nthRetries(2, 8), 'pinRetries went from 8 to 8 after a wrong PIN, expected 7'],
    [id('MISSING-001'), nthRetries(2, 7), 'pinRetries went from 8 to 7 on a malformed request'],
    [id('MISSING-002'), nthRetries(2, 7), 'pinRetries went from 8 to 7 on a malformed request'],
    [id('PERM-004'), nthRetries(2, 7), 'pinRetries went from 8 to 7'],
    [id('SETPIN-001'), retriesAnswer((m) => m.set(3, 9)), 'pinRetries after setPIN is 9, expected the maximum (1..8)'],
    [id('SETPIN-001'), retriesAnswer((m) => m.set(3, 0)), 'pinRetries after setPIN is 0, expected the maximum (1..8)'],
    [id('SETPIN-001'), infoOption('clientPin', false), 'getInfo clientPin is not true after setPIN'],
    [id('WRONG-001'), swapStatus(PIN, S.CTAP2_ERR_PIN_INVALID, OTHER), 'token request with a wrong PIN: expected 0x31 CTAP2_ERR_PIN_INVALID, got 0x7f CTAP1_ERR_OTHER'],
    [id('CHANGE-001'), swapStatus(PIN, S.CTAP2_ERR_PIN_INVALID, OTHER), 'token request with the old PIN: expected 0x31 CTAP2_ERR_PIN_INVALID, got 0x7f CTAP1_ERR_OTHER'],
    [id('CHANGE-001'), nthStatus(PIN, sub.changePIN, S.CTAP2_OK, S.CTAP1_ERR_OTHER, 2), `changePIN back: expected ${OK}, got 0x7f CTAP1_ERR_OTHER`],
    [id('CHANGE-003'), swapStatus(PIN, S.CTAP2_OK, OTHER, subCommandIs(sub.changePIN)), `changePIN: expected ${OK}, got 0x7f CTAP1_ERR_OTHER`],
    [id('BLOCK-001'), nthStatus(PIN, undefined, S.CTAP2_ERR_PIN_AUTH_BLOCKED, OTHER, 2), 'the right PIN before a power cycle: expected 0x34 CTAP2_ERR_PIN_AUTH_BLOCKED, got 0x7f CTAP1_ERR_OTHER'],
    [id('BLOCK-001'), retriesAnswer((m) => m.set(4, false)), 'getPINRetries powerCycleState is false while PIN entry is blocked'],
    [id('BLOCK-001'), retriesAnswer((m) => m.set(4, true)), 'powerCycleState still true after a power cycle and a right PIN'],
  ];
};
const more: Array<[string, Tamper, string | RegExp]> = [
  ['CLIENTPIN-RETRIES-001', retriesAnswer((m) => m.set(3, 0)), 'pinRetries is 0'],
  ['CLIENTPIN-RETRIES-001', retriesAnswer((m) => m.set(3, 1)), ''],
  // a key that looks at pinUvAuthProtocol before subCommand (the order is the key's): the check's request has it
  ['CLIENTPIN-SUBCMD-001', (c, req, res) => (c === PIN && !req?.has(1) ? { status: S.CTAP2_ERR_MISSING_PARAMETER, payload: new Uint8Array(0) } : res), ''],
  // the pooled makeCredential with a token (tokenMc) as the token checks read it
  ['CLIENTPIN-V1-UVFLAG-001', clearAuthDataFlags(0x01, [MC]), 'UP flag clear on makeCredential'],
  ['CLIENTPIN-V2-UVFLAG-002', swapStatus(GA, S.CTAP2_OK, OTHER), 'getAssertion: expected 0x00 CTAP2_OK, got 0x7f CTAP1_ERR_OTHER'],
  ['CLIENTPIN-V2-PERM-001', noAttestedCredential, 'making the pool credential "tokenMc2": makeCredential authenticatorData has no attested credential data'],
  [
    'CLIENTPIN-V2-UVFLAG-002',
    (c, _req, res) => (c === GA ? editResponse(res, (m) => m.set(2, (m.get(2) as Uint8Array).subarray(0, 36))) : res),
    'authenticatorData is malformed: authenticatorData is 36 bytes, at least 37 needed',
  ],
  ...morePerProtocol(1),
  ...morePerProtocol(2),
];

const table: Array<[string, Case]> = [
  ...Object.entries(general),
  ...([1, 2] as const).flatMap((v) => Object.entries(perProtocol(v)).map(([rest, c]): [string, Case] => [`CLIENTPIN-V${v}-${rest}`, c])),
];

/**
 * What a check leaves on the key, failing or not: no PIN, or the run's PIN with every retry and PIN entry
 * not blocked, so that the next check can run (the checks reset, restore or power-cycle after themselves).
 */
function leftBehind(a: Authenticator): string {
  const pin = a.state.pin;
  if (!pin) return 'no PIN';
  const whose = Buffer.from(pin.hash).equals(pinHash('1234')) ? "the run's PIN" : 'another PIN';
  return `${whose}, ${a.state.pinRetries} retries, ${a.consecutivePinFailures} wrong in a row`;
}
const USABLE = /^(no PIN|the run's PIN, 8 retries, 0 wrong in a row)$/;

describe('client-pin suite', () => {
  let sim: PinSuiteSim;
  beforeAll(async () => {
    sim = await openPinSuiteSim();
  });
  afterAll(async () => sim.close());

  it('should pass every check on the clean simulator (including PIN-TOKEN-001/002 and the power-cycle check)', async () => {
    const results = await sim.run({ suites: ['client-pin'] });
    expect(failed(results)).toEqual([]);
    // the simulator offers the feature of every permission: none to refuse (its own test is below)
    expect(results.filter((r) => r.status === 'skip').map((r) => `${r.id}: ${r.message}`)).toEqual([
      'CLIENTPIN-UNAUTHPERM-001: getInfo offers the feature of every pinUvAuthToken permission: none to refuse',
    ]);
    const ids = results.map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining(['PIN-TOKEN-001', 'PIN-TOKEN-002', 'CLIENTPIN-V1-BLOCK-001', 'CLIENTPIN-V2-BLOCK-001']));
    // each check asked for the touches the plan gives it, pooled credentials made once per protocol
    const plan = planRun(clientPinChecks, await sim.context(), { replugForReset: false }).perCheck;
    expect(results.filter((r) => (r.touches ?? 0) !== (plan.get(r.id) ?? 0)).map((r) => `${r.id}: ${r.touches} touches, planned ${plan.get(r.id)}`)).toEqual([]);
    expect(ids.length).toBeGreaterThanOrEqual(60);
  }, 30_000);

  it('should have a failing case for every check of the suite', () => {
    // the WRONG checks fail on pin-retries-not-decremented, UNAUTHPERM on its key without features (below)
    const covered = new Set([...table.map(([id]) => id), 'CLIENTPIN-V1-WRONG-001', 'CLIENTPIN-V2-WRONG-001', 'CLIENTPIN-UNAUTHPERM-001']);
    const ids = clientPinChecks.map((c) => c.id);
    expect(ids.length).toBeGreaterThanOrEqual(60);
    expect(ids.filter((id) => !covered.has(id))).toEqual([]);
    // and every row names a check of the suite
    expect([...table.map(([id]) => id), ...more.map(([id]) => id)].filter((id) => !ids.includes(id))).toEqual([]);
  });

  // one test per check: a mutant in check X runs X's tests only
  it.each(clientPinChecks.map((c) => c.id).filter((id) => id !== 'CLIENTPIN-UNAUTHPERM-001'))('should pass %s alone, asking what it means to ask', async (id) => {
    // alone and untampered it passes (so a tamper's failure is the tamper's doing); it asks for the touches
    // it declares (the plan), no more: the token checks' assertions are silent (up false)
    const planned = planRun(clientPinChecks.filter((c) => c.id === id), await sim.context(), { replugForReset: false }).perCheck.get(id);
    const rec = requests();
    const [clean] = await sim.run({ checks: [id] }, rec.tamper);
    expect(`${clean?.status} ${clean?.message}`).toMatch(/^pass /);
    expect(clean?.touches).toBe(planned);
    // RP IDs of its own (ctx.rpIdFor) or of the run's pool: credentials of one check never meet another's
    const own = new RegExp(`^((other|second)\\.)?(${id.toLowerCase()}|pool-[a-z0-9-]+)\\.fido-harness\\.test$`);
    expect(rec.seen.map((r) => r.rpId).filter((rp) => rp !== undefined && !own.test(rp))).toEqual([]);
    // after the runner's own setPIN (protocol two), a protocol-one check speaks protocol one
    const v = /^CLIENTPIN-V([12])-/.exec(id)?.[1];
    const runnerSetPin = clientPinChecks.find((c) => c.id === id)!.needs?.pin === 'set' ? rec.seen.findIndex((r) => r.command === PIN && r.sub === sub.setPIN) : -1;
    const own_ = rec.seen.slice(runnerSetPin + 1).filter((r) => r.command === PIN && r.v !== undefined);
    if (v) expect(own_.filter((r) => r.v !== Number(v)).map((r) => `subCommand ${String(r.sub)} protocol ${String(r.v)}`)).toEqual([]);
    // getAssertion with a token: silent, on the check's credential (PROBE-002's touch probe asks for the touch)
    if (!id.endsWith('PROBE-002')) expect(rec.seen.filter((r) => r.command === GA && (r.up !== false || !r.allowList))).toEqual([]);
    // the getPINToken checks never ask with permissions
    if (/LEGACY-00[13]$/.test(id)) expect(own_.filter((r) => r.sub === sub.withPermissions)).toEqual([]);
    expect(leftBehind(sim.authenticator)).toMatch(USABLE);
  });

  it.each(table)('should fail %s when the device breaks the rule it enforces', async (id, [tamper, message]) => {
    const [result] = await sim.run({ checks: [id] }, tamper);
    expect(`${result?.status} ${result?.message}`).toBe(`fail ${message}`);
    expect(leftBehind(sim.authenticator)).toMatch(USABLE);
  });

  it('should ask for each permission getInfo rules out once, mc and ga with the check\'s RP ID (§6.5.5.7.2)', async () => {
    const features = { ...DEFAULT_FEATURES, credMgmt: false, credMgmtPreview: false, largeBlobs: false, authnrCfg: false, staticOptions: { ...DEFAULT_FEATURES.staticOptions, noMcGaPermissionsWithClientPin: true } };
    const other = await openPinSuiteSim({ features, fingerprint: false });
    try {
      const asked: Array<[unknown, unknown]> = [];
      const [result] = await other.run({ checks: ['CLIENTPIN-UNAUTHPERM-001'] }, (c, req, res) => {
        if (c === PIN && subCommandIs(sub.withPermissions)(req)) asked.push([req?.get(9), req?.get(10)]);
        return res;
      });
      expect(result?.status).toBe('pass');
      const own = 'clientpin-unauthperm-001.fido-harness.test';
      // the runner's setPIN asks no token; every request here is the check's
      expect(asked).toEqual([[0x04, undefined], [0x08, undefined], [0x10, undefined], [0x20, undefined], [0x01, own], [0x02, own]]);
    } finally {
      await other.close();
    }
  }, 30_000);

  it.each(more.map(([id, tamper, message], i) => [id, i, tamper, message] as const))(
    'should fail %s (other way %i to break its rule) with its message',
    async (id, _i, tamper, message) => {
      const [result] = await sim.run({ checks: [id] }, tamper);
      // an empty message: the tamper stays within the rule (pinRetries 1 is a maximum a key may have)
      if (message === '') expect(result?.status).toBe('pass');
      else {
        expect(result?.status).toBe('fail');
        if (typeof message === 'string') expect(result?.message).toBe(message);
        else expect(result?.message).toMatch(message);
      }
      expect(leftBehind(sim.authenticator)).toMatch(USABLE);
    },
  );

  // a key that took a PIN while answering an error: the check must leave the context knowing it (reset), or
  // the next check needing a PIN would try to set one on a key that has one
  it.each([
    ['CLIENTPIN-V2-SETPIN-001', nthStatus(PIN, sub.setPIN, S.CTAP2_OK, OTHER, 1), ['fail setPIN on a device without a PIN: expected 0x00 CTAP2_OK, got 0x7f CTAP1_ERR_OTHER', 'pass']],
    ['CLIENTPIN-V2-POLICY-004', swapStatus(PIN, S.CTAP2_OK, OTHER, subCommandIs(sub.changePIN)), ['pass', 'pass']],
    ['CLIENTPIN-V1-POLICY-004', swapStatus(PIN, S.CTAP2_OK, OTHER, subCommandIs(sub.changePIN)), ['pass', 'pass']],
  ] as const)('should leave the PIN state known after %s on a key that set a PIN and answered an error', async (id, tamper, want) => {
    const results = await sim.run({ checks: [id, 'CLIENTPIN-RETRIES-001'] }, tamper);
    expect(results.map((r) => r.id)).toEqual([id, 'CLIENTPIN-RETRIES-001']);
    expect(results.map((r) => (r.status === 'pass' ? 'pass' : `${r.status} ${r.message}`))).toEqual(want);
  });

  // a key that took a PIN it had to refuse (and said so, CTAP2_OK): the check resets it, so the next check
  // does not meet a PIN nobody knows
  const takesPin =
    (subCmd: number): Tamper =>
    (c, req, res) => {
      if (c !== PIN || !subCommandIs(subCmd)(req) || res.status === S.CTAP2_OK) return res;
      sim.authenticator.state.pin = { hash: pinHash('97531864'), codePoints: 8 };
      return { status: S.CTAP2_OK, payload: new Uint8Array(0) };
    };
  it.each([
    ['CLIENTPIN-V2-SETPIN-002', sub.setPIN, `setPIN with a PIN already set: expected ${AUTH_INVALID}, got ${OK}`],
    ['CLIENTPIN-V1-SETPIN-003', sub.setPIN, `setPIN with a wrong pinUvAuthParam: expected ${AUTH_INVALID}, got ${OK}`],
    ['CLIENTPIN-V2-POLICY-001', sub.setPIN, `setPIN with 3 digits (minPINLength 4): expected 0x37 CTAP2_ERR_PIN_POLICY_VIOLATION, got ${OK}`],
    ['CLIENTPIN-V1-CHANGE-002', sub.changePIN, `changePIN with a wrong current PIN: expected 0x31 CTAP2_ERR_PIN_INVALID, got ${OK}`],
  ])('should fail %s on a key that takes the PIN it must refuse, and reset it', async (id, subCmd, message) => {
    const [result] = await sim.run({ checks: [id] }, takesPin(subCmd));
    expect(`${result?.status} ${result?.message}`).toBe(`fail ${message}`);
    expect(leftBehind(sim.authenticator)).toBe('no PIN');
    // one reset (a touch), no more
    expect(result?.touches).toBe(1);
  });

  it.each([1, 2])('should fail CLIENTPIN-V%i-WRONG-002 on a key that keeps its key-agreement key after a wrong PIN', async (v) => {
    let asked = 0;
    const stale: Tamper = (c, req, res) =>
      c === PIN && subCommandIs(sub.withPermissions)(req) && ++asked === 2 ? { status: S.CTAP2_OK, payload: encodeCanonicalCbor(new Map([[2, new Uint8Array(32)]])) } : res;
    const [result] = await sim.run({ checks: [`CLIENTPIN-V${v}-WRONG-002`] }, stale);
    expect(`${result?.status} ${result?.message}`).toBe('fail the right PIN under the pre-mismatch shared secret was accepted: the key-agreement key was not regenerated');
    expect(leftBehind(sim.authenticator)).toMatch(USABLE);
  });

  // a key whose later getInfo answers have no options (member 0x04): the checks read clientPin there
  const optionsGoneAfterFirstInfo = (): Tamper => {
    let infos = 0;
    return (c, _req, res) => (c === 0x04 && ++infos > 1 ? editResponse(res, (m) => m.delete(4)) : res);
  };
  it.each([
    ['CLIENTPIN-V2-SETPIN-003', 'clientPin is not false after a refused setPIN'],
    ['CLIENTPIN-V1-SETPIN-001', 'getInfo clientPin is not true after setPIN'],
  ])('should fail %s, not error, when getInfo loses its options', async (id, message) => {
    const [result] = await sim.run({ checks: [id] }, optionsGoneAfterFirstInfo());
    expect(`${result?.status} ${result?.message}`).toBe(`fail ${message}`);
  });

  it('should give the retry counts WRONG-001 read as its evidence', async () => {
    const [result] = await sim.run({ checks: ['CLIENTPIN-V2-WRONG-001'] }, nthRetries(2, 8));
    expect(result?.evidence).toMatchObject({ expected: '7', actual: '8' });
  });

  // the first changePIN of the check is refused for real (its pinUvAuthParam spoilt on the way in)
  const spoilNthChangePin = (nth: number) => {
    let seen = 0;
    return (c: number, req: CborMap) => {
      if (c === PIN && req.get(2) === sub.changePIN && ++seen === nth) req.set(4, flipFirstBit(req.get(4) as Uint8Array));
    };
  };
  it('should leave the PIN state known after POLICY-004 when changing the 63-byte PIN back fails', async () => {
    const results = await sim.run({ checks: ['CLIENTPIN-V2-POLICY-004', 'CLIENTPIN-V2-CHANGE-002'] }, undefined, spoilNthChangePin(1));
    expect(results.map((r) => `${r.id} ${r.status}`)).toEqual(['CLIENTPIN-V2-POLICY-004 pass', 'CLIENTPIN-V2-CHANGE-002 pass']);
  });

  it('should reset the key when CHANGE-003 cannot change the PIN back', async () => {
    const [result] = await sim.run({ checks: ['CLIENTPIN-V1-CHANGE-003'] }, undefined, spoilNthChangePin(2));
    expect(result?.status).toBe('pass');
    expect(leftBehind(sim.authenticator)).toBe('no PIN');
  });

  // the padded PINs the key decrypts (setPIN newPinEnc, changePIN newPinEnc: 64 bytes), as text
  it.each([
    ['CLIENTPIN-V2-POLICY-001', ['123']],
    ['CLIENTPIN-V1-POLICY-002', ['\u00e4\u00f6\u00fc']],
  ])('should send the PINs %s means to send', async (id, pins) => {
    const sent: string[] = [];
    const originals = [...sim.authenticator.protocols.values()].map((p) => [p, p.decrypt] as const);
    for (const [p, decrypt] of originals) {
      p.decrypt = (key, ciphertext) => {
        const out = decrypt.call(p, key, ciphertext);
        if (out?.length === 64) sent.push(new TextDecoder().decode(out.subarray(0, out.indexOf(0) < 0 ? 64 : out.indexOf(0))));
        return out;
      };
    }
    try {
      const [result] = await sim.run({ checks: [id] });
      expect(result?.status).toBe('pass');
      expect(sent).toEqual(pins);
    } finally {
      for (const [p, decrypt] of originals) p.decrypt = decrypt;
    }
  });

  it.each([1, 2])('should fail CLIENTPIN-V%i-PARAM-001 on a device that compares only the first bytes of a longer pinUvAuthParam', async (v) => {
    const mac = v === 1 ? 16 : 32;
    const longer = acceptInstead(MC, S.CTAP2_ERR_PIN_AUTH_INVALID, (req) => (req?.get(8) as Uint8Array | undefined)?.length === mac + 16);
    const [result] = await sim.run({ checks: [`CLIENTPIN-V${v}-PARAM-001`] }, longer);
    expect(`${result?.status} ${result?.message}`).toBe(`fail makeCredential with a ${mac + 16}-byte pinUvAuthParam: expected ${AUTH_INVALID}, got ${OK}`);
  });

  it('should skip the three-wrong-PINs check with a reason when the device cannot be power-cycled', async () => {
    const { runSuites } = await import('../../harness/suites/runSuites.ts');
    const { results } = await runSuites({
      device: { ctap2: sim.device.ctap2, kind: 'sim' },
      context: { allowDestructive: true, pin: '1234' },
      checks: ['CLIENTPIN-V2-BLOCK-001'],
    });
    expect(results[0]!.status).toBe('skip');
    expect(results[0]!.message).toMatch(/power-cycled/);
  });
});

describe('CLIENTPIN-V2-POLICY-001 on a key whose minPINLength is 6 (CTAP 2.1 §6.4, §6.5.1)', () => {
  it('should send one code point fewer than the key asks for, and fail a key that takes it', async () => {
    const sim = await openPinSuiteSim({ features: { ...DEFAULT_FEATURES, minPINLength: 6 } });
    try {
      const id = 'CLIENTPIN-V2-POLICY-001';
      const [clean] = await sim.run({ checks: [id] });
      expect(`${clean?.status} ${clean?.message}`).toBe('pass as specified');
      const [taken] = await sim.run({ checks: [id] }, swapStatus(PIN, S.CTAP2_ERR_PIN_POLICY_VIOLATION, S.CTAP2_OK, subCommandIs(sub.setPIN)));
      expect(`${taken?.status} ${taken?.message}`).toBe(`fail setPIN with 5 digits (minPINLength 6): expected 0x37 CTAP2_ERR_PIN_POLICY_VIOLATION, got ${OK}`);
    } finally {
      await sim.close();
    }
  }, 30_000);
});

describe('client-pin suite with the pin-retries-not-decremented quirk', () => {
  it('should fail exactly the retry-count checks of both protocols', async () => {
    const sim = await openPinSuiteSim({ quirks: ['pin-retries-not-decremented'] });
    try {
      const results = await sim.run({ suites: ['client-pin'] });
      expect(failed(results).sort()).toEqual(['CLIENTPIN-V1-WRONG-001', 'CLIENTPIN-V2-WRONG-001']);
    } finally {
      await sim.close();
    }
  }, 30_000);
});

describe('CLIENTPIN-UNAUTHPERM-001 on a key without credential management, large blobs, authenticatorConfig or a fingerprint sensor', () => {
  const without = { features: { ...DEFAULT_FEATURES, credMgmt: false, credMgmtPreview: false, largeBlobs: false, authnrCfg: false }, fingerprint: false as const };
  const run = async (options: Parameters<typeof openPinSuiteSim>[0], tamper?: Tamper) => {
    const sim = await openPinSuiteSim(options);
    try {
      const [result] = await sim.run({ checks: ['CLIENTPIN-UNAUTHPERM-001'] }, tamper);
      return result!;
    } finally {
      await sim.close();
    }
  };

  it('should pass when the key refuses cm, be, lbw and acfg (CTAP 2.1 §6.5.5.7.2 step 4)', async () => {
    const result = await run(without);
    expect(result.status).toBe('pass');
    expect(result.message).toBe('refused cm, be, lbw, acfg');
  }, 30_000);

  it('should ask for mc and ga with an RP ID on a key that has noMcGaPermissionsWithClientPin (§6.5.5.7.2 steps 3-4)', async () => {
    const result = await run({ ...without, features: { ...without.features, staticOptions: { ...without.features.staticOptions, noMcGaPermissionsWithClientPin: true } } });
    expect(`${result.status} ${result.message}`).toBe('pass refused cm, be, lbw, acfg, mc, ga');
  }, 30_000);

  it('should fail when one of them is granted: a device answering CTAP2_OK, and the unsupported-permission-granted quirk', async () => {
    const granted = await run(without, swapStatus(PIN, S.CTAP2_ERR_UNAUTHORIZED_PERMISSION, S.CTAP2_OK, (req) => subCommandIs(sub.withPermissions)(req) && [0x04, 0x20].includes(req?.get(9) as number)));
    expect(granted.status).toBe('fail');
    const both = 'cm (0x04; credMgmt is false or absent): 0x00 CTAP2_OK; acfg (0x20; authnrCfg is false or absent): 0x00 CTAP2_OK';
    expect(granted.message).toBe(`permissions getInfo rules out were not refused: ${both}`);
    expect(granted.evidence).toMatchObject({ expected: 'CTAP2_ERR_UNAUTHORIZED_PERMISSION for each', actual: both });
    const quirk = await run({ quirks: ['unsupported-permission-granted'] });
    expect(quirk.status).toBe('fail');
    expect(quirk.message).toMatch(/^permissions getInfo rules out were not refused: lbw \(0x10; largeBlobs is false or absent\)/);
  }, 30_000);
});

describe('client-pin suite on a CTAP 2.0 key (getInfo without pinUvAuthToken: getPINToken only, CTAP 2.1 §6.5.5.7.1)', () => {
  const features = {
    ...DEFAULT_FEATURES,
    versions: ['U2F_V2', 'FIDO_2_0'],
    extensions: ['hmac-secret'],
    pinUvAuthToken: false,
    credMgmt: false,
    credMgmtPreview: false,
    authnrCfg: false,
    setMinPINLength: false,
    largeBlobs: false,
    bioEnroll: false,
    alwaysUv: false,
    ep: false,
    makeCredUvNotRqd: false,
  } as typeof DEFAULT_FEATURES;
  let sim: PinSuiteSim;
  beforeAll(async () => {
    sim = await openPinSuiteSim({ features, fingerprint: false });
  });
  afterAll(async () => sim.close());

  const noPermissions = 'pinUvAuthToken option absent (no getPinUvAuthTokenUsingPinWithPermissions)';
  const not21 = 'device does not claim FIDO_2_1';
  const skipped: Record<string, string> = {
    'CLIENTPIN-PUAT-001': not21,
    'CLIENTPIN-UNAUTHPERM-001': noPermissions,
    'PIN-TOKEN-001': noPermissions,
    'PIN-TOKEN-002': noPermissions,
  };
  for (const v of [1, 2]) {
    for (const rest of ['PERM-001', 'PERM-002', 'PERM-003', 'PERM-004', 'PERM-005', 'ONCE-001']) skipped[`CLIENTPIN-V${v}-${rest}`] = noPermissions;
    for (const rest of ['PAD-001', 'LEGACY-002', 'LEGACY-003', 'PROBE-001', 'PROBE-002']) skipped[`CLIENTPIN-V${v}-${rest}`] = not21;
  }

  it.each(clientPinChecks.map((c) => c.id))('should run %s with getPINToken only, passing, or skip it with the reason', async (id) => {
    const sent: unknown[] = [];
    const [result] = await sim.run({ checks: [id] }, (c, req, res) => {
      if (c === PIN) sent.push(req?.get(2));
      return res;
    });
    expect(`${result?.status} ${result?.message}`).toBe(id in skipped ? `skip ${skipped[id]}` : 'pass as specified');
    // subcommands 0x06 and 0x09 are CTAP 2.1's: a CTAP 2.0 key does not know them
    expect(sent.filter((s) => s === sub.withPermissions || s === 0x06)).toEqual([]);
    expect(leftBehind(sim.authenticator)).toMatch(USABLE);
  });

  // the getPINToken forms of the requests (what a CTAP 2.0 key is asked)
  const staleToken = (): Tamper => {
    let asked = 0;
    return (c, req, res) => (c === PIN && subCommandIs(sub.getPINToken)(req) && ++asked === 2 ? { status: S.CTAP2_OK, payload: encodeCanonicalCbor(new Map([[2, new Uint8Array(32)]])) } : res);
  };
  it.each([
    ['CLIENTPIN-V1-MISSING-001', () => swapStatus(PIN, S.CTAP2_ERR_MISSING_PARAMETER, S.CTAP1_ERR_INVALID_PARAMETER, lacksOnly(3, sub.getPINToken)), 'token request without keyAgreement: expected 0x14 CTAP2_ERR_MISSING_PARAMETER, got 0x02 CTAP1_ERR_INVALID_PARAMETER'],
    ['CLIENTPIN-V2-MISSING-002', () => swapStatus(PIN, S.CTAP2_ERR_MISSING_PARAMETER, S.CTAP2_ERR_PIN_INVALID, lacksOnly(6, sub.getPINToken)), 'token request without pinHashEnc: expected 0x14 CTAP2_ERR_MISSING_PARAMETER, got 0x31 CTAP2_ERR_PIN_INVALID'],
    ['CLIENTPIN-V1-WRONG-002', staleToken, 'the right PIN under the pre-mismatch shared secret was accepted: the key-agreement key was not regenerated'],
    ['CLIENTPIN-V2-WRONG-002', () => swapStatus(PIN, S.CTAP2_ERR_PIN_INVALID, S.CTAP2_OK), `wrong PIN: expected 0x31 CTAP2_ERR_PIN_INVALID, got ${OK}`],
  ] as const)('should fail %s when the key breaks its rule', async (id, tamper, message) => {
    const [result] = await sim.run({ checks: [id] }, tamper());
    expect(`${result?.status} ${result?.message}`).toBe(`fail ${message}`);
    expect(leftBehind(sim.authenticator)).toMatch(USABLE);
  });
});

describe('CLIENTPIN-PUAT-001: when it applies (CTAP 2.1 §6.1.2 step 6: a PIN set, rk asked for, no alwaysUv)', () => {
  const puat = clientPinChecks.find((c) => c.id === 'CLIENTPIN-PUAT-001')!;
  const on = (info: Partial<AuthenticatorInfo>) => puat.requires!({ info: { versions: ['FIDO_2_1'], aaguid: new Uint8Array(16), ...info } } as unknown as SuiteContext);

  it('should run on a CTAP 2.1 key with clientPin and rk, and name what is missing otherwise, the PIN first', () => {
    expect(on({ options: { clientPin: true, rk: true } })).toBeUndefined();
    expect(on({ options: { clientPin: true, rk: false } })).toBe('rk option not true');
    expect(on({ options: { clientPin: true } })).toBe('rk option not true');
    expect(on({ versions: ['FIDO_2_0'], options: { clientPin: true, rk: true } })).toBe('device does not claim FIDO_2_1');
    expect(on({ versions: ['FIDO_2_0'], options: { rk: false } })).toBe('clientPin option absent: the device has no PIN');
    expect(on({ options: { clientPin: true, rk: true, alwaysUv: true } })).toMatch(/alwaysUv/);
  });
});

describe('authDataOf: the authenticatorData of an answer that must be CTAP2_OK (CTAP 2.1 §6.1, §6.2)', () => {
  const ok = (value: CborMap) => ({ ok: true as const, status: 0 as const, value, response: undefined, raw: new Uint8Array(0), findings: [] });
  const failure = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      return `${(err as Error).name} ${(err as Error).message}`;
    }
    return 'no failure';
  };

  it('should fail on a refusal, naming the command', () => {
    expect(failure(() => authDataOf({ ok: false, status: S.CTAP2_ERR_PIN_AUTH_INVALID, raw: Uint8Array.of(0x33), findings: [] }, 'getAssertion'))).toBe(
      `CheckFailed getAssertion: expected ${OK}, got ${AUTH_INVALID}`,
    );
  });

  it('should decode the answer of the command named, and fail on one that does not decode', () => {
    expect(failure(() => authDataOf(ok(new Map([[1, 'packed']])), 'makeCredential'))).toMatch(/^CheckFailed makeCredential response is malformed: /);
    expect(failure(() => authDataOf(ok(new Map([[1, 'packed']])), 'getAssertion'))).toMatch(/^CheckFailed getAssertion response is malformed: /);
    // a getAssertion answer (credential 0x01, authData 0x02, signature 0x03) read as one
    const authData = new Uint8Array(37);
    authData[32] = 0x05;
    const ga = new Map<number, CborValue>([
      [1, new Map<string, CborValue>([['type', 'public-key'], ['id', new Uint8Array(16)]])],
      [2, authData],
      [3, new Uint8Array(70)],
    ]);
    const read = authDataOf(ok(ga as CborMap), 'getAssertion');
    expect([read.up, read.uv, read.signCount]).toEqual([true, true, 0]);
    expect(failure(() => authDataOf(ok(ga as CborMap), 'makeCredential'))).toMatch(/^CheckFailed makeCredential response is malformed: /);
    expect(failure(() => authDataOf(ok(new Map<number, CborValue>([...ga, [2, authData.subarray(0, 36)]]) as CborMap), 'getAssertion'))).toBe(
      'CheckFailed authenticatorData is malformed: authenticatorData is 36 bytes, at least 37 needed',
    );
  });
});
