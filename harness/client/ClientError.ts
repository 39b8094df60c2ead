/**
 * A decision the client (platform) made against a ceremony, before or after talking to the device.
 * `name` follows the DOMException a browser would raise (WebAuthn L3 §5.1.3, §5.1.4); `code` is stable.
 * The device's own refusals stay CtapStatusError.
 */
export type ClientErrorCode =
  | 'CLIENT_BAD_OPTIONS' // the options cannot be mapped (bad base64url, no supported algorithm…)
  | 'CLIENT_RP_ID_MISMATCH' // rp.id / rpId is not the origin's host or a registrable suffix of it
  | 'CLIENT_UV_UNAVAILABLE' // UV required, the device has neither built-in UV nor a PIN
  | 'CLIENT_PIN_REQUIRED' // the device needs the PIN and none was given
  | 'CLIENT_PIN_POLICY' // the PIN is too short/long for the device (CTAP 2.1 §6.5.5.5)
  | 'CLIENT_EXTENSION_UNSUPPORTED' // an extension was required (enforce/required) that the device lacks
  | 'CLIENT_PIN_PROTOCOL_UNSUPPORTED' // no PIN/UV auth protocol in common
  | 'CLIENT_BAD_RESPONSE'; // the device's answer cannot be turned into a WebAuthn response

export type ClientErrorName = 'NotAllowedError' | 'SecurityError' | 'NotSupportedError' | 'TypeError' | 'InvalidStateError' | 'UnknownError';

export class ClientError extends Error {
  constructor(
    readonly code: ClientErrorCode,
    readonly domName: ClientErrorName,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = 'ClientError';
  }
}
