import { CtapStatus, CtapStatusError, pinHash } from '../../harness/protocol/index.ts';

/** CTAP 2.1 §6.5.1: a PIN is sent padded with 0x00 to 64 bytes; so it is at most 63 bytes of UTF-8. */
export const PADDED_PIN_LENGTH = 64;
export const MAX_PIN_BYTES = 63;
/** CTAP 2.1 §6.4 minPINLength: at least 4 code points, whatever the configuration. */
export const DEFAULT_MIN_PIN_LENGTH = 4;

export interface CheckedPin {
  /** LEFT(SHA-256(newPin), 16), what the authenticator stores (CTAP 2.1 §6.5.5.5 step 11) */
  hash: Uint8Array;
  codePoints: number;
}

/**
 * paddedNewPin -> newPin with the PIN policy applied (CTAP 2.1 §6.5.5.5 steps 7-10, §6.5.5.6 steps 10-13):
 * not 64 bytes is CTAP1_ERR_INVALID_PARAMETER; trailing 0x00 bytes are dropped; fewer code points than
 * minPINLength, more than 63 bytes (no padding byte at all), or bytes that are not UTF-8 are
 * CTAP2_ERR_PIN_POLICY_VIOLATION. Where a 0x00 byte is followed by non-zero bytes the spec is silent;
 * the PIN is taken to end at the first 0x00 (the bytes after it are padding that was not zeroed).
 */
export function checkNewPin(padded: Uint8Array, minPinLength: number): CheckedPin {
  if (padded.length !== PADDED_PIN_LENGTH) {
    throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'paddedNewPin is not 64 bytes');
  }
  const end = padded.indexOf(0);
  const pin = padded.subarray(0, end < 0 ? padded.length : end);
  if (pin.length > MAX_PIN_BYTES) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_POLICY_VIOLATION, 'PIN longer than 63 bytes');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(pin);
  } catch {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_POLICY_VIOLATION, 'PIN is not UTF-8');
  }
  const codePoints = [...text].length;
  if (codePoints < Math.max(minPinLength, DEFAULT_MIN_PIN_LENGTH)) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_POLICY_VIOLATION, `PIN shorter than ${minPinLength} code points`);
  }
  return { hash: pinHash(pin), codePoints };
}

