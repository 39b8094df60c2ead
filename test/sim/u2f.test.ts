import { createPublicKey, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CoseAlgorithm,
  CtapCommand,
  CtapStatus,
  decodeCbor,
  decodeGetAssertionResponse,
  decodeMakeCredentialResponse,
  encodeCommandApdu,
  parseAuthenticatorData,
  U2fInstruction,
} from '../../harness/protocol/index.ts';
import { getAssertionParams, makeCredentialParams, sha256 } from './helpers/ctap2Requests.ts';
import { startUdpFixture, type UdpFixture } from './helpers/simulatorFixture.ts';

// CTAP1/U2F over CTAPHID_MSG (FIDO U2F raw message formats v1.2; CTAP 2.1 §11.2.9.1.1, §10.3), over UDP.

const APP = sha256('example.com');
const CHALLENGE = sha256('u2f challenge');

function p256Key(point: Uint8Array): KeyObject {
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: Buffer.from(point.subarray(1, 33)).toString('base64url'),
      y: Buffer.from(point.subarray(33, 65)).toString('base64url'),
    },
    format: 'jwk',
  });
}

function registerApdu(app = APP, challenge = CHALLENGE): Uint8Array {
  return encodeCommandApdu({ cla: 0, ins: U2fInstruction.U2F_REGISTER, p1: 0, p2: 0, data: Uint8Array.from([...challenge, ...app]), le: 0 });
}

function authenticateApdu(control: number, keyHandle: Uint8Array, app = APP, challenge = CHALLENGE): Uint8Array {
  return encodeCommandApdu({
    cla: 0,
    ins: U2fInstruction.U2F_AUTHENTICATE,
    p1: control,
    p2: 0,
    data: Uint8Array.from([...challenge, ...app, keyHandle.length, ...keyHandle]),
    le: 0,
  });
}

interface Registration {
  publicKey: Uint8Array;
  keyHandle: Uint8Array;
  certificate: Uint8Array;
  signature: Uint8Array;
}

function parseRegistration(data: Uint8Array): Registration {
  expect(data[0]).toBe(0x05);
  const publicKey = data.subarray(1, 66);
  const khLen = data[66]!;
  const keyHandle = data.subarray(67, 67 + khLen);
  const rest = data.subarray(67 + khLen);
  // the certificate is one DER SEQUENCE with a two-byte length (30 82 LL LL)
  expect(rest[0]).toBe(0x30);
  expect(rest[1]).toBe(0x82);
  const certLen = 4 + ((rest[2]! << 8) | rest[3]!);
  return { publicKey, keyHandle, certificate: rest.subarray(0, certLen), signature: rest.subarray(certLen) };
}

let f: UdpFixture;
let cid: number;
beforeEach(async () => {
  f = await startUdpFixture();
  cid = await f.client.allocateChannel();
});
afterEach(async () => {
  await f.close();
});

async function register(app = APP): Promise<Registration> {
  const r = await f.client.msg(cid, registerApdu(app));
  expect(r.sw).toBe(0x9000);
  return parseRegistration(r.data);
}

describe('U2F_REGISTER', () => {
  it('answers 05 | P-256 key | key handle | attestation certificate | signature that verifies', async () => {
    const reg = await register();
    expect(reg.publicKey[0]).toBe(0x04);
    expect(reg.keyHandle.length).toBe(64);
    const cert = new X509Certificate(reg.certificate);
    // the certificate is the simulator's batch attestation certificate (same material as packed)
    expect(Buffer.compare(reg.certificate, f.sim.device.authenticator.state.attestation.leafCertificate)).toBe(0);
    const signed = Buffer.concat([Uint8Array.of(0), APP, CHALLENGE, reg.keyHandle, reg.publicKey]);
    expect(verify('sha256', signed, cert.publicKey, reg.signature)).toBe(true);
    // and not over other data
    expect(verify('sha256', Buffer.concat([signed, Uint8Array.of(0)]), cert.publicKey, reg.signature)).toBe(false);
    expect(f.presence.requests).toEqual(['u2f']);
  });

  it('answers SW_WRONG_LENGTH for data that is not 64 bytes', async () => {
    const apdu = encodeCommandApdu({ cla: 0, ins: 1, p1: 0, p2: 0, data: new Uint8Array(63) });
    expect((await f.client.msg(cid, apdu)).sw).toBe(0x6700);
  });
});

describe('U2F_AUTHENTICATE', () => {
  it('enforce-user-presence signs app | flags | counter | challenge with the registered key; the counter increases', async () => {
    const reg = await register();
    const key = p256Key(reg.publicKey);
    const counters: number[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await f.client.msg(cid, authenticateApdu(0x03, reg.keyHandle));
      expect(r.sw).toBe(0x9000);
      expect(r.data[0]).toBe(0x01); // user present
      const counter = r.data.subarray(1, 5);
      counters.push(new DataView(counter.buffer, counter.byteOffset, 4).getUint32(0));
      const signed = Buffer.concat([APP, r.data.subarray(0, 1), counter, CHALLENGE]);
      expect(verify('sha256', signed, key, r.data.subarray(5))).toBe(true);
    }
    expect(counters[1]).toBeGreaterThan(counters[0]!);
  });

  it('check-only answers SW_CONDITIONS_NOT_SATISFIED for our key handle and SW_WRONG_DATA for another', async () => {
    const reg = await register();
    expect((await f.client.msg(cid, authenticateApdu(0x07, reg.keyHandle))).sw).toBe(0x6985);
    const forged = Uint8Array.from(reg.keyHandle);
    forged[20]! ^= 0xff;
    expect((await f.client.msg(cid, authenticateApdu(0x07, forged))).sw).toBe(0x6a80);
    expect((await f.client.msg(cid, authenticateApdu(0x03, forged))).sw).toBe(0x6a80);
    // a key handle only opens for its application
    expect((await f.client.msg(cid, authenticateApdu(0x03, reg.keyHandle, sha256('other.example')))).sw).toBe(0x6a80);
  });

  it("don't-enforce signs without asking for a touch, with the user-presence flag clear", async () => {
    const reg = await register();
    f.presence.requests = [];
    const r = await f.client.msg(cid, authenticateApdu(0x08, reg.keyHandle));
    expect(r.sw).toBe(0x9000);
    expect(r.data[0]).toBe(0x00);
    expect(f.presence.requests).toEqual([]);
    const signed = Buffer.concat([APP, r.data.subarray(0, 5), CHALLENGE]);
    expect(verify('sha256', signed, p256Key(reg.publicKey), r.data.subarray(5))).toBe(true);
  });

  it('answers SW_WRONG_DATA for an unknown control byte and SW_WRONG_LENGTH for a bad key-handle length', async () => {
    const reg = await register();
    expect((await f.client.msg(cid, authenticateApdu(0x05, reg.keyHandle))).sw).toBe(0x6a80);
    const apdu = authenticateApdu(0x03, reg.keyHandle);
    apdu[7 + 64] = 63; // L says 63, 64 bytes follow
    expect((await f.client.msg(cid, apdu)).sw).toBe(0x6700);
  });
});

describe('status words', () => {
  it('answers 6E00 for CLA != 0, 6D00 for an unknown INS, 6700 for a malformed APDU or VERSION with data', async () => {
    expect((await f.client.msg(cid, Uint8Array.of(0x80, 3, 0, 0))).sw).toBe(0x6e00);
    expect((await f.client.msg(cid, Uint8Array.of(0, 0x44, 0, 0))).sw).toBe(0x6d00);
    expect((await f.client.msg(cid, Uint8Array.of(0, 3, 0))).sw).toBe(0x6700);
    expect((await f.client.msg(cid, Uint8Array.of(0, 1, 0, 0, 0, 0, 5, 1, 2))).sw).toBe(0x6700);
    expect((await f.client.msg(cid, encodeCommandApdu({ cla: 0, ins: 3, p1: 0, p2: 0, data: Uint8Array.of(1) }))).sw).toBe(0x6700);
  });
});

describe('CTAP1/CTAP2 interop (CTAP 2.1 §10.3)', () => {
  it('a U2F key handle is usable from CTAP2 getAssertion with the rpId whose hash is the application parameter', async () => {
    const reg = await register();
    const cdh = sha256('ctap2 over u2f');
    const r = await f.client.cbor(
      cid,
      CtapCommand.authenticatorGetAssertion,
      getAssertionParams({ rpId: 'example.com', clientDataHash: cdh, allowList: [{ type: 'public-key', id: reg.keyHandle }] }),
    );
    expect(r.status).toBe(CtapStatus.CTAP2_OK);
    const res = decodeGetAssertionResponse(decodeCbor(r.body).value);
    expect(Buffer.compare(res.credential.id, reg.keyHandle)).toBe(0);
    const signed = Buffer.concat([res.authData, cdh]);
    expect(verify('sha256', signed, p256Key(reg.publicKey), res.signature)).toBe(true);
    // for another RP it is not found
    const other = await f.client.cbor(
      cid,
      CtapCommand.authenticatorGetAssertion,
      getAssertionParams({ rpId: 'other.example', allowList: [{ type: 'public-key', id: reg.keyHandle }] }),
    );
    expect(other.status).toBe(CtapStatus.CTAP2_ERR_NO_CREDENTIALS);
  });

  it('a U2F key handle in a CTAP2 excludeList stops makeCredential with CTAP2_ERR_CREDENTIAL_EXCLUDED', async () => {
    const reg = await register();
    const r = await f.client.cbor(
      cid,
      CtapCommand.authenticatorMakeCredential,
      makeCredentialParams({ rpId: 'example.com', excludeList: [{ type: 'public-key', id: reg.keyHandle }] }),
    );
    expect(r.status).toBe(CtapStatus.CTAP2_ERR_CREDENTIAL_EXCLUDED);
    // for another RP the handle does not open, so nothing is excluded
    const other = await f.client.cbor(
      cid,
      CtapCommand.authenticatorMakeCredential,
      makeCredentialParams({ rpId: 'other.example', excludeList: [{ type: 'public-key', id: reg.keyHandle }] }),
    );
    expect(other.status).toBe(CtapStatus.CTAP2_OK);
  });

  it('a CTAP2 ES256 credential answers U2F authenticate; an EdDSA one is refused with SW_WRONG_DATA', async () => {
    for (const [alg, sw] of [[CoseAlgorithm.ES256, 0x9000], [CoseAlgorithm.EdDSA, 0x6a80]] as const) {
      const mc = await f.client.cbor(cid, CtapCommand.authenticatorMakeCredential, makeCredentialParams({ alg }));
      expect(mc.status).toBe(CtapStatus.CTAP2_OK);
      const att = decodeMakeCredentialResponse(decodeCbor(mc.body).value);
      const credId = parseAuthenticatorData(att.authData).attestedCredentialData!.credentialId;
      expect((await f.client.msg(cid, authenticateApdu(0x03, credId))).sw).toBe(sw);
    }
  });

  it('a CTAP2 credential with credProtect userVerificationRequired is refused over U2F', async () => {
    const mc = await f.client.cbor(
      cid,
      CtapCommand.authenticatorMakeCredential,
      makeCredentialParams({ extensions: new Map([['credProtect', 3]]) }),
    );
    expect(mc.status).toBe(CtapStatus.CTAP2_OK);
    const att = decodeMakeCredentialResponse(decodeCbor(mc.body).value);
    const ad = parseAuthenticatorData(att.authData);
    expect((ad.extensions as Map<string, unknown> | undefined)?.get('credProtect')).toBe(3);
    const credId = ad.attestedCredentialData!.credentialId;
    expect((await f.client.msg(cid, authenticateApdu(0x07, credId))).sw).toBe(0x6a80);
    expect((await f.client.msg(cid, authenticateApdu(0x03, credId))).sw).toBe(0x6a80);
  });
});
