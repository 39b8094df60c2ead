import { formatSw } from '../protocol/index.ts';

export type NfcErrorCode =
  | 'NFC_SELECT_FAILED' // SELECT of the FIDO AID was not answered 9000 (CTAP 2.1 §11.3.3)
  | 'NFC_STATUS' // a command ended with a status word other than 9000 (ISO 7816-4 §5.1.3)
  | 'NFC_MALFORMED_RESPONSE' // a response APDU without SW1 SW2, or a status update without its byte
  | 'NFC_RESPONSE_TOO_LARGE' // response chaining went past the largest answer accepted
  | 'NFC_TIMEOUT' // the command was not answered within the transaction's time
  | 'NFC_CANCELLED'; // the caller aborted while the card was still working (status updates)

/** Why an NFC (ISO 7816-4) exchange failed; `sw` is the status word when the card gave one. */
export class NfcError extends Error {
  override readonly name = 'NfcError';
  constructor(
    readonly code: NfcErrorCode,
    message: string,
    readonly sw?: number,
  ) {
    super(`${code}: ${message}${sw !== undefined ? ` (${formatSw(sw)})` : ''}`);
  }
}
