import type { CborMap } from '../cbor/CborValue.ts';
import { decodeCbor } from '../cbor/decodeCbor.ts';
import { encodeCanonicalCbor } from '../cbor/encodeCanonicalCbor.ts';
import { parseAuthenticatorData, type AuthenticatorData } from './authenticatorData.ts';

/** The WebAuthn attestation object (WebAuthn L3 §6.5.4): text keys fmt, attStmt, authData. */
export interface AttestationObject {
  raw: Uint8Array;
  fmt: string;
  attStmt: CborMap;
  authData: AuthenticatorData;
}

export class AttestationObjectError extends Error {
  override readonly name = 'AttestationObjectError';
  constructor(message: string) {
    super(message);
  }
}

/** Builds the WebAuthn attestation object from a CTAP makeCredential response's fmt/authData/attStmt. */
export function buildAttestationObject(fmt: string, authData: Uint8Array, attStmt: CborMap): Uint8Array {
  return encodeCanonicalCbor(
    new Map<string, unknown>([
      ['fmt', fmt],
      ['attStmt', attStmt],
      ['authData', authData],
    ]),
  );
}

export function parseAttestationObject(
  raw: Uint8Array,
  options: { canonical?: 'strict' | 'report' } = {},
): AttestationObject {
  // 4 levels (CTAP 2.1 §8) plus the x5c array inside attStmt is still within 4.
  const { value } = decodeCbor(raw, { ...options, maxDepth: 8 });
  if (!(value instanceof Map)) throw new AttestationObjectError('attestation object is not a CBOR map');
  const fmt = value.get('fmt');
  const attStmt = value.get('attStmt');
  const authData = value.get('authData');
  if (typeof fmt !== 'string') throw new AttestationObjectError('fmt missing or not text');
  if (!(attStmt instanceof Map)) throw new AttestationObjectError('attStmt missing or not a map');
  if (!(authData instanceof Uint8Array)) throw new AttestationObjectError('authData missing or not bytes');
  return { raw, fmt, attStmt, authData: parseAuthenticatorData(authData, options) };
}
