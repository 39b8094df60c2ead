import type { CborMap, CborValue } from '../../cbor/CborValue.ts';
import {
  decodeCredentialDescriptor,
  decodeCredentialDescriptorList,
  decodeOptions,
  decodeUserEntity,
  encodeEntity,
  type CredentialDescriptor,
  type UserEntity,
} from '../entities.ts';
import { decodeParams, encodeParams } from '../params.ts';

/** authenticatorGetAssertion (0x02) request parameters, CTAP 2.1 §6.2 */
export const getAssertionRequestKeys = {
  rpId: { key: 0x01, type: 'text', required: true },
  clientDataHash: { key: 0x02, type: 'bytes', required: true },
  allowList: { key: 0x03, type: 'array' },
  extensions: { key: 0x04, type: 'map' },
  options: { key: 0x05, type: 'map' },
  pinUvAuthParam: { key: 0x06, type: 'bytes' },
  pinUvAuthProtocol: { key: 0x07, type: 'uint' },
} as const;

/** authenticatorGetAssertion / authenticatorGetNextAssertion response members, CTAP 2.1 §6.2, §6.3 */
export const getAssertionResponseKeys = {
  credential: { key: 0x01, type: 'map', required: true },
  authData: { key: 0x02, type: 'bytes', required: true },
  signature: { key: 0x03, type: 'bytes', required: true },
  user: { key: 0x04, type: 'map' },
  numberOfCredentials: { key: 0x05, type: 'uint' },
  userSelected: { key: 0x06, type: 'bool' },
  largeBlobKey: { key: 0x07, type: 'bytes' },
  unsignedExtensionOutputs: { key: 0x08, type: 'map' },
} as const;

export interface GetAssertionRequest {
  rpId: string;
  clientDataHash: Uint8Array;
  allowList?: CredentialDescriptor[];
  extensions?: CborMap;
  options?: Map<string, boolean>;
  pinUvAuthParam?: Uint8Array;
  pinUvAuthProtocol?: number;
}

export interface GetAssertionResponse {
  credential: CredentialDescriptor;
  authData: Uint8Array;
  signature: Uint8Array;
  user?: UserEntity;
  numberOfCredentials?: number;
  userSelected?: boolean;
  largeBlobKey?: Uint8Array;
  unsignedExtensionOutputs?: CborMap;
}

export function decodeGetAssertionRequest(value: unknown): GetAssertionRequest {
  const p = decodeParams(getAssertionRequestKeys, value, 'getAssertion');
  const req: GetAssertionRequest = { rpId: p.rpId!, clientDataHash: p.clientDataHash! };
  if (p.allowList) req.allowList = decodeCredentialDescriptorList(p.allowList, 'allowList[]');
  if (p.extensions) req.extensions = p.extensions;
  if (p.options) req.options = decodeOptions(p.options);
  if (p.pinUvAuthParam) req.pinUvAuthParam = p.pinUvAuthParam;
  if (p.pinUvAuthProtocol !== undefined) req.pinUvAuthProtocol = p.pinUvAuthProtocol;
  return req;
}

export function encodeGetAssertionRequest(req: GetAssertionRequest): CborMap {
  return encodeParams(getAssertionRequestKeys, {
    rpId: req.rpId,
    clientDataHash: req.clientDataHash,
    allowList: req.allowList?.map((d) => encodeEntity(d)),
    extensions: req.extensions,
    options: req.options as CborMap | undefined,
    pinUvAuthParam: req.pinUvAuthParam,
    pinUvAuthProtocol: req.pinUvAuthProtocol,
  });
}

export function encodeGetAssertionResponse(res: GetAssertionResponse): CborMap {
  return encodeParams(getAssertionResponseKeys, {
    ...(res as unknown as Record<string, CborValue>),
    credential: encodeEntity(res.credential),
    user: res.user ? encodeEntity(res.user) : undefined,
  });
}

export function decodeGetAssertionResponse(value: unknown): GetAssertionResponse {
  const p = decodeParams(getAssertionResponseKeys, value, 'getAssertion response');
  const res: GetAssertionResponse = {
    credential: decodeCredentialDescriptor(p.credential, 'credential'),
    authData: p.authData!,
    signature: p.signature!,
  };
  if (p.user) res.user = decodeUserEntity(p.user);
  if (p.numberOfCredentials !== undefined) res.numberOfCredentials = p.numberOfCredentials;
  if (p.userSelected !== undefined) res.userSelected = p.userSelected;
  if (p.largeBlobKey) res.largeBlobKey = p.largeBlobKey;
  if (p.unsignedExtensionOutputs) res.unsignedExtensionOutputs = p.unsignedExtensionOutputs;
  return res;
}
