import { describe, expect, it } from 'vitest';
import { CtapStatus as S, PinUvAuthPermission as P } from '../../harness/protocol/index.ts';
import { sha256Bytes, type PinClientSession } from '../helpers/pinClient.ts';
import { PinDriver, PROTOCOLS, type Token } from '../helpers/pinDriver.ts';

const PIN = '1234';
const SALT_A = sha256Bytes('salt A');
const SALT_B = sha256Bytes('salt B');
const ext = (entries: [string, unknown][]) => new Map<string, unknown>(entries);

function hmacInput(s: PinClientSession, salts: Uint8Array, withProtocol: boolean): Map<number, unknown> {
  const saltEnc = s.encrypt(salts);
  const m = new Map<number, unknown>([
    [1, s.platformKey],
    [2, saltEnc],
    [3, s.authenticate(saltEnc)],
  ]);
  if (withProtocol) m.set(4, s.version);
  return m;
}

describe.each(PROTOCOLS)('hmac-secret (CTAP 2.1 §12.5), protocol %i', (v) => {
  const name = (x: string) => `${x} _v${v}`;

  async function setup(rk: boolean) {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    const mc = await d.makeCredential({
      rk,
      token: (await d.token(v, PIN, P.mc, 'example.com')).token!,
      extensions: ext([['hmac-secret', true]]),
    });
    expect(mc.status).toBe(S.CTAP2_OK);
    expect(mc.authData!.extensions!.get('hmac-secret')).toBe(true);
    const id = mc.authData!.attestedCredentialData!.credentialId;
    const secret = async (salts: Uint8Array, uvToken?: Token, withProtocol = v === 2) => {
      const s = await d.session(v);
      const r = await d.getAssertion({
        allowList: [{ type: 'public-key', id }],
        ...(uvToken ? { token: uvToken } : {}),
        extensions: ext([['hmac-secret', hmacInput(s, salts, withProtocol)]]),
      });
      expect(r.status).toBe(S.CTAP2_OK);
      const out = s.decrypt(r.authData!.extensions!.get('hmac-secret') as Uint8Array);
      return { out, uv: r.authData!.uv };
    };
    return { d, id, secret };
  }

  it(name('outputs are stable per salt, differ between salts, and salt2 gives a second output'), async () => {
    const { secret } = await setup(false);
    const a1 = (await secret(SALT_A)).out;
    const a2 = (await secret(SALT_A)).out;
    const b = (await secret(SALT_B)).out;
    expect(a1).toHaveLength(32);
    expect(Buffer.from(a1).equals(Buffer.from(a2))).toBe(true);
    expect(Buffer.from(a1).equals(Buffer.from(b))).toBe(false);
    const both = (await secret(new Uint8Array(Buffer.concat([SALT_A, SALT_B])))).out;
    expect(both).toHaveLength(64);
    expect(Buffer.from(both.subarray(0, 32)).equals(Buffer.from(a1))).toBe(true);
    expect(Buffer.from(both.subarray(32)).equals(Buffer.from(b))).toBe(true);
  });

  it(name('outputs with user verification differ from those without (CredRandomWithUV / WithoutUV)'), async () => {
    const { d, secret } = await setup(true);
    const plain = await secret(SALT_A);
    const verified = await secret(SALT_A, (await d.token(v, PIN, P.ga, 'example.com')).token!);
    const verifiedAgain = await secret(SALT_A, (await d.token(v, PIN, P.ga, 'example.com')).token!);
    expect(plain.uv).toBe(false);
    expect(verified.uv).toBe(true);
    expect(Buffer.from(plain.out).equals(Buffer.from(verified.out))).toBe(false);
    expect(Buffer.from(verified.out).equals(Buffer.from(verifiedAgain.out))).toBe(true);
  });

  it(name('bad inputs: saltAuth, salt length, missing member, unsupported protocol'), async () => {
    const { d, id } = await setup(false);
    const allowList = [{ type: 'public-key', id }];
    const s = await d.session(v);
    const input = hmacInput(s, SALT_A, true);
    const badAuth = new Map(input);
    badAuth.set(3, new Uint8Array((input.get(3) as Uint8Array).length));
    expect((await d.getAssertion({ allowList, extensions: ext([['hmac-secret', badAuth]]) })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    const shortSalt = hmacInput(s, SALT_A.subarray(0, 16), true);
    expect((await d.getAssertion({ allowList, extensions: ext([['hmac-secret', shortSalt]]) })).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
    const missing = new Map(input);
    missing.delete(1);
    expect((await d.getAssertion({ allowList, extensions: ext([['hmac-secret', missing]]) })).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    const badProtocol = new Map(input);
    badProtocol.set(4, 9);
    expect((await d.getAssertion({ allowList, extensions: ext([['hmac-secret', badProtocol]]) })).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
    expect((await d.getAssertion({ allowList, extensions: ext([['hmac-secret', true]]) })).status).toBe(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    // None of these asked the user for a touch after the setup's requests.
    expect(d.touches.requests.filter((r) => r.reason === 'getAssertion')).toHaveLength(0);
  });

  it(name('a credential made without hmac-secret gives no output; the no-hmac-secret hook hides it'), async () => {
    const d = await PinDriver.create();
    const mc = await d.makeCredential();
    const id = mc.authData!.attestedCredentialData!.credentialId;
    const s = await d.session(v);
    const r = await d.getAssertion({ allowList: [{ type: 'public-key', id }], extensions: ext([['hmac-secret', hmacInput(s, SALT_A, true)]]) });
    expect(r.status).toBe(S.CTAP2_OK);
    expect(r.authData!.extensions).toBeUndefined();
    const off = await PinDriver.create({ behaviour: { hmacSecret: false } });
    expect((await off.info()).get(2)).not.toContain('hmac-secret');
    expect((await d.info()).get(2)).toContain('hmac-secret');
    const mcOff = await off.makeCredential({ extensions: ext([['hmac-secret', true]]) });
    expect(mcOff.authData!.extensions).toBeUndefined();
  });
});

describe.each(PROTOCOLS)('credProtect (CTAP 2.1 §12.1), protocol %i', (v) => {
  it(`each level is visible exactly where the spec allows _v${v}`, async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    const ids: Record<number, Uint8Array> = {};
    for (const level of [1, 2, 3]) {
      const mc = await d.makeCredential({
        rk: true,
        rpId: `level${level}.example`,
        token: (await d.token(v, PIN, P.mc, `level${level}.example`)).token!,
        extensions: ext([['credProtect', level]]),
      });
      expect(mc.status).toBe(S.CTAP2_OK);
      expect(mc.authData!.extensions!.get('credProtect')).toBe(level);
      ids[level] = mc.authData!.attestedCredentialData!.credentialId;
    }
    const see = async (level: number, how: 'noList' | 'allowList' | 'uv' | 'uvList') => {
      const rpId = `level${level}.example`;
      const token = how.startsWith('uv') ? (await d.token(v, PIN, P.ga, rpId)).token! : undefined;
      const allowList = how === 'allowList' || how === 'uvList' ? [{ type: 'public-key', id: ids[level]! }] : undefined;
      const r = await d.getAssertion({ rpId, ...(token ? { token } : {}), ...(allowList ? { allowList } : {}) });
      return r.status === S.CTAP2_OK;
    };
    expect([await see(1, 'noList'), await see(1, 'allowList'), await see(1, 'uv')]).toEqual([true, true, true]);
    expect([await see(2, 'noList'), await see(2, 'allowList'), await see(2, 'uv')]).toEqual([false, true, true]);
    expect([await see(3, 'noList'), await see(3, 'allowList'), await see(3, 'uv'), await see(3, 'uvList')]).toEqual([
      false,
      false,
      true,
      true,
    ]);
    // Hidden is CTAP2_ERR_NO_CREDENTIALS.
    expect((await d.getAssertion({ rpId: 'level3.example' })).status).toBe(S.CTAP2_ERR_NO_CREDENTIALS);
  });
});

describe('credBlob, largeBlobKey, minPinLength (CTAP 2.1 §12.2-§12.4)', () => {
  it('credBlob is kept with a discoverable credential when it fits and returned on request', async () => {
    const d = await PinDriver.create();
    const blob = new Uint8Array(32).fill(0xab);
    const mc = await d.makeCredential({ rk: true, extensions: ext([['credBlob', blob]]) });
    expect(mc.authData!.extensions!.get('credBlob')).toBe(true);
    const ga = await d.getAssertion({ extensions: ext([['credBlob', true]]) });
    expect(Buffer.from(ga.authData!.extensions!.get('credBlob') as Uint8Array).equals(Buffer.from(blob))).toBe(true);
    expect((await d.makeCredential({ rk: true, userId: Uint8Array.of(9), extensions: ext([['credBlob', new Uint8Array(33)]]) })).authData!.extensions!.get('credBlob')).toBe(false);
    expect((await d.makeCredential({ extensions: ext([['credBlob', blob]]) })).authData!.extensions!.get('credBlob')).toBe(false);
    expect((await d.info()).get(0x0f)).toBe(32);
    // A credential without a blob answers an empty byte string.
    const other = await d.getAssertion({ extensions: ext([['credBlob', true]]) });
    expect(other.status).toBe(S.CTAP2_OK);
    expect((other.authData!.extensions!.get('credBlob') as Uint8Array).length).toBe(0);
  });

  it('largeBlobKey: returned by makeCredential (0x05) and getAssertion (0x07), the same key', async () => {
    const d = await PinDriver.create();
    const mc = await d.makeCredential({ rk: true, extensions: ext([['largeBlobKey', true]]) });
    const key = mc.body!.get(5) as Uint8Array;
    expect(key).toHaveLength(32);
    expect(mc.authData!.extensions).toBeUndefined();
    const ga = await d.getAssertion({ extensions: ext([['largeBlobKey', true]]) });
    expect(Buffer.from(ga.body!.get(7) as Uint8Array).equals(Buffer.from(key))).toBe(true);
    expect((await d.getAssertion()).body!.has(7)).toBe(false);
    expect((await d.makeCredential({ rk: true, extensions: ext([['largeBlobKey', false]]) })).status).toBe(S.CTAP2_ERR_INVALID_OPTION);
    expect((await d.makeCredential({ extensions: ext([['largeBlobKey', true]]) })).body!.has(5)).toBe(false);
  });

  it('minPinLength is told only to the RP IDs set by authenticatorConfig', async () => {
    const d = await PinDriver.create();
    d.a.state.minPinLengthRpIds = ['trusted.example'];
    d.a.state.minPinLength = 6;
    const told = await d.makeCredential({ rpId: 'trusted.example', extensions: ext([['minPinLength', true]]) });
    expect(told.authData!.extensions!.get('minPinLength')).toBe(6);
    const other = await d.makeCredential({ rpId: 'other.example', extensions: ext([['minPinLength', true]]) });
    expect(other.authData!.extensions).toBeUndefined();
  });

  it('getInfo lists exactly the implemented extensions; unknown extensions are ignored', async () => {
    const d = await PinDriver.create();
    expect((await d.info()).get(2)).toEqual(['credProtect', 'hmac-secret', 'credBlob', 'largeBlobKey', 'minPinLength', 'hmac-secret-mc', 'thirdPartyPayment']);
    const r = await d.makeCredential({ extensions: ext([['unknownExt', 1]]) });
    expect(r.status).toBe(S.CTAP2_OK);
    expect(r.authData!.extensions).toBeUndefined();
    expect((await d.makeCredential({ extensions: ext([['credProtect', 'high']]) })).status).toBe(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
  });
});
