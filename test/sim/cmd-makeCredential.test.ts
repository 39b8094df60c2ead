import { createHash, verify, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CtapCommand,
  CtapStatus as S,
  encodeMakeCredentialRequest,
  parseAuthenticatorData,
  PinUvAuthPermission as P,
  type MakeCredentialRequest,
} from '../../harness/protocol/index.ts';
import { ScriptedBuiltInUv } from '../../authenticator-sim/pinUvAuth/builtInUv.ts';
import { DEFAULT_FEATURES, withoutCtap22 } from '../../authenticator-sim/profile/SimFeatures.ts';
import { ENTERPRISE_RP_IDS } from '../../authenticator-sim/index.ts';
import { tokenAuthenticate } from '../helpers/pinClient.ts';
import { CDH, PinDriver, PROTOCOLS } from '../helpers/pinDriver.ts';

const PIN = '1234';

function request(over: Partial<MakeCredentialRequest> = {}): MakeCredentialRequest {
  return {
    clientDataHash: CDH,
    rp: { id: 'example.com', name: 'Example' },
    user: { id: Uint8Array.of(1), name: 'alice', displayName: 'Alice' },
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    ...over,
  };
}
const mc = (d: PinDriver, over: Partial<MakeCredentialRequest> = {}) => d.call(CtapCommand.authenticatorMakeCredential, encodeMakeCredentialRequest(request(over)));
const authData = (r: { body: Map<unknown, unknown> | undefined }) => parseAuthenticatorData(r.body!.get(2) as Uint8Array);

describe('authenticatorMakeCredential parameter limits (CTAP 2.1 §6.1.2)', () => {
  it('user.id of 64 bytes and a clientDataHash of 32 are accepted; 33 bytes of hash are not', async () => {
    const d = await PinDriver.create();
    expect((await mc(d, { user: { id: new Uint8Array(64).fill(9) } })).status).toBe(S.CTAP2_OK);
    expect((await mc(d, { clientDataHash: new Uint8Array(33) })).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
  });

  it('an excludeList of maxCredentialCountInList (8) entries is accepted', async () => {
    const d = await PinDriver.create();
    const list = Array.from({ length: 8 }, (_, i) => ({ type: 'public-key', id: new Uint8Array(16).fill(i) }));
    expect((await mc(d, { excludeList: list })).status).toBe(S.CTAP2_OK);
  });

  it('step 3: the first supported public-key algorithm is chosen, entries of other types skipped', async () => {
    const d = await PinDriver.create();
    const r = await mc(d, { pubKeyCredParams: [{ type: 'other', alg: -8 }, { type: 'public-key', alg: -257 }, { type: 'public-key', alg: -8 }, { type: 'public-key', alg: -7 }] });
    expect(r.status).toBe(S.CTAP2_OK);
    expect(authData(r).attestedCredentialData!.credentialPublicKey.get(3)).toBe(-8);
  });

  it('step 5.4: rk on a key without discoverable credentials is CTAP2_ERR_UNSUPPORTED_OPTION; rk=false is fine', async () => {
    const d = await PinDriver.create({ features: { ...DEFAULT_FEATURES, rk: false } });
    expect((await mc(d, { options: new Map([['rk', true]]) })).status).toBe(S.CTAP2_ERR_UNSUPPORTED_OPTION);
    expect((await mc(d, { options: new Map([['rk', false]]) })).status).toBe(S.CTAP2_OK);
    expect(d.a.state.credentials).toEqual([]);
  });

  it('step 17: a full store still takes a credential that replaces one for the same RP and user', async () => {
    const d = await PinDriver.create({ maxDiscoverableCredentials: 1 });
    const rk = new Map([['rk', true]]);
    expect((await mc(d, { options: rk })).status).toBe(S.CTAP2_OK);
    expect((await mc(d, { options: rk, rp: { id: 'other.example' } })).status).toBe(S.CTAP2_ERR_KEY_STORE_FULL);
    const again = await mc(d, { options: rk, user: { id: Uint8Array.of(1), name: 'alice2' } });
    expect(again.status).toBe(S.CTAP2_OK);
    expect(d.a.state.credentials.map((c) => c.userName)).toEqual(['alice2']);
  });

  it('a discoverable credential keeps rp.name, user.name and displayName only when given', async () => {
    const d = await PinDriver.create();
    expect((await mc(d, { options: new Map([['rk', true]]), rp: { id: 'bare.example' }, user: { id: Uint8Array.of(5) } })).status).toBe(S.CTAP2_OK);
    expect((await mc(d, { options: new Map([['rk', true]]) })).status).toBe(S.CTAP2_OK);
    const [bare, full] = d.a.state.credentials;
    expect(bare).not.toHaveProperty('rpName');
    expect(bare).not.toHaveProperty('userName');
    expect(bare).not.toHaveProperty('userDisplayName');
    expect([full!.rpName, full!.userName, full!.userDisplayName]).toEqual(['Example', 'alice', 'Alice']);
    // a non-discoverable credential is not stored
    expect((await mc(d, { rp: { id: 'third.example' } })).status).toBe(S.CTAP2_OK);
    expect(d.a.state.credentials).toHaveLength(2);
  });
});

describe('user verification in makeCredential (CTAP 2.1 §6.1.2 steps 5-8, 11)', () => {
  it('steps 7-8: a key protected by built-in UV only (no PIN) answers OPERATION_DENIED to an rk request without "uv"', async () => {
    const d = await PinDriver.create({ builtInUv: new ScriptedBuiltInUv() });
    const rk = new Map([['rk', true]]);
    expect((await mc(d, { options: rk })).status).toBe(S.CTAP2_ERR_OPERATION_DENIED);
    // makeCredUvNotRqd: a non-discoverable credential needs none
    const plain = await mc(d);
    expect(plain.status).toBe(S.CTAP2_OK);
    expect(authData(plain).uv).toBe(false);
    const withUv = await mc(d, { options: new Map([['rk', true], ['uv', true]]) });
    expect(withUv.status).toBe(S.CTAP2_OK);
    expect(authData(withUv).uv).toBe(true);
  });

  it('a model without makeCredUvNotRqd needs user verification for every credential once protected', async () => {
    const d = await PinDriver.create({ features: { ...DEFAULT_FEATURES, makeCredUvNotRqd: false } });
    expect((await mc(d)).status).toBe(S.CTAP2_OK);
    expect(await d.setPin(2, PIN)).toBe(S.CTAP2_OK);
    expect((await mc(d)).status).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
  });

  it('a CTAP 2.0 key with a PIN asks for pinAuth for any credential (CTAP 2.0 §5.1 step 6)', async () => {
    const f = { ...withoutCtap22(DEFAULT_FEATURES), versions: ['U2F_V2', 'FIDO_2_0'] };
    const d = await PinDriver.create({ features: f, fingerprint: false });
    expect((await mc(d)).status).toBe(S.CTAP2_OK);
    expect(await d.setPin(1, PIN)).toBe(S.CTAP2_OK);
    expect((await mc(d)).status).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
    const t = (await d.token(1, PIN)).token!;
    const r = await mc(d, { pinUvAuthParam: tokenAuthenticate(1, t.token, CDH), pinUvAuthProtocol: 1 });
    expect(r.status).toBe(S.CTAP2_OK);
    expect(authData(r).uv).toBe(true);
  });

  it('alwaysUv with built-in UV configured and no token: built-in UV is used (step 6.3)', async () => {
    const uv = new ScriptedBuiltInUv();
    const d = await PinDriver.create({ builtInUv: uv });
    d.a.state.alwaysUv = true;
    const r = await mc(d);
    expect(r.status).toBe(S.CTAP2_OK);
    expect(authData(r).uv).toBe(true);
    // A failed built-in UV is OPERATION_DENIED and lowers uvRetries.
    uv.queue.push('nomatch');
    expect((await mc(d)).status).toBe(S.CTAP2_ERR_OPERATION_DENIED);
    expect(d.a.state.uvRetries).toBe(7);
  });

  it.each(PROTOCOLS)('step 14: the token is spent by one makeCredential (no second use); lbw is kept _v%i', async (v) => {
    const d = await PinDriver.create();
    expect(await d.setPin(v, PIN)).toBe(S.CTAP2_OK);
    const t = (await d.token(v, PIN, P.mc | P.ga | P.lbw, 'example.com')).token!;
    const param = tokenAuthenticate(v, t.token, CDH);
    expect((await mc(d, { pinUvAuthParam: param, pinUvAuthProtocol: v })).status).toBe(S.CTAP2_OK);
    expect(d.a.pinUvAuthToken.permissions).toBe(P.lbw);
    expect(d.a.pinUvAuthToken.userVerified).toBe(false);
    expect(d.a.pinUvAuthToken.userPresent).toBe(false);
    expect((await mc(d, { pinUvAuthParam: param, pinUvAuthProtocol: v })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
  });

  it.each(PROTOCOLS)('a token from getPinUvAuthTokenUsingPinWithPermissions carries no presence: one touch is asked _v%i', async (v) => {
    const d = await PinDriver.create();
    expect(await d.setPin(v, PIN)).toBe(S.CTAP2_OK);
    const t = (await d.token(v, PIN, P.mc, 'example.com')).token!;
    const before = d.touches.requests.length;
    expect((await mc(d, { pinUvAuthParam: tokenAuthenticate(v, t.token, CDH), pinUvAuthProtocol: v })).status).toBe(S.CTAP2_OK);
    expect(d.touches.requests.slice(before).map((q) => q.reason)).toEqual(['makeCredential']);
  });

  it.each(PROTOCOLS)('an excluded credential with a token: one touch, then CREDENTIAL_EXCLUDED; credProtect 3 is excluded only with UV _v%i', async (v) => {
    const d = await PinDriver.create();
    const cp3 = await d.makeCredential({ extensions: new Map([['credProtect', 3]]), rk: true });
    const id = cp3.authData!.attestedCredentialData!.credentialId;
    // Without user verification a credProtect-3 credential is invisible: the new one is made.
    expect((await d.makeCredential({ excludeList: [{ type: 'public-key', id }], userId: Uint8Array.of(9) })).status).toBe(S.CTAP2_OK);
    expect(await d.setPin(v, PIN)).toBe(S.CTAP2_OK);
    const t = (await d.token(v, PIN, P.mc, 'example.com')).token!;
    const before = d.touches.requests.length;
    const r = await d.makeCredential({ excludeList: [{ type: 'other', id }, { type: 'public-key', id }], token: t, userId: Uint8Array.of(8) });
    expect(r.status).toBe(S.CTAP2_ERR_CREDENTIAL_EXCLUDED);
    expect(d.touches.requests.slice(before).map((q) => q.reason)).toEqual(['excluded']);
  });
});

describe('enterprise attestation and attestation formats (CTAP 2.1 §6.1.2 step 9, §7.1; CTAP 2.2 attestationFormatsPreference)', () => {
  it('vendor-facilitated (1) is given only to a pre-configured RP ID; platform-managed (2) to any', async () => {
    const d = await PinDriver.create();
    d.a.state.enterpriseAttestation = true;
    const listed = await mc(d, { rp: { id: ENTERPRISE_RP_IDS[0]! }, enterpriseAttestation: 1 });
    expect(listed.status).toBe(S.CTAP2_OK);
    expect(listed.body!.get(4)).toBe(true);
    const other = await mc(d, { enterpriseAttestation: 1 });
    expect(other.status).toBe(S.CTAP2_OK);
    expect(other.body!.has(4)).toBe(false);
    expect((await mc(d, { enterpriseAttestation: 2 })).body!.get(4)).toBe(true);
    expect((await mc(d, { enterpriseAttestation: 0 })).status).toBe(S.CTAP2_ERR_INVALID_OPTION);
    const none = await mc(d);
    expect(none.body!.has(4)).toBe(false);
    const custom = await PinDriver.create({ enterpriseRpIds: ['corp.example'] });
    custom.a.state.enterpriseAttestation = true;
    expect((await mc(custom, { rp: { id: 'corp.example' }, enterpriseAttestation: 1 })).body!.get(4)).toBe(true);
  });

  it('fido-u2f when preferred for an ES256 credential: sig over 0x00 || rpIdHash || clientDataHash || credentialId || publicKeyU2F', async () => {
    const d = await PinDriver.create();
    const r = await mc(d, { attestationFormatsPreference: ['tpm', 'fido-u2f', 'packed'] });
    expect(r.status).toBe(S.CTAP2_OK);
    expect(r.body!.get(1)).toBe('fido-u2f');
    const stmt = r.body!.get(3) as Map<string, unknown>;
    expect([...stmt.keys()].sort()).toEqual(['sig', 'x5c']);
    const acd = authData(r).attestedCredentialData!;
    const cose = acd.credentialPublicKey;
    const publicKeyU2f = Buffer.concat([Buffer.of(4), cose.get(-2) as Uint8Array, cose.get(-3) as Uint8Array]);
    const rpIdHash = createHash('sha256').update('example.com').digest();
    const signed = Buffer.concat([Buffer.of(0), rpIdHash, CDH, acd.credentialId, publicKeyU2f]);
    const leaf = new X509Certificate((stmt.get('x5c') as Uint8Array[])[0]!);
    expect((stmt.get('x5c') as Uint8Array[]).length).toBe(1);
    expect(verify('sha256', signed, leaf.publicKey, stmt.get('sig') as Uint8Array)).toBe(true);
    // EdDSA cannot be fido-u2f: the next preference applies.
    const ed = await mc(d, { pubKeyCredParams: [{ type: 'public-key', alg: -8 }], attestationFormatsPreference: ['fido-u2f', 'none'] });
    expect(ed.body!.get(1)).toBe('none');
    expect((await mc(d, { attestationFormatsPreference: ['tpm'] })).body!.get(1)).toBe('packed');
  });

  it('a CTAP 2.1 key ignores attestationFormatsPreference', async () => {
    const d = await PinDriver.create({ ctap22: false });
    expect((await mc(d, { attestationFormatsPreference: ['none'] })).body!.get(1)).toBe('packed');
  });
});
