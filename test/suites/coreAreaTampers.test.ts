import { describe, expect, it } from 'vitest';
import { encodeCanonicalCbor } from '../../harness/protocol/index.ts';
import { notPassing, outcomes, rewriteResponse, runAgainst, tamperAuthData, type Fault } from './faultyDevice.ts';

const [MAKE_CREDENTIAL, GET_ASSERTION, GET_INFO] = [0x01, 0x02, 0x04];
/** authenticatorData: rpIdHash (32 bytes), flags, signCount (4 bytes), … (WebAuthn L3 §6.1) */
const FLAGS = 32;
const SIGN_COUNT = 33;
/** flag bits (WebAuthn L3 §6.1): RFU1 is bit 1, RFU2 bit 5 */
const [RFU1, BE, BS, RFU2, AT, ED] = [0x02, 0x08, 0x10, 0x20, 0x40, 0x80];

/** Sets `flag` and appends what it announces, so the authenticatorData still parses. */
const announce = (command: number, flag: number, extra: Uint8Array) =>
  tamperAuthData(command, (d) => {
    const out = Uint8Array.from([...d, ...extra]);
    out[FLAGS]! |= flag;
    return out;
  });

const setFlags = (command: number, set: number, clear = 0) => tamperAuthData(command, (d) => void (d[FLAGS] = (d[FLAGS]! | set) & ~clear));

const indexOf = (a: Uint8Array, seq: number[]) => a.findIndex((_, i) => seq.every((b, j) => a[i + j] === b));

/** The ES256 COSE key in attested credential data begins {1: 2, 3: -7, …} (RFC 9053 §7.1, canonical order). */
const COSE_ES256 = [0xa5, 0x01, 0x02, 0x03, 0x26];
/** …and carries x as -2: 32 bytes. */
const COSE_X = [0x21, 0x58, 0x20];

/** The EdDSA COSE key begins {1: 1 (OKP), 3: -8, -1: 6 (Ed25519), …} (RFC 9053 §7.2); `at` is the byte set to `value`. */
const eddsaKey = (at: number, value: number) =>
  tamperAuthData(MAKE_CREDENTIAL, (d) => {
    const i = indexOf(d, [0xa4, 0x01, 0x01, 0x03, 0x27, 0x20, 0x06]);
    if (i >= 0) d[i + at] = value;
  });
const NOT_ED25519 = 'not an OKP Ed25519 COSE key with alg -8';

/** attested credential data of a made-up credential: AAGUID, a 16-byte credential ID, a COSE key */
const ATTESTED_DATA = Uint8Array.from([...new Uint8Array(16), 0, 16, ...new Uint8Array(16).fill(1), ...encodeCanonicalCbor(new Map([[1, 2], [3, -7]]))]);

/** From the second makeCredential on, the signature counter reads 0: it went back. */
function counterBackToZero(): Fault {
  let made = 0;
  return tamperAuthData(MAKE_CREDENTIAL, (d) => void (++made > 1 && d.fill(0, SIGN_COUNT, SIGN_COUNT + 4)));
}

/**
 * authenticatorData and response members a check exists to judge, broken one at a time on the way back from
 * the simulator: each case names every check that must not pass, with its message (all others pass or skip).
 */
const CASES: Record<string, { suite: string; checks?: string[]; fault: () => Fault; expect: Record<string, string> }> = {
  'makeCredential sets ED without extensions': {
    suite: 'make-credential',
    fault: () => announce(MAKE_CREDENTIAL, ED, Uint8Array.of(0xa0)),
    expect: { 'MC-FLAGS-001': 'fail: ED flag set although no extension was requested' },
  },
  'makeCredential sets BS without BE': { suite: 'make-credential', fault: () => setFlags(MAKE_CREDENTIAL, BS, BE), expect: { 'MC-FLAGS-001': 'fail: BS set without BE' } },
  'makeCredential sets BS with BE (a synced passkey: allowed)': { suite: 'make-credential', fault: () => setFlags(MAKE_CREDENTIAL, BS | BE), expect: {} },
  'makeCredential sets the reserved bit 1': { suite: 'make-credential', fault: () => setFlags(MAKE_CREDENTIAL, RFU1), expect: { 'MC-FLAGS-001': 'fail: reserved flag bits set: 0x43' } },
  'makeCredential sets the reserved bit 5': { suite: 'make-credential', fault: () => setFlags(MAKE_CREDENTIAL, RFU2), expect: { 'MC-FLAGS-001': 'fail: reserved flag bits set: 0x61' } },
  'makeCredential makes an EdDSA-labelled key when ES256 was asked for': {
    suite: 'make-credential',
    fault: () => tamperAuthData(MAKE_CREDENTIAL, (d) => void (d[indexOf(d, COSE_ES256) + 4] = 0x27)),
    expect: { 'MC-COSE-001': 'fail: COSE alg is -8, ES256 (-7) was requested', 'MC-ALG-001': 'fail: chose alg -8' },
  },
  'makeCredential returns a public key off the curve': {
    suite: 'make-credential',
    fault: () => tamperAuthData(MAKE_CREDENTIAL, (d) => void (d[indexOf(d, COSE_X) + 3]! ^= 0xff)),
    expect: { 'MC-COSE-001': 'fail: credentialPublicKey is not usable: COSE key rejected by node:crypto: Invalid JWK EC key' },
  },
  'the EdDSA credential is not an OKP key': { suite: 'make-credential', checks: ['MC-ALG-004'], fault: () => eddsaKey(2, 0x02), expect: { 'MC-ALG-004': `fail: ${NOT_ED25519}` } },
  'the EdDSA credential is labelled ES256': { suite: 'make-credential', checks: ['MC-ALG-004'], fault: () => eddsaKey(4, 0x26), expect: { 'MC-ALG-004': `fail: ${NOT_ED25519}` } },
  'the EdDSA credential is on Ed448': { suite: 'make-credential', checks: ['MC-ALG-004'], fault: () => eddsaKey(6, 0x07), expect: { 'MC-ALG-004': `fail: ${NOT_ED25519}` } },
  'the attestation format is empty': { suite: 'make-credential', checks: ['MC-BASIC-001'], fault: () => rewriteResponse(MAKE_CREDENTIAL, (b) => b.set(0x01, '')), expect: { 'MC-BASIC-001': 'fail: fmt missing' } },
  'the signature counter goes back to 0': { suite: 'make-credential', fault: counterBackToZero, expect: { 'MC-COUNTER-001': 'fail: signCount went from 1 to 0' } },
  'credential IDs longer than getInfo maxCredentialIdLength': {
    suite: 'make-credential',
    fault: () => rewriteResponse(GET_INFO, (info) => info.set(0x08, 16)),
    expect: { 'MC-BASIC-001': 'fail: credentialId of 64 bytes exceeds maxCredentialIdLength 16' },
  },
  'credential IDs exactly as long as getInfo maxCredentialIdLength': { suite: 'make-credential', fault: () => rewriteResponse(GET_INFO, (info) => info.set(0x08, 64)), expect: {} },
  'maxCredentialCountInList above what the key accepts': {
    suite: 'get-assertion',
    checks: ['GA-ALLOWLIST-002'],
    fault: () => rewriteResponse(GET_INFO, (info) => info.set(0x07, 16)),
    expect: { 'GA-ALLOWLIST-002': 'fail: getAssertion answered 0x15 CTAP2_ERR_LIMIT_EXCEEDED' },
  },
  'getAssertion sets ED without extensions': {
    suite: 'get-assertion',
    fault: () => announce(GET_ASSERTION, ED, Uint8Array.of(0xa0)),
    expect: { 'GA-SIGNATURE-001': 'fail: assertion signature does not verify with the credential public key', 'GA-FLAGS-001': 'fail: ED set although no extension was requested' },
  },
  'getAssertion sets AT': {
    suite: 'get-assertion',
    fault: () => announce(GET_ASSERTION, AT, ATTESTED_DATA),
    expect: { 'GA-SIGNATURE-001': 'fail: assertion signature does not verify with the credential public key', 'GA-FLAGS-001': 'fail: AT set in an assertion' },
  },
  'getAssertion names the credential with another type': {
    suite: 'get-assertion',
    fault: () => rewriteResponse(GET_ASSERTION, (b) => b.set(0x01, new Map([...(b.get(0x01) as Map<string, unknown>), ['type', 'not-public-key']]) as never)),
    expect: { 'GA-CREDENTIAL-001': 'fail: credential.type is not-public-key' },
  },
};

describe('make-credential and get-assertion checks on a device that breaks authenticatorData', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`should ${Object.keys(c.expect).length ? `fail ${Object.keys(c.expect).join(', ')}` : 'pass every check'} when ${name}`, async () => {
      expect(notPassing(await runAgainst({ ...(c.checks ? { checks: c.checks } : { suites: [c.suite] }), fault: c.fault() }))).toEqual(c.expect);
    });
  }

  it('should skip, with the reason, GA-ALLOWLIST-002 without maxCredentialCountInList and GA-SELECTION-001 on a CTAP 2.0 key', async () => {
    const results = await runAgainst({
      checks: ['GA-ALLOWLIST-002', 'GA-SELECTION-001'],
      fault: rewriteResponse(GET_INFO, (info) => {
        info.delete(0x07);
        info.set(0x01, ['U2F_V2', 'FIDO_2_0']);
      }),
    });
    expect(outcomes(results)).toEqual({
      'GA-ALLOWLIST-002': 'skip: maxCredentialCountInList not reported',
      'GA-SELECTION-001': 'skip: authenticatorSelection is a CTAP 2.1 command',
    });
  });

  it('should judge each tolerated part alone when the key refuses the combined request (make-credential/tolerantCredential.ts)', async () => {
    // the key refuses an option it does not know (CTAP 2.1 §6.1.2 step 5: it must ignore it)
    const refusesUnknownOption: Fault = async (cmd, p, next) => (cmd === MAKE_CREDENTIAL && (p?.get(0x07) as Map<string, boolean> | undefined)?.has('fido-harness-unknown') ? { status: 0x2c } : next(p));
    const results = await runAgainst({ checks: ['MC-ALG-001', 'MC-OPTION-003', 'MC-EXCLUDE-002', 'MC-EXCLUDE-003', 'MC-USERID-001', 'MC-COUNTER-001'], fault: refusesUnknownOption });
    expect(outcomes(results)).toEqual({
      'MC-ALG-001': 'pass: as specified',
      'MC-OPTION-003': 'fail: makeCredential answered 0x2c CTAP2_ERR_INVALID_OPTION',
      'MC-EXCLUDE-002': 'pass: as specified',
      'MC-EXCLUDE-003': 'pass: as specified',
      'MC-USERID-001': 'pass: as specified',
      'MC-COUNTER-001': 'fail: makeCredential answered 0x2c CTAP2_ERR_INVALID_OPTION',
    });
  });

  it('should skip, with the reason, the makeCredential checks whose feature the key does not have (or has on)', async () => {
    const info = rewriteResponse(GET_INFO, (b) => {
      b.delete(0x0a);
      b.delete(0x06);
      const o = new Map(b.get(0x04) as Map<string, boolean>);
      o.set('ep', true);
      o.delete('clientPin');
      b.set(0x04, o);
    });
    expect(outcomes(await runAgainst({ checks: ['MC-ALG-004', 'MC-PINAUTH-003', 'MC-PINAUTH-004', 'MC-EP-001'], fault: info }))).toEqual({
      'MC-ALG-004': 'skip: EdDSA not in algorithms',
      'MC-PINAUTH-003': 'skip: clientPin not offered',
      'MC-PINAUTH-004': 'skip: no PIN/UV auth protocol',
      'MC-EP-001': 'skip: enterprise attestation is enabled',
    });
    const es256Only = rewriteResponse(GET_INFO, (b) => b.set(0x0a, [new Map<string, unknown>([['alg', -7], ['type', 'public-key']])] as never));
    expect(outcomes(await runAgainst({ checks: ['MC-ALG-004'], fault: es256Only }))).toEqual({ 'MC-ALG-004': 'skip: EdDSA not in algorithms' });
  });

  it('should pass the counter checks of a key that keeps no counter (0 throughout), warning on assertions', async () => {
    const results = await runAgainst({ suites: ['make-credential', 'get-assertion'], behaviour: { nextSignCount: () => 0 } });
    expect(notPassing(results)).toEqual({ 'GA-COUNTER-001': 'warn: signCount is always 0: relying parties cannot detect clones' });
    expect(results.get('MC-COUNTER-001')!.status).toBe('pass');
  });
});
