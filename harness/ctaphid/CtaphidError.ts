import { ctaphidErrorName } from '../protocol/index.ts';

/**
 * What went wrong on the CTAPHID channel (CTAP 2.1 §11.2). `code` is stable; reports key on it.
 */
export type CtaphidErrorCode =
  | 'CTAPHID_TIMEOUT' // no answer (or no complete answer) within the command's timeout
  | 'CTAPHID_TRUNCATED' // the answer started but its continuation packets never came
  | 'CTAPHID_WRONG_CHANNEL' // only packets for other channel IDs arrived before the timeout
  | 'CTAPHID_INVALID_SEQ' // continuation packets out of order, or without an initialization packet
  | 'CTAPHID_UNEXPECTED_COMMAND' // the answer's command byte is not the request's (nor KEEPALIVE/ERROR)
  | 'CTAPHID_INVALID_LENGTH' // the answer declares more bytes than allowed (7609, or maxMsgSize)
  | 'CTAPHID_DEVICE_ERROR' // the device answered CTAPHID_ERROR (see `hidError`)
  | 'CTAPHID_NONCE_MISMATCH' // INIT answers came only with another nonce (§11.2.9.1.3)
  | 'CTAPHID_INIT_MALFORMED' // INIT answer too short, or allocating a reserved channel ID
  | 'CTAPHID_CANCELLED' // the caller aborted and the device did not answer the CANCEL in time
  | 'CTAPHID_MESSAGE_TOO_LARGE'; // a request beyond 7609 bytes cannot be framed

export class CtaphidError extends Error {
  override readonly name = 'CtaphidError';
  constructor(
    readonly code: CtaphidErrorCode,
    message: string,
    /** the CTAPHID_ERROR code the device sent (§11.2.9.1.6), for CTAPHID_DEVICE_ERROR */
    readonly hidError?: number,
  ) {
    super(`${code}: ${message}${hidError !== undefined ? ` (0x${hidError.toString(16).padStart(2, '0')} ${ctaphidErrorName(hidError)})` : ''}`);
  }
}
