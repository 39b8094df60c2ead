import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildAuthenticatorData, parseAuthenticatorData } from '../../harness/protocol/index.ts';
import { rewriteResponse, runAgainst, tamperAuthData, type CheckOutcome, type Fault } from './faultyDevice.ts';
import { runHidArea } from './runHidArea.ts';

const [MAKE_CREDENTIAL, GET_ASSERTION, GET_INFO, GET_NEXT_ASSERTION, SELECTION] = [0x01, 0x02, 0x04, 0x08, 0x0b];
const OTHER = '0x7f CTAP1_ERR_OTHER';
const PLAIN_RP = 'pool-plain.fido-harness.test';
const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');
/** authenticatorData: rpIdHash (32 bytes), flags, signCount (4 bytes) (WebAuthn L3 §6.1) */
const [FLAGS, SIGN_COUNT] = [32, 33];

/** Every error status of `command` answered as CTAP1_ERR_OTHER: the device refuses, with the wrong code. */
const otherInsteadOfErrors =
  (command: number): Fault =>
  async (cmd, params, next) => {
    const a = await next(params);
    return cmd === command && a.status !== 0 ? { status: 0x7f } : a;
  };

/** The check run alone, with each outcome's evidence. */
async function alone(id: string, options: Omit<Parameters<typeof runAgainst>[0], 'checks' | 'evidence'> = {}): Promise<CheckOutcome> {
  return (await runAgainst({ ...options, checks: [id], evidence: true })).get(id)!;
}

/**
 * The refusals each check judges: what it sent (as its message names it) and the statuses the spec allows,
 * shown on a device that refuses with CTAP1_ERR_OTHER instead.
 */
const REFUSALS: Record<string, { command: number; what: string; allowed: string[]; quirks?: string[] }> = {
  'MC-ALG-002': { command: MAKE_CREDENTIAL, what: 'alg -65000 only', allowed: ['0x26 CTAP2_ERR_UNSUPPORTED_ALGORITHM'] },
  'MC-ALG-003': { command: MAKE_CREDENTIAL, what: 'ES256 with type "other-type"', allowed: ['0x26 CTAP2_ERR_UNSUPPORTED_ALGORITHM'] },
  'MC-OPTION-001': { command: MAKE_CREDENTIAL, what: 'up=false', allowed: ['0x2c CTAP2_ERR_INVALID_OPTION'] },
  'MC-OPTION-002': { command: MAKE_CREDENTIAL, what: 'uv=true', allowed: ['0x2c CTAP2_ERR_INVALID_OPTION', '0x2b CTAP2_ERR_UNSUPPORTED_OPTION'] },
  'MC-OPTION-004': { command: MAKE_CREDENTIAL, what: 'rk=true', allowed: ['0x2b CTAP2_ERR_UNSUPPORTED_OPTION'], quirks: ['no-resident-keys'] },
  'MC-EXCLUDE-001': { command: MAKE_CREDENTIAL, what: 'excludeList with an existing credential', allowed: ['0x19 CTAP2_ERR_CREDENTIAL_EXCLUDED'] },
  'MC-CBOR-002': { command: MAKE_CREDENTIAL, what: 'truncated map', allowed: ['0x12 CTAP2_ERR_INVALID_CBOR'] },
  'MC-CBOR-003': { command: MAKE_CREDENTIAL, what: 'an array instead of a map', allowed: ['0x11 CTAP2_ERR_CBOR_UNEXPECTED_TYPE', '0x12 CTAP2_ERR_INVALID_CBOR'] },
  'MC-CBOR-004': { command: MAKE_CREDENTIAL, what: 'makeCredential with its keys in descending order', allowed: ['0x12 CTAP2_ERR_INVALID_CBOR'] },
  'MC-PINAUTH-001': { command: MAKE_CREDENTIAL, what: 'no pinUvAuthProtocol', allowed: ['0x14 CTAP2_ERR_MISSING_PARAMETER'] },
  'MC-PINAUTH-002': { command: MAKE_CREDENTIAL, what: 'pinUvAuthProtocol 254', allowed: ['0x02 CTAP1_ERR_INVALID_PARAMETER'] },
  'MC-PINAUTH-003': { command: MAKE_CREDENTIAL, what: 'zero-length pinUvAuthParam', allowed: ['0x35 CTAP2_ERR_PIN_NOT_SET'] },
  'MC-PINAUTH-004': { command: MAKE_CREDENTIAL, what: 'forged pinUvAuthParam', allowed: ['0x33 CTAP2_ERR_PIN_AUTH_INVALID', '0x35 CTAP2_ERR_PIN_NOT_SET'] },
  'MC-EP-001': { command: MAKE_CREDENTIAL, what: 'enterpriseAttestation 1', allowed: ['0x02 CTAP1_ERR_INVALID_PARAMETER'] },
  'GA-NOCRED-001': { command: GET_ASSERTION, what: 'unknown credential', allowed: ['0x2e CTAP2_ERR_NO_CREDENTIALS'] },
  'GA-NOCRED-002': { command: GET_ASSERTION, what: "another RP's credential", allowed: ['0x2e CTAP2_ERR_NO_CREDENTIALS'] },
  'GA-NOCRED-003': { command: GET_ASSERTION, what: 'empty RP', allowed: ['0x2e CTAP2_ERR_NO_CREDENTIALS'] },
  'GA-OPTION-001': { command: GET_ASSERTION, what: 'rk in getAssertion', allowed: ['0x2b CTAP2_ERR_UNSUPPORTED_OPTION', '0x2c CTAP2_ERR_INVALID_OPTION'] },
  'GA-OPTION-002': { command: GET_ASSERTION, what: 'uv=true', allowed: ['0x2c CTAP2_ERR_INVALID_OPTION', '0x2b CTAP2_ERR_UNSUPPORTED_OPTION'] },
  'GA-CBOR-002': { command: GET_ASSERTION, what: 'getAssertion with its keys in descending order', allowed: ['0x12 CTAP2_ERR_INVALID_CBOR'] },
  'GA-NEXT-001': { command: GET_NEXT_ASSERTION, what: 'getNextAssertion after getInfo', allowed: ['0x30 CTAP2_ERR_NOT_ALLOWED'] },
  'GA-NEXT-002': { command: GET_NEXT_ASSERTION, what: 'getNextAssertion after an allowList assertion', allowed: ['0x30 CTAP2_ERR_NOT_ALLOWED'] },
};

describe('make-credential and get-assertion checks name what was refused with the wrong status', () => {
  for (const [id, r] of Object.entries(REFUSALS)) {
    it(`${id}: ${r.what}`, async () => {
      const allowed = r.allowed.join(' or ');
      expect(await alone(id, { fault: otherInsteadOfErrors(r.command), ...(r.quirks ? { quirks: r.quirks } : {}) })).toEqual({
        status: 'fail',
        message: `${r.what}: expected ${allowed}, got ${OTHER}`,
        expected: allowed,
        actual: OTHER,
      });
    });
  }

  it('GA-SELECTION-001: authenticatorSelection denied', async () => {
    expect(await alone('GA-SELECTION-001', { fault: async (cmd, p, next) => (cmd === SELECTION ? { status: 0x27 } : next(p)) })).toEqual({
      status: 'fail',
      message: 'authenticatorSelection: expected 0x00 CTAP2_OK, got 0x27 CTAP2_ERR_OPERATION_DENIED',
      expected: '0x00 CTAP2_OK',
      actual: '0x27 CTAP2_ERR_OPERATION_DENIED',
    });
  });
});

/** makeCredential answers with its credential ID replaced by `length` bytes (authenticatorData rebuilt, WebAuthn L3 §6.5.1). */
const credentialIdOf = (length: number) =>
  tamperAuthData(MAKE_CREDENTIAL, (d) => {
    const parsed = parseAuthenticatorData(d);
    const acd = parsed.attestedCredentialData!;
    return buildAuthenticatorData({ rpIdHash: parsed.rpIdHash, flags: parsed.flags, signCount: parsed.signCount, attestedCredentialData: { ...acd, credentialId: new Uint8Array(length).fill(5) } });
  });

const withoutGetInfo = (...keys: number[]) => rewriteResponse(GET_INFO, (info) => keys.forEach((k) => info.delete(k)));
const both = (a: Fault, b: Fault): Fault => (cmd, p, next) => a(cmd, p, (q) => b(cmd, q, next));

describe('MC-RPID-001 and GA-RPID-001 show the rpIdHash they expected and the one they got', () => {
  for (const [id, message] of [
    ['MC-RPID-001', 'rpIdHash is not SHA-256(rp.id)'],
    ['GA-RPID-001', 'rpIdHash is not SHA-256(rpId)'],
  ] as const) {
    it(id, async () => {
      const got = await alone(id, { quirks: ['wrong-rpid-hash'] });
      expect(got).toMatchObject({ status: 'fail', message, expected: sha256hex(PLAIN_RP) });
      expect(got.actual).toMatch(/^[0-9a-f]{64}$/);
      expect(got.actual).not.toBe(got.expected);
    });
  }
});

describe('make-credential checks on a device that breaks a rule, with the reason', () => {
  it('MC-BASIC-001 fails an empty credential ID', async () => {
    expect(await alone('MC-BASIC-001', { fault: credentialIdOf(0) })).toEqual({ status: 'fail', message: 'credentialId length 0' });
  });

  it('MC-BASIC-001 passes a 1023-byte credential ID (WebAuthn L3 §6.5.1: the longest) when getInfo states no maxCredentialIdLength', async () => {
    expect(await alone('MC-BASIC-001', { fault: both(withoutGetInfo(0x08), credentialIdOf(1023)) })).toEqual({ status: 'pass', message: 'as specified' });
  });

  it('MC-BASIC-001 fails a 1024-byte credential ID as malformed authenticatorData', async () => {
    expect(await alone('MC-BASIC-001', { fault: both(withoutGetInfo(0x08), credentialIdOf(1024)) })).toEqual({
      status: 'fail',
      message: 'making the pool credential "plain": authenticatorData is malformed: credentialIdLength 1024 exceeds the data or 1023',
    });
  });

  it('MC-FLAGS-001 fails a credential made with UP clear', async () => {
    expect(await alone('MC-FLAGS-001', { fault: tamperAuthData(MAKE_CREDENTIAL, (d) => void (d[FLAGS]! &= ~0x01)) })).toEqual({
      status: 'fail',
      message: 'UP flag clear after a makeCredential that required presence',
    });
  });

  it('MC-OPTION-004 and MC-EP-001 run on a key whose getInfo has no options (every option at its default)', async () => {
    // without options, rk is not offered (CTAP 2.1 §6.4 options: rk defaults to false) and ep is not enabled
    expect(await alone('MC-OPTION-004', { fault: withoutGetInfo(0x04) })).toEqual({
      status: 'fail',
      message: 'rk=true: expected 0x2b CTAP2_ERR_UNSUPPORTED_OPTION, got 0x00 CTAP2_OK',
      expected: '0x2b CTAP2_ERR_UNSUPPORTED_OPTION',
      actual: '0x00 CTAP2_OK',
    });
    expect(await alone('MC-EP-001', { fault: withoutGetInfo(0x04) })).toEqual({ status: 'pass', message: 'as specified' });
  });

  it('MC-UP-001 shows the presence waits it expected, and fails a credential made with a token and UP clear (over CTAPHID)', async () => {
    const noWait = await runHidArea('make-credential', { checks: ['MC-UP-001'], quirks: ['pin-token-presence'] });
    expect([noWait.status.get('MC-UP-001'), noWait.evidence.get('MC-UP-001')]).toEqual(['fail', { expected: '1 presence wait', actual: '0' }]);
    const upClear = await runHidArea('make-credential', { checks: ['MC-UP-001'], sim: { behaviour: { authDataFlags: (flags: number) => flags & ~0x01 } } });
    expect([upClear.status.get('MC-UP-001'), upClear.messages.get('MC-UP-001')]).toEqual(['fail', 'UP clear after makeCredential collected the touch']);
  });
});

/** From the `from`-th getAssertion answer on, the signature counter reads `count`. */
function assertionCounter(from: number, count: number): Fault {
  let n = 0;
  return tamperAuthData(GET_ASSERTION, (d) => {
    if (++n >= from) new DataView(d.buffer).setUint32(SIGN_COUNT, count);
    return d;
  });
}

describe('get-assertion checks on a device that breaks a rule, with the reason', () => {
  it('GA-CREDENTIAL-001, GA-ALLOWLIST-001 and -002 name the credential the key should have used', async () => {
    const other = rewriteResponse(GET_ASSERTION, (b) => b.set(0x01, new Map<string, unknown>([['type', 'public-key'], ['id', new Uint8Array(16).fill(9)]]) as never));
    const results = await runAgainst({ checks: ['GA-CREDENTIAL-001', 'GA-ALLOWLIST-001', 'GA-ALLOWLIST-002'], fault: other });
    expect(Object.fromEntries([...results].map(([id, r]) => [id, `${r.status}: ${r.message}`]))).toEqual({
      'GA-CREDENTIAL-001': 'fail: credential.id differs from the allowList credential',
      'GA-ALLOWLIST-001': 'fail: the known credential was not used',
      'GA-ALLOWLIST-002': 'fail: the credential at the end of a full allowList was not used',
    });
  });

  it('GA-FLAGS-001 fails an assertion with UP clear although presence was asked for', async () => {
    expect(await alone('GA-FLAGS-001', { fault: tamperAuthData(GET_ASSERTION, (d) => void (d[FLAGS]! &= ~0x01)) })).toEqual({ status: 'fail', message: 'UP clear although presence was required' });
  });

  it('GA-FLAGS-001 shows the presence waits it expected when the key never waits for a touch (over CTAPHID)', async () => {
    const KEEPALIVE = 0x80 | 0x3b; // CTAP 2.1 §11.2.9.2.1
    const run = await runHidArea('get-assertion', { checks: ['GA-FLAGS-001'], faults: { toHost: (r) => (r[4] === KEEPALIVE ? [] : [r]) } });
    expect(run.evidence.get('GA-FLAGS-001')).toEqual({ expected: '1 presence wait', actual: '0' });
  });

  it('GA-SIGNATURE-001 shows the signature that does not verify', async () => {
    const signatures: string[] = [];
    const seen = rewriteResponse(GET_ASSERTION, (b) => void signatures.push(Buffer.from(b.get(0x03) as Uint8Array).toString('hex')));
    const got = await alone('GA-SIGNATURE-001', { quirks: ['bad-assertion-signature'], fault: seen });
    expect(signatures).toHaveLength(1);
    expect(got).toEqual({ status: 'fail', message: 'assertion signature does not verify with the credential public key', actual: signatures[0] });
  });

  it('GA-COUNTER-001 fails a counter that goes back to 0 (not the warning of a key without a counter)', async () => {
    const got = await alone('GA-COUNTER-001', { fault: assertionCounter(2, 0) });
    const first = /^signCount did not increase: (\d+) then 0$/.exec(got.message)?.[1];
    expect(Number(first)).toBeGreaterThan(0);
    expect(got).toEqual({ status: 'fail', message: `signCount did not increase: ${first} then 0`, expected: `> ${first}`, actual: '0' });
  });

  it('GA-COUNTER-001 passes a counter that starts at 0 and then rises', async () => {
    let n = 0;
    const fromZero = tamperAuthData(GET_ASSERTION, (d) => void new DataView(d.buffer).setUint32(SIGN_COUNT, n++));
    expect(await alone('GA-COUNTER-001', { fault: fromZero })).toEqual({ status: 'pass', message: 'as specified' });
  });
});

