import { Encoder } from 'cbor-x';
import { compareCanonicalKeys } from './decodeCbor.ts';

/**
 * cbor-x configured for CTAP (docs/architecture.md "Libraries"): no records, no tag 259 on maps, no tag 64 on
 * byte strings, minimal map headers. cbor-x keeps a map's insertion order, so canonical key order is
 * established here before encoding.
 */
const encoder = new Encoder({
  useRecords: false,
  mapsAsObjects: false,
  tagUint8Array: false,
  variableMapSize: true,
  useTag259ForMaps: false,
} as ConstructorParameters<typeof Encoder>[0]);

/**
 * Encodes a value in CTAP2 canonical CBOR (CTAP 2.1 §8): shortest integer and length encodings, definite
 * lengths, no tags, map keys in canonical order. Plain objects are encoded as maps with text keys
 * (WebAuthn's attestation object and the PublicKeyCredential entities use them); `undefined` members of
 * plain objects are omitted.
 */
export function encodeCanonicalCbor(value: unknown): Uint8Array {
  return encoder.encode(canonicalize(value, 0));
}

/**
 * Encodes maps in the order given, not sorted: for producing deliberately non-canonical CBOR (the
 * simulator's `noncanonical-cbor` quirk and negative tests).
 */
export function encodeCborAsGiven(value: unknown): Uint8Array {
  return encoder.encode(value);
}

function canonicalize(value: unknown, depth: number): unknown {
  if (depth > 64) throw new RangeError('value nested too deeply to encode');
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map((v) => canonicalize(v, depth + 1));
  if (value instanceof Map) return sortedMap([...value.entries()], depth);
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      // Dates, Sets, class instances: cbor-x would write them with tags, which CTAP2 forbids.
      throw new TypeError(`cannot encode ${proto.constructor?.name ?? 'object'} as CTAP2 canonical CBOR`);
    }
    return sortedMap(
      Object.entries(value).filter(([, v]) => v !== undefined),
      depth,
    );
  }
  if (typeof value === 'function' || typeof value === 'symbol') {
    throw new TypeError(`cannot encode a ${typeof value} as CBOR`);
  }
  if (typeof value === 'bigint' || Number.isInteger(value)) {
    const n = BigInt(value as bigint | number);
    if (n < -(2n ** 63n) || n >= 2n ** 64n) {
      // cbor-x writes these as tagged bignums (RFC 8949 §3.4.3); CTAP2 canonical CBOR has no tags.
      throw new RangeError(`integer ${n} is outside what CTAP2 canonical CBOR encodes here`);
    }
    // cbor-x writes any bigint with an 8-byte argument and a number from 2^32 on as a float64: an integer goes
    // to it as a number when its argument fits in 4 bytes (RFC 8949 §3.1: up to 2^32 - 1), else as a bigint
    return n >= -(2n ** 32n) && n < 2n ** 32n ? Number(n) : n;
  }
  return value;
}

function sortedMap(entries: [unknown, unknown][], depth: number): Map<unknown, unknown> {
  const keyed = entries.map(([k, v]) => {
    const key = canonicalize(k, depth + 1);
    return { key, bytes: encoder.encode(key) as Uint8Array, value: canonicalize(v, depth + 1) };
  });
  keyed.sort((a, b) => compareCanonicalKeys(a.bytes, b.bytes));
  return new Map(keyed.map((e) => [e.key, e.value]));
}
