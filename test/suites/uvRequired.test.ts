import { describe, expect, it } from 'vitest';
import type { CborMap } from '../../harness/protocol/index.ts';
import { outcomes, rewriteResponse, runAgainst, type Fault } from './faultyDevice.ts';

const [MAKE_CREDENTIAL, GET_ASSERTION, GET_INFO] = [0x01, 0x02, 0x04];
const [CTAP2_ERR_OPERATION_DENIED, CTAP2_ERR_KEY_STORE_FULL, CTAP2_ERR_UNSUPPORTED_OPTION, CTAP2_ERR_PUAT_REQUIRED] = [0x27, 0x28, 0x2b, 0x36];

/** `outer` wraps `inner`: both faults apply. */
const both =
  (outer: Fault, inner: Fault): Fault =>
  (cmd, params, next) =>
    outer(cmd, params, (p) => inner(cmd, p, next));

/** getInfo options changed (undefined removes one) and, when given, versions. */
const info = (options: Record<string, boolean | undefined>, versions?: string[]) =>
  rewriteResponse(GET_INFO, (b) => {
    const o = new Map(b.get(0x04) as CborMap);
    for (const [k, v] of Object.entries(options)) {
      if (v === undefined) o.delete(k);
      else o.set(k, v);
    }
    b.set(0x04, o);
    if (versions) b.set(0x01, versions);
  });

/** Every `command` (matching `when`) refused with `status`. */
const refuse =
  (command: number, status: number, when: (p: CborMap | undefined) => boolean = () => true): Fault =>
  async (cmd, p, next) =>
    cmd === command && when(p) ? { status } : next(p);

const discoverable = (p: CborMap | undefined) => (p?.get(0x07) as Map<string, boolean> | undefined)?.get('rk') === true;

const skipped = (what: string, why: string, status: string) => `skip: the key verifies the user for every ${what} because ${why}; this check sends one without (answered ${status})`;
const ALWAYS_UV = 'alwaysUv is on (CTAP 2.1 §6.1.2 step 6, §6.2.2 step 5)';
const PROTECTED = 'it is protected by user verification and has no makeCredUvNotRqd (CTAP 2.1 §6.1.2 steps 7-8)';
const PUAT = '0x36 CTAP2_ERR_PUAT_REQUIRED';

/**
 * A key that must verify the user refuses a request without UV, rightly (CTAP 2.1 §6.1.2 steps 6-8, §6.2.2
 * step 5; CTAP 2.0 §5.1 step 6): the check that sent it skips, naming why. Anywhere else the same refusal
 * is the device's failure: these cases hold the line between the two.
 */
const CASES: Record<string, { checks: string[]; fault: () => Fault; expect: Record<string, string> }> = {
  'alwaysUv: makeCredential without UV refused': {
    checks: ['MC-BASIC-001', 'GA-NOCRED-002'],
    fault: () => both(info({ alwaysUv: true }), refuse(MAKE_CREDENTIAL, CTAP2_ERR_PUAT_REQUIRED)),
    expect: { 'MC-BASIC-001': skipped('makeCredential', ALWAYS_UV, PUAT), 'GA-NOCRED-002': skipped('makeCredential', ALWAYS_UV, PUAT) },
  },
  'alwaysUv: getAssertion without UV refused': {
    checks: ['GA-SIGNATURE-001'],
    fault: () => both(info({ alwaysUv: true }), refuse(GET_ASSERTION, CTAP2_ERR_PUAT_REQUIRED)),
    expect: { 'GA-SIGNATURE-001': skipped('getAssertion', ALWAYS_UV, PUAT) },
  },
  'alwaysUv: a makeCredential WITH a PIN token refused (not excused)': {
    checks: ['CREDBLOB-STORE-001'],
    fault: () => both(info({ alwaysUv: true }), refuse(MAKE_CREDENTIAL, CTAP2_ERR_PUAT_REQUIRED)),
    expect: { 'CREDBLOB-STORE-001': `fail: makeCredential answered ${PUAT}` },
  },
  'a PIN set, no makeCredUvNotRqd: makeCredential without UV refused': {
    checks: ['MC-BASIC-001'],
    fault: () => both(info({ clientPin: true, makeCredUvNotRqd: false }), refuse(MAKE_CREDENTIAL, CTAP2_ERR_PUAT_REQUIRED)),
    expect: { 'MC-BASIC-001': skipped('makeCredential', PROTECTED, PUAT) },
  },
  'built-in UV set up, no makeCredUvNotRqd: makeCredential without UV denied': {
    checks: ['MC-BASIC-001'],
    fault: () => both(info({ uv: true, makeCredUvNotRqd: undefined }), refuse(MAKE_CREDENTIAL, CTAP2_ERR_OPERATION_DENIED)),
    expect: { 'MC-BASIC-001': skipped('makeCredential', PROTECTED, '0x27 CTAP2_ERR_OPERATION_DENIED') },
  },
  'a PIN set and makeCredUvNotRqd: a non-discoverable makeCredential without UV refused (not excused)': {
    checks: ['MC-BASIC-001'],
    fault: () => both(info({ clientPin: true }), refuse(MAKE_CREDENTIAL, CTAP2_ERR_PUAT_REQUIRED)),
    expect: { 'MC-BASIC-001': `fail: making the pool credential "plain": makeCredential answered ${PUAT}` },
  },
  'no PIN, no UV, makeCredUvNotRqd false: makeCredential refused (not excused)': {
    checks: ['MC-BASIC-001'],
    fault: () => both(info({ clientPin: false, uv: false, makeCredUvNotRqd: false }), refuse(MAKE_CREDENTIAL, CTAP2_ERR_PUAT_REQUIRED)),
    expect: { 'MC-BASIC-001': `fail: making the pool credential "plain": makeCredential answered ${PUAT}` },
  },
  'a CTAP 2.0 key with a PIN: makeCredential without UV refused': {
    checks: ['MC-BASIC-001'],
    fault: () => both(info({ clientPin: true }, ['U2F_V2', 'FIDO_2_0']), refuse(MAKE_CREDENTIAL, CTAP2_ERR_PUAT_REQUIRED)),
    expect: { 'MC-BASIC-001': skipped('makeCredential', 'it is a CTAP 2.0 key with a PIN set (CTAP 2.0 §5.1 step 6)', PUAT) },
  },
  'a CTAP 2.0 key without a PIN: makeCredential refused (not excused)': {
    checks: ['MC-BASIC-001'],
    fault: () => both(info({ clientPin: false }, ['U2F_V2', 'FIDO_2_0']), refuse(MAKE_CREDENTIAL, CTAP2_ERR_PUAT_REQUIRED)),
    expect: { 'MC-BASIC-001': `fail: making the pool credential "plain": makeCredential answered ${PUAT}` },
  },
  'a protected key: getAssertion without UV refused (not excused: makeCredential rules only)': {
    checks: ['GA-SIGNATURE-001'],
    fault: () => both(info({ clientPin: true, makeCredUvNotRqd: false }), refuse(GET_ASSERTION, CTAP2_ERR_PUAT_REQUIRED)),
    expect: { 'GA-SIGNATURE-001': `fail: getAssertion answered ${PUAT}` },
  },
  'alwaysUv: another refusal than PUAT_REQUIRED / OPERATION_DENIED (not excused)': {
    checks: ['MC-BASIC-001'],
    fault: () => both(info({ alwaysUv: true }), refuse(MAKE_CREDENTIAL, CTAP2_ERR_UNSUPPORTED_OPTION)),
    expect: { 'MC-BASIC-001': 'fail: making the pool credential "plain": makeCredential answered 0x2b CTAP2_ERR_UNSUPPORTED_OPTION' },
  },
  'a full key refusing a discoverable credential (CTAP 2.1 §6.1.2 step 18.1)': {
    checks: ['RK-DISCOVER-001'],
    fault: () => refuse(MAKE_CREDENTIAL, CTAP2_ERR_KEY_STORE_FULL, discoverable),
    expect: { 'RK-DISCOVER-001': "skip: the key's discoverable-credential storage is full (the run's earlier checks filled its 50 slots); answered 0x28 CTAP2_ERR_KEY_STORE_FULL" },
  },
  'a full key that does not report remainingDiscoverableCredentials': {
    checks: ['RK-DISCOVER-001'],
    fault: () => both(rewriteResponse(GET_INFO, (b) => b.delete(0x14)), refuse(MAKE_CREDENTIAL, CTAP2_ERR_KEY_STORE_FULL, discoverable)),
    expect: { 'RK-DISCOVER-001': "skip: the key's discoverable-credential storage is full (the run's earlier checks filled its unlisted number of slots); answered 0x28 CTAP2_ERR_KEY_STORE_FULL" },
  },
  'KEY_STORE_FULL for a non-discoverable credential (not excused)': {
    checks: ['MC-BASIC-001'],
    fault: () => refuse(MAKE_CREDENTIAL, CTAP2_ERR_KEY_STORE_FULL),
    expect: { 'MC-BASIC-001': 'fail: making the pool credential "plain": makeCredential answered 0x28 CTAP2_ERR_KEY_STORE_FULL' },
  },
  'makeCredential authenticatorData without attested credential data': {
    checks: ['MC-BASIC-001'],
    fault: () =>
      rewriteResponse(MAKE_CREDENTIAL, (b) => {
        const d = Uint8Array.from((b.get(0x02) as Uint8Array).subarray(0, 37));
        d[32]! &= ~0x40;
        b.set(0x02, d);
      }),
    expect: { 'MC-BASIC-001': 'fail: making the pool credential "plain": makeCredential authenticatorData has no attested credential data (AT flag clear)' },
  },
  'a getAssertion response without its signature': {
    checks: ['GA-SIGNATURE-001'],
    fault: () => rewriteResponse(GET_ASSERTION, (b) => b.delete(0x03)),
    expect: { 'GA-SIGNATURE-001': 'fail: CTAP_MALFORMED_RESPONSE: authenticatorGetAssertion response: 0x14 CTAP2_ERR_MISSING_PARAMETER: getAssertion response: signature (0x03) missing' },
  },
};

describe('requests without user verification on a key that requires it (ops.ts)', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`should judge ${c.checks.join(', ')}: ${name}`, async () => {
      const results = await runAgainst({ checks: c.checks, fault: c.fault() });
      expect(outcomes(results)).toEqual(c.expect);
    });
  }
});
