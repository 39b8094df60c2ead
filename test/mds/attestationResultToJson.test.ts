import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { attestationResultToJson, describeAnchor, notCheckedNote } from '../../mds/attestation/attestationResultToJson.ts';
import { verifyAttestation } from '../../mds/attestation/verifyAttestation.ts';
import { loadMdsStore } from '../../mds/MdsStore.ts';
import { createTestMds } from '../../mds/testBlob.ts';
import { makePackedRegistration } from './packedFixture.ts';

// The JSON view of an attestation result (`attestation verify --json`, the RP page): every field the
// result carries, certificates as names and dates.
const AAGUID = '3c4d5e6f-7081-4293-a4b5-c6d7e8f90a1b';
const at = new Date('2026-06-01T00:00:00Z');

describe('attestationResultToJson', () => {
  it('a metadata-backed result: model, anchor, paths, status, flags, client data', async () => {
    const reg = await makePackedRegistration({ aaguid: AAGUID, flags: 0x45 | 0x08 });
    const { jws, roots } = await createTestMds([
      { aaguid: AAGUID, description: 'JSON key', attestationRootCertificates: [reg.attestationRoot.cert], statusReports: [{ status: 'FIDO_CERTIFIED_L2', effectiveDate: '2024-01-01' }, { status: 'UPDATE_AVAILABLE', effectiveDate: '2025-01-01' }] },
    ]);
    const store = await loadMdsStore(jws, { roots, at });
    const r = await verifyAttestation(reg.json, { at, store, rpId: 'example.test', expectedOrigin: 'https://example.test' });
    const json = attestationResultToJson(r);
    const leaf = reg.attestationCert.cert;
    const root = reg.attestationRoot.cert;
    expect(json).toEqual({
      format: 'packed',
      attestationType: 'basic',
      aaguid: AAGUID,
      model: 'JSON key',
      metadataBacked: true,
      trusted: true,
      signatureValid: true,
      chainValid: true,
      rootSubject: root.subject,
      rootSource: 'metadata',
      anchor: `"${root.subject}" from the MDS entry's attestationRootCertificates`,
      trustPath: [{ subject: leaf.subject, issuer: leaf.issuer, serialNumber: leaf.serialNumber, notBefore: '2020-01-01T00:00:00.000Z', notAfter: '2040-01-01T00:00:00.000Z' }],
      chainPath: [
        { subject: leaf.subject, issuer: leaf.issuer, serialNumber: leaf.serialNumber, notBefore: '2020-01-01T00:00:00.000Z', notAfter: '2040-01-01T00:00:00.000Z' },
        { subject: root.subject, issuer: root.subject, serialNumber: root.serialNumber, notBefore: '2020-01-01T00:00:00.000Z', notAfter: '2040-01-01T00:00:00.000Z' },
      ],
      status: {
        verdict: r.status!.verdict,
        latestStatus: 'UPDATE_AVAILABLE',
        certificationLevel: r.status!.certificationLevel,
        certified: true,
        findings: r.status!.findings.map((f) => ({ status: f.status, severity: f.severity, message: f.message })),
      },
      problems: r.problems,
      chainWarnings: r.chainWarnings,
      notChecked: [],
      flags: { up: true, uv: true, be: true, bs: false },
      clientData: { type: 'webauthn.create', origin: 'https://example.test', challenge: 'dGVzdA' },
    });
    expect(r.status!.findings.length).toBeGreaterThan(0);
    expect(json.status).toMatchObject({ certificationLevel: 'FIDO_CERTIFIED_L2' });
  });

  it('an unanchored bare object: nulls, the note on what was not checked, no client data', async () => {
    const reg = await makePackedRegistration({ aaguid: AAGUID, certAaguid: null });
    const r = await verifyAttestation(reg.attestationObject, { at, clientDataHash: reg.clientDataHash });
    const json = attestationResultToJson(r);
    expect(json).toMatchObject({ model: null, rootSubject: null, rootSource: null, status: null, anchor: 'none: no trusted path', chainPath: [], notChecked: ['rpIdHash', 'origin'], notCheckedNote: 'rpIdHash/origin not checked' });
    expect(json).not.toHaveProperty('clientData');
    expect(json).not.toHaveProperty('keyIdentifier');
    expect(json).not.toHaveProperty('claimedModel');
  });

  it('describeAnchor names an operator root; notCheckedNote is empty when all was checked', async () => {
    const reg = await makePackedRegistration({ aaguid: AAGUID });
    const r = await verifyAttestation(reg.json, { at, roots: [reg.attestationRoot.cert], rpId: 'example.test', expectedOrigin: 'https://example.test' });
    expect(describeAnchor(r)).toBe(`"${reg.attestationRoot.cert.subject}" from an operator root (--attestation-root)`);
    expect(notCheckedNote(r)).toBe('');
    expect(attestationResultToJson(r)).not.toHaveProperty('notCheckedNote');
    expect(notCheckedNote({ ...r, notChecked: ['origin'] })).toBe('origin not checked');
  });

  it('a status without reports reads null for its latest status and certification level', async () => {
    const reg = await makePackedRegistration({ aaguid: AAGUID });
    const { jws, roots } = await createTestMds([{ aaguid: AAGUID, description: 'JSON key', attestationRootCertificates: [reg.attestationRoot.cert], statusReports: [] }]);
    const r = await verifyAttestation(reg.json, { at, store: await loadMdsStore(jws, { roots, at }) });
    expect(r.status).toBeDefined();
    expect(attestationResultToJson(r).status).toMatchObject({ latestStatus: null, certificationLevel: null, certified: false });
  });

  it('a claimed model and a key identifier are carried when present', async () => {
    const reg = await makePackedRegistration({ aaguid: AAGUID });
    const r = await verifyAttestation(reg.json, { at });
    const json = attestationResultToJson({ ...r, claimedModel: 'claimed', keyIdentifier: 'ab12' });
    expect(json).toMatchObject({ claimedModel: 'claimed', keyIdentifier: 'ab12', model: null });
  });
});
