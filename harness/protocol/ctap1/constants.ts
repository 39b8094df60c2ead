/** CTAP1/U2F raw message constants (FIDO U2F Raw Message Formats v1.2, §3–§5; CTAP 2.1 §11.2.9.1.1). */
export const U2F_CLA = 0x00;

export const U2fInstruction = {
  U2F_REGISTER: 0x01,
  U2F_AUTHENTICATE: 0x02,
  U2F_VERSION: 0x03,
} as const;

/** AUTHENTICATE control byte (P1), U2F raw message formats §5.1 */
export const U2fControl = {
  CHECK_ONLY: 0x07,
  ENFORCE_USER_PRESENCE_AND_SIGN: 0x03,
  DONT_ENFORCE_USER_PRESENCE_AND_SIGN: 0x08,
} as const;

/** ISO 7816 status words used by U2F, raw message formats §3.3 */
export const U2fStatusWord = {
  SW_NO_ERROR: 0x9000,
  SW_CONDITIONS_NOT_SATISFIED: 0x6985,
  SW_WRONG_DATA: 0x6a80,
  SW_WRONG_LENGTH: 0x6700,
  SW_INS_NOT_SUPPORTED: 0x6d00,
  SW_CLA_NOT_SUPPORTED: 0x6e00,
} as const;

/** REGISTER response reserved byte (raw message formats §4.3) */
export const U2F_REGISTER_RESERVED = 0x05;
/** uncompressed P-256 point marker */
export const U2F_POINT_UNCOMPRESSED = 0x04;
