import type { CborMap } from '../cbor/CborValue.ts';
import { decodeCborItem } from '../cbor/decodeCbor.ts';
import { encodeCanonicalCbor } from '../cbor/encodeCanonicalCbor.ts';
import { CborError } from '../cbor/CborError.ts';

/** authenticatorData flag bits, WebAuthn L3 §6.1 */
export const AuthDataFlag = {
  UP: 0x01,
  RFU1: 0x02,
  UV: 0x04,
  BE: 0x08,
  BS: 0x10,
  RFU2: 0x20,
  AT: 0x40,
  ED: 0x80,
} as const;

export interface AttestedCredentialData {
  aaguid: Uint8Array;
  credentialId: Uint8Array;
  /** the COSE_Key as decoded */
  credentialPublicKey: CborMap;
  /** the COSE_Key's bytes exactly as the authenticator wrote them */
  credentialPublicKeyBytes: Uint8Array;
}

export interface AuthenticatorData {
  /** the whole structure as received: signatures are over these bytes */
  raw: Uint8Array;
  rpIdHash: Uint8Array;
  flags: number;
  up: boolean;
  uv: boolean;
  be: boolean;
  bs: boolean;
  at: boolean;
  ed: boolean;
  signCount: number;
  attestedCredentialData?: AttestedCredentialData;
  extensions?: CborMap;
  extensionsBytes?: Uint8Array;
}

export class AuthenticatorDataError extends Error {
  override readonly name = 'AuthenticatorDataError';
  constructor(
    readonly code:
      | 'AUTHDATA_TOO_SHORT'
      | 'AUTHDATA_TRAILING_BYTES'
      | 'AUTHDATA_BAD_CREDENTIAL_KEY'
      | 'AUTHDATA_BAD_EXTENSIONS',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Parses authenticatorData (WebAuthn L3 §6.1): rpIdHash(32) flags(1) signCount(4) [attestedCredentialData]
 * [extensions]. The AT and ED flags decide what follows; leftover bytes are an error (§6.1: "the
 * authenticator data ... MUST NOT contain trailing bytes" is the RP's step 22/§7.1 length check).
 * The credential public key and extensions must be canonical CBOR (CTAP 2.1 §8); pass `canonical: 'report'`
 * to accept and inspect non-canonical data instead.
 */
export function parseAuthenticatorData(
  raw: Uint8Array,
  options: { canonical?: 'strict' | 'report' } = {},
): AuthenticatorData {
  if (raw.length < 37) {
    throw new AuthenticatorDataError('AUTHDATA_TOO_SHORT', `authenticatorData is ${raw.length} bytes, at least 37 needed`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const flags = raw[32]!;
  const data: AuthenticatorData = {
    raw,
    rpIdHash: raw.slice(0, 32),
    flags,
    up: (flags & AuthDataFlag.UP) !== 0,
    uv: (flags & AuthDataFlag.UV) !== 0,
    be: (flags & AuthDataFlag.BE) !== 0,
    bs: (flags & AuthDataFlag.BS) !== 0,
    at: (flags & AuthDataFlag.AT) !== 0,
    ed: (flags & AuthDataFlag.ED) !== 0,
    signCount: view.getUint32(33),
  };
  let pos = 37;
  // the CBOR decoder's default is strict
  const cbor = { ...options, maxDepth: 4 };
  if (data.at) {
    // WebAuthn L3 §6.5.1: aaguid(16) credentialIdLength(2, big-endian) credentialId credentialPublicKey
    if (raw.length < pos + 18) {
      throw new AuthenticatorDataError('AUTHDATA_TOO_SHORT', 'AT set but attested credential data is truncated');
    }
    const aaguid = raw.slice(pos, pos + 16);
    const idLength = view.getUint16(pos + 16);
    pos += 18;
    if (idLength > 1023 || raw.length < pos + idLength) {
      throw new AuthenticatorDataError('AUTHDATA_TOO_SHORT', `credentialIdLength ${idLength} exceeds the data or 1023`);
    }
    const credentialId = raw.slice(pos, pos + idLength);
    pos += idLength;
    let decoded;
    try {
      decoded = decodeCborItem(raw, pos, cbor);
    } catch (err) {
      throw new AuthenticatorDataError('AUTHDATA_BAD_CREDENTIAL_KEY', `credentialPublicKey: ${(err as Error).message}`);
    }
    if (!(decoded.value instanceof Map)) {
      throw new AuthenticatorDataError('AUTHDATA_BAD_CREDENTIAL_KEY', 'credentialPublicKey is not a CBOR map');
    }
    data.attestedCredentialData = {
      aaguid,
      credentialId,
      credentialPublicKey: decoded.value,
      credentialPublicKeyBytes: raw.slice(pos, pos + decoded.length),
    };
    pos += decoded.length;
  }
  if (data.ed) {
    let decoded;
    try {
      decoded = decodeCborItem(raw, pos, cbor);
    } catch (err) {
      throw new AuthenticatorDataError('AUTHDATA_BAD_EXTENSIONS', `extensions: ${(err as Error).message}`);
    }
    if (!(decoded.value instanceof Map)) {
      throw new AuthenticatorDataError('AUTHDATA_BAD_EXTENSIONS', 'extensions is not a CBOR map');
    }
    data.extensions = decoded.value;
    data.extensionsBytes = raw.slice(pos, pos + decoded.length);
    pos += decoded.length;
  }
  if (pos !== raw.length) {
    throw new AuthenticatorDataError('AUTHDATA_TRAILING_BYTES', `${raw.length - pos} byte(s) after authenticatorData`);
  }
  return data;
}

export interface BuildAuthenticatorData {
  rpIdHash: Uint8Array;
  flags: number;
  signCount: number;
  attestedCredentialData?: { aaguid: Uint8Array; credentialId: Uint8Array; credentialPublicKey: CborMap };
  extensions?: CborMap;
}

/**
 * Builds authenticatorData; the AT and ED flags are set from the presence of attested credential data and
 * extensions (they are not taken from `flags`).
 */
export function buildAuthenticatorData(input: BuildAuthenticatorData): Uint8Array {
  let flags = input.flags & ~(AuthDataFlag.AT | AuthDataFlag.ED);
  const parts: Uint8Array[] = [input.rpIdHash, new Uint8Array(1), new Uint8Array(4)];
  if (input.attestedCredentialData) {
    const a = input.attestedCredentialData;
    flags |= AuthDataFlag.AT;
    const len = new Uint8Array(2);
    new DataView(len.buffer).setUint16(0, a.credentialId.length);
    parts.push(a.aaguid, len, a.credentialId, encodeCanonicalCbor(a.credentialPublicKey));
  }
  if (input.extensions && input.extensions.size > 0) {
    flags |= AuthDataFlag.ED;
    parts.push(encodeCanonicalCbor(input.extensions));
  }
  parts[1] = Uint8Array.of(flags);
  const counter = new Uint8Array(4);
  new DataView(counter.buffer).setUint32(0, input.signCount >>> 0);
  parts[2] = counter;
  return new Uint8Array(Buffer.concat(parts));
}

export { CborError };
