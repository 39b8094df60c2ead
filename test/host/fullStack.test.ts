import { createHash, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClientError,
  ClientPin,
  CredentialManagement,
  PinUvAuthProtocolOne,
  PinUvAuthProtocolTwo,
  toBase64url,
  WebAuthnClient,
  type CreationOptionsJSON,
  type RequestOptionsJSON,
} from '../../harness/client/index.ts';
import { CtapStatus, CtapStatusError, PinUvAuthPermission, U2fControl, U2fStatusWord } from '../../harness/protocol/index.ts';
import { U2fStatusError } from '../../harness/ctap/index.ts';
import { memoryStack, udpStack, type SimulatorStack } from './simulatorStacks.ts';

const ORIGIN = 'https://login.example.com';
const RP_ID = 'example.com';
const PIN = '271828';

function creationOptions(userId: string, extra: Partial<CreationOptionsJSON> = {}): CreationOptionsJSON {
  return {
    challenge: toBase64url(createHash('sha256').update(`challenge:${userId}`).digest()),
    rp: { id: RP_ID, name: 'Example' },
    user: { id: toBase64url(Buffer.from(userId)), name: `${userId}@example.com`, displayName: userId },
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    attestation: 'direct',
    ...extra,
  };
}

function requestOptions(extra: Partial<RequestOptionsJSON> = {}): RequestOptionsJSON {
  return { challenge: toBase64url(createHash('sha256').update(`get:${JSON.stringify(extra)}`).digest()), rpId: RP_ID, userVerification: 'required', ...extra };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

for (const make of [memoryStack, udpStack]) {
  describe(`full host stack over ${make.name.replace('Stack', '')} (client → ctap → ctaphid → transport → simulator)`, () => {
    let stack: SimulatorStack;
    let client: WebAuthnClient;
    let registered: { id: string; publicKey: Uint8Array<ArrayBuffer>; counter: number; userId: string };

    beforeAll(async () => {
      stack = await make();
      client = new WebAuthnClient({ ctap: stack.device.ctap2, origin: ORIGIN, pin: PIN, pinUvAuthProtocol: 2 });
    });
    afterAll(async () => stack?.close());

    it('should read getInfo through CTAPHID and set a PIN with protocol 2', async () => {
      const info = stack.device.ctap2.info!;
      expect(info.versions).toContain('FIDO_2_1');
      expect(info.pinUvAuthProtocols).toContain(2);
      expect(stack.device.hid.cid).not.toBe(0xffffffff);
      const pin = new ClientPin(stack.device.ctap2, new PinUvAuthProtocolTwo());
      await pin.setPin(PIN);
      expect((await stack.device.ctap2.getInfo()).options?.clientPin).toBe(true);
      expect((await pin.getRetries()).pinRetries).toBe(8);
    });

    it('should register a discoverable credential with PIN protocol 2 that @simplewebauthn/server verifies', async () => {
      const options = creationOptions('alice', { extensions: { credProps: true, prf: {} } });
      const result = await client.create(options);
      expect(result.userVerification).toBe('pinUvAuthToken');
      expect(result.request.pinUvAuthProtocol).toBe(2);
      expect(result.request.options?.get('rk')).toBe(true);
      expect(result.authenticatorData.uv).toBe(true);
      expect(result.credential.clientExtensionResults).toEqual({ credProps: { rk: true }, prf: { enabled: true } });
      const v = await verifyRegistrationResponse({
        response: result.credential,
        expectedChallenge: options.challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
        requireUserVerification: true,
      });
      expect(v.verified).toBe(true);
      expect(v.registrationInfo!.fmt).toBe('packed');
      expect(JSON.parse(result.clientDataJSON)).toEqual({ type: 'webauthn.create', challenge: options.challenge, origin: ORIGIN, crossOrigin: false });
      registered = { id: v.registrationInfo!.credential.id, publicKey: v.registrationInfo!.credential.publicKey, counter: v.registrationInfo!.credential.counter, userId: options.user.id };
    });

    it('should authenticate with the discoverable credential (no allowList) and verify', async () => {
      const options = requestOptions();
      const result = await client.get(options);
      expect(result.credential.id).toBe(registered.id);
      expect(result.credential.response.userHandle).toBe(registered.userId);
      expect(result.authenticatorData.uv).toBe(true);
      const v = await verifyAuthenticationResponse({
        response: result.credential,
        expectedChallenge: options.challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
        requireUserVerification: true,
        credential: { id: registered.id, publicKey: registered.publicKey, counter: registered.counter },
      });
      expect(v.verified).toBe(true);
      expect(v.authenticationInfo.newCounter).toBeGreaterThan(registered.counter);
    });

    it('should evaluate prf through hmac-secret: stable per salt, different per salt, different without UV', async () => {
      const first = toBase64url(Buffer.from('salt one'));
      const get = (uv: 'required' | 'discouraged', salt = first) =>
        client.get(requestOptions({ userVerification: uv, allowCredentials: [{ id: registered.id, type: 'public-key' }], extensions: { prf: { eval: { first: salt, second: toBase64url(Buffer.from('two')) } } } }));
      const a = await get('required');
      const b = await get('required');
      const c = await get('required', toBase64url(Buffer.from('salt two')));
      const d = await get('discouraged');
      const ra = a.credential.clientExtensionResults.prf!.results!;
      expect(Buffer.from(ra.first, 'base64url')).toHaveLength(32);
      expect(Buffer.from(ra.second!, 'base64url')).toHaveLength(32);
      expect(ra.first).not.toBe(ra.second);
      expect(b.credential.clientExtensionResults.prf!.results).toEqual(ra);
      expect(c.credential.clientExtensionResults.prf!.results!.first).not.toBe(ra.first);
      expect(d.authenticatorData.uv).toBe(false);
      expect(d.credential.clientExtensionResults.prf!.results!.first).not.toBe(ra.first);
    });

    it('should list, find and delete credentials with credential management', async () => {
      const bob = await client.create(creationOptions('bob'));
      const pin = new ClientPin(stack.device.ctap2, new PinUvAuthProtocolTwo());
      const token = await pin.getPinToken(PIN, { permissions: PinUvAuthPermission.cm });
      const cm = new CredentialManagement(stack.device.ctap2, token);
      expect((await cm.getMetadata()).existingResidentCredentialsCount).toBe(2);
      const rps = await cm.enumerateRps();
      expect(rps.map((r) => r.rp.id)).toEqual([RP_ID]);
      expect(Buffer.from(rps[0]!.rpIDHash)).toEqual(createHash('sha256').update(RP_ID).digest());
      const creds = await cm.enumerateCredentials(rps[0]!.rpIDHash);
      expect(creds.map((c) => Buffer.from(c.user.id).toString()).sort()).toEqual(['alice', 'bob']);
      const bobCred = creds.find((c) => Buffer.from(c.user.id).toString() === 'bob')!;
      expect(toBase64url(bobCred.credentialID.id)).toBe(bob.credential.id);
      await cm.deleteCredential(bobCred.credentialID);
      expect((await cm.enumerateCredentials(rps[0]!.rpIDHash)).map((c) => Buffer.from(c.user.id).toString())).toEqual(['alice']);
      const err = await rejection(client.get(requestOptions({ allowCredentials: [{ id: bob.credential.id, type: 'public-key' }] })));
      expect(err).toBeInstanceOf(CtapStatusError);
      expect((err as CtapStatusError).code).toBe(CtapStatus.CTAP2_ERR_NO_CREDENTIALS);
    });

    it('should get a token with PIN protocol 1 that makeCredential accepts', async () => {
      const c1 = new WebAuthnClient({ ctap: stack.device.ctap2, origin: ORIGIN, pin: PIN, pinUvAuthProtocol: 1 });
      const r = await c1.create(creationOptions('carol', { authenticatorSelection: { residentKey: 'discouraged', userVerification: 'required' } }));
      expect(r.request.pinUvAuthProtocol).toBe(1);
      expect(r.request.pinUvAuthParam).toHaveLength(16);
      expect(r.authenticatorData.uv).toBe(true);
      const token = await new ClientPin(stack.device.ctap2, new PinUvAuthProtocolOne()).getPinToken(PIN, { permissions: PinUvAuthPermission.ga, rpId: RP_ID });
      expect(token.token.length === 16 || token.token.length === 32).toBe(true);
    });

    it('should map a wrong PIN to 0x31 CTAP2_ERR_PIN_INVALID and lower the retries', async () => {
      const pin = new ClientPin(stack.device.ctap2, new PinUvAuthProtocolTwo());
      const before = (await pin.getRetries()).pinRetries;
      const err = (await rejection(pin.getPinToken('000000', { rpId: RP_ID }))) as CtapStatusError;
      expect(err).toBeInstanceOf(CtapStatusError);
      expect(err.code).toBe(0x31);
      expect(err.message).toContain('0x31 CTAP2_ERR_PIN_INVALID');
      expect((await pin.getRetries()).pinRetries).toBe(before - 1);
      await pin.getPinToken(PIN, { rpId: RP_ID }); // a right PIN resets the count
      expect((await pin.getRetries()).pinRetries).toBe(8);
    });

    it('should refuse to go on without a PIN when the device needs one', async () => {
      const noPin = new WebAuthnClient({ ctap: stack.device.ctap2, origin: ORIGIN });
      const err = (await rejection(noPin.create(creationOptions('dave')))) as ClientError;
      expect(err).toBeInstanceOf(ClientError);
      expect(err.code).toBe('CLIENT_PIN_REQUIRED');
    });

    it('should carry credBlob, hmacCreateSecret, credProtect and largeBlob', async () => {
      const blob = toBase64url(Buffer.from('a small blob'));
      const r = await client.create(
        creationOptions('erin', {
          extensions: { credBlob: blob, hmacCreateSecret: true, credentialProtectionPolicy: 'userVerificationRequired', enforceCredentialProtectionPolicy: true, largeBlob: { support: 'required' }, minPinLength: true },
        }),
      );
      expect(r.credential.clientExtensionResults).toMatchObject({ credBlob: true, hmacCreateSecret: true, largeBlob: { supported: true } });
      expect(r.authenticatorData.extensions?.get('credProtect')).toBe(3);
      const allow = [{ id: r.credential.id, type: 'public-key' as const }];
      const g = await client.get(requestOptions({ allowCredentials: allow, extensions: { getCredBlob: true } }));
      expect(g.credential.clientExtensionResults.getCredBlob).toBe(blob);
      // credProtect 3: without UV the credential is not found (CTAP 2.1 §12.1)
      const hidden = await rejection(client.get(requestOptions({ allowCredentials: allow, userVerification: 'discouraged' })));
      expect((hidden as CtapStatusError).code).toBe(CtapStatus.CTAP2_ERR_NO_CREDENTIALS);
      const data = toBase64url(Buffer.from('large blob contents '.repeat(40)));
      const w = await client.get(requestOptions({ allowCredentials: allow, extensions: { largeBlob: { write: data } } }));
      expect(w.credential.clientExtensionResults.largeBlob).toEqual({ written: true });
      const rd = await client.get(requestOptions({ allowCredentials: allow, extensions: { largeBlob: { read: true } } }));
      expect(rd.credential.clientExtensionResults.largeBlob).toEqual({ blob: data });
    });

    it('should speak CTAP1/U2F over CTAPHID_MSG: version, register, check-only and sign', async () => {
      const u2f = stack.device.ctap1;
      expect(await u2f.version()).toBe('U2F_V2');
      const app = createHash('sha256').update('https://u2f.example.com').digest();
      const chal = createHash('sha256').update('u2f challenge').digest();
      const reg = await u2f.register(chal, app);
      // U2F raw message formats §4.3: signature over 0x00 | app | challenge | key handle | public key
      const cert = new X509Certificate(Buffer.from(reg.certificate));
      const signed = Buffer.concat([Buffer.of(0), app, chal, reg.keyHandle, reg.publicKey]);
      expect(verify('sha256', signed, cert.publicKey, reg.signature)).toBe(true);
      const check = await rejection(u2f.authenticate(U2fControl.CHECK_ONLY, chal, app, reg.keyHandle));
      expect((check as U2fStatusError).sw).toBe(U2fStatusWord.SW_CONDITIONS_NOT_SATISFIED);
      const auth = await u2f.authenticate(U2fControl.ENFORCE_USER_PRESENCE_AND_SIGN, chal, app, reg.keyHandle);
      expect(auth.userPresence & 1).toBe(1);
      const pub = createPublicKey({ key: Buffer.concat([Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'), reg.publicKey]), format: 'der', type: 'spki' });
      const counter = Buffer.alloc(4);
      counter.writeUInt32BE(auth.counter);
      expect(verify('sha256', Buffer.concat([app, Buffer.of(auth.userPresence), counter, chal]), pub, auth.signature)).toBe(true);
    });

    it('should have traced every exchange with hex, diagnostics and durations', () => {
      const entries = stack.device.ctap2.trace.entries;
      const mc = entries.find((e) => e.command === 'authenticatorMakeCredential' && e.status === '0x00 CTAP2_OK')!;
      expect(mc.requestHex.startsWith('01a')).toBe(true);
      expect(mc.requestDiagnostic).toContain('"example.com"');
      expect(mc.responseDiagnostic).toContain('"packed"');
      expect(mc.durationMs).toBeGreaterThan(0);
      const bad = entries.find((e) => e.status === '0x31 CTAP2_ERR_PIN_INVALID')!;
      expect(bad.error).toContain('CTAP2_ERR_PIN_INVALID');
      expect(stack.device.ctap2.findings).toEqual([]);
    });
  });
}
