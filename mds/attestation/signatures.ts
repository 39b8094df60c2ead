import { createPublicKey, constants, verify, type KeyObject } from 'node:crypto';
import type { X509Certificate } from '@peculiar/x509';
import { chainCertificate } from '../ChainCertificate.ts';

/**
 * COSE algorithm → node:crypto verify parameters (RFC 9053 §2.1, RFC 8812 §2 and §5, WebAuthn L3 §5.8.5).
 * ECDSA signatures in WebAuthn are ASN.1 DER (WebAuthn L3 §6.5.6).
 */
const ALGS: Record<number, { name: string; hash: string | null; pss?: boolean; ec?: string }> = {
  [-7]: { name: 'ES256', hash: 'sha256', ec: 'prime256v1' },
  [-35]: { name: 'ES384', hash: 'sha384', ec: 'secp384r1' },
  [-36]: { name: 'ES512', hash: 'sha512', ec: 'secp521r1' },
  [-8]: { name: 'EdDSA', hash: null },
  [-257]: { name: 'RS256', hash: 'sha256' },
  [-258]: { name: 'RS384', hash: 'sha384' },
  [-259]: { name: 'RS512', hash: 'sha512' },
  [-65535]: { name: 'RS1', hash: 'sha1' },
  [-37]: { name: 'PS256', hash: 'sha256', pss: true },
  [-38]: { name: 'PS384', hash: 'sha384', pss: true },
  [-39]: { name: 'PS512', hash: 'sha512', pss: true },
};

export function coseAlgName(alg: number): string | undefined {
  return ALGS[alg]?.name;
}

export function coseAlgHash(alg: number): string | null | undefined {
  return ALGS[alg]?.hash;
}

/**
 * Why `key` cannot be used with COSE `alg`, or undefined when it can: the declared algorithm must fit the
 * key (WebAuthn L3 §8.2 step 2 "using the attestation public key in attestnCert with the algorithm
 * specified in alg"; RFC 9053 §2.1: ES256/ES384/ES512 with P-256/P-384/P-521 as WebAuthn L3 §5.8.5 lists
 * them; RFC 8812 §2: RS* and PS* with RSA keys; RFC 9053 §2.2: EdDSA with an OKP key). Without this an
 * ECDSA signature passes as "RS256" (node:crypto picks the scheme from the key, not from the name).
 */
export function algKeyProblem(alg: number, key: KeyObject): string | undefined {
  const p = ALGS[alg];
  if (!p) return `COSE alg ${alg} is not supported`;
  const type = key.asymmetricKeyType;
  if (p.ec) {
    // only an EC key has a named curve
    const curve = key.asymmetricKeyDetails!.namedCurve;
    return curve === p.ec ? undefined : `alg ${alg} (${p.name}) needs an EC ${p.ec} key, the key is ${type}${curve ? ` ${curve}` : ''}`;
  }
  if (p.hash === null) return type === 'ed25519' || type === 'ed448' ? undefined : `alg ${alg} (${p.name}) needs an Ed25519/Ed448 key, the key is ${type}`;
  return type === 'rsa' || (p.pss && type === 'rsa-pss') ? undefined : `alg ${alg} (${p.name}) needs an RSA key, the key is ${type}`;
}

/**
 * Verifies `sig` over `data` with COSE `alg`; false for a wrong signature and for a key that does not fit
 * `alg` (algKeyProblem), throws for an unknown alg. ECDSA signatures are ASN.1 DER in WebAuthn (L3 §6.5.6)
 * and R || S in JWS (RFC 7518 §3.4).
 */
export function verifyWithAlg(alg: number, key: KeyObject, data: Uint8Array, sig: Uint8Array, ecdsaEncoding: 'der' | 'ieee-p1363' = 'der'): boolean {
  const p = ALGS[alg];
  if (!p) throw new Error(`COSE alg ${alg} is not supported`);
  if (algKeyProblem(alg, key)) return false;
  try {
    if (p.ec) return verify(p.hash, data, { key, dsaEncoding: ecdsaEncoding }, sig);
    if (p.pss) return verify(p.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, sig);
    return verify(p.hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, sig);
  } catch {
    return false;
  }
}

const CURVES: Record<number, { crv: string; size: number }> = { 1: { crv: 'P-256', size: 32 }, 2: { crv: 'P-384', size: 48 }, 3: { crv: 'P-521', size: 66 } };

/**
 * A credential public key (COSE_Key, RFC 9052 §7) as a node:crypto KeyObject: EC2 P-256/P-384/P-521,
 * OKP Ed25519, RSA. Wider than harness/protocol's coseToPublicKey because captured attestations use
 * ES384/ES512 keys.
 */
export function coseKeyToKeyObject(key: Map<unknown, unknown>): KeyObject {
  const kty = key.get(1);
  const b64 = (v: unknown, what: string) => {
    if (!(v instanceof Uint8Array)) throw new Error(`COSE key ${what} missing or not bytes`);
    return Buffer.from(v).toString('base64url');
  };
  if (kty === 2) {
    const c = CURVES[key.get(-1) as number];
    if (!c) throw new Error(`COSE EC2 curve ${String(key.get(-1))} not supported`);
    return createPublicKey({ key: { kty: 'EC', crv: c.crv, x: b64(key.get(-2), 'x'), y: b64(key.get(-3), 'y') }, format: 'jwk' });
  }
  if (kty === 1) {
    if (key.get(-1) !== 6) throw new Error(`COSE OKP curve ${String(key.get(-1))} not supported`);
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64(key.get(-2), 'x') }, format: 'jwk' });
  }
  if (kty === 3) return createPublicKey({ key: { kty: 'RSA', n: b64(key.get(-1), 'n'), e: b64(key.get(-2), 'e') }, format: 'jwk' });
  throw new Error(`COSE kty ${String(kty)} not supported`);
}

/** The certificate's public key as node:crypto sees it (parsed once per certificate object). */
export function certKey(cert: X509Certificate): KeyObject {
  return chainCertificate(cert).native.publicKey;
}

/** Two public keys are the same key (SubjectPublicKeyInfo DER equal). */
export function sameKey(a: KeyObject, b: KeyObject): boolean {
  return Buffer.from(a.export({ format: 'der', type: 'spki' })).equals(Buffer.from(b.export({ format: 'der', type: 'spki' })));
}
