// The WebAuthn client (platform) role over the CTAP API (docs/architecture.md "client").
export { WebAuthnClient, type AuthenticationResult, type CreationOptionsJSON, type RegistrationResult, type RequestOptionsJSON, type WebAuthnClientOptions } from './WebAuthnClient.ts';
export { ClientPin, type PinSession, type PinTokenRequest, type PinUvAuthTokenHandle, type TokenAnswer, type TokenRequest } from './ClientPin.ts';
export { CredentialManagement, type ManagedCredential, type ManagedRp } from './CredentialManagement.ts';
export { LargeBlobs, encryptEntry, decryptEntry } from './LargeBlobs.ts';
export {
  PinUvAuthProtocolOne,
  PinUvAuthProtocolTwo,
  choosePinUvAuthProtocol,
  pinUvAuthProtocol,
  type ClientPinUvAuthProtocol,
} from './pinUvAuthProtocol.ts';
export { buildClientData, type ClientData, type ClientDataInput } from './clientData.ts';
export {
  prfSalt,
  hmacSecretInput,
  hmacSecretOutput,
  type ClientExtensionInputsJSON,
  type ClientExtensionOutputsJSON,
  type PrfValuesJSON,
} from './extensions.ts';
export { ClientError, type ClientErrorCode, type ClientErrorName } from './ClientError.ts';
export { toBase64url, fromBase64url } from './base64url.ts';
