/**
 * Why a packet transport could not do what was asked. `code` is stable (reports and the CLI key on it).
 */
export type TransportErrorCode =
  | 'TRANSPORT_TIMEOUT' // no report arrived within the time given
  | 'TRANSPORT_CLOSED' // the transport was closed (by us, or the device went away)
  | 'TRANSPORT_DISCONNECTED' // the device reported a read/write failure (unplugged mid-command)
  | 'TRANSPORT_REPORT_SIZE' // a report that is not 64 bytes (CTAP 2.1 §11.2.4) was sent or received
  | 'TRANSPORT_OPEN_FAILED' // the device or socket could not be opened
  | 'TRANSPORT_PERMISSION' // the OS refused access to the device (hidraw permissions)
  | 'TRANSPORT_ABORTED' // the caller's AbortSignal fired while waiting
  | 'TRANSPORT_NO_DEVICE' // no device matched the selection
  | 'TRANSPORT_APDU_REFUSED'; // the PC/SC reader would not pass the APDU on (too long for it, e.g. extended length)

export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}
