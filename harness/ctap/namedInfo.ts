import { cborDiagnostic, type AuthenticatorInfo } from '../protocol/index.ts';

/** getInfo with names, not numbers, and bytes as hex (docs/report-model.md). */
export function namedInfo(info: AuthenticatorInfo): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(info)) {
    if (v instanceof Uint8Array) o[k] = k === 'aaguid' ? formatAaguid(v) : Buffer.from(v).toString('hex');
    else if (v instanceof Map) o[k] = cborDiagnostic(v);
    else o[k] = v;
  }
  return o;
}

export function formatAaguid(b: Uint8Array): string {
  const h = Buffer.from(b).toString('hex');
  if (h.length !== 32) return h;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
