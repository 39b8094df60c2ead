import { createHash } from 'node:crypto';
import { describeCertificate, type CertificateSummary } from '../ceremony/describeCertificate.ts';

/**
 * Certificate descriptions by SHA-256 of the DER, bounded (least recently used goes first). Batch
 * attestation certificates repeat across every key of a model (WebAuthn L3 §8.2.1 asks for batches of at
 * least 100,000), so an RP describes each one once instead of at every registration.
 */
export class CertificateSummaryCache {
  private readonly entries = new Map<string, CertificateSummary>();
  constructor(private readonly limit = 256) {}

  describe(der: Uint8Array): CertificateSummary {
    const key = createHash('sha256').update(der).digest('hex');
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return structuredClone(hit);
    }
    const summary = describeCertificate(der).summary;
    this.entries.set(key, summary);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
    return structuredClone(summary);
  }

  get size(): number {
    return this.entries.size;
  }
}
