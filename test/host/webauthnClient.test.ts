import { verifyRegistrationResponse } from '@simplewebauthn/server';
import { beforeEach, describe, expect, it } from 'vitest';
import { Authenticator } from '../../authenticator-sim/Authenticator.ts';
import { buildClientData, ClientError, ClientPin, toBase64url, WebAuthnClient, type CreationOptionsJSON } from '../../harness/client/index.ts';
import { Ctap2, DirectAuthenticatorChannel } from '../../harness/ctap/index.ts';
import { CtapStatus, CtapStatusError } from '../../harness/protocol/index.ts';

// These use the DIRECT channel (no CTAPHID) for speed; the full stack is in fullStack.test.ts.
const ORIGIN = 'https://example.com';
let ctap: Ctap2;
let client: WebAuthnClient;

beforeEach(async () => {
  const a = await Authenticator.create({ allowResetAnytime: true, attestation: 'packed' });
  ctap = await Ctap2.open(new DirectAuthenticatorChannel(a));
  client = new WebAuthnClient({ ctap, origin: ORIGIN });
});

const opts = (user: string, extra: Partial<CreationOptionsJSON> = {}): CreationOptionsJSON => ({
  challenge: toBase64url(Buffer.from(`c-${user}`)),
  rp: { id: 'example.com', name: 'Example' },
  user: { id: toBase64url(Buffer.from(user)), name: user, displayName: user },
  pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
  ...extra,
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('WebAuthnClient (direct channel)', () => {
  it('should serialize clientDataJSON in the WebAuthn L3 §5.8.1.1 order', () => {
    const cd = buildClientData({ type: 'webauthn.get', challenge: 'abc', origin: 'https://a.example', crossOrigin: true, topOrigin: 'https://top.example' });
    expect(cd.json).toBe('{"type":"webauthn.get","challenge":"abc","origin":"https://a.example","crossOrigin":true,"topOrigin":"https://top.example"}');
    expect(Buffer.from(cd.hash).toString('hex')).toHaveLength(64);
  });

  it('should refuse an RP ID that is not the origin\'s host or a suffix of it', async () => {
    const err = (await rejection(client.create(opts('u', { rp: { id: 'evil.com', name: 'x' } })))) as ClientError;
    expect(err.code).toBe('CLIENT_RP_ID_MISMATCH');
    expect(err.domName).toBe('SecurityError');
  });

  it('should register without UV on a device with no PIN when UV is preferred, and verify', async () => {
    const o = opts('u', { authenticatorSelection: { userVerification: 'preferred' } });
    const r = await client.create(o);
    expect(r.userVerification).toBe('none');
    expect(r.authenticatorData.uv).toBe(false);
    const v = await verifyRegistrationResponse({ response: r.credential, expectedChallenge: o.challenge, expectedOrigin: ORIGIN, expectedRPID: 'example.com', requireUserVerification: false });
    expect(v.verified).toBe(true);
  });

  it('should refuse UV required on a device with neither PIN nor built-in UV', async () => {
    const err = (await rejection(client.create(opts('u', { authenticatorSelection: { userVerification: 'required' } })))) as ClientError;
    expect(err.code).toBe('CLIENT_UV_UNAVAILABLE');
  });

  it('should pass excludeCredentials to the device and surface CTAP2_ERR_CREDENTIAL_EXCLUDED', async () => {
    const first = await client.create(opts('u'));
    const err = (await rejection(client.create(opts('u', { excludeCredentials: [{ id: first.credential.id, type: 'public-key' }] })))) as CtapStatusError;
    expect(err.code).toBe(CtapStatus.CTAP2_ERR_CREDENTIAL_EXCLUDED);
  });

  it('should read every discoverable credential of an RP with getNextAssertion and let the caller choose', async () => {
    const pin = new ClientPin(ctap);
    await pin.setPin('123456');
    await ctap.getInfo();
    const withPin = new WebAuthnClient({ ctap, origin: ORIGIN, pin: '123456', selectAssertion: (c) => c.length - 1 });
    await withPin.create(opts('one', { authenticatorSelection: { residentKey: 'required' } }));
    await withPin.create(opts('two', { authenticatorSelection: { residentKey: 'required' } }));
    const g = await withPin.get({ challenge: toBase64url(Buffer.from('x')), rpId: 'example.com' });
    expect(g.responses).toHaveLength(2);
    expect(g.responses[0]!.numberOfCredentials).toBe(2);
    expect(g.response).toBe(g.responses[1]);
    expect(new Set(g.responses.map((r) => Buffer.from(r.user!.id).toString()))).toEqual(new Set(['one', 'two']));
  });

  it('should ask the PIN callback only when the device needs it', async () => {
    let asked = 0;
    const c = new WebAuthnClient({ ctap, origin: ORIGIN, pin: async () => (asked++, '123456') });
    await c.create(opts('u'));
    expect(asked).toBe(0);
    await new ClientPin(ctap).setPin('123456');
    await ctap.getInfo();
    const r = await c.create(opts('v'));
    expect(asked).toBe(1);
    expect(r.authenticatorData.uv).toBe(true);
  });

  it('should refuse a PIN shorter than the device minimum before sending it', async () => {
    const err = (await rejection(new ClientPin(ctap).setPin('12'))) as ClientError;
    expect(err.code).toBe('CLIENT_PIN_POLICY');
  });
});
