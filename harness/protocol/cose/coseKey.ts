import { createPublicKey, type KeyObject } from 'node:crypto';
import type { CborMap } from '../cbor/CborValue.ts';
import { CoseAlgorithm } from '../ctap2/identifiers.ts';

/** COSE_Key labels, RFC 9052 §7.1 and RFC 9053 §7 (EC2, OKP), RFC 8230 §4 (RSA). */
export const CoseKeyLabel = { kty: 1, kid: 2, alg: 3, crv: -1, x: -2, y: -3, n: -1, e: -2 } as const;
/** COSE key types, RFC 9053 §7 / RFC 8230 */
export const CoseKty = { OKP: 1, EC2: 2, RSA: 3 } as const;
/** COSE elliptic curves, RFC 9053 §7.1 */
export const CoseCurve = { P256: 1, P384: 2, P521: 3, X25519: 4, Ed25519: 6 } as const;

export class CoseKeyError extends Error {
  override readonly name = 'CoseKeyError';
  constructor(
    readonly code: 'COSE_UNSUPPORTED' | 'COSE_MALFORMED',
    message: string,
  ) {
    super(message);
  }
}

const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const fromB64u = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));

function bytesAt(key: CborMap, label: number, name: string, length?: number): Uint8Array {
  const v = key.get(label);
  if (!(v instanceof Uint8Array)) throw new CoseKeyError('COSE_MALFORMED', `COSE key ${name} missing or not bytes`);
  if (length !== undefined && v.length !== length) {
    throw new CoseKeyError('COSE_MALFORMED', `COSE key ${name} is ${v.length} bytes, expected ${length}`);
  }
  return v;
}

/**
 * A COSE_Key (EC2 P-256, OKP Ed25519, RSA) as a node:crypto public KeyObject. The curve point is checked
 * by node:crypto (a point off the curve is refused), so this also validates the key.
 */
export function coseToPublicKey(key: CborMap): KeyObject {
  const kty = key.get(CoseKeyLabel.kty);
  try {
    if (kty === CoseKty.EC2) {
      const crv = key.get(CoseKeyLabel.crv);
      if (crv !== CoseCurve.P256) throw new CoseKeyError('COSE_UNSUPPORTED', `EC2 curve ${String(crv)} not supported`);
      const x = bytesAt(key, CoseKeyLabel.x, 'x', 32);
      const y = bytesAt(key, CoseKeyLabel.y, 'y', 32);
      return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64u(x), y: b64u(y) }, format: 'jwk' });
    }
    if (kty === CoseKty.OKP) {
      const crv = key.get(CoseKeyLabel.crv);
      if (crv !== CoseCurve.Ed25519) throw new CoseKeyError('COSE_UNSUPPORTED', `OKP curve ${String(crv)} not supported`);
      const x = bytesAt(key, CoseKeyLabel.x, 'x', 32);
      return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64u(x) }, format: 'jwk' });
    }
    if (kty === CoseKty.RSA) {
      const n = bytesAt(key, CoseKeyLabel.n, 'n');
      const e = bytesAt(key, CoseKeyLabel.e, 'e');
      return createPublicKey({ key: { kty: 'RSA', n: b64u(n), e: b64u(e) }, format: 'jwk' });
    }
  } catch (err) {
    if (err instanceof CoseKeyError) throw err;
    throw new CoseKeyError('COSE_MALFORMED', `COSE key rejected by node:crypto: ${(err as Error).message}`);
  }
  throw new CoseKeyError('COSE_UNSUPPORTED', `COSE kty ${String(kty)} not supported`);
}

/**
 * A node:crypto public key as a COSE_Key with the given `alg` (ES256 and ECDH-ES+HKDF-256 for P-256,
 * EdDSA for Ed25519, RS256 for RSA). Labels are emitted in canonical order when CBOR-encoded.
 */
export function publicKeyToCose(publicKey: KeyObject, alg: number): CborMap {
  const jwk = publicKey.export({ format: 'jwk' });
  // a JWK curve name belongs to one key type (RFC 7518 §6.2.1.1: P-256 is EC; RFC 8037 §2: Ed25519 is OKP)
  if (jwk.crv === 'P-256') {
    return new Map<number, number | Uint8Array>([
      [CoseKeyLabel.kty, CoseKty.EC2],
      [CoseKeyLabel.alg, alg],
      [CoseKeyLabel.crv, CoseCurve.P256],
      [CoseKeyLabel.x, fromB64u(jwk.x!)],
      [CoseKeyLabel.y, fromB64u(jwk.y!)],
    ]);
  }
  if (jwk.crv === 'Ed25519') {
    return new Map<number, number | Uint8Array>([
      [CoseKeyLabel.kty, CoseKty.OKP],
      [CoseKeyLabel.alg, alg],
      [CoseKeyLabel.crv, CoseCurve.Ed25519],
      [CoseKeyLabel.x, fromB64u(jwk.x!)],
    ]);
  }
  if (jwk.kty === 'RSA') {
    return new Map<number, number | Uint8Array>([
      [CoseKeyLabel.kty, CoseKty.RSA],
      [CoseKeyLabel.alg, alg],
      [CoseKeyLabel.n, fromB64u(jwk.n!)],
      [CoseKeyLabel.e, fromB64u(jwk.e!)],
    ]);
  }
  throw new CoseKeyError('COSE_UNSUPPORTED', `key type ${jwk.kty}/${jwk.crv ?? ''} has no COSE mapping here`);
}

/** The node:crypto verify() algorithm name and DSA encoding for a COSE alg. */
export function coseSignatureParams(alg: number): { hash: string | null; dsaEncoding?: 'der' } {
  switch (alg) {
    case CoseAlgorithm.ES256:
      return { hash: 'sha256', dsaEncoding: 'der' };
    case CoseAlgorithm.EdDSA:
      return { hash: null };
    case CoseAlgorithm.RS256:
      return { hash: 'sha256' };
    default:
      throw new CoseKeyError('COSE_UNSUPPORTED', `COSE alg ${alg} not supported`);
  }
}
