/** Per-call options handed down to the channel. */
export interface CtapCallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  onKeepalive?: (status: number) => void;
}

/**
 * What the CTAP layer needs from below: a CTAP2 message in (command byte + CBOR), the response out
 * (status byte + CBOR). CtaphidChannel is one (CTAPHID_CBOR / CTAPHID_MSG over a transport);
 * DirectAuthenticatorChannel is the other (straight into an in-process authenticator, no CTAPHID).
 */
export interface CtapChannel {
  /** Returns the whole response: status byte then payload. */
  cbor(command: number, data: Uint8Array, options?: CtapCallOptions): Promise<Uint8Array>;
  /** CTAP1/U2F APDU exchange; absent where the channel cannot carry U2F. */
  msg?(apdu: Uint8Array, options?: CtapCallOptions): Promise<Uint8Array>;
  /** the largest response accepted; the CTAP layer sets it from getInfo's maxMsgSize */
  maxResponseSize?: number;
}
