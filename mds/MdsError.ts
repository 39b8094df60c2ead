/**
 * Stable codes for everything that can go wrong in mds/. Reports and tests key on `code`, never on the
 * message. Codes ending a BLOB's use are errors (thrown); the rest are findings (warnings) carried in results.
 */
export type MdsErrorCode =
  | 'MDS_MALFORMED' // not a compact JWS, bad base64url/JSON, payload shape wrong
  | 'MDS_TOO_LARGE' // over the size limit
  | 'MDS_TOO_DEEP' // JSON nesting over the depth limit
  | 'MDS_ALG_UNSUPPORTED' // JWS alg not one MDS3 allows
  | 'MDS_SIGNATURE_INVALID' // JWS signature does not verify with the x5c leaf
  | 'MDS_CERT_MALFORMED' // an x5c entry or root is not a certificate
  | 'MDS_CHAIN_UNTRUSTED' // no path from the leaf to a trusted root
  | 'MDS_CHAIN_INVALID' // a certificate's signature or CA flag is wrong on the path
  | 'MDS_DUPLICATE_CERT' // the same certificate twice in x5c
  | 'MDS_CERT_EXPIRED' // a certificate on the path is past notAfter at the verification time
  | 'MDS_CERT_NOT_YET_VALID' // a certificate on the path is before notBefore at the verification time
  | 'MDS_CERT_REVOKED' // listed on a CRL that was supplied
  | 'MDS_SERIAL_NOT_NEWER' // cache: a BLOB whose `no` is lower than the cached one
  | 'MDS_NETWORK_UNAVAILABLE' // fetch: no network / DNS / connection refused
  | 'MDS_FETCH_FAILED' // fetch: HTTP error or timeout
  | 'MDS_CACHE_EMPTY' // no cached BLOB
  | 'MDS_NOT_FOUND' // lookup: no entry for the AAGUID / key identifier
  | 'MDS_USAGE'; // CLI usage

export type MdsWarningCode =
  | 'MDS_NEXT_UPDATE_PASSED' // payload nextUpdate is before the verification time
  | 'MDS_CRL_UNAVAILABLE' // no CRL supplied for an issuer on the path: revocation not checked
  | 'MDS_ENTRY_REJECTED' // one entry of a verified BLOB lacks required members and is left out
  | 'MDS_DUPLICATE_ENTRY'; // two entries for the same AAGUID / key identifier: judged together, worst status wins

export interface MdsFinding {
  code: MdsErrorCode | MdsWarningCode;
  message: string;
}

export class MdsError extends Error {
  override readonly name = 'MdsError';
  constructor(
    readonly code: MdsErrorCode,
    message: string,
    /** every problem found when more than one led to the refusal (chain validation) */
    readonly problems: MdsFinding[] = [],
  ) {
    super(message);
  }
}
