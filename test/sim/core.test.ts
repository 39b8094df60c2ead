import 'reflect-metadata';
import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as x509 from '@peculiar/x509';
import {
  CtapCommand,
  CtapStatus,
  decodeCbor,
  decodeGetAssertionResponse,
  decodeGetInfoResponse,
  decodeMakeCredentialResponse,
  encodeCanonicalCbor,
  encodeCborAsGiven,
  encodeGetAssertionRequest,
  encodeMakeCredentialRequest,
  parseAuthenticatorData,
  verifyCoseSignature,
  type CborMap,
  type GetAssertionRequest,
} from '../../harness/protocol/index.ts';
import { serializeState, SIMULATOR_AAGUID } from '../../authenticator-sim/index.ts';
import { createTestSim, GA, GI, GNA, MC, mcRequest, sha256, type TestSim } from '../helpers/sim.ts';

async function register(t: TestSim, overrides: Parameters<typeof mcRequest>[0] = {}) {
  const r = await t.call(MC, encodeMakeCredentialRequest(mcRequest(overrides)));
  expect(r.status).toBe(CtapStatus.CTAP2_OK);
  const res = decodeMakeCredentialResponse(r.body);
  return { res, authData: parseAuthenticatorData(res.authData) };
}

function gaRequest(overrides: Partial<GetAssertionRequest> = {}): CborMap {
  return encodeGetAssertionRequest({ rpId: 'example.com', clientDataHash: sha256('assert'), ...overrides });
}

describe('authenticatorGetInfo (CTAP 2.1 §6.4)', () => {
  it('should answer the versions, AAGUID, options and limits the simulator implements, canonically encoded', async () => {
    const t = await createTestSim();
    const r = await t.raw(GI, new Uint8Array(0));
    expect(r.status).toBe(CtapStatus.CTAP2_OK);
    expect(decodeCbor(r.payload).findings).toEqual([]); // strict decode passed: canonical
    const info = decodeGetInfoResponse(decodeCbor(r.payload).value);
    expect(info.versions).toEqual(expect.arrayContaining(['FIDO_2_0', 'FIDO_2_1_PRE', 'FIDO_2_1']));
    expect(Buffer.from(info.aaguid)).toEqual(Buffer.from(SIMULATOR_AAGUID));
    expect(info.options).toMatchObject({ rk: true, up: true, plat: false, clientPin: false });
    expect(info.maxMsgSize).toBe(7609);
    expect(info.pinUvAuthProtocols).toEqual(expect.arrayContaining([1, 2]));
    expect(info.maxCredentialCountInList).toBe(8);
    expect(info.maxCredentialIdLength).toBe(64);
    expect(info.transports).toEqual(['nfc', 'usb']);
    expect(info.algorithms).toEqual([
      { type: 'public-key', alg: -7 },
      { type: 'public-key', alg: -8 },
    ]);
    expect(info.remainingDiscoverableCredentials).toBe(50);
  });

  it('should refuse parameters with CTAP1_ERR_INVALID_LENGTH', async () => {
    const t = await createTestSim();
    expect((await t.raw(GI, Uint8Array.of(0xa0))).status).toBe(CtapStatus.CTAP1_ERR_INVALID_LENGTH);
  });

  it('should answer CTAP1_ERR_INVALID_COMMAND for an unknown command byte', async () => {
    const t = await createTestSim();
    for (const cmd of [0x00, 0x03, 0x05, 0x0e, 0x3f, 0x42, 0xbf, 0xff]) {
      expect((await t.raw(cmd, new Uint8Array(0))).status).toBe(CtapStatus.CTAP1_ERR_INVALID_COMMAND);
    }
  });
});

describe('authenticatorMakeCredential (CTAP 2.1 §6.1)', () => {
  it('should create an ES256 credential with packed attestation over authData || clientDataHash', async () => {
    const t = await createTestSim();
    const { res, authData } = await register(t);
    expect(res.fmt).toBe('packed');
    expect(Buffer.from(authData.rpIdHash)).toEqual(Buffer.from(sha256('example.com')));
    expect(authData.up).toBe(true);
    expect(authData.uv).toBe(false);
    expect(authData.at).toBe(true);
    expect(authData.ed).toBe(false);
    expect(authData.be || authData.bs).toBe(false);
    expect(authData.signCount).toBe(1);
    const acd = authData.attestedCredentialData!;
    expect(Buffer.from(acd.aaguid)).toEqual(Buffer.from(SIMULATOR_AAGUID));
    expect(acd.credentialId.length).toBe(64);
    expect(acd.credentialPublicKey.get(3)).toBe(-7);
    expect(res.attStmt.get('alg')).toBe(-7);
    const x5c = res.attStmt.get('x5c') as Uint8Array[];
    expect(x5c).toHaveLength(2);
    const leaf = new x509.X509Certificate(Uint8Array.from(x5c[0]!));
    const signed = Buffer.concat([res.authData, sha256('client data')]);
    const leafKey = createPublicKey({ key: Buffer.from(leaf.publicKey.rawData), format: 'der', type: 'spki' });
    expect(verify('sha256', signed, leafKey, res.attStmt.get('sig') as Uint8Array)).toBe(true);
    expect(verify('sha256', Buffer.concat([signed, Uint8Array.of(0)]), leafKey, res.attStmt.get('sig') as Uint8Array)).toBe(false);
  });

  it('should create an EdDSA credential when EdDSA is the first supported algorithm', async () => {
    const t = await createTestSim();
    const { authData } = await register(t, {
      pubKeyCredParams: [
        { type: 'public-key', alg: -257 },
        { type: 'public-key', alg: -8 },
        { type: 'public-key', alg: -7 },
      ],
    });
    const key = authData.attestedCredentialData!.credentialPublicKey;
    expect(key.get(1)).toBe(1); // OKP
    expect(key.get(3)).toBe(-8);
    expect(key.get(-1)).toBe(6); // Ed25519
  });

  it('should make self attestation signed by the credential key, without x5c', async () => {
    const t = await createTestSim({ attestation: 'self' });
    const { res, authData } = await register(t);
    expect(res.fmt).toBe('packed');
    expect(res.attStmt.has('x5c')).toBe(false);
    expect(res.attStmt.get('alg')).toBe(-7);
    const key = authData.attestedCredentialData!.credentialPublicKey;
    const signed = new Uint8Array(Buffer.concat([res.authData, sha256('client data')]));
    expect(verifyCoseSignature(key, signed, res.attStmt.get('sig') as Uint8Array)).toBe(true);
  });

  it('should make "none" attestation with an empty statement', async () => {
    const t = await createTestSim({ attestation: 'none' });
    const { res } = await register(t);
    expect(res.fmt).toBe('none');
    expect(res.attStmt.size).toBe(0);
  });

  it('should keep a discoverable credential and replace it for the same RP and user.id', async () => {
    const t = await createTestSim();
    const rk = new Map([['rk', true]]);
    await register(t, { options: rk });
    await register(t, { options: rk });
    expect(t.sim.state.credentials).toHaveLength(1);
    await register(t, { options: rk, user: { id: Uint8Array.of(9), name: 'bob' } });
    expect(t.sim.state.credentials).toHaveLength(2);
    const info = decodeGetInfoResponse((await t.call(GI)).body);
    expect(info.remainingDiscoverableCredentials).toBe(48);
  });

  it('should answer CTAP2_ERR_KEY_STORE_FULL when no slot is left', async () => {
    const t = await createTestSim({ maxDiscoverableCredentials: 1 });
    const rk = new Map([['rk', true]]);
    await register(t, { options: rk });
    const r = await t.call(MC, encodeMakeCredentialRequest(mcRequest({ options: rk, user: { id: Uint8Array.of(7) } })));
    expect(r.status).toBe(CtapStatus.CTAP2_ERR_KEY_STORE_FULL);
  });

  it('should refuse a credential in excludeList with CTAP2_ERR_CREDENTIAL_EXCLUDED after a touch', async () => {
    const t = await createTestSim();
    const { authData } = await register(t);
    const id = authData.attestedCredentialData!.credentialId;
    const before = serializeState(t.sim.state);
    const r = await t.call(MC, encodeMakeCredentialRequest(mcRequest({ excludeList: [{ type: 'public-key', id }] })));
    expect(r.status).toBe(CtapStatus.CTAP2_ERR_CREDENTIAL_EXCLUDED);
    expect(t.presence.requests.at(-1)?.reason).toBe('excluded');
    expect(serializeState(t.sim.state)).toBe(before);
    // the same ID is not excluded for another RP (its wrapping is bound to the RP ID hash)
    const other = await t.call(
      MC,
      encodeMakeCredentialRequest(mcRequest({ rp: { id: 'other.example' }, excludeList: [{ type: 'public-key', id }] })),
    );
    expect(other.status).toBe(CtapStatus.CTAP2_OK);
  });

  const base = () => encodeMakeCredentialRequest(mcRequest());
  const without = (key: number) => {
    const m = base();
    m.delete(key);
    return m;
  };
  const withValue = (key: number, value: unknown) => {
    const m = base();
    m.set(key, value as never);
    return m;
  };

  it.each([
    ['clientDataHash missing', without(1), CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
    ['rp missing', without(2), CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
    ['user missing', without(3), CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
    ['pubKeyCredParams missing', without(4), CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
    ['clientDataHash not bytes', withValue(1, 'hash'), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['clientDataHash 31 bytes', withValue(1, new Uint8Array(31)), CtapStatus.CTAP1_ERR_INVALID_PARAMETER],
    ['rp not a map', withValue(2, 'example.com'), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['rp.id missing', withValue(2, new Map([['name', 'x']])), CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
    ['rp.id not text', withValue(2, new Map([['id', 5]])), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['rp.name not text', withValue(2, new Map<string, unknown>([['id', 'a'], ['name', 1]])), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['user not a map', withValue(3, new Uint8Array(4)), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['user.id missing', withValue(3, new Map([['name', 'a']])), CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
    ['user.id not bytes', withValue(3, new Map([['id', 'abc']])), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['user.id 65 bytes', withValue(3, new Map([['id', new Uint8Array(65)]])), CtapStatus.CTAP2_ERR_LIMIT_EXCEEDED],
    ['user.displayName not text', withValue(3, new Map<string, unknown>([['id', new Uint8Array(1)], ['displayName', new Uint8Array(1)]])), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['pubKeyCredParams not an array', withValue(4, new Map()), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['pubKeyCredParams element not a map', withValue(4, [-7]), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['pubKeyCredParams element without alg', withValue(4, [new Map([['type', 'public-key']])]), CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
    ['pubKeyCredParams element without type', withValue(4, [new Map([['alg', -7]])]), CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
    ['pubKeyCredParams alg not an integer', withValue(4, [new Map<string, unknown>([['type', 'public-key'], ['alg', 'ES256']])]), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['only RS256 offered', withValue(4, [new Map<string, unknown>([['type', 'public-key'], ['alg', -257]])]), CtapStatus.CTAP2_ERR_UNSUPPORTED_ALGORITHM],
    ['ES256 with another type', withValue(4, [new Map<string, unknown>([['type', 'other'], ['alg', -7]])]), CtapStatus.CTAP2_ERR_UNSUPPORTED_ALGORITHM],
    ['empty pubKeyCredParams', withValue(4, []), CtapStatus.CTAP2_ERR_UNSUPPORTED_ALGORITHM],
    ['excludeList not an array', withValue(5, new Map()), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['excludeList element without id', withValue(5, [new Map([['type', 'public-key']])]), CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
    ['excludeList of 9', withValue(5, Array.from({ length: 9 }, () => new Map<string, unknown>([['type', 'public-key'], ['id', new Uint8Array(16)]]))), CtapStatus.CTAP2_ERR_LIMIT_EXCEEDED],
    ['extensions not a map', withValue(6, []), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['options not a map', withValue(7, true), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['option value not boolean', withValue(7, new Map([['rk', 1]])), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['up=false', withValue(7, new Map([['up', false]])), CtapStatus.CTAP2_ERR_INVALID_OPTION],
    ['uv=true without built-in UV', withValue(7, new Map([['uv', true]])), CtapStatus.CTAP2_ERR_INVALID_OPTION],
    ['pinUvAuthParam not bytes', withValue(8, 'x'), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['pinUvAuthParam without protocol', withValue(8, new Uint8Array(32)), CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
    ['pinUvAuthProtocol not an integer', withValue(9, 'two'), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['enterpriseAttestation when not enabled', withValue(10, 1), CtapStatus.CTAP1_ERR_INVALID_PARAMETER],
  ])('should answer the spec status for %s', async (_name, params, status) => {
    const t = await createTestSim();
    const before = serializeState(t.sim.state);
    expect((await t.call(MC, params)).status).toBe(status);
    expect(serializeState(t.sim.state)).toBe(before);
  });

  it('should answer CTAP1_ERR_INVALID_PARAMETER for an unsupported pinUvAuthProtocol', async () => {
    const t = await createTestSim();
    const m = encodeMakeCredentialRequest(mcRequest({ pinUvAuthParam: new Uint8Array(16), pinUvAuthProtocol: 3 }));
    expect((await t.call(MC, m)).status).toBe(CtapStatus.CTAP1_ERR_INVALID_PARAMETER);
  });

  it('should answer CTAP2_ERR_PIN_AUTH_INVALID for a pinUvAuthParam with no token issued', async () => {
    const t = await createTestSim();
    const m = encodeMakeCredentialRequest(mcRequest({ pinUvAuthParam: new Uint8Array(32), pinUvAuthProtocol: 2 }));
    expect((await t.call(MC, m)).status).toBe(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID);
  });

  it('should answer the zero-length pinUvAuthParam probe after a touch: PIN_NOT_SET, or OPERATION_DENIED without touch', async () => {
    const t = await createTestSim();
    const m = encodeMakeCredentialRequest(mcRequest({ pinUvAuthParam: new Uint8Array(0), pinUvAuthProtocol: 2 }));
    expect((await t.call(MC, m)).status).toBe(CtapStatus.CTAP2_ERR_PIN_NOT_SET);
    expect(t.presence.requests.at(-1)?.reason).toBe('pinUvAuthParam-probe');
    t.presence.answers.push('denied');
    expect((await t.call(MC, m)).status).toBe(CtapStatus.CTAP2_ERR_OPERATION_DENIED);
  });

  it.each([
    ['denied', CtapStatus.CTAP2_ERR_OPERATION_DENIED],
    ['timeout', CtapStatus.CTAP2_ERR_USER_ACTION_TIMEOUT],
  ] as const)('should answer the spec status when the user presence request is %s, storing nothing', async (answer, status) => {
    const t = await createTestSim();
    t.presence.answers.push(answer);
    const before = serializeState(t.sim.state);
    const m = encodeMakeCredentialRequest(mcRequest({ options: new Map([['rk', true]]) }));
    expect((await t.call(MC, m)).status).toBe(status);
    expect(serializeState(t.sim.state)).toBe(before);
  });

  it('should answer CTAP2_ERR_KEEPALIVE_CANCEL when the wait is cancelled', async () => {
    const t = await createTestSim();
    t.presence.answers.push('wait-for-cancel');
    const controller = new AbortController();
    const pending = t.sim.handleCbor(MC, encodeCanonicalCbor(encodeMakeCredentialRequest(mcRequest())), {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    expect((await pending).status).toBe(CtapStatus.CTAP2_ERR_KEEPALIVE_CANCEL);
  });

  it('should refuse malformed and non-canonical CBOR with CTAP2_ERR_INVALID_CBOR', async () => {
    const t = await createTestSim();
    expect((await t.raw(MC, Uint8Array.of(0xa1, 0x01))).status).toBe(CtapStatus.CTAP2_ERR_INVALID_CBOR);
    expect((await t.raw(MC, Uint8Array.of(0xff))).status).toBe(CtapStatus.CTAP2_ERR_INVALID_CBOR);
    const reversed = new Map([...encodeMakeCredentialRequest(mcRequest()).entries()].reverse());
    expect((await t.raw(MC, encodeCborAsGiven(reversed))).status).toBe(CtapStatus.CTAP2_ERR_INVALID_CBOR);
    const trailing = Buffer.concat([encodeCanonicalCbor(encodeMakeCredentialRequest(mcRequest())), Uint8Array.of(0)]);
    expect((await t.raw(MC, trailing)).status).toBe(CtapStatus.CTAP2_ERR_INVALID_CBOR);
    expect((await t.raw(MC, new Uint8Array(0))).status).toBe(CtapStatus.CTAP2_ERR_MISSING_PARAMETER);
    // a request that is CBOR but not a map
    expect((await t.raw(MC, Uint8Array.of(0x80))).status).toBe(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
  });
});

describe('authenticatorGetAssertion and authenticatorGetNextAssertion (CTAP 2.1 §6.2, §6.3)', () => {
  it('should sign authData || clientDataHash with the allowList credential and raise the counter', async () => {
    const t = await createTestSim();
    const { authData: regData } = await register(t);
    const acd = regData.attestedCredentialData!;
    const r = await t.call(GA, gaRequest({ allowList: [{ type: 'public-key', id: acd.credentialId }] }));
    expect(r.status).toBe(CtapStatus.CTAP2_OK);
    const res = decodeGetAssertionResponse(r.body);
    const ad = parseAuthenticatorData(res.authData);
    expect(ad.up).toBe(true);
    expect(ad.at).toBe(false);
    expect(ad.signCount).toBeGreaterThan(regData.signCount);
    expect(Buffer.from(ad.rpIdHash)).toEqual(Buffer.from(sha256('example.com')));
    expect(Buffer.from(res.credential.id)).toEqual(Buffer.from(acd.credentialId));
    const signed = new Uint8Array(Buffer.concat([res.authData, sha256('assert')]));
    expect(verifyCoseSignature(acd.credentialPublicKey, signed, res.signature)).toBe(true);
    expect(res.numberOfCredentials).toBeUndefined();
    expect(res.user).toBeUndefined(); // non-discoverable credential: no user handle
  });

  it('should skip allowList entries that are not ours and use the first that is', async () => {
    const t = await createTestSim();
    const { authData } = await register(t);
    const id = authData.attestedCredentialData!.credentialId;
    const r = await t.call(
      GA,
      gaRequest({
        allowList: [
          { type: 'public-key', id: new Uint8Array(64) },
          { type: 'other', id },
          { type: 'public-key', id: new Uint8Array(200) },
          { type: 'public-key', id },
        ],
      }),
    );
    expect(r.status).toBe(CtapStatus.CTAP2_OK);
    expect(Buffer.from(decodeGetAssertionResponse(r.body).credential.id)).toEqual(Buffer.from(id));
  });

  it('should answer CTAP2_ERR_NO_CREDENTIALS for another RP, unknown IDs, or no discoverable credential', async () => {
    const t = await createTestSim();
    const { authData } = await register(t);
    const id = authData.attestedCredentialData!.credentialId;
    expect((await t.call(GA, gaRequest({ rpId: 'evil.example', allowList: [{ type: 'public-key', id }] }))).status).toBe(
      CtapStatus.CTAP2_ERR_NO_CREDENTIALS,
    );
    expect((await t.call(GA, gaRequest({ allowList: [{ type: 'public-key', id: new Uint8Array(64) }] }))).status).toBe(
      CtapStatus.CTAP2_ERR_NO_CREDENTIALS,
    );
    expect((await t.call(GA, gaRequest())).status).toBe(CtapStatus.CTAP2_ERR_NO_CREDENTIALS);
  });

  it('should find discoverable credentials most recent first and continue with getNextAssertion', async () => {
    const t = await createTestSim();
    const rk = new Map([['rk', true]]);
    const users = [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)];
    for (const id of users) await register(t, { options: rk, user: { id, name: `u${id[0]}` } });
    await register(t, { options: rk, rp: { id: 'other.example' }, user: { id: Uint8Array.of(4) } });
    const first = await t.call(GA, gaRequest());
    expect(first.status).toBe(CtapStatus.CTAP2_OK);
    const r1 = decodeGetAssertionResponse(first.body);
    expect(r1.numberOfCredentials).toBe(3);
    expect([...r1.user!.id]).toEqual([3]);
    expect(r1.user!.name).toBeUndefined(); // no user verification: no names (§6.2.2)
    const r2 = decodeGetAssertionResponse((await t.call(GNA)).body);
    const r3 = decodeGetAssertionResponse((await t.call(GNA)).body);
    expect([[...r2.user!.id], [...r3.user!.id]]).toEqual([[2], [1]]);
    expect(r2.numberOfCredentials).toBeUndefined();
    const counters = [r1, r2, r3].map((r) => parseAuthenticatorData(r.authData).signCount);
    expect(counters[1]! > counters[0]! && counters[2]! > counters[1]!).toBe(true);
    expect((await t.call(GNA)).status).toBe(CtapStatus.CTAP2_ERR_NOT_ALLOWED);
  });

  it('should refuse getNextAssertion after 30 s, after another command, or with nothing pending', async () => {
    const t = await createTestSim();
    const rk = new Map([['rk', true]]);
    for (const id of [1, 2, 3]) await register(t, { options: rk, user: { id: Uint8Array.of(id) } });
    expect((await t.call(GNA)).status).toBe(CtapStatus.CTAP2_ERR_NOT_ALLOWED);
    await t.call(GA, gaRequest());
    t.clock.advance(30_001);
    expect((await t.call(GNA)).status).toBe(CtapStatus.CTAP2_ERR_NOT_ALLOWED);
    await t.call(GA, gaRequest());
    t.clock.advance(29_000);
    expect((await t.call(GNA)).status).toBe(CtapStatus.CTAP2_OK); // timer restarts with each assertion
    await t.call(GI);
    expect((await t.call(GNA)).status).toBe(CtapStatus.CTAP2_ERR_NOT_ALLOWED);
    expect((await t.raw(GNA, Uint8Array.of(0xa0))).status).toBe(CtapStatus.CTAP1_ERR_INVALID_LENGTH);
  });

  it('should not ask for a touch and leave UP clear when up=false', async () => {
    const t = await createTestSim();
    const { authData } = await register(t);
    const n = t.presence.requests.length;
    const r = await t.call(
      GA,
      gaRequest({ allowList: [{ type: 'public-key', id: authData.attestedCredentialData!.credentialId }], options: new Map([['up', false]]) }),
    );
    expect(r.status).toBe(CtapStatus.CTAP2_OK);
    expect(parseAuthenticatorData(decodeGetAssertionResponse(r.body).authData).up).toBe(false);
    expect(t.presence.requests.length).toBe(n);
  });

  const gaWith = (key: number, value: unknown) => {
    const m = gaRequest();
    m.set(key, value as never);
    return m;
  };
  const gaWithout = (key: number) => {
    const m = gaRequest();
    m.delete(key);
    return m;
  };
  it.each([
    ['rpId missing', gaWithout(1), CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
    ['clientDataHash missing', gaWithout(2), CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
    ['rpId not text', gaWith(1, new Uint8Array(3)), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['clientDataHash not bytes', gaWith(2, 1), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['allowList not an array', gaWith(3, new Map()), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['allowList element id not bytes', gaWith(3, [new Map([['type', 'public-key'], ['id', 'x']])]), CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
    ['allowList of 9', gaWith(3, Array.from({ length: 9 }, () => new Map<string, unknown>([['type', 'public-key'], ['id', new Uint8Array(8)]]))), CtapStatus.CTAP2_ERR_LIMIT_EXCEEDED],
    ['rk option', gaWith(5, new Map([['rk', true]])), CtapStatus.CTAP2_ERR_UNSUPPORTED_OPTION],
    ['uv=true without built-in UV', gaWith(5, new Map([['uv', true]])), CtapStatus.CTAP2_ERR_INVALID_OPTION],
    ['pinUvAuthParam without protocol', gaWith(6, new Uint8Array(32)), CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
  ])('should answer the spec status for %s', async (_name, params, status) => {
    const t = await createTestSim();
    expect((await t.call(GA, params)).status).toBe(status);
  });
});

describe('authenticatorReset and authenticatorSelection (CTAP 2.1 §6.6, §6.9)', () => {
  it('should wipe credentials after a touch, invalidate old IDs, and keep the counter monotonic', async () => {
    const t = await createTestSim();
    const { authData } = await register(t, { options: new Map([['rk', true]]) });
    const id = authData.attestedCredentialData!.credentialId;
    expect((await t.call(CtapCommand.authenticatorReset)).status).toBe(CtapStatus.CTAP2_OK);
    expect(t.presence.requests.at(-1)?.reason).toBe('reset');
    expect(t.sim.state.credentials).toEqual([]);
    expect((await t.call(GA, gaRequest({ allowList: [{ type: 'public-key', id }] }))).status).toBe(
      CtapStatus.CTAP2_ERR_NO_CREDENTIALS,
    );
    const { authData: after } = await register(t);
    expect(after.signCount).toBeGreaterThan(authData.signCount);
  });

  it('should refuse reset 10 s after power-up unless allowed anytime, and when the user declines', async () => {
    const t = await createTestSim({ allowResetAnytime: false });
    t.clock.advance(10_001);
    expect((await t.call(CtapCommand.authenticatorReset)).status).toBe(CtapStatus.CTAP2_ERR_NOT_ALLOWED);
    t.sim.powerCycle();
    t.presence.answers.push('denied');
    expect((await t.call(CtapCommand.authenticatorReset)).status).toBe(CtapStatus.CTAP2_ERR_OPERATION_DENIED);
    t.presence.answers.push('timeout');
    expect((await t.call(CtapCommand.authenticatorReset)).status).toBe(CtapStatus.CTAP2_ERR_USER_ACTION_TIMEOUT);
    expect((await t.call(CtapCommand.authenticatorReset)).status).toBe(CtapStatus.CTAP2_OK);
  });

  it('should answer selection with OK on a touch and OPERATION_DENIED without', async () => {
    const t = await createTestSim();
    expect((await t.call(CtapCommand.authenticatorSelection)).status).toBe(CtapStatus.CTAP2_OK);
    t.presence.answers.push('denied');
    expect((await t.call(CtapCommand.authenticatorSelection)).status).toBe(CtapStatus.CTAP2_ERR_OPERATION_DENIED);
    expect((await t.raw(CtapCommand.authenticatorSelection, Uint8Array.of(0xa0))).status).toBe(
      CtapStatus.CTAP1_ERR_INVALID_LENGTH,
    );
  });
});
