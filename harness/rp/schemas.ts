import { z } from 'zod';
import { measureJson } from './middleware/measureJson.ts';

/**
 * Request schemas (zod) for every JSON body the RP accepts. Binary fields are base64url without padding
 * (WebAuthn L3 §5.1 "Base64url Encoding"; the FIDO conformance API uses the same). Every string has a
 * length bound so a hostile body is refused before it is decoded.
 */
export const base64url = (maxChars: number) =>
  z
    .string()
    .max(maxChars, `longer than ${maxChars} characters`)
    .regex(/^[A-Za-z0-9_-]*$/, 'not base64url (A-Z a-z 0-9 - _ without padding)');

/** a printable account name: 1..64 characters, no control characters */
export const username = z
  .string()
  .min(1, 'empty')
  .max(64, 'longer than 64 characters')
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'contains control characters');
const displayName = z.string().max(64).regex(/^[^\u0000-\u001f\u007f]*$/, 'contains control characters');

export const userVerification = z.enum(['required', 'preferred', 'discouraged']);
export const residentKey = z.enum(['required', 'preferred', 'discouraged']);
export const attestationConveyance = z.enum(['none', 'indirect', 'direct', 'enterprise']);
export const authenticatorAttachment = z.enum(['platform', 'cross-platform']);
/** COSE algorithm identifiers (IANA registry): small signed integers */
const coseAlgorithm = z.number().int().min(-65536).max(65535);

/** A credential id is at most 1023 bytes (WebAuthn L3 §5.8.3): 1364 base64url characters. */
const credentialIdB64 = base64url(1364).min(1, 'empty');
/**
 * Extension inputs and outputs are echoed in options or handed to the verifier: a record of small JSON
 * values (no WebAuthn extension nests deeper than 4 or needs more than a few KiB).
 */
export const extensionsRecord = (maxBytes: number) =>
  z
    .record(z.string().max(64), z.unknown())
    .refine((v) => measureJson(v, 6).depth <= 6, 'nested deeper than 6 levels')
    .refine((v) => JSON.stringify(v).length <= maxBytes, `larger than ${maxBytes} bytes`);
const clientExtensionResults = extensionsRecord(8192).optional();

/** RegistrationResponseJSON (WebAuthn L3 §5.1 toJSON(); the conformance API's ServerPublicKeyCredential) */
export const registrationResponse = z.object({
  id: credentialIdB64,
  rawId: credentialIdB64,
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url(8192).min(1, 'empty'),
    attestationObject: base64url(48 * 1024).min(1, 'empty'),
    transports: z.array(z.string().max(32)).max(8).optional(),
    authenticatorData: base64url(48 * 1024).optional(),
    publicKey: base64url(4096).optional(),
    publicKeyAlgorithm: coseAlgorithm.optional(),
  }),
  authenticatorAttachment: z.union([authenticatorAttachment, z.null()]).optional(),
  clientExtensionResults,
  /** the conformance tools send the member under this name */
  getClientExtensionResults: clientExtensionResults,
});
export type RegistrationResponseBody = z.infer<typeof registrationResponse>;

/** AuthenticationResponseJSON (WebAuthn L3 §5.1 toJSON()) */
export const authenticationResponse = z.object({
  id: credentialIdB64,
  rawId: credentialIdB64,
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url(8192).min(1, 'empty'),
    authenticatorData: base64url(8192).min(1, 'empty'),
    signature: base64url(2048).min(1, 'empty'),
    /** at most 64 bytes (§5.4.3) */
    userHandle: z.union([base64url(86), z.null()]).optional(),
  }),
  authenticatorAttachment: z.union([authenticatorAttachment, z.null()]).optional(),
  clientExtensionResults,
  getClientExtensionResults: clientExtensionResults,
});
export type AuthenticationResponseBody = z.infer<typeof authenticationResponse>;

/** the page's registration options request: a profile preset, or the user's own choices */
export const registrationOptionsRequest = z.object({
  username,
  displayName: displayName.optional(),
  profile: z.enum(['entra', 'custom']).default('custom'),
  attestation: attestationConveyance.optional(),
  residentKey: residentKey.optional(),
  userVerification: userVerification.optional(),
  authenticatorAttachment: authenticatorAttachment.optional(),
  algorithms: z.array(coseAlgorithm).min(1).max(8).optional(),
});
export type RegistrationOptionsRequest = z.infer<typeof registrationOptionsRequest>;

export const ceremonyId = base64url(64).min(16, 'too short');

export const registrationVerifyRequest = z.object({ ceremonyId, response: registrationResponse });

/** no username: discoverable sign-in (empty allowCredentials) */
export const authenticationOptionsRequest = z.object({
  username: username.optional(),
  userVerification: userVerification.optional(),
});

export const authenticationVerifyRequest = z.object({ ceremonyId, response: authenticationResponse });

/** FIDO conformance API: ServerPublicKeyCredentialCreationOptionsRequest */
export const conformanceAttestationOptionsRequest = z.object({
  username,
  displayName,
  authenticatorSelection: z
    .object({
      requireResidentKey: z.boolean().optional(),
      residentKey: residentKey.optional(),
      authenticatorAttachment: authenticatorAttachment.optional(),
      userVerification: userVerification.optional(),
    })
    .optional(),
  attestation: attestationConveyance.optional(),
  extensions: extensionsRecord(4096).optional(),
});

/** FIDO conformance API: ServerPublicKeyCredentialGetOptionsRequest */
export const conformanceAssertionOptionsRequest = z.object({
  username,
  userVerification: userVerification.optional(),
  extensions: extensionsRecord(4096).optional(),
});
