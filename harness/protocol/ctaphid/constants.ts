/** CTAPHID constants, CTAP 2.1 §11.2 (USB Human Interface Device) */
export const HID_REPORT_SIZE = 64;
/** init packet: CID(4) CMD(1) BCNTH(1) BCNTL(1) DATA(57) — §11.2.4 */
export const INIT_DATA_SIZE = HID_REPORT_SIZE - 7;
/** continuation packet: CID(4) SEQ(1) DATA(59) — §11.2.4 */
export const CONT_DATA_SIZE = HID_REPORT_SIZE - 5;
/** SEQ runs 0..0x7F, so a message is at most 57 + 128 × 59 = 7609 bytes (§11.2.4) */
export const MAX_MESSAGE_SIZE = INIT_DATA_SIZE + 128 * CONT_DATA_SIZE;
export const BROADCAST_CID = 0xffffffff;
/** the bit that marks an initialization packet's CMD byte (§11.2.4) */
export const TYPE_INIT = 0x80;
/** FIDO usage page and usage of the CTAPHID interface (§11.2.8.1) */
export const FIDO_USAGE_PAGE = 0xf1d0;
export const FIDO_USAGE_CTAPHID = 0x01;
/** CTAPHID protocol version reported by INIT (§11.2.9.1.3) */
export const CTAPHID_PROTOCOL_VERSION = 2;

/** CTAPHID commands without the TYPE_INIT bit, §11.2.9 */
export const CtaphidCommand = {
  PING: 0x01,
  MSG: 0x03,
  LOCK: 0x04,
  INIT: 0x06,
  WINK: 0x08,
  CBOR: 0x10,
  CANCEL: 0x11,
  KEEPALIVE: 0x3b,
  ERROR: 0x3f,
} as const;

/** CTAPHID_ERROR codes, §11.2.9.1.6 */
export const CtaphidErrorCode = {
  ERR_INVALID_CMD: 0x01,
  ERR_INVALID_PAR: 0x02,
  ERR_INVALID_LEN: 0x03,
  ERR_INVALID_SEQ: 0x04,
  ERR_MSG_TIMEOUT: 0x05,
  ERR_CHANNEL_BUSY: 0x06,
  ERR_LOCK_REQUIRED: 0x0a,
  ERR_INVALID_CHANNEL: 0x0b,
  ERR_OTHER: 0x7f,
} as const;

/** INIT response capability flags, §11.2.9.1.3 */
export const CtaphidCapability = {
  WINK: 0x01,
  CBOR: 0x04,
  NMSG: 0x08,
} as const;

/** KEEPALIVE status bytes, §11.2.9.2.1 */
export const KeepaliveStatus = {
  PROCESSING: 1,
  UPNEEDED: 2,
} as const;

const commandNames = new Map<number, string>(Object.entries(CtaphidCommand).map(([k, v]) => [v, k]));
const errorNames = new Map<number, string>(Object.entries(CtaphidErrorCode).map(([k, v]) => [v, k]));

export function ctaphidCommandName(cmd: number): string {
  return `CTAPHID_${commandNames.get(cmd & 0x7f) ?? `0x${cmd.toString(16)}`}`;
}
export function ctaphidErrorName(code: number): string {
  return errorNames.get(code) ?? `ERR_0x${code.toString(16).padStart(2, '0')}`;
}
