// CTAP over ISO 7816-4 (CTAP 2.1 §11.3 NFC): the channel the CTAP layer uses for cards on PC/SC readers.
export { NfcChannel, type NfcCallOptions, type NfcChannelOptions, type NfcExchange } from './NfcChannel.ts';
export { NfcError, type NfcErrorCode } from './NfcError.ts';
