import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { Rng } from './env.ts';

/**
 * Credential IDs are wrapped keys (the README says so): AES-256-GCM under the state's master key, with the
 * RP ID hash as additional data, so an ID only opens for the RP that created it and a reset (new master
 * key) invalidates every earlier ID. Layout:
 *   version(1)=0x01 | nonce(12) | ciphertext(alg(1)=index, credProtect(1), flags(1), key(32)) | tag(16)
 * = 64 bytes. Discoverable credentials are additionally kept in the state under the same ID.
 */
export const CREDENTIAL_ID_LENGTH = 64;
const VERSION = 0x01;

export interface WrappedKey {
  alg: number;
  credProtect: number;
  /** bit 0: discoverable; bit 1: created over U2F (CTAP1); bit 2: made with hmac-secret (CTAP 2.1 §12.5) */
  flags: number;
  privateKey: Uint8Array;
}

export const WrappedKeyFlag = { discoverable: 0x01, u2f: 0x02, hmacSecret: 0x04, thirdPartyPayment: 0x08 } as const;

const ALGS = [-7, -8];

export function wrapCredentialId(masterKey: Uint8Array, rpIdHash: Uint8Array, key: WrappedKey, rng: Rng): Uint8Array {
  const nonce = rng.bytes(12);
  const cipher = createCipheriv('aes-256-gcm', masterKey, nonce);
  cipher.setAAD(rpIdHash);
  const plain = Uint8Array.from([ALGS.indexOf(key.alg), key.credProtect, key.flags, ...key.privateKey]);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return new Uint8Array(Buffer.concat([Uint8Array.of(VERSION), nonce, body, cipher.getAuthTag()]));
}

/** Returns null for an ID that is not ours, is for another RP, or was made before a reset. */
export function unwrapCredentialId(masterKey: Uint8Array, rpIdHash: Uint8Array, id: Uint8Array): WrappedKey | null {
  if (id.length !== CREDENTIAL_ID_LENGTH || id[0] !== VERSION) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', masterKey, id.subarray(1, 13));
    decipher.setAAD(rpIdHash);
    decipher.setAuthTag(id.subarray(id.length - 16));
    const plain = Buffer.concat([decipher.update(id.subarray(13, id.length - 16)), decipher.final()]);
    const alg = ALGS[plain[0]!];
    if (alg === undefined || plain.length !== 35) return null;
    return { alg, credProtect: plain[1]!, flags: plain[2]!, privateKey: new Uint8Array(plain.subarray(3)) };
  } catch {
    return null;
  }
}
