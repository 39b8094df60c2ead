/**
 * The values the CTAP CBOR layer works with. Invariants (kept by decodeCbor and encodeCanonicalCbor):
 * maps are always `Map` (CTAP keys are integers), byte strings are `Uint8Array`, integers beyond 2^53 are
 * `bigint`, and there are no tags.
 */
export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | undefined
  | Uint8Array
  | CborValue[]
  | CborMap;

export type CborMap = Map<CborValue, CborValue>;
