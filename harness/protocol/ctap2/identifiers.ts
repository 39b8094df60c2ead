/** getInfo `versions` strings, CTAP 2.1 §6.4 and CTAP 2.2 §6.4. */
export const CtapVersion = {
  U2F_V2: 'U2F_V2',
  FIDO_2_0: 'FIDO_2_0',
  FIDO_2_1_PRE: 'FIDO_2_1_PRE',
  FIDO_2_1: 'FIDO_2_1',
  FIDO_2_2: 'FIDO_2_2',
} as const;

/** getInfo `options` identifiers, CTAP 2.1 §6.4 (option IDs table). */
export const CtapOption = {
  plat: 'plat',
  rk: 'rk',
  clientPin: 'clientPin',
  up: 'up',
  uv: 'uv',
  pinUvAuthToken: 'pinUvAuthToken',
  noMcGaPermissionsWithClientPin: 'noMcGaPermissionsWithClientPin',
  largeBlobs: 'largeBlobs',
  ep: 'ep',
  bioEnroll: 'bioEnroll',
  userVerificationMgmtPreview: 'userVerificationMgmtPreview',
  uvBioEnroll: 'uvBioEnroll',
  authnrCfg: 'authnrCfg',
  uvAcfg: 'uvAcfg',
  credMgmt: 'credMgmt',
  credentialMgmtPreview: 'credentialMgmtPreview',
  setMinPINLength: 'setMinPINLength',
  makeCredUvNotRqd: 'makeCredUvNotRqd',
  alwaysUv: 'alwaysUv',
  /** CTAP 2.2 §6.4: credential management by the persistent pinUvAuthToken (pcmr), read-only */
  perCredMgmtRO: 'perCredMgmtRO',
} as const;

/** Extension identifiers, CTAP 2.1 §12 (defined extensions) and CTAP 2.2 §12. */
export const CtapExtension = {
  credProtect: 'credProtect',
  credBlob: 'credBlob',
  largeBlobKey: 'largeBlobKey',
  minPinLength: 'minPinLength',
  hmacSecret: 'hmac-secret',
  hmacSecretMc: 'hmac-secret-mc',
  thirdPartyPayment: 'thirdPartyPayment',
} as const;

/** credProtect levels, CTAP 2.1 §12.1 */
export const CredProtect = {
  userVerificationOptional: 0x01,
  userVerificationOptionalWithCredentialIDList: 0x02,
  userVerificationRequired: 0x03,
} as const;

/** pinUvAuthToken permissions, CTAP 2.1 §6.5.5.7 */
export const PinUvAuthPermission = {
  mc: 0x01,
  ga: 0x02,
  cm: 0x04,
  be: 0x08,
  lbw: 0x10,
  acfg: 0x20,
  /** CTAP 2.2: persistent credential management read-only */
  pcmr: 0x40,
} as const;

/** COSE algorithm identifiers used by CTAP (IANA COSE Algorithms registry). */
export const CoseAlgorithm = {
  ES256: -7,
  EdDSA: -8,
  ES384: -35,
  ES512: -36,
  PS256: -37,
  RS256: -257,
  RS1: -65535,
  /** ECDH-ES + HKDF-256, the PIN/UV key-agreement key's alg (CTAP 2.1 §6.5.6) */
  ECDH_ES_HKDF_256: -25,
} as const;

/** The public-key credential type, WebAuthn L3 §5.8.2 */
export const PUBLIC_KEY = 'public-key';
