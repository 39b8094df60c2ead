import type { CborMap, CborValue } from '../../cbor/CborValue.ts';
import { CtapStatusError } from '../CtapStatusError.ts';
import { CtapStatus } from '../statusCodes.ts';
import {
  decodeCredentialDescriptorList,
  decodeCredentialParameters,
  decodeOptions,
  decodeRpEntity,
  decodeUserEntity,
  encodeEntity,
  type CredentialDescriptor,
  type CredentialParameters,
  type RpEntity,
  type UserEntity,
} from '../entities.ts';
import { decodeParams, encodeParams } from '../params.ts';

/** authenticatorMakeCredential (0x01) request parameters, CTAP 2.1 §6.1 */
export const makeCredentialRequestKeys = {
  clientDataHash: { key: 0x01, type: 'bytes', required: true },
  rp: { key: 0x02, type: 'map', required: true },
  user: { key: 0x03, type: 'map', required: true },
  pubKeyCredParams: { key: 0x04, type: 'array', required: true },
  excludeList: { key: 0x05, type: 'array' },
  extensions: { key: 0x06, type: 'map' },
  options: { key: 0x07, type: 'map' },
  pinUvAuthParam: { key: 0x08, type: 'bytes' },
  pinUvAuthProtocol: { key: 0x09, type: 'uint' },
  enterpriseAttestation: { key: 0x0a, type: 'uint' },
  /** CTAP 2.2 §6.1: attestation statement formats in the platform's order of preference */
  attestationFormatsPreference: { key: 0x0b, type: 'array' },
} as const;

/** authenticatorMakeCredential response members, CTAP 2.1 §6.1 (and 2.2's unsignedExtensionOutputs) */
export const makeCredentialResponseKeys = {
  fmt: { key: 0x01, type: 'text', required: true },
  authData: { key: 0x02, type: 'bytes', required: true },
  attStmt: { key: 0x03, type: 'map', required: true },
  epAtt: { key: 0x04, type: 'bool' },
  largeBlobKey: { key: 0x05, type: 'bytes' },
  unsignedExtensionOutputs: { key: 0x06, type: 'map' },
} as const;

export interface MakeCredentialRequest {
  clientDataHash: Uint8Array;
  rp: RpEntity;
  user: UserEntity;
  pubKeyCredParams: CredentialParameters[];
  excludeList?: CredentialDescriptor[];
  extensions?: CborMap;
  options?: Map<string, boolean>;
  pinUvAuthParam?: Uint8Array;
  pinUvAuthProtocol?: number;
  enterpriseAttestation?: number;
  attestationFormatsPreference?: string[];
}

export interface MakeCredentialResponse {
  fmt: string;
  authData: Uint8Array;
  attStmt: CborMap;
  epAtt?: boolean;
  largeBlobKey?: Uint8Array;
  unsignedExtensionOutputs?: CborMap;
}

export function decodeMakeCredentialRequest(value: unknown): MakeCredentialRequest {
  const p = decodeParams(makeCredentialRequestKeys, value, 'makeCredential');
  const req: MakeCredentialRequest = {
    clientDataHash: p.clientDataHash!,
    rp: decodeRpEntity(p.rp),
    user: decodeUserEntity(p.user),
    pubKeyCredParams: p.pubKeyCredParams!.map(decodeCredentialParameters),
  };
  if (p.excludeList) req.excludeList = decodeCredentialDescriptorList(p.excludeList, 'excludeList[]');
  if (p.extensions) req.extensions = p.extensions;
  if (p.options) req.options = decodeOptions(p.options);
  if (p.pinUvAuthParam) req.pinUvAuthParam = p.pinUvAuthParam;
  if (p.pinUvAuthProtocol !== undefined) req.pinUvAuthProtocol = p.pinUvAuthProtocol;
  if (p.enterpriseAttestation !== undefined) req.enterpriseAttestation = p.enterpriseAttestation;
  if (p.attestationFormatsPreference) {
    if (!p.attestationFormatsPreference.every((f) => typeof f === 'string')) {
      throw new CtapStatusError(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE, 'attestationFormatsPreference holds a non-string');
    }
    req.attestationFormatsPreference = p.attestationFormatsPreference as string[];
  }
  return req;
}

export function encodeMakeCredentialRequest(req: MakeCredentialRequest): CborMap {
  return encodeParams(makeCredentialRequestKeys, {
    clientDataHash: req.clientDataHash,
    rp: encodeEntity(req.rp),
    user: encodeEntity(req.user),
    pubKeyCredParams: req.pubKeyCredParams.map((p) => encodeEntity(p)),
    excludeList: req.excludeList?.map((d) => encodeEntity(d)),
    extensions: req.extensions,
    options: req.options as CborMap | undefined,
    pinUvAuthParam: req.pinUvAuthParam,
    pinUvAuthProtocol: req.pinUvAuthProtocol,
    enterpriseAttestation: req.enterpriseAttestation,
    attestationFormatsPreference: req.attestationFormatsPreference,
  });
}

export function encodeMakeCredentialResponse(res: MakeCredentialResponse): CborMap {
  return encodeParams(makeCredentialResponseKeys, res as unknown as Record<string, CborValue>);
}

export function decodeMakeCredentialResponse(value: unknown): MakeCredentialResponse {
  const p = decodeParams(makeCredentialResponseKeys, value, 'makeCredential response');
  return p as MakeCredentialResponse;
}
