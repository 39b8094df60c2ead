import { createHash } from 'node:crypto';

/**
 * A PIN's bytes as they go on the wire: a string is NFC-normalised and UTF-8 encoded (CTAP 2.1 §6.5.1);
 * bytes are taken as they are (checks that send what a client would refuse, the authenticator's side).
 */
export function pinBytes(pin: string | Uint8Array): Uint8Array {
  return typeof pin === 'string' ? new TextEncoder().encode(pin.normalize('NFC')) : pin;
}

/** LEFT(SHA-256(pin), 16): what the authenticator stores and pinHashEnc carries (CTAP 2.1 §6.5.5.5 step 11, §6.5.5.7). */
export function pinHash(pin: string | Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(pinBytes(pin)).digest().subarray(0, 16));
}

/**
 * The PIN padded with 0x00 to `size` bytes (CTAP 2.1 §6.5.5.5: 64), or to the next multiple of 16 when it
 * is longer: no policy is applied here (the client's policy is ClientPin's; checks send what they mean to).
 */
export function paddedPin(pin: string | Uint8Array, size = 64): Uint8Array {
  const bytes = pinBytes(pin);
  const out = new Uint8Array(Math.max(size, Math.ceil(bytes.length / 16) * 16));
  out.set(bytes);
  return out;
}
