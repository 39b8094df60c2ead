// FIDO Metadata Service (MDS3) and attestation trust. Imports harness/protocol only (docs/architecture.md).
// No module-global state: stores, roots and the verification time are always passed in.
export * from './MdsError.ts';
export * from './MdsTypes.ts';
export * from './aaguid.ts';
export * from './certificates.ts';
export * from './bundledRoots.ts';
export * from './ChainCertificate.ts';
export * from './validateChain.ts';
export * from './verifyMdsBlob.ts';
export * from './MdsStore.ts';
export * from './MdsCache.ts';
export * from './fetchMdsBlob.ts';
export * from './evaluateStatus.ts';
export * from './compareGetInfo.ts';
export * from './testCertificates.ts';
export * from './testBlob.ts';
export * from './attestation/AttestationProblem.ts';
export * from './attestation/verifyAttestation.ts';
export * from './attestation/attestationResultToJson.ts';
export { certificateAaguid, certificateKeyIdentifier, OID_FIDO_AAGUID } from './attestation/certificateFields.ts';
export type { AttestationType } from './attestation/formats/FormatContext.ts';
