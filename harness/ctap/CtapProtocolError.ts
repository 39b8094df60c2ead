/**
 * A CTAP exchange that failed on the host's side of the line (the device's own status bytes are
 * CtapStatusError). `code` is stable; reports key on it.
 */
export type CtapProtocolErrorCode =
  | 'CTAP_EMPTY_RESPONSE' // no status byte at all (CTAP 2.1 §8: every response starts with one)
  | 'CTAP_INVALID_CBOR' // the response after the status byte is not well-formed CBOR
  | 'CTAP_NONCANONICAL_CBOR' // well-formed but not CTAP2 canonical (thrown only in strict mode)
  | 'CTAP_MALFORMED_RESPONSE' // CBOR, but members missing or of the wrong type for the command
  | 'CTAP_REQUEST_TOO_LARGE' // the request exceeds the device's maxMsgSize (CTAP 2.1 §6.4)
  | 'CTAP_RESPONSE_TOO_LARGE' // the response exceeds the device's own maxMsgSize
  | 'CTAP_NOT_SUPPORTED'; // the device does not offer what was asked (per getInfo), or the channel cannot carry it

export class CtapProtocolError extends Error {
  override readonly name = 'CtapProtocolError';
  constructor(
    readonly code: CtapProtocolErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}

/** A U2F status word other than SW_NO_ERROR (FIDO U2F raw message formats §3.3). */
export class U2fStatusError extends Error {
  override readonly name = 'U2fStatusError';
  constructor(
    readonly sw: number,
    readonly data: Uint8Array,
  ) {
    super(`U2F status word 0x${sw.toString(16).padStart(4, '0')}`);
  }
}
