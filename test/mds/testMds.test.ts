import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { BasicConstraintsExtension, KeyUsageFlags, KeyUsagesExtension, SubjectKeyIdentifierExtension, X509Certificate } from '@peculiar/x509';
import { authenticatorInfoToStatementJson, buildTestMdsEntry, createTestMds, createTestMdsBlob, createTestMdsSigner, testMdsTrustAnchors } from '../../mds/testBlob.ts';
import { createTestCertificate } from '../../mds/testCertificates.ts';
import { loadMdsStore } from '../../mds/MdsStore.ts';

// The test MDS is what the simulator's runs, `npm start` and the mds-revoked quirk are judged against: its
// entries must be the MDS3 §3.1.1 entries (and Metadata Statement v3.0 §4 statements) these tests say.
const AAGUID = '0a0b0c0d-1111-2222-3333-444455556666';
const header = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
const payloadOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
const der64 = (c: X509Certificate) => Buffer.from(c.rawData).toString('base64');

describe('buildTestMdsEntry', () => {
  it('a FIDO2 entry: canonical AAGUID, the documented defaults, one FIDO_CERTIFIED_L1 report', () => {
    expect(buildTestMdsEntry({ aaguid: AAGUID.replace(/-/g, '').toUpperCase(), description: 'Test Key' })).toEqual({
      aaguid: AAGUID,
      metadataStatement: {
        legalHeader: 'fido-harness test metadata: not for production use',
        aaguid: AAGUID,
        description: 'Test Key',
        authenticatorVersion: 1,
        protocolFamily: 'fido2',
        schema: 3,
        upv: [{ major: 1, minor: 1 }, { major: 1, minor: 0 }],
        authenticationAlgorithms: ['secp256r1_ecdsa_sha256_raw'],
        publicKeyAlgAndEncodings: ['cose'],
        attestationTypes: ['basic_full'],
        userVerificationDetails: [[{ userVerificationMethod: 'passcode_external' }], [{ userVerificationMethod: 'presence_internal' }]],
        keyProtection: ['hardware', 'secure_element'],
        matcherProtection: ['on_chip'],
        attachmentHint: ['external', 'wired'],
        tcDisplay: [],
        attestationRootCertificates: [],
      },
      statusReports: [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' }],
      timeOfLastStatusChange: '2024-01-01',
    });
  });

  it('a U2F entry is listed by key identifier, protocol family u2f, U2F 1.1 only', () => {
    const kid = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
    const e = buildTestMdsEntry({ attestationCertificateKeyIdentifiers: [kid], description: 'U2F Key', attestationTypes: ['basic_surrogate'] });
    expect(e).not.toHaveProperty('aaguid');
    expect(e.attestationCertificateKeyIdentifiers).toEqual([kid]);
    expect(e.metadataStatement).not.toHaveProperty('aaguid');
    expect(e.metadataStatement).toMatchObject({ attestationCertificateKeyIdentifiers: [kid], protocolFamily: 'u2f', upv: [{ major: 1, minor: 1 }], attestationTypes: ['basic_surrogate'] });
  });

  it('statusReports, time of the last change, roots, getInfo and statement members as given', async () => {
    const root = await createTestCertificate({ subject: 'CN=entry root', serialNumber: '01', notBefore: new Date('2020-01-01'), notAfter: new Date('2040-01-01'), ca: true });
    const reports = [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2023-01-01' }, { status: 'REVOKED', effectiveDate: '2025-05-05' }];
    const e = buildTestMdsEntry({
      aaguid: AAGUID,
      description: 'k',
      statusReports: reports,
      attestationRootCertificates: [root.pem, root.cert],
      authenticatorGetInfo: { versions: ['FIDO_2_1'], aaguid: Uint8Array.of(0xab, 0xcd), maxMsgSize: undefined },
      metadataStatement: { schema: 4, description: 'overridden' },
    });
    expect(e.statusReports).toBe(reports);
    expect(e.timeOfLastStatusChange).toBe('2025-05-05');
    expect(e.metadataStatement).toMatchObject({ attestationRootCertificates: [der64(root.cert), der64(root.cert)], authenticatorGetInfo: { versions: ['FIDO_2_1'], aaguid: 'abcd' }, schema: 4, description: 'overridden' });
    expect(e.metadataStatement!.authenticatorGetInfo).not.toHaveProperty('maxMsgSize');
    expect(buildTestMdsEntry({ aaguid: AAGUID, description: 'k', statusReports: [{ status: 'REVOKED' }] }).timeOfLastStatusChange).toBe('2024-01-01');
    expect(buildTestMdsEntry({ aaguid: AAGUID, description: 'k', statusReports: [] }).timeOfLastStatusChange).toBe('2024-01-01');
    expect(buildTestMdsEntry({ aaguid: AAGUID, description: 'k', timeOfLastStatusChange: '2022-02-02' }).timeOfLastStatusChange).toBe('2022-02-02');
    expect(authenticatorInfoToStatementJson({ a: 1, b: undefined, c: Uint8Array.of(1) })).toEqual({ a: 1, c: '01' });
    expect(() => buildTestMdsEntry({ aaguid: AAGUID, description: 'k', attestationRootCertificates: ['AAAA'] })).toThrow(/^attestationRootCertificate is not an X\.509 certificate/);
  });
});

describe('the test MDS signer and BLOB', () => {
  it('a root CA and a BLOB signer it issued, with fixed names, serials and dates', async () => {
    const s = await createTestMdsSigner();
    expect(s.root.cert.subject).toBe('CN=fido-harness test MDS Root, O=fido-harness TEST');
    expect(s.signer.cert.subject).toBe('CN=fido-harness test MDS BLOB Signer, O=fido-harness TEST');
    expect(s.signer.cert.issuer).toBe(s.root.cert.subject);
    expect([s.root.cert.serialNumber, s.signer.cert.serialNumber]).toEqual(['01', '02']);
    for (const c of [s.root.cert, s.signer.cert]) {
      expect([c.notBefore.toISOString(), c.notAfter.toISOString()]).toEqual(['2020-01-01T00:00:00.000Z', '2049-12-31T23:59:59.000Z']);
    }
    expect(s.root.cert.getExtension(BasicConstraintsExtension)?.ca).toBe(true);
    expect(s.signer.cert.getExtension(BasicConstraintsExtension)?.ca).toBe(false);
    expect(await s.signer.cert.verify({ publicKey: s.root.cert.publicKey, signatureOnly: true })).toBe(true);
    expect(s.intermediates).toEqual([]);
    expect(testMdsTrustAnchors(s)).toEqual([s.root.cert]);
    const named = await createTestMdsSigner({ name: 'other', notBefore: new Date('2021-02-03T00:00:00Z'), notAfter: new Date('2031-02-03T00:00:00Z') });
    expect(named.root.cert.subject).toBe('CN=other Root, O=fido-harness TEST');
    expect(named.signer.cert.notBefore.toISOString()).toBe('2021-02-03T00:00:00.000Z');
    expect(named.root.cert.notAfter.toISOString()).toBe('2031-02-03T00:00:00.000Z');
  });

  it('the BLOB: ES256, typ JWT, x5c the signer (and the root when asked), the documented payload defaults', async () => {
    const s = await createTestMdsSigner();
    const jws = await createTestMdsBlob(s, { entries: [{ aaguid: AAGUID, description: 'k' }] });
    expect(header(jws)).toEqual({ alg: 'ES256', typ: 'JWT', x5c: [der64(s.signer.cert)] });
    expect(payloadOf(jws)).toEqual({
      legalHeader: 'fido-harness test metadata BLOB: signed by a test root, not by the FIDO Alliance',
      no: 1,
      nextUpdate: '2049-12-01',
      entries: [buildTestMdsEntry({ aaguid: AAGUID, description: 'k' })],
    });
    const withRoot = await createTestMdsBlob(s, { entries: [], includeRoot: true, no: 3, nextUpdate: '2030-01-01', legalHeader: 'L', alg: 'ES256' });
    expect(header(withRoot).x5c).toEqual([der64(s.signer.cert), der64(s.root.cert)]);
    expect(payloadOf(withRoot)).toEqual({ legalHeader: 'L', no: 3, nextUpdate: '2030-01-01', entries: [] });
    expect(payloadOf(await createTestMdsBlob(s, { entries: [], payload: { no: 9 } }))).toEqual({ no: 9 });
  });

  it('createTestMds: one call gives a BLOB its own roots verify, and the root as PEM', async () => {
    const mds = await createTestMds([{ aaguid: AAGUID, description: 'one call' }], { no: 4, name: 'one call MDS' });
    expect(mds.roots).toEqual([mds.signer.root.cert]);
    expect(mds.rootPem).toBe(mds.signer.root.pem);
    expect(mds.rootPem.startsWith('-----BEGIN CERTIFICATE-----')).toBe(true);
    expect(mds.signer.root.cert.subject).toBe('CN=one call MDS Root, O=fido-harness TEST');
    const store = await loadMdsStore(mds.jws, { roots: mds.roots, at: new Date('2026-01-01T00:00:00Z') });
    expect(store.no).toBe(4);
    expect(store.byAaguid(AAGUID)?.metadataStatement?.description).toBe('one call');
  });
});

describe('createTestCertificate (RFC 5280 §4.2.1 extensions for the role)', () => {
  it('a CA: basicConstraints cA critical, keyUsage keyCertSign|cRLSign critical, a subject key identifier; self-signed without an issuer', async () => {
    const ca = await createTestCertificate({ subject: 'CN=role CA', serialNumber: '0c', notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2040-01-01T00:00:00Z'), ca: true });
    expect(ca.cert.issuer).toBe('CN=role CA');
    expect(await ca.cert.isSelfSigned()).toBe(true);
    const bc = ca.cert.getExtension(BasicConstraintsExtension)!;
    expect([bc.ca, bc.critical, bc.pathLength]).toEqual([true, true, undefined]);
    const ku = ca.cert.getExtension(KeyUsagesExtension)!;
    expect([ku.usages, ku.critical]).toEqual([KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true]);
    const ski = ca.cert.getExtension(SubjectKeyIdentifierExtension)!;
    expect(ski.critical).toBe(false);
    expect(ski.keyId).toMatch(/^[0-9a-f]{40}$/);
    expect(ca.cert.serialNumber).toBe('0c');
    expect(ca.pem).toBe(ca.cert.toString('pem'));
    expect(ca.cert.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(ca.cert.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-256' } });

    const leaf = await createTestCertificate({ subject: 'CN=role leaf', issuer: ca, serialNumber: '0d', notBefore: new Date('2021-01-01T00:00:00Z'), notAfter: new Date('2031-01-01T00:00:00Z'), ca: false, pathLength: 2 });
    expect(leaf.cert.issuer).toBe('CN=role CA');
    expect(await leaf.cert.verify({ publicKey: ca.cert.publicKey, signatureOnly: true })).toBe(true);
    expect(leaf.cert.getExtension(BasicConstraintsExtension)).toMatchObject({ ca: false, pathLength: 2 });
    expect(leaf.cert.getExtension(KeyUsagesExtension)?.usages).toBe(KeyUsageFlags.digitalSignature);
    expect([leaf.cert.notBefore.toISOString(), leaf.cert.notAfter.toISOString()]).toEqual(['2021-01-01T00:00:00.000Z', '2031-01-01T00:00:00.000Z']);
    const bare = await createTestCertificate({ subject: 'CN=bare', serialNumber: '0e', notBefore: new Date('2021-01-01'), notAfter: new Date('2031-01-01'), ca: true, omitBasicConstraints: true, keyUsage: null, keys: ca.keys });
    expect(bare.cert.getExtension(BasicConstraintsExtension)).toBeNull();
    expect(bare.cert.getExtension(KeyUsagesExtension)).toBeNull();
    expect(bare.keys).toBe(ca.keys);
    expect(Buffer.from(bare.cert.publicKey.rawData)).toEqual(Buffer.from(ca.cert.publicKey.rawData));
  });
});
