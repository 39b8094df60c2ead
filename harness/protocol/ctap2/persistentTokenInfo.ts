import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';

/**
 * The getInfo members CTAP 2.2 encrypts for the holder of the persistent pinUvAuthToken (the pcmr
 * permission, CTAP 2.2 §6.4 encIdentifier and encCredStoreState): key = HKDF-SHA-256(salt 32 zero bytes,
 * IKM the persistent token, info the member's name, 16 bytes); value = IV (16) || AES-128-CBC(key, IV,
 * 16 bytes of plaintext), no padding. python-fido2's Info.get_identifier / get_cred_store_state read them so.
 */
export type PersistentInfoMember = 'encIdentifier' | 'encCredStoreState';

function keyFor(token: Uint8Array, member: PersistentInfoMember): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', token, new Uint8Array(32), member, 16));
}

export function encryptPersistentInfo(token: Uint8Array, member: PersistentInfoMember, plaintext: Uint8Array, iv: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-cbc', keyFor(token, member), iv).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([iv, c.update(plaintext), c.final()]));
}

/** The 16 bytes inside, or undefined when `value` is not IV || one or more AES blocks. */
export function decryptPersistentInfo(token: Uint8Array, member: PersistentInfoMember, value: Uint8Array): Uint8Array | undefined {
  if (value.length < 32 || value.length % 16 !== 0) return undefined;
  const d = createDecipheriv('aes-128-cbc', keyFor(token, member), value.subarray(0, 16)).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([d.update(value.subarray(16)), d.final()]));
}
