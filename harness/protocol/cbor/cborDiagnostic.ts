import { CborTagged } from './CborTagged.ts';

/**
 * RFC 8949 §8 diagnostic notation, for evidence in reports: h'..' for bytes, JSON strings for text,
 * maps and arrays as written in the spec. Long byte strings are shown whole; the report layer truncates.
 */
export function cborDiagnostic(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return Number.isInteger(value) || Object.is(value, -0) ? String(value) : String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Uint8Array) return `h'${Buffer.from(value).toString('hex')}'`;
  if (Array.isArray(value)) return `[${value.map(cborDiagnostic).join(', ')}]`;
  if (value instanceof Map) {
    return `{${[...value.entries()].map(([k, v]) => `${cborDiagnostic(k)}: ${cborDiagnostic(v)}`).join(', ')}}`;
  }
  if (value instanceof CborTagged) return `${value.tag}(${cborDiagnostic(value.value)})`;
  return JSON.stringify(value) ?? String(value);
}
