import type { MetadataBlobPayloadEntry } from './MdsTypes.ts';

const AAGUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY_ID_RE = /^[0-9a-f]{40}$/i;

/**
 * Checks one MetadataBLOBPayloadEntry against the members MDS3 §3.1.1 requires (statusReports,
 * timeOfLastStatusChange) and the formats of the identifiers this project indexes by. Returns the reason
 * it cannot be used, or undefined. A verified BLOB with one bad entry keeps its other entries: the spec is
 * silent, and refusing the whole signed BLOB over one entry would hide every other key's status.
 */
export function entryProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'entry is not an object';
  const e = value as Partial<MetadataBlobPayloadEntry>;
  if (!Array.isArray(e.statusReports)) return 'statusReports missing or not an array';
  for (const [i, r] of e.statusReports.entries()) {
    // Stryker disable next-line ConditionalExpression: a number or string has no string `status` either
    if (typeof r !== 'object' || r === null || typeof (r as { status?: unknown }).status !== 'string') {
      return `statusReports[${i}].status missing or not a string`;
    }
  }
  if (typeof e.timeOfLastStatusChange !== 'string') return 'timeOfLastStatusChange missing or not a string';
  if (e.aaguid !== undefined && (typeof e.aaguid !== 'string' || !AAGUID_RE.test(e.aaguid))) {
    return `aaguid ${JSON.stringify(e.aaguid)} is not a UUID string`;
  }
  if (e.attestationCertificateKeyIdentifiers !== undefined) {
    if (!Array.isArray(e.attestationCertificateKeyIdentifiers)) return 'attestationCertificateKeyIdentifiers is not an array';
    for (const k of e.attestationCertificateKeyIdentifiers) {
      if (typeof k !== 'string' || !KEY_ID_RE.test(k)) return `attestationCertificateKeyIdentifier ${JSON.stringify(k)} is not 20 bytes of hex`;
    }
  }
  if (e.aaguid === undefined && e.aaid === undefined && e.attestationCertificateKeyIdentifiers === undefined) {
    return 'entry has none of aaguid, aaid, attestationCertificateKeyIdentifiers';
  }
  if (e.metadataStatement !== undefined) {
    const s = e.metadataStatement as unknown;
    if (typeof s !== 'object' || s === null || Array.isArray(s)) return 'metadataStatement is not an object';
    const ms = s as Record<string, unknown>;
    if (ms.description !== undefined && typeof ms.description !== 'string') return 'metadataStatement.description is not a string';
    if (ms.attestationRootCertificates !== undefined && !Array.isArray(ms.attestationRootCertificates)) {
      return 'metadataStatement.attestationRootCertificates is not an array';
    }
  }
  return undefined;
}
