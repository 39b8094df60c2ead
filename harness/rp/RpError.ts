/**
 * Every refusal the relying party makes. `code` is stable (tests and reports key on it); `status` is the
 * HTTP status, always 4xx: bad input is the client's fault, never a server error.
 */
export type RpErrorCode =
  | 'BODY_NOT_JSON'
  | 'BODY_TOO_LARGE'
  | 'BODY_INVALID'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'CEREMONY_UNKNOWN'
  | 'CEREMONY_EXPIRED'
  | 'CEREMONY_WRONG_KIND'
  | 'CEREMONY_SESSION_MISMATCH'
  | 'CLIENT_DATA_MALFORMED'
  | 'CLIENT_DATA_TYPE'
  | 'CHALLENGE_MISMATCH'
  | 'ORIGIN_MISMATCH'
  | 'ATTESTATION_OBJECT_MALFORMED'
  | 'AUTHENTICATOR_DATA_MALFORMED'
  | 'RPID_HASH_MISMATCH'
  | 'USER_PRESENCE_MISSING'
  | 'USER_VERIFICATION_MISSING'
  | 'CREDENTIAL_ID_MISMATCH'
  | 'CREDENTIAL_EXISTS'
  | 'CREDENTIAL_UNKNOWN'
  | 'CREDENTIAL_NOT_ALLOWED'
  | 'USER_HANDLE_MISMATCH'
  | 'USER_UNKNOWN'
  | 'COUNTER_REGRESSION'
  | 'BACKUP_ELIGIBILITY_CHANGED'
  | 'ALGORITHM_NOT_ALLOWED'
  | 'VERIFICATION_FAILED'
  | 'LIMIT_REACHED'
  | 'NOT_FOUND'
  | 'SIMULATOR_REFUSED'
  | 'HOST_NOT_ALLOWED'
  | 'ORIGIN_NOT_ALLOWED'
  | 'NOT_SIGNED_IN'
  | 'PUBLIC_KEY_TOO_LARGE'
  | 'STORAGE_FULL'
  | 'REPORT_UNREADABLE';

export class RpError extends Error {
  override readonly name = 'RpError';
  constructor(
    readonly code: RpErrorCode,
    message: string,
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 421 | 422 | 429 = 400,
  ) {
    super(message);
  }
}
