import { CborTagged } from './CborTagged.ts';

/**
 * RFC 8949 §8 diagnostic notation, for evidence in reports: h'..' for bytes, JSON strings for text,
 * maps and arrays as written in the spec. Long byte strings are shown whole; the report layer truncates.
 */
export function cborDiagnostic(value: unknown): string {
  // NaN, Infinity and -Infinity are written as RFC 8949 §8 writes them (JSON would write null); a bigint has no JSON
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof Uint8Array) return `h'${Buffer.from(value).toString('hex')}'`;
  if (Array.isArray(value)) return `[${value.map(cborDiagnostic).join(', ')}]`;
  if (value instanceof Map) {
    return `{${[...value.entries()].map(([k, v]) => `${cborDiagnostic(k)}: ${cborDiagnostic(v)}`).join(', ')}}`;
  }
  if (value instanceof CborTagged) return `${value.tag}(${cborDiagnostic(value.value)})`;
  // text as a JSON string; true, false, null; undefined (no JSON) as its name
  return JSON.stringify(value) ?? String(value);
}
