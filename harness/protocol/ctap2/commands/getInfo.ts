import type { CborMap, CborValue } from '../../cbor/CborValue.ts';
import { decodeParams, encodeParams } from '../params.ts';

/** authenticatorGetInfo (0x04) response members, CTAP 2.1 §6.4 and CTAP 2.2 §6.4 (0x16–0x1F). */
export const getInfoResponseKeys = {
  versions: { key: 0x01, type: 'array', required: true },
  extensions: { key: 0x02, type: 'array' },
  aaguid: { key: 0x03, type: 'bytes', required: true },
  options: { key: 0x04, type: 'map' },
  maxMsgSize: { key: 0x05, type: 'uint' },
  pinUvAuthProtocols: { key: 0x06, type: 'array' },
  maxCredentialCountInList: { key: 0x07, type: 'uint' },
  maxCredentialIdLength: { key: 0x08, type: 'uint' },
  transports: { key: 0x09, type: 'array' },
  algorithms: { key: 0x0a, type: 'array' },
  maxSerializedLargeBlobArray: { key: 0x0b, type: 'uint' },
  forcePINChange: { key: 0x0c, type: 'bool' },
  minPINLength: { key: 0x0d, type: 'uint' },
  firmwareVersion: { key: 0x0e, type: 'uint' },
  maxCredBlobLength: { key: 0x0f, type: 'uint' },
  maxRPIDsForSetMinPINLength: { key: 0x10, type: 'uint' },
  preferredPlatformUvAttempts: { key: 0x11, type: 'uint' },
  uvModality: { key: 0x12, type: 'uint' },
  certifications: { key: 0x13, type: 'map' },
  remainingDiscoverableCredentials: { key: 0x14, type: 'uint' },
  vendorPrototypeConfigCommands: { key: 0x15, type: 'array' },
  attestationFormats: { key: 0x16, type: 'array' },
  uvCountSinceLastPinEntry: { key: 0x17, type: 'uint' },
  longTouchForReset: { key: 0x18, type: 'bool' },
  encIdentifier: { key: 0x19, type: 'bytes' },
  transportsForReset: { key: 0x1a, type: 'array' },
  pinComplexityPolicy: { key: 0x1b, type: 'bool' },
  pinComplexityPolicyURL: { key: 0x1c, type: 'bytes' },
  maxPINLength: { key: 0x1d, type: 'uint' },
  encCredStoreState: { key: 0x1e, type: 'bytes' },
  authenticatorConfigCommands: { key: 0x1f, type: 'array' },
} as const;

export interface AuthenticatorInfo {
  versions: string[];
  extensions?: string[];
  aaguid: Uint8Array;
  options?: Record<string, boolean>;
  maxMsgSize?: number;
  pinUvAuthProtocols?: number[];
  maxCredentialCountInList?: number;
  maxCredentialIdLength?: number;
  transports?: string[];
  algorithms?: { type: string; alg: number }[];
  maxSerializedLargeBlobArray?: number;
  forcePINChange?: boolean;
  minPINLength?: number;
  firmwareVersion?: number;
  maxCredBlobLength?: number;
  maxRPIDsForSetMinPINLength?: number;
  preferredPlatformUvAttempts?: number;
  uvModality?: number;
  certifications?: Record<string, number>;
  remainingDiscoverableCredentials?: number;
  vendorPrototypeConfigCommands?: number[];
  attestationFormats?: string[];
  uvCountSinceLastPinEntry?: number;
  longTouchForReset?: boolean;
  /** CTAP 2.2: the device identifier, encrypted for the persistent pinUvAuthToken (see persistentTokenInfo.ts) */
  encIdentifier?: Uint8Array;
  transportsForReset?: string[];
  pinComplexityPolicy?: boolean;
  pinComplexityPolicyURL?: Uint8Array;
  maxPINLength?: number;
  /** CTAP 2.2: the credential store state, encrypted for the persistent pinUvAuthToken */
  encCredStoreState?: Uint8Array;
  authenticatorConfigCommands?: number[];
}

export function encodeGetInfoResponse(info: AuthenticatorInfo): CborMap {
  const toMap = (r: Record<string, unknown> | undefined): CborMap | undefined =>
    r ? new Map(Object.entries(r) as [string, CborValue][]) : undefined;
  return encodeParams(getInfoResponseKeys, {
    ...(info as unknown as Record<string, CborValue>),
    options: toMap(info.options),
    certifications: toMap(info.certifications),
    algorithms: info.algorithms?.map((a) => new Map<CborValue, CborValue>(Object.entries(a))),
  });
}

/**
 * Decodes a getInfo response into names, not numbers. Member types are checked (wrong type is
 * CTAP2_ERR_CBOR_UNEXPECTED_TYPE); element types inside arrays and maps are checked by the getinfo suite,
 * which wants to report them one by one, so they pass through here as decoded.
 */
export function decodeGetInfoResponse(value: unknown): AuthenticatorInfo {
  const p = decodeParams(getInfoResponseKeys, value, 'getInfo response');
  const fromMap = (m: CborMap | undefined) =>
    m ? Object.fromEntries([...m.entries()].map(([k, v]) => [String(k), v])) : undefined;
  const info = { ...p } as unknown as AuthenticatorInfo;
  if (p.options) info.options = fromMap(p.options) as Record<string, boolean>;
  if (p.certifications) info.certifications = fromMap(p.certifications) as Record<string, number>;
  if (p.algorithms) {
    info.algorithms = p.algorithms.map((a) =>
      a instanceof Map ? (fromMap(a) as { type: string; alg: number }) : (a as never),
    );
  }
  return info;
}
