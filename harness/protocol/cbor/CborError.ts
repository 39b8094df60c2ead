/**
 * Why a CBOR input was refused. `code` is stable (reports and tests key on it); `offset` is the byte
 * offset in the input where the problem was found.
 */
export type CborErrorCode =
  | 'CBOR_TRUNCATED' // input ends inside an item
  | 'CBOR_TRAILING_BYTES' // bytes left after the top-level item
  | 'CBOR_DEPTH_EXCEEDED' // nesting deeper than the limit (CTAP 2.1 §8: 4 levels are required)
  | 'CBOR_INDEFINITE_LENGTH' // CTAP2 canonical form forbids indefinite lengths (CTAP 2.1 §8)
  | 'CBOR_TAG' // CTAP2 canonical form forbids tags (CTAP 2.1 §8)
  | 'CBOR_NON_MINIMAL' // an integer, length or argument not in its shortest form (CTAP 2.1 §8)
  | 'CBOR_MAP_KEY_ORDER' // map keys not in CTAP2 canonical order (CTAP 2.1 §8)
  | 'CBOR_DUPLICATE_KEY' // the same key twice in a map (RFC 8949 §5.6)
  | 'CBOR_INVALID_UTF8' // text string that is not UTF-8 (RFC 8949 §3.1 major type 3)
  | 'CBOR_RESERVED' // reserved additional information 28..30 (RFC 8949 §3)
  | 'CBOR_UNSUPPORTED_TYPE' // a simple value or key type CTAP does not use
  | 'CBOR_TOO_LARGE'; // a length beyond what the input could hold

export class CborError extends Error {
  override readonly name = 'CborError';
  constructor(
    readonly code: CborErrorCode,
    message: string,
    readonly offset: number,
  ) {
    super(`${code} at byte ${offset}: ${message}`);
  }
}
