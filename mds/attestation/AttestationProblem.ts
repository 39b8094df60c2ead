/**
 * Stable codes for attestation findings. `fail`: something is wrong (bad signature, certificate breaks a
 * WebAuthn requirement, undesired MDS status); `warn`: trust could not be established or advice.
 * Chain findings keep the chain validator's MDS_* codes (MDS_CHAIN_UNTRUSTED, MDS_CERT_EXPIRED…).
 */
export type AttestationProblemCode =
  | 'ATT_MALFORMED' // attestation object / statement / response does not parse or lacks members
  | 'ATT_FORMAT_UNSUPPORTED' // fmt not one of the WebAuthn L3 §8 formats handled here
  | 'ATT_ALG_UNSUPPORTED' // COSE alg not supported, or self attestation alg differs from the credential key's
  | 'ATT_ALG_MISMATCH' // attStmt alg does not fit the key type / curve that signed (WebAuthn L3 §8.2 step 2)
  | 'ATT_USER_PRESENCE' // authData UP flag clear (WebAuthn L3 §7.1 step 14)
  | 'ATT_FLAGS' // authData flags in a combination that cannot be (BS without BE, WebAuthn L3 §6.1.3)
  | 'ATT_X5C_CHAIN' // x5c is not the leaf followed by its chain (order, unrelated or non-CA certificates: fail), or, with no anchor to validate against, out of validity (warn) (WebAuthn L3 §8.2)
  | 'ATT_METADATA_NOT_BACKING' // chain valid only to an operator root: the metadata entry's roots do not back the model claim
  | 'ATT_SIGNATURE_INVALID' // attestation signature does not verify
  | 'ATT_NO_CLIENT_DATA' // no clientDataJSON / clientDataHash: signature could not be checked
  | 'ATT_PUBKEY_MISMATCH' // certificate key differs from the credential public key (apple, android-key, tpm)
  | 'ATT_NONCE_MISMATCH' // apple nonce / android challenge / safetynet nonce / tpm extraData wrong
  | 'ATT_CERT_REQUIREMENTS' // §8.2.1 / §8.3.1 / §8.5 certificate requirements not met
  | 'ATT_AAGUID_MISMATCH' // id-fido-gen-ce-aaguid extension differs from authData AAGUID
  | 'ATT_ANDROID_AUTHORIZATION' // android-key authorization lists fail §8.4 checks
  | 'ATT_TPM_STRUCTURE' // TPMS_ATTEST / TPMT_PUBLIC contents wrong
  | 'ATT_SAFETYNET_RESPONSE' // safetynet JWS payload fails §8.5 checks
  | 'ATT_SELF_ATTESTATION' // self attestation: no chain, cannot be trusted
  | 'ATT_NO_ATTESTATION' // "none": nothing to trust
  | 'ATT_ZERO_AAGUID' // authData AAGUID all zero (no metadata lookup possible by AAGUID)
  | 'ATT_NO_METADATA' // no MDS entry for the AAGUID / key identifier
  | 'ATT_NO_TRUST_ANCHOR' // neither metadata roots nor given roots to chain to
  | 'ATT_TYPE_NOT_IN_METADATA' // attestation type not in the statement's attestationTypes
  | 'ATT_STATUS' // an MDS status finding (REVOKED… fail, UPDATE_AVAILABLE warn)
  | 'ATT_CLIENT_DATA' // clientDataJSON type/origin wrong
  | 'ATT_RP_ID_MISMATCH'; // authData rpIdHash is not SHA-256(rpId)

export interface AttestationProblem {
  code: AttestationProblemCode | string;
  severity: 'fail' | 'warn';
  message: string;
}

/**
 * Codes that say the attestation statement itself is false or unusable (WebAuthn L3 §7.1 steps 14 and 21:
 * the format's verification procedure failed), as opposed to findings that only leave it untrusted
 * (no metadata, no anchor, chain, MDS status). A relying party refuses a registration for these.
 */
export const STATEMENT_PROBLEM_CODES: readonly string[] = [
  'ATT_MALFORMED',
  'ATT_FORMAT_UNSUPPORTED',
  'ATT_ALG_UNSUPPORTED',
  'ATT_ALG_MISMATCH',
  'ATT_SIGNATURE_INVALID',
  'ATT_PUBKEY_MISMATCH',
  'ATT_NONCE_MISMATCH',
  'ATT_CERT_REQUIREMENTS',
  'ATT_AAGUID_MISMATCH',
  'ATT_ANDROID_AUTHORIZATION',
  'ATT_TPM_STRUCTURE',
  'ATT_SAFETYNET_RESPONSE',
  'ATT_USER_PRESENCE',
  'ATT_FLAGS',
  'ATT_CLIENT_DATA',
  'ATT_RP_ID_MISMATCH',
];

export function statementProblems(problems: readonly AttestationProblem[]): AttestationProblem[] {
  return problems.filter((p) => p.severity === 'fail' && STATEMENT_PROBLEM_CODES.includes(p.code));
}
