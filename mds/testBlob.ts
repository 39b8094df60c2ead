import 'reflect-metadata';
import { CompactSign } from 'jose';
import type { X509Certificate } from '@peculiar/x509';
import type { AuthenticatorInfo } from '../harness/protocol/index.ts';
import type { MetadataBlobPayload, MetadataBlobPayloadEntry, MetadataStatement, StatusReport } from './MdsTypes.ts';
import { aaguidToString } from './aaguid.ts';
import { toCertificate } from './certificates.ts';
import { createTestCertificate, type TestCertifiedKey } from './testCertificates.ts';

/** The test MDS's signing hierarchy: a self-signed root (the trust anchor) and the BLOB signer it issued. */
export interface TestMdsSigner {
  root: TestCertifiedKey;
  signer: TestCertifiedKey;
  /** extra certificates placed in x5c after the signer (intermediates, cross certificates) */
  intermediates: X509Certificate[];
}

export interface CreateTestMdsSignerOptions {
  /** default 2020-01-01 */
  notBefore?: Date;
  /** default 2049-12-31 */
  notAfter?: Date;
  /** subject suffix to tell test roots apart, default "fido-harness test MDS" */
  name?: string;
}

/**
 * A fresh test root and BLOB signer (ES256). Names, serials and dates are fixed so that the certificates
 * differ between calls only in keys and signatures. Two certificate generations: ~5 ms.
 */
export async function createTestMdsSigner(options: CreateTestMdsSignerOptions = {}): Promise<TestMdsSigner> {
  const notBefore = options.notBefore ?? new Date('2020-01-01T00:00:00Z');
  const notAfter = options.notAfter ?? new Date('2049-12-31T23:59:59Z');
  const name = options.name ?? 'fido-harness test MDS';
  const root = await createTestCertificate({ subject: `CN=${name} Root, O=fido-harness TEST`, serialNumber: '01', notBefore, notAfter, ca: true });
  const signer = await createTestCertificate({
    subject: `CN=${name} BLOB Signer, O=fido-harness TEST`,
    issuer: root,
    serialNumber: '02',
    notBefore,
    notAfter,
    ca: false,
  });
  return { root, signer, intermediates: [] };
}

/** The trust anchors to verify BLOBs from this signer with (pass as `roots`). */
export function testMdsTrustAnchors(signer: TestMdsSigner): X509Certificate[] {
  return [signer.root.cert];
}

/** One authenticator to list. Only aaguid and description are required; the rest have test defaults. */
export interface TestMdsEntryInput {
  aaguid?: string;
  /** U2F authenticators are listed by key identifier instead (hex SHA-1 of the subjectPublicKey) */
  attestationCertificateKeyIdentifiers?: string[];
  description: string;
  /** PEM or base64 DER; stored as base64 DER as MDS does */
  attestationRootCertificates?: Array<string | X509Certificate>;
  /** a live getInfo (bytes AAGUID) or the statement's JSON form */
  authenticatorGetInfo?: AuthenticatorInfo | Record<string, unknown>;
  /** default: one FIDO_CERTIFIED_L1 report effective 2024-01-01 */
  statusReports?: StatusReport[];
  /** default ["basic_full"] */
  attestationTypes?: string[];
  /** extra or overriding statement members */
  metadataStatement?: Partial<MetadataStatement>;
  timeOfLastStatusChange?: string;
}

/**
 * A live AuthenticatorInfo in the JSON form of metadataStatement.authenticatorGetInfo (FIDO Metadata
 * Statement v3.0 §4 "authenticatorGetInfo": the getInfo members by name, aaguid as 32 hex digits).
 */
export function authenticatorInfoToStatementJson(info: AuthenticatorInfo | Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(info)) {
    if (v === undefined) continue;
    out[k] = v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v;
  }
  return out;
}

function certToBase64(c: string | X509Certificate): string {
  return Buffer.from(toCertificate(c, 'attestationRootCertificate').rawData).toString('base64');
}

export function buildTestMdsEntry(input: TestMdsEntryInput): MetadataBlobPayloadEntry {
  const aaguid = input.aaguid ? aaguidToString(input.aaguid) : undefined;
  const statusReports = input.statusReports ?? [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' }];
  const statement: MetadataStatement = {
    legalHeader: 'fido-harness test metadata: not for production use',
    ...(aaguid ? { aaguid } : {}),
    ...(input.attestationCertificateKeyIdentifiers ? { attestationCertificateKeyIdentifiers: input.attestationCertificateKeyIdentifiers } : {}),
    description: input.description,
    authenticatorVersion: 1,
    protocolFamily: aaguid ? 'fido2' : 'u2f',
    schema: 3,
    upv: aaguid ? [{ major: 1, minor: 1 }, { major: 1, minor: 0 }] : [{ major: 1, minor: 1 }],
    authenticationAlgorithms: ['secp256r1_ecdsa_sha256_raw'],
    publicKeyAlgAndEncodings: ['cose'],
    attestationTypes: input.attestationTypes ?? ['basic_full'],
    userVerificationDetails: [[{ userVerificationMethod: 'passcode_external' }], [{ userVerificationMethod: 'presence_internal' }]],
    keyProtection: ['hardware', 'secure_element'],
    matcherProtection: ['on_chip'],
    attachmentHint: ['external', 'wired'],
    tcDisplay: [],
    attestationRootCertificates: (input.attestationRootCertificates ?? []).map(certToBase64),
    ...(input.authenticatorGetInfo ? { authenticatorGetInfo: authenticatorInfoToStatementJson(input.authenticatorGetInfo) } : {}),
    ...input.metadataStatement,
  };
  return {
    ...(aaguid ? { aaguid } : {}),
    ...(input.attestationCertificateKeyIdentifiers ? { attestationCertificateKeyIdentifiers: input.attestationCertificateKeyIdentifiers } : {}),
    metadataStatement: statement,
    statusReports,
    timeOfLastStatusChange: input.timeOfLastStatusChange ?? statusReports[statusReports.length - 1]?.effectiveDate ?? '2024-01-01',
  };
}

export interface CreateTestMdsBlobOptions {
  entries: TestMdsEntryInput[];
  /** serial, default 1 */
  no?: number;
  /** default 2049-12-01 */
  nextUpdate?: string;
  legalHeader?: string;
  /** raw payload override for bad-input tests (signed as given) */
  payload?: unknown;
  /** raw payload text override (for payloads JSON.stringify cannot produce, e.g. very deep nesting) */
  payloadText?: string;
  /** JWS header alg (default ES256; the signer's key is P-256) */
  alg?: string;
  /** append the root to x5c too (some services do) */
  includeRoot?: boolean;
}

/**
 * Signs an MDS3 BLOB (compact JWS, ES256, x5c = signer [+ intermediates] [+ root]) listing the given
 * entries. Verify it with `verifyMdsBlob(jws, {roots: testMdsTrustAnchors(signer), at})`.
 */
export async function createTestMdsBlob(signer: TestMdsSigner, options: CreateTestMdsBlobOptions): Promise<string> {
  const payload: MetadataBlobPayload | unknown =
    options.payload ?? {
      legalHeader: options.legalHeader ?? 'fido-harness test metadata BLOB: signed by a test root, not by the FIDO Alliance',
      no: options.no ?? 1,
      nextUpdate: options.nextUpdate ?? '2049-12-01',
      entries: options.entries.map(buildTestMdsEntry),
    };
  const x5c = [signer.signer.cert, ...signer.intermediates, ...(options.includeRoot ? [signer.root.cert] : [])].map((c) =>
    Buffer.from(c.rawData).toString('base64'),
  );
  return new CompactSign(new TextEncoder().encode(options.payloadText ?? JSON.stringify(payload)))
    .setProtectedHeader({ alg: options.alg ?? 'ES256', typ: 'JWT', x5c })
    .sign(signer.signer.keys.privateKey);
}

/**
 * One call for `npm start` and the `mds-revoked` quirk: a fresh test signer, a signed BLOB listing
 * `entries`, and the trust anchors to verify it with. Pass the result's `jws` and `roots` to
 * loadMdsStore(jws, {roots, at}) (or write `jws` to a file and `rootPem` beside it for `--mds`/`--root`).
 */
export async function createTestMds(
  entries: TestMdsEntryInput[],
  options: Omit<CreateTestMdsBlobOptions, 'entries'> & CreateTestMdsSignerOptions = {},
): Promise<{ jws: string; roots: X509Certificate[]; rootPem: string; signer: TestMdsSigner }> {
  const signer = await createTestMdsSigner(options);
  const jws = await createTestMdsBlob(signer, { ...options, entries });
  return { jws, roots: testMdsTrustAnchors(signer), rootPem: signer.root.pem, signer };
}
