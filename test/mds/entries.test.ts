import 'reflect-metadata';
import { beforeAll, describe, expect, it } from 'vitest';
import { entryProblem } from '../../mds/validateEntry.ts';
import { createTestMdsBlob, createTestMdsSigner, testMdsTrustAnchors, type TestMdsSigner } from '../../mds/testBlob.ts';
import { verifyMdsBlob } from '../../mds/verifyMdsBlob.ts';
import { MdsStore } from '../../mds/MdsStore.ts';

// MDS3 §3.1.1 MetadataBLOBPayloadEntry: what makes an entry unusable, and what a rejected entry still names.
const AAGUID = '4d0d5e55-7a11-4c0d-9e55-0123456789ab';
const KID = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const ok = { aaguid: AAGUID, statusReports: [{ status: 'FIDO_CERTIFIED_L1' }], timeOfLastStatusChange: '2024-01-01' };

describe('entryProblem (MDS3 §3.1.1 required members, identifier formats)', () => {
  it.each<[string, unknown, string | undefined]>([
    ['a complete entry', ok, undefined],
    ['an aaid-only entry (UAF)', { ...ok, aaguid: undefined, aaid: '4e4e#4005' }, undefined],
    ['a key-identifier entry in upper case (U2F)', { ...ok, aaguid: undefined, attestationCertificateKeyIdentifiers: [KID.toUpperCase()] }, undefined],
    ['an AAGUID in upper case', { ...ok, aaguid: AAGUID.toUpperCase() }, undefined],
    ['a statement with description and roots', { ...ok, metadataStatement: { description: 'x', attestationRootCertificates: [] } }, undefined],
    ['null', null, 'entry is not an object'],
    ['an array', [ok], 'entry is not an object'],
    ['a string', 'entry', 'entry is not an object'],
    ['no statusReports', { ...ok, statusReports: undefined }, 'statusReports missing or not an array'],
    ['statusReports an object', { ...ok, statusReports: { status: 'REVOKED' } }, 'statusReports missing or not an array'],
    ['a null report', { ...ok, statusReports: [{ status: 'FIDO_CERTIFIED' }, null] }, 'statusReports[1].status missing or not a string'],
    ['a report without status', { ...ok, statusReports: [{ status: 'FIDO_CERTIFIED' }, {}] }, 'statusReports[1].status missing or not a string'],
    ['a numeric status', { ...ok, statusReports: [{ status: 3 }] }, 'statusReports[0].status missing or not a string'],
    ['a string report', { ...ok, statusReports: ['REVOKED'] }, 'statusReports[0].status missing or not a string'],
    ['no timeOfLastStatusChange', { ...ok, timeOfLastStatusChange: undefined }, 'timeOfLastStatusChange missing or not a string'],
    ['a numeric timeOfLastStatusChange', { ...ok, timeOfLastStatusChange: 20240101 }, 'timeOfLastStatusChange missing or not a string'],
    ['an AAGUID without hyphens', { ...ok, aaguid: AAGUID.replace(/-/g, '') }, `aaguid "${AAGUID.replace(/-/g, '')}" is not a UUID string`],
    ['an AAGUID with a character too many', { ...ok, aaguid: AAGUID + '0' }, `aaguid "${AAGUID}0" is not a UUID string`],
    ['an AAGUID with a leading character', { ...ok, aaguid: 'x' + AAGUID }, `aaguid "x${AAGUID}" is not a UUID string`],
    ['a numeric AAGUID', { ...ok, aaguid: 5 }, 'aaguid 5 is not a UUID string'],
    ['an AAGUID in an array (its text would match)', { ...ok, aaguid: [AAGUID] }, `aaguid ["${AAGUID}"] is not a UUID string`],
    ['a key identifier in an array (its text would match)', { ...ok, attestationCertificateKeyIdentifiers: [[KID]] }, `attestationCertificateKeyIdentifier ["${KID}"] is not 20 bytes of hex`],
    ['key identifiers not an array', { ...ok, attestationCertificateKeyIdentifiers: KID }, 'attestationCertificateKeyIdentifiers is not an array'],
    ['a short key identifier', { ...ok, attestationCertificateKeyIdentifiers: [KID, KID.slice(2)] }, `attestationCertificateKeyIdentifier "${KID.slice(2)}" is not 20 bytes of hex`],
    ['a long key identifier', { ...ok, attestationCertificateKeyIdentifiers: [KID + '00'] }, `attestationCertificateKeyIdentifier "${KID}00" is not 20 bytes of hex`],
    ['a key identifier with a leading character', { ...ok, attestationCertificateKeyIdentifiers: ['z' + KID] }, `attestationCertificateKeyIdentifier "z${KID}" is not 20 bytes of hex`],
    ['a numeric key identifier', { ...ok, attestationCertificateKeyIdentifiers: [7] }, 'attestationCertificateKeyIdentifier 7 is not 20 bytes of hex'],
    ['no identifier at all', { ...ok, aaguid: undefined }, 'entry has none of aaguid, aaid, attestationCertificateKeyIdentifiers'],
    ['a statement that is text', { ...ok, metadataStatement: 'text' }, 'metadataStatement is not an object'],
    ['a statement that is null', { ...ok, metadataStatement: null }, 'metadataStatement is not an object'],
    ['a statement that is an array', { ...ok, metadataStatement: [] }, 'metadataStatement is not an object'],
    ['a numeric description', { ...ok, metadataStatement: { description: 1 } }, 'metadataStatement.description is not a string'],
    ['roots not an array', { ...ok, metadataStatement: { attestationRootCertificates: 'MIIB' } }, 'metadataStatement.attestationRootCertificates is not an array'],
  ])('%s', (_name, entry, reason) => {
    expect(entryProblem(entry)).toBe(reason);
  });
});

describe('a rejected entry withholds the identifiers it names (MdsStore, fail closed)', () => {
  let signer: TestMdsSigner;
  beforeAll(async () => {
    signer = await createTestMdsSigner();
  });
  const load = async (entries: unknown[]) => {
    const jws = await createTestMdsBlob(signer, { entries: [], payload: { no: 1, nextUpdate: '2049-01-01', entries } });
    return verifyMdsBlob(jws, { roots: testMdsTrustAnchors(signer), at: new Date('2026-01-01T00:00:00Z') });
  };

  it('reads the AAGUID in any spelling and the 40-digit key identifiers, trimmed and lowercased', async () => {
    const v = await load([
      { aaguid: ` {${AAGUID.replace(/-/g, '').toUpperCase()}} `, statusReports: 'none' },
      { attestationCertificateKeyIdentifiers: [` ${KID.toUpperCase()} `, 'short', 9, KID.slice(1)], timeOfLastStatusChange: 1, statusReports: [] },
      { aaguid: 'not a uuid', attestationCertificateKeyIdentifiers: 'text' },
      // 33 and 41 hex digits: no identifier at all, neither its first nor its last digits
      { aaguid: '0' + AAGUID.replace(/-/g, ''), attestationCertificateKeyIdentifiers: [KID + '0', '0' + KID], statusReports: {} },
      7,
    ]);
    expect(v.entries).toEqual([]);
    expect(v.rejectedEntries).toEqual([
      { index: 0, reason: 'statusReports missing or not an array', aaguid: AAGUID },
      { index: 1, reason: 'timeOfLastStatusChange missing or not a string', keyIdentifiers: [KID] },
      { index: 2, reason: 'statusReports missing or not an array' },
      { index: 3, reason: 'statusReports missing or not an array' },
      { index: 4, reason: 'entry is not an object' },
    ]);
    expect(v.warnings.filter((w) => w.code === 'MDS_ENTRY_REJECTED').map((w) => w.message)).toEqual([
      'entries[0] left out: statusReports missing or not an array',
      'entries[1] left out: timeOfLastStatusChange missing or not a string',
      'entries[2] left out: statusReports missing or not an array',
      'entries[3] left out: statusReports missing or not an array',
      'entries[4] left out: entry is not an object',
    ]);
  });

  it('the store answers nothing for a withheld identifier, says why, and still answers the others', async () => {
    const OTHER = '0a0b0c0d-1111-2222-3333-444455556666';
    const v = await load([
      { ...ok },
      { ...ok, aaguid: OTHER },
      { ...ok, aaguid: undefined, attestationCertificateKeyIdentifiers: [KID] },
      { aaguid: AAGUID.toUpperCase(), attestationCertificateKeyIdentifiers: [KID.toUpperCase()], statusReports: [{ status: 'REVOKED' }] },
    ]);
    const store = new MdsStore(v);
    expect(store.byAaguid(AAGUID)).toBeUndefined();
    expect(store.byKeyIdentifier(KID)).toBeUndefined();
    expect(store.byAaguid(OTHER)?.aaguid).toBe(OTHER);
    expect(store.size).toBe(3);
    expect(store.withheldReason(AAGUID.toUpperCase())).toBe('an MDS entry names it but could not be read: its status is unknown');
    expect(store.withheldReason(AAGUID.replace(/-/g, ''))).toBe('an MDS entry names it but could not be read: its status is unknown');
    expect(store.withheldReason(KID.toUpperCase())).toBe('an MDS entry names it but could not be read: its status is unknown');
    expect(store.withheldReason(OTHER)).toBeUndefined();
    expect(store.withheldReason('not an identifier')).toBeUndefined();
    expect(store.warnings.filter((w) => w.code !== 'MDS_CRL_UNAVAILABLE').map((w) => w.message)).toEqual([
      'entries[3] left out: timeOfLastStatusChange missing or not a string',
      `AAGUID ${AAGUID} is not looked up: entries[3] names it but could not be read (timeOfLastStatusChange missing or not a string), so its status is unknown`,
      `attestationCertificateKeyIdentifier ${KID} is not looked up: entries[3] names it but could not be read (timeOfLastStatusChange missing or not a string), so its status is unknown`,
    ]);
    expect(store.warnings.map((w) => w.code)).toEqual(['MDS_CRL_UNAVAILABLE', 'MDS_ENTRY_REJECTED', 'MDS_ENTRY_REJECTED', 'MDS_ENTRY_REJECTED']);
  });

  it('a rejected entry naming only an AAGUID withholds only that AAGUID', async () => {
    const store = new MdsStore(await load([{ ...ok, aaguid: undefined, attestationCertificateKeyIdentifiers: [KID] }, { aaguid: AAGUID, statusReports: 'x' }]));
    expect(store.warnings.filter((w) => w.code === 'MDS_ENTRY_REJECTED').map((w) => w.message)).toEqual([
      'entries[1] left out: statusReports missing or not an array',
      `AAGUID ${AAGUID} is not looked up: entries[1] names it but could not be read (statusReports missing or not an array), so its status is unknown`,
    ]);
    expect(store.byKeyIdentifier(KID)).toBeDefined();
  });

  it('duplicates are judged together, in the first entry’s statement, for AAGUIDs and key identifiers alike', async () => {
    const v = await load([
      { ...ok, metadataStatement: { description: 'first' }, attestationCertificateKeyIdentifiers: [KID] },
      { ...ok, metadataStatement: { description: 'second' }, statusReports: [{ status: 'REVOKED' }], attestationCertificateKeyIdentifiers: [KID.toUpperCase()] },
    ]);
    const store = new MdsStore(v);
    const byAaguid = store.byAaguid(AAGUID)!;
    expect(byAaguid.metadataStatement?.description).toBe('first');
    expect(byAaguid.statusReports.map((r) => r.status)).toEqual(['FIDO_CERTIFIED_L1', 'REVOKED']);
    const byKid = store.byKeyIdentifier(Uint8Array.from(Buffer.from(KID, 'hex')))!;
    expect(byKid.metadataStatement?.description).toBe('first');
    expect(byKid.statusReports.map((r) => r.status)).toEqual(['FIDO_CERTIFIED_L1', 'REVOKED']);
    expect(store.warnings.slice(1)).toEqual([
      { code: 'MDS_DUPLICATE_ENTRY', message: `AAGUID ${AAGUID} appears in more than one entry: the first entry's statement is used and the status reports of all are judged together (the worst status wins)` },
      { code: 'MDS_DUPLICATE_ENTRY', message: `attestationCertificateKeyIdentifier ${KID} appears in more than one entry: the first entry's statement is used and the status reports of all are judged together (the worst status wins)` },
    ]);
    // the verified BLOB itself is not changed by indexing
    expect(v.entries[0]!.statusReports).toHaveLength(1);
    expect(v.warnings).toEqual([{ code: 'MDS_CRL_UNAVAILABLE', message: expect.any(String) as string }]);
  });

  it('the store keeps what the verified BLOB says about itself', async () => {
    const jws = await createTestMdsBlob(signer, { no: 12, nextUpdate: '2049-03-01', legalHeader: 'legal words', entries: [] });
    const v = await verifyMdsBlob(jws, { roots: testMdsTrustAnchors(signer), at: new Date('2026-01-01T00:00:00Z') });
    const store = new MdsStore(v);
    expect(store).toMatchObject({ no: 12, nextUpdate: '2049-03-01', legalHeader: 'legal words', alg: 'ES256', rootSubject: signer.root.cert.subject, verifiedAt: new Date('2026-01-01T00:00:00Z') });
    expect(store.path.map((c) => c.subject)).toEqual([signer.signer.cert.subject, signer.root.cert.subject]);
    expect(store.size).toBe(0);
    expect(store.warnings).toEqual(v.warnings);
    expect(store.warnings).not.toBe(v.warnings);
    expect(store.rejectedEntries).toEqual([]);
    expect(store.byAaguid(new Uint8Array(3))).toBeUndefined();
  });
});
