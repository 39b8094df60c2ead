/**
 * The members of the MDS3 BLOB payload this project reads (FIDO Metadata Service v3.0, §3.1.1–3.1.6) and of
 * the metadata statement (FIDO Metadata Statement v3.0, §4). Members are typed loosely where the
 * statement is free-form; unknown members are kept as given.
 */
export interface StatusReport {
  status: string;
  effectiveDate?: string;
  authenticatorVersion?: number;
  /** base64 DER of a certificate the report concerns, e.g. the attestation root of a compromised set (MDS3 §3.1.3) */
  certificate?: string;
  /** base64 DER of the batch certificate the report concerns (MDS 3.1 StatusReport) */
  batchCertificate?: string;
  url?: string;
  certificationDescriptor?: string;
  certificateNumber?: string;
  certificationPolicyVersion?: string;
  certificationRequirementsVersion?: string;
  [member: string]: unknown;
}

export interface MetadataStatement {
  description?: string;
  aaguid?: string;
  aaid?: string;
  attestationCertificateKeyIdentifiers?: string[];
  authenticatorVersion?: number;
  protocolFamily?: string;
  schema?: number;
  upv?: { major: number; minor: number }[];
  authenticationAlgorithms?: string[];
  publicKeyAlgAndEncodings?: string[];
  attestationTypes?: string[];
  userVerificationDetails?: { userVerificationMethod: string; [k: string]: unknown }[][];
  keyProtection?: string[];
  attestationRootCertificates?: string[];
  authenticatorGetInfo?: Record<string, unknown>;
  [member: string]: unknown;
}

export interface MetadataBlobPayloadEntry {
  aaid?: string;
  aaguid?: string;
  attestationCertificateKeyIdentifiers?: string[];
  metadataStatement?: MetadataStatement;
  statusReports: StatusReport[];
  timeOfLastStatusChange: string;
  biometricStatusReports?: unknown[];
  rogueListURL?: string;
  rogueListHash?: string;
  [member: string]: unknown;
}

export interface MetadataBlobPayload {
  legalHeader?: string;
  no: number;
  nextUpdate: string;
  entries: MetadataBlobPayloadEntry[];
}
