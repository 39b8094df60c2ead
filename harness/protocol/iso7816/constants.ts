/**
 * ISO 7816-4 and CTAP 2.1 §11.3 (NFC) constants: the FIDO applet, the NFCCTAP instructions and the status
 * words a FIDO applet answers with.
 */

/** The FIDO AID (CTAP 2.1 §11.3.3; FIDO U2F NFC protocol §5): RID A000000647, AC 2F, AX 0001. */
export const FIDO_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x06, 0x47, 0x2f, 0x00, 0x01);

/** The version strings answered to SELECT (CTAP 2.1 §11.3.3): "U2F_V2" when CTAP1 is supported, else "FIDO_2_0". */
export const NFC_VERSION_U2F = 'U2F_V2';
export const NFC_VERSION_FIDO2 = 'FIDO_2_0';

/** Class bytes: interindustry (ISO 7816-4 §5.4.1), proprietary for NFCCTAP (CTAP 2.1 §11.3.4). */
export const Iso7816Cla = {
  INTERINDUSTRY: 0x00,
  NFCCTAP: 0x80,
  /** bit 5 (0x10): command chaining, "not the last command of a chain" (ISO 7816-4 §5.4.1) */
  CHAINING: 0x10,
} as const;

export const Iso7816Ins = {
  /** SELECT (ISO 7816-4 §7.1.1); P1 0x04 = select by DF name (AID), P2 0x00 = first occurrence, FCI */
  SELECT: 0xa4,
  /** GET RESPONSE (ISO 7816-4 §7.6.1), after SW 61XX */
  GET_RESPONSE: 0xc0,
  /** NFCCTAP_MSG (CTAP 2.1 §11.3.6.1): a CTAP2 message (command byte + CBOR) */
  NFCCTAP_MSG: 0x10,
  /** NFCCTAP_GETRESPONSE (CTAP 2.1 §11.3.6.2): poll a command answered with 9100 */
  NFCCTAP_GETRESPONSE: 0x11,
} as const;

/** NFCCTAP_MSG P1 (CTAP 2.1 §11.3.6.1): 0x80 = the client supports NFCCTAP_GETRESPONSE. */
export const NFCCTAP_P1_GETRESPONSE = 0x80;
/** SELECT P1 "select by DF name" (ISO 7816-4 §7.1.1, table 39). */
export const SELECT_BY_NAME = 0x04;

/** Status words (ISO 7816-4 §5.1.3; 9100 is CTAP 2.1 §11.3.6.2's status update). */
export const Sw = {
  SUCCESS: 0x9000,
  /** CTAP 2.1 §11.3.6: the command continues; the data is a status update (1 PROCESSING, 2 UPNEEDED) */
  STATUS_UPDATE: 0x9100,
  /** 61XX: XX more bytes are available with GET RESPONSE (00 = 256 or more) */
  BYTES_REMAINING: 0x6100,
  WRONG_LENGTH: 0x6700,
  /** 6883: the last command of a chain was expected */
  LAST_COMMAND_EXPECTED: 0x6883,
  /** 6884: command chaining not supported */
  CHAINING_NOT_SUPPORTED: 0x6884,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  WRONG_DATA: 0x6a80,
  /** 6A82: file or application not found (SELECT of an AID the card does not have) */
  FILE_NOT_FOUND: 0x6a82,
  /** 6A86: incorrect parameters P1-P2 */
  INCORRECT_P1P2: 0x6a86,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  NO_PRECISE_DIAGNOSIS: 0x6f00,
} as const;

const SW_NAMES = new Map<number, string>(Object.entries(Sw).map(([k, v]) => [v, k]));

/** "0x6A82 FILE_NOT_FOUND", "0x6110 BYTES_REMAINING (16)" */
export function formatSw(sw: number): string {
  const hex = `0x${sw.toString(16).toUpperCase().padStart(4, '0')}`;
  if ((sw & 0xff00) === Sw.BYTES_REMAINING) return `${hex} BYTES_REMAINING (${sw & 0xff || 256})`;
  const name = SW_NAMES.get(sw);
  return name ? `${hex} ${name}` : hex;
}
