import { describe, expect, it } from 'vitest';
import {
  CtapStatus,
  CtapStatusError,
  decodeBioEnrollmentRequest,
  decodeBioEnrollmentResponse,
  decodeBioEnrollmentSubParams,
  decodeCbor,
  decodeClientPinRequest,
  decodeClientPinResponse,
  decodeConfigRequest,
  decodeCredentialManagementRequest,
  decodeCredentialManagementResponse,
  decodeGetAssertionRequest,
  decodeGetAssertionResponse,
  decodeGetInfoResponse,
  decodeLargeBlobsRequest,
  decodeLargeBlobsResponse,
  decodeMakeCredentialRequest,
  decodeMakeCredentialResponse,
  decodeTemplateInfo,
  encodeBioEnrollmentRequest,
  encodeBioEnrollmentResponse,
  encodeBioEnrollmentSubParams,
  encodeCanonicalCbor,
  encodeClientPinRequest,
  encodeClientPinResponse,
  encodeConfigRequest,
  encodeCredentialManagementRequest,
  encodeCredentialManagementResponse,
  encodeGetAssertionRequest,
  encodeGetAssertionResponse,
  encodeGetInfoResponse,
  encodeLargeBlobsRequest,
  encodeLargeBlobsResponse,
  encodeMakeCredentialRequest,
  encodeMakeCredentialResponse,
  encodeTemplateInfo,
  type CborMap,
  type CborValue,
  type MakeCredentialRequest,
} from '../../harness/protocol/index.ts';
import { thrown } from './thrown.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** a decoded value with its byte strings as plain Uint8Arrays (the decoder gives Buffers), for toStrictEqual */
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return Uint8Array.from(v);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  return v;
}
/** through the wire and back, as the other side sees it */
const wire = (v: CborMap): unknown => plain(decodeCbor(encodeCanonicalCbor(v)).value);
const m = (entries: [CborValue, CborValue][]): CborMap => new Map(entries);
const status = (fn: () => unknown): number => thrown(fn, CtapStatusError).code;

const cdh = new Uint8Array(32).fill(0xcd);
const userId = Uint8Array.of(0x75, 0x69, 0x64);

describe('authenticatorMakeCredential (CTAP 2.1 §6.1)', () => {
  const minimal: MakeCredentialRequest = {
    clientDataHash: cdh,
    rp: { id: 'example.com' },
    user: { id: userId },
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
  };

  it('should encode the required members under keys 0x01-0x04 in canonical CBOR', () => {
    const bytes = encodeCanonicalCbor(encodeMakeCredentialRequest(minimal));
    // a4 | 01 5820 <cdh> | 02 a1 62 6964 6b example.com | 03 a1 62 6964 43 756964 | 04 81 a2 63 616c67 26 64 74797065 6a public-key
    expect(hex(bytes)).toBe(
      'a4' +
        '015820' + 'cd'.repeat(32) +
        '02a1626964' + '6b' + hex(Buffer.from('example.com')) +
        '03a1626964' + '43756964' +
        '0481a263616c672664747970656a' + hex(Buffer.from('public-key')),
    );
  });

  it('should carry every optional member through encode and decode', () => {
    const full: MakeCredentialRequest = {
      ...minimal,
      rp: { id: 'example.com', name: 'Example' },
      user: { id: userId, name: 'alice', displayName: 'Alice' },
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }, { type: 'public-key', alg: -8 }],
      excludeList: [{ type: 'public-key', id: Uint8Array.of(1), transports: ['usb'] }],
      extensions: m([['credProtect', 2]]),
      options: new Map([['rk', true], ['up', false]]),
      pinUvAuthParam: new Uint8Array(16).fill(1),
      pinUvAuthProtocol: 2,
      enterpriseAttestation: 1,
      attestationFormatsPreference: ['packed', 'none'],
    };
    const sent = wire(encodeMakeCredentialRequest(full)) as CborMap;
    expect([...sent.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(decodeMakeCredentialRequest(sent)).toStrictEqual(full);
    expect(decodeMakeCredentialRequest(wire(encodeMakeCredentialRequest(minimal)))).toStrictEqual(minimal);
  });

  it('should keep a zero pinUvAuthProtocol, an empty pinUvAuthParam and enterpriseAttestation 0 as sent', () => {
    const req = { ...minimal, pinUvAuthParam: new Uint8Array(0), pinUvAuthProtocol: 0, enterpriseAttestation: 0 };
    expect(decodeMakeCredentialRequest(wire(encodeMakeCredentialRequest(req)))).toStrictEqual(req);
  });

  it('should refuse missing required members and wrong types with the spec codes', () => {
    const base = encodeMakeCredentialRequest(minimal);
    for (const key of [1, 2, 3, 4]) {
      const without = new Map(base);
      without.delete(key);
      expect(status(() => decodeMakeCredentialRequest(without)), `key ${key}`).toBe(CtapStatus.CTAP2_ERR_MISSING_PARAMETER);
    }
    expect(status(() => decodeMakeCredentialRequest(new Map([...base, [4, [m([['type', 'public-key']])]]])))).toBe(CtapStatus.CTAP2_ERR_MISSING_PARAMETER);
    expect(status(() => decodeMakeCredentialRequest(new Map([...base, [5, [m([['type', 'public-key'], ['id', 'x']])]]])))).toBe(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    expect(status(() => decodeMakeCredentialRequest(new Map([...base, [7, m([['rk', 'yes']])]])))).toBe(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    expect(status(() => decodeMakeCredentialRequest(new Map([...base, [11, ['packed', 1]]])))).toBe(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    expect(status(() => decodeMakeCredentialRequest(new Map([...base, [3, m([['id', 'text']])]])))).toBe(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
  });

  it('should encode and decode the response: fmt 0x01, authData 0x02, attStmt 0x03, epAtt, largeBlobKey, unsignedExtensionOutputs', () => {
    const res = { fmt: 'none', authData: Uint8Array.of(1, 2), attStmt: new Map(), epAtt: false, largeBlobKey: new Uint8Array(32), unsignedExtensionOutputs: m([['x', 1]]) };
    const sent = wire(encodeMakeCredentialResponse(res)) as CborMap;
    expect([...sent.entries()].slice(0, 4)).toEqual([[1, 'none'], [2, Uint8Array.of(1, 2)], [3, new Map()], [4, false]]);
    expect(decodeMakeCredentialResponse(sent)).toStrictEqual(res);
    expect(status(() => decodeMakeCredentialResponse(m([[1, 'none'], [2, new Uint8Array(0)]])))).toBe(CtapStatus.CTAP2_ERR_MISSING_PARAMETER);
  });
});

describe('authenticatorGetAssertion (CTAP 2.1 §6.2)', () => {
  it('should encode rpId 0x01 and clientDataHash 0x02 and read them back', () => {
    const req = { rpId: 'example.com', clientDataHash: cdh };
    const bytes = encodeCanonicalCbor(encodeGetAssertionRequest(req));
    expect(hex(bytes)).toBe('a2' + '016b' + hex(Buffer.from('example.com')) + '025820' + 'cd'.repeat(32));
    expect(decodeGetAssertionRequest(plain(decodeCbor(bytes).value))).toStrictEqual(req);
  });

  it('should carry every optional member through encode and decode', () => {
    const req = {
      rpId: 'example.com',
      clientDataHash: cdh,
      allowList: [{ type: 'public-key', id: Uint8Array.of(1, 2) }, { type: 'public-key', id: Uint8Array.of(3), transports: ['nfc'] }],
      extensions: m([['hmac-secret', true]]),
      options: new Map([['up', false]]),
      pinUvAuthParam: new Uint8Array(32).fill(2),
      pinUvAuthProtocol: 1,
    };
    const sent = wire(encodeGetAssertionRequest(req)) as CborMap;
    expect([...sent.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(decodeGetAssertionRequest(sent)).toStrictEqual(req);
    const zero = { rpId: 'a', clientDataHash: cdh, pinUvAuthParam: new Uint8Array(0), pinUvAuthProtocol: 0 };
    expect(decodeGetAssertionRequest(wire(encodeGetAssertionRequest(zero)))).toStrictEqual(zero);
  });

  it('should refuse a request without rpId or clientDataHash, or with a bad allowList entry or option', () => {
    expect(status(() => decodeGetAssertionRequest(m([[2, cdh]])))).toBe(CtapStatus.CTAP2_ERR_MISSING_PARAMETER);
    expect(status(() => decodeGetAssertionRequest(m([[1, 'a']])))).toBe(CtapStatus.CTAP2_ERR_MISSING_PARAMETER);
    expect(status(() => decodeGetAssertionRequest(m([[1, 'a'], [2, cdh], [3, [m([['type', 'public-key']])]]])))).toBe(CtapStatus.CTAP2_ERR_MISSING_PARAMETER);
    expect(status(() => decodeGetAssertionRequest(m([[1, 'a'], [2, cdh], [5, m([['up', 0]])]])))).toBe(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    expect(status(() => decodeGetAssertionRequest(m([[1, 'a'], [2, cdh], [3, 'list']])))).toBe(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
  });

  it('should encode and decode the response with its credential and user as entities', () => {
    const res = {
      credential: { type: 'public-key', id: Uint8Array.of(7) },
      authData: new Uint8Array(37),
      signature: Uint8Array.of(0x30),
      user: { id: userId, name: 'alice' },
      numberOfCredentials: 2,
      userSelected: true,
      largeBlobKey: new Uint8Array(32).fill(3),
      unsignedExtensionOutputs: m([['x', 1]]),
    };
    const sent = wire(encodeGetAssertionResponse(res)) as CborMap;
    expect([...sent.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(sent.get(1)).toEqual(m([['id', Uint8Array.of(7)], ['type', 'public-key']]));
    expect(sent.get(4)).toEqual(m([['id', userId], ['name', 'alice']]));
    expect(decodeGetAssertionResponse(sent)).toStrictEqual(res);
    const bare = { credential: { type: 'public-key', id: Uint8Array.of(7) }, authData: new Uint8Array(37), signature: Uint8Array.of(1) };
    expect([...(wire(encodeGetAssertionResponse(bare)) as CborMap).keys()]).toEqual([1, 2, 3]);
    expect(decodeGetAssertionResponse(wire(encodeGetAssertionResponse(bare)))).toStrictEqual(bare);
    const zero = { ...bare, numberOfCredentials: 0, userSelected: false };
    expect(decodeGetAssertionResponse(wire(encodeGetAssertionResponse(zero)))).toStrictEqual(zero);
  });

  it('should refuse a response without credential, authData or signature, or with a user without id', () => {
    const full = encodeGetAssertionResponse({ credential: { type: 'public-key', id: Uint8Array.of(7) }, authData: new Uint8Array(37), signature: Uint8Array.of(1) });
    for (const key of [1, 2, 3]) {
      const without = new Map(full);
      without.delete(key);
      expect(status(() => decodeGetAssertionResponse(without)), `key ${key}`).toBe(CtapStatus.CTAP2_ERR_MISSING_PARAMETER);
    }
    expect(status(() => decodeGetAssertionResponse(new Map([...full, [4, m([['name', 'x']])]])))).toBe(CtapStatus.CTAP2_ERR_MISSING_PARAMETER);
    expect(status(() => decodeGetAssertionResponse(new Map([...full, [1, m([['type', 'public-key']])]])))).toBe(CtapStatus.CTAP2_ERR_MISSING_PARAMETER);
  });
});

describe('authenticatorGetInfo (CTAP 2.1 §6.4, CTAP 2.2 §6.4)', () => {
  const aaguid = new Uint8Array(16).fill(0xaa);

  it('should encode versions 0x01 and aaguid 0x03, options, algorithms and certifications as maps', () => {
    const info = {
      versions: ['FIDO_2_0', 'FIDO_2_1'],
      aaguid,
      options: { rk: true, clientPin: false },
      algorithms: [{ type: 'public-key', alg: -7 }],
      certifications: { 'FIDO': 2 },
      maxMsgSize: 1200,
      uvModality: 2,
      encIdentifier: new Uint8Array(32),
      authenticatorConfigCommands: [1, 2],
    };
    const sent = wire(encodeGetInfoResponse(info)) as CborMap;
    expect([...sent.keys()]).toEqual([1, 3, 4, 5, 0x0a, 0x12, 0x13, 0x19, 0x1f]);
    expect(sent.get(4)).toEqual(m([['rk', true], ['clientPin', false]]));
    expect(sent.get(0x0a)).toEqual([m([['alg', -7], ['type', 'public-key']])]);
    expect(sent.get(0x13)).toEqual(m([['FIDO', 2]]));
    expect(decodeGetInfoResponse(sent)).toStrictEqual(info);
  });

  it('should read a minimal getInfo, with no option, algorithm or certification members made up', () => {
    const info = decodeGetInfoResponse(m([[1, ['U2F_V2', 'FIDO_2_0']], [3, aaguid]]));
    expect(info).toStrictEqual({ versions: ['U2F_V2', 'FIDO_2_0'], aaguid });
    expect(hex(encodeCanonicalCbor(encodeGetInfoResponse(info)))).toBe('a2' + '0182' + '66' + hex(Buffer.from('U2F_V2')) + '68' + hex(Buffer.from('FIDO_2_0')) + '0350' + 'aa'.repeat(16));
  });

  it('should pass through an algorithms entry that is not a map, for the getinfo suite to report', () => {
    const info = decodeGetInfoResponse(m([[1, ['FIDO_2_0']], [3, aaguid], [0x0a, [-7, m([['type', 'public-key'], ['alg', -8]])]]]));
    expect(info.algorithms).toStrictEqual([-7, { type: 'public-key', alg: -8 }]);
  });

  it('should refuse a getInfo without versions or aaguid, or with a member of the wrong type', () => {
    expect(status(() => decodeGetInfoResponse(m([[3, aaguid]])))).toBe(CtapStatus.CTAP2_ERR_MISSING_PARAMETER);
    expect(status(() => decodeGetInfoResponse(m([[1, []]])))).toBe(CtapStatus.CTAP2_ERR_MISSING_PARAMETER);
    expect(status(() => decodeGetInfoResponse(m([[1, []], [3, aaguid], [5, '1200']])))).toBe(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    expect(status(() => decodeGetInfoResponse(m([[1, []], [3, aaguid], [0x18, 1]])))).toBe(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
  });
});

describe('each decoder names its message in errors', () => {
  const decoders: [string, (v: unknown) => unknown][] = [
    ['makeCredential', decodeMakeCredentialRequest],
    ['makeCredential response', decodeMakeCredentialResponse],
    ['getAssertion', decodeGetAssertionRequest],
    ['getAssertion response', decodeGetAssertionResponse],
    ['getInfo response', decodeGetInfoResponse],
    ['clientPIN', decodeClientPinRequest],
    ['clientPIN response', decodeClientPinResponse],
    ['credentialManagement', decodeCredentialManagementRequest],
    ['credentialManagement response', decodeCredentialManagementResponse],
    ['largeBlobs', decodeLargeBlobsRequest],
    ['largeBlobs response', decodeLargeBlobsResponse],
    ['config', decodeConfigRequest],
    ['bioEnrollment', decodeBioEnrollmentRequest],
    ['bioEnrollment response', decodeBioEnrollmentResponse],
    ['bioEnrollment subCommandParams', decodeBioEnrollmentSubParams],
    ['templateInfo', decodeTemplateInfo],
  ];
  for (const [what, decode] of decoders) {
    it(`${what}`, () => {
      expect(() => decode([])).toThrow(`0x11 CTAP2_ERR_CBOR_UNEXPECTED_TYPE: ${what} is not a CBOR map`);
    });
  }
  it('names the member in nested errors', () => {
    const base = encodeMakeCredentialRequest({ clientDataHash: cdh, rp: { id: 'a' }, user: { id: userId }, pubKeyCredParams: [] });
    expect(() => decodeMakeCredentialRequest(new Map([...base, [5, [m([['type', 'public-key']])]]]))).toThrow(/: excludeList\[\]\.id missing$/);
    expect(() => decodeMakeCredentialRequest(new Map([...base, [11, ['packed', 1]]]))).toThrow(/: attestationFormatsPreference holds a non-string$/);
    expect(() => decodeGetAssertionRequest(m([[1, 'a'], [2, cdh], [3, [m([['type', 'public-key']])]]]))).toThrow(/: allowList\[\]\.id missing$/);
    const res = m([[1, m([['type', 'public-key']])], [2, new Uint8Array(37)], [3, Uint8Array.of(1)]]);
    expect(() => decodeGetAssertionResponse(res)).toThrow(/: credential\.id missing$/);
  });
});

describe('the other commands by their key tables (CTAP 2.1 §6.5.5, §6.7, §6.8, §6.10, §6.11)', () => {
  it('authenticatorClientPIN: subCommand 0x02 required; request keys 0x01-0x06, 0x09, 0x0A; response keys 0x01-0x05', () => {
    const req = { pinUvAuthProtocol: 2, subCommand: 9, keyAgreement: m([[1, 2]]), pinUvAuthParam: Uint8Array.of(1), newPinEnc: Uint8Array.of(2), pinHashEnc: Uint8Array.of(3), permissions: 3, rpId: 'a' };
    const sent = wire(encodeClientPinRequest(req)) as CborMap;
    expect([...sent.keys()]).toEqual([1, 2, 3, 4, 5, 6, 9, 10]);
    expect(decodeClientPinRequest(sent)).toStrictEqual(req);
    expect(status(() => decodeClientPinRequest(m([[1, 2]])))).toBe(CtapStatus.CTAP2_ERR_MISSING_PARAMETER);
    const res = { keyAgreement: m([[1, 2]]), pinUvAuthToken: Uint8Array.of(1), pinRetries: 8, powerCycleState: false, uvRetries: 3 };
    const back = wire(encodeClientPinResponse(res)) as CborMap;
    expect([...back.keys()]).toEqual([1, 2, 3, 4, 5]);
    expect(decodeClientPinResponse(back)).toStrictEqual(res);
    expect(status(() => decodeClientPinResponse(m([[3, -1]])))).toBe(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
  });

  it('authenticatorCredentialManagement: subCommand 0x01 required; response keys 0x01-0x0C', () => {
    const req = { subCommand: 4, subCommandParams: m([[1, Uint8Array.of(1)]]), pinUvAuthProtocol: 1, pinUvAuthParam: Uint8Array.of(2) };
    expect([...(wire(encodeCredentialManagementRequest(req)) as CborMap).keys()]).toEqual([1, 2, 3, 4]);
    expect(decodeCredentialManagementRequest(wire(encodeCredentialManagementRequest(req)))).toStrictEqual(req);
    expect(status(() => decodeCredentialManagementRequest(m([[2, new Map()]])))).toBe(CtapStatus.CTAP2_ERR_MISSING_PARAMETER);
    const res = {
      existingResidentCredentialsCount: 1,
      maxPossibleRemainingResidentCredentialsCount: 2,
      rp: m([['id', 'a']]),
      rpIDHash: Uint8Array.of(3),
      totalRPs: 4,
      user: m([['id', Uint8Array.of(5)]]),
      credentialID: m([['type', 'public-key']]),
      publicKey: m([[1, 2]]),
      totalCredentials: 6,
      credProtect: 3,
      largeBlobKey: Uint8Array.of(7),
      thirdPartyPayment: true,
    };
    const sent = wire(encodeCredentialManagementResponse(res)) as CborMap;
    expect([...sent.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(decodeCredentialManagementResponse(sent)).toStrictEqual(res);
  });

  it('authenticatorLargeBlobs: offset 0x03 required; get 0x01, set 0x02, length 0x04; response config 0x01', () => {
    const req = { get: 10, offset: 0, pinUvAuthParam: Uint8Array.of(1), pinUvAuthProtocol: 2 };
    expect([...(wire(encodeLargeBlobsRequest(req)) as CborMap).keys()]).toEqual([1, 3, 5, 6]);
    expect(decodeLargeBlobsRequest(wire(encodeLargeBlobsRequest(req)))).toStrictEqual(req);
    expect(decodeLargeBlobsRequest(m([[2, Uint8Array.of(1)], [3, 5], [4, 17]]))).toStrictEqual({ set: Uint8Array.of(1), offset: 5, length: 17 });
    expect(status(() => decodeLargeBlobsRequest(m([[1, 10]])))).toBe(CtapStatus.CTAP2_ERR_MISSING_PARAMETER);
    expect(decodeLargeBlobsResponse(wire(encodeLargeBlobsResponse({ config: Uint8Array.of(0x80) })))).toStrictEqual({ config: Uint8Array.of(0x80) });
    expect([...(wire(encodeLargeBlobsResponse({ config: Uint8Array.of(0x80) })) as CborMap).keys()]).toEqual([1]);
  });

  it('authenticatorConfig: subCommand 0x01 required; subCommandParams 0x02, pinUvAuthProtocol 0x03, pinUvAuthParam 0x04', () => {
    const req = { subCommand: 3, subCommandParams: m([[1, 6]]), pinUvAuthProtocol: 2, pinUvAuthParam: Uint8Array.of(1) };
    expect([...(wire(encodeConfigRequest(req)) as CborMap).keys()]).toEqual([1, 2, 3, 4]);
    expect(decodeConfigRequest(wire(encodeConfigRequest(req)))).toStrictEqual(req);
    expect(status(() => decodeConfigRequest(m([[3, 2]])))).toBe(CtapStatus.CTAP2_ERR_MISSING_PARAMETER);
  });

  it('authenticatorBioEnrollment: request 0x01-0x06, subCommandParams 0x01-0x03, response 0x01-0x08, templateInfo with templateId required', () => {
    const req = { modality: 1, subCommand: 2, subCommandParams: m([[1, Uint8Array.of(1)]]), pinUvAuthProtocol: 2, pinUvAuthParam: Uint8Array.of(2), getModality: false };
    expect([...(wire(encodeBioEnrollmentRequest(req)) as CborMap).keys()]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(decodeBioEnrollmentRequest(wire(encodeBioEnrollmentRequest(req)))).toStrictEqual(req);
    const sub = { templateId: Uint8Array.of(1), templateFriendlyName: 'thumb', timeoutMilliseconds: 1000 };
    expect([...(wire(encodeBioEnrollmentSubParams(sub)) as CborMap).keys()]).toEqual([1, 2, 3]);
    expect(decodeBioEnrollmentSubParams(wire(encodeBioEnrollmentSubParams(sub)))).toStrictEqual(sub);
    const res = { modality: 1, fingerprintKind: 1, maxCaptureSamplesRequiredForEnroll: 4, templateId: Uint8Array.of(1), lastEnrollSampleStatus: 0, remainingSamples: 3, templateInfos: [], maxTemplateFriendlyName: 64 };
    expect([...(wire(encodeBioEnrollmentResponse(res)) as CborMap).keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(decodeBioEnrollmentResponse(wire(encodeBioEnrollmentResponse(res)))).toStrictEqual(res);
    const t = { templateId: Uint8Array.of(9), templateFriendlyName: 'index' };
    expect(decodeTemplateInfo(wire(encodeTemplateInfo(t)))).toStrictEqual(t);
    expect(status(() => decodeTemplateInfo(m([[2, 'index']])))).toBe(CtapStatus.CTAP2_ERR_MISSING_PARAMETER);
    expect(status(() => decodeBioEnrollmentRequest(m([[6, 1]])))).toBe(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
  });
});
