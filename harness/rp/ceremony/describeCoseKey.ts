import { CoseKeyLabel, CoseKty, cborDiagnostic, type CborMap } from '../../protocol/index.ts';

/** COSE algorithm names (IANA COSE Algorithms registry) for the ones authenticators use */
const ALG_NAMES: Record<number, string> = {
  [-7]: 'ES256',
  [-35]: 'ES384',
  [-36]: 'ES512',
  [-8]: 'EdDSA',
  [-257]: 'RS256',
  [-258]: 'RS384',
  [-259]: 'RS512',
  [-37]: 'PS256',
  [-65535]: 'RS1',
};
const CURVE_NAMES: Record<number, string> = { 1: 'P-256', 2: 'P-384', 3: 'P-521', 4: 'X25519', 6: 'Ed25519' };
const KTY_NAMES: Record<number, string> = { [CoseKty.OKP]: 'OKP', [CoseKty.EC2]: 'EC2', [CoseKty.RSA]: 'RSA' };

export interface CoseKeySummary {
  kty: string;
  alg: number | undefined;
  algName: string;
  curve?: string;
  /** RSA modulus size */
  bits?: number;
  /** RFC 8949 diagnostic notation of the whole key */
  diagnostic: string;
}

export function coseAlgorithmName(alg: number | undefined): string {
  return alg === undefined ? 'missing' : (ALG_NAMES[alg] ?? `COSE alg ${alg}`);
}

/** The credential public key for display (WebAuthn L3 §6.5.1.1; RFC 9053 key labels). */
export function describeCoseKey(key: CborMap): CoseKeySummary {
  const kty = key.get(CoseKeyLabel.kty);
  const alg = key.get(CoseKeyLabel.alg);
  const out: CoseKeySummary = {
    kty: typeof kty === 'number' ? (KTY_NAMES[kty] ?? `kty ${kty}`) : String(kty),
    alg: typeof alg === 'number' ? alg : undefined,
    algName: coseAlgorithmName(typeof alg === 'number' ? alg : undefined),
    diagnostic: cborDiagnostic(key),
  };
  if (kty === CoseKty.EC2 || kty === CoseKty.OKP) {
    const crv = key.get(CoseKeyLabel.crv);
    if (typeof crv === 'number') out.curve = CURVE_NAMES[crv] ?? `crv ${crv}`;
  }
  if (kty === CoseKty.RSA) {
    const n = key.get(CoseKeyLabel.n);
    if (n instanceof Uint8Array) out.bits = n.length * 8;
  }
  return out;
}
