import { describe, expect, it } from 'vitest';
import { CertificateSummaryCache } from '../../harness/rp/stores/CertificateSummaryCache.ts';
import { describeCertificate } from '../../harness/rp/ceremony/describeCertificate.ts';
import { sharedAttestationMaterial } from '../helpers/sim.ts';

describe('CertificateSummaryCache', () => {
  it('should describe a certificate as describeCertificate does, with the AAGUID extension and a one-line subject', async () => {
    const m = await sharedAttestationMaterial();
    const cache = new CertificateSummaryCache(2);
    const summary = cache.describe(m.leafCertificate);
    expect(summary).toEqual(describeCertificate(m.leafCertificate).summary);
    expect(summary.subject).toBe('C=US, O=fido-harness, OU=Authenticator Attestation, CN=fido-harness Simulator Batch 1');
    expect(summary.aaguidExtension).toBe('be7c888f-f407-45b9-bab1-f1e15cedc047');
    expect(describeCertificate(m.rootCertificate).summary.aaguidExtension).toBeUndefined();
  });

  it('should hand out copies, keep at most `limit` entries and drop the least recently used', async () => {
    const m = await sharedAttestationMaterial();
    const cache = new CertificateSummaryCache(2);
    const a = cache.describe(m.leafCertificate);
    a.subject = 'changed by a caller';
    expect(cache.describe(m.leafCertificate).subject).not.toBe('changed by a caller');
    cache.describe(m.intermediateCertificate);
    cache.describe(m.leafCertificate); // leaf is now the most recent
    cache.describe(m.rootCertificate); // evicts the intermediate
    expect(cache.size).toBe(2);
  });

  it('should refuse bytes that are not a certificate', () => {
    expect(() => new CertificateSummaryCache().describe(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01))).toThrow();
  });
});
