import { CtapExtension, type CborMap, type MakeCredentialRequest } from '../../harness/protocol/index.ts';
import type { Authenticator } from '../Authenticator.ts';
import type { StoredCredential } from '../state.ts';
import { credBlobAtAssertion, credBlobAtRegistration, readCredBlobInput } from './credBlob.ts';
import { credProtectAtRegistration } from './credProtect.ts';
import { hmacSecretAtRegistration, hmacSecretOutput, readHmacSecretMcRequest, readHmacSecretRequest, type HmacSecretRequest } from './hmacSecret.ts';
import { thirdPartyPaymentAtAssertion, thirdPartyPaymentAtRegistration } from './thirdPartyPayment.ts';
import { largeBlobKeyAtAssertion, largeBlobKeyAtRegistration, readLargeBlobKeyInput } from './largeBlobKey.ts';
import { minPinLengthAtRegistration } from './minPinLength.ts';

/** The extensions getInfo lists: exactly those processed below (CTAP 2.1 §6.4 extensions, §12). */
export function supportedExtensions(a: Authenticator): string[] {
  return a.features.extensions.filter((e) => (e !== CtapExtension.hmacSecret && e !== CtapExtension.hmacSecretMc) || a.behaviour.hmacSecret);
}

/** The inputs of the extensions the simulator offers; the others are ignored (CTAP 2.1 §6.1.2 step 12, §6.2.2 step 5). */
function offeredInputs(a: Authenticator, inputs: CborMap | undefined): CborMap | undefined {
  if (!inputs) return inputs;
  const offered = new Set(a.features.extensions);
  return new Map([...inputs].filter(([name]) => typeof name === 'string' && offered.has(name)));
}

export interface MakeCredentialExtensionResult {
  credProtect: number;
  /** authenticator extension outputs for authenticatorData (CTAP 2.1 §12) */
  outputs: CborMap | undefined;
  /** members to keep with a discoverable credential */
  stored: Partial<StoredCredential>;
  /** response member 0x05 (§12.3) */
  largeBlobKey?: Uint8Array;
  /** hmac-secret-mc (CTAP 2.2): its output needs the credential ID, so it is made by `finishMakeCredentialExtensions` */
  hmacSecretMc?: HmacSecretRequest;
}

/**
 * makeCredential extension processing (CTAP 2.1 §6.1.2 step 12): each supported extension in its own file;
 * unsupported ones are ignored. Runs before user presence so bad inputs are refused first.
 */
export function processMakeCredentialExtensions(
  a: Authenticator,
  req: MakeCredentialRequest,
  rk: boolean,
): MakeCredentialExtensionResult {
  const inputs = offeredInputs(a, req.extensions);
  const outputs: CborMap = new Map();
  const stored: Partial<StoredCredential> = {};
  const requested = credProtectAtRegistration(inputs);
  // The level kept is the one reported (a quirk may change both, never one without the other).
  const protect = requested.output === undefined ? requested : { level: a.behaviour.credProtectLevel(requested.level), output: a.behaviour.credProtectLevel(requested.output) };
  if (protect.output !== undefined) outputs.set(CtapExtension.credProtect, protect.output);
  if (hmacSecretAtRegistration(a, inputs)) {
    stored.hmacSecret = true;
    outputs.set(CtapExtension.hmacSecret, true);
  }
  const blob = credBlobAtRegistration(inputs, rk, a.features.maxCredBlobLength);
  if (blob.output !== undefined) outputs.set(CtapExtension.credBlob, blob.output);
  if (blob.stored) stored.credBlob = blob.stored;
  const minPin = minPinLengthAtRegistration(inputs, req.rp.id, a.state);
  if (minPin !== undefined) outputs.set(CtapExtension.minPinLength, minPin);
  const largeBlobKey = largeBlobKeyAtRegistration(inputs, rk, a.rng);
  if (largeBlobKey) stored.largeBlobKey = largeBlobKey;
  if (thirdPartyPaymentAtRegistration(a, inputs)) stored.thirdPartyPayment = true;
  const hmacSecretMc = stored.hmacSecret ? readHmacSecretMcRequest(a, inputs) : undefined;
  return {
    ...(hmacSecretMc ? { hmacSecretMc } : {}),
    credProtect: protect.level,
    outputs: outputs.size > 0 ? outputs : undefined,
    stored,
    ...(largeBlobKey ? { largeBlobKey } : {}),
  };
}

/** Extension outputs that need the new credential: hmac-secret-mc (CTAP 2.2, same output as §12.5 getAssertion). */
export function finishMakeCredentialExtensions(
  a: Authenticator,
  ext: MakeCredentialExtensionResult,
  credentialId: Uint8Array,
  userVerified: boolean,
): void {
  if (ext.hmacSecretMc && ext.outputs) ext.outputs.set(CtapExtension.hmacSecretMc, hmacSecretOutput(a, ext.hmacSecretMc, credentialId, userVerified));
}

/** The checked getAssertion extension inputs, prepared once per request (also for getNextAssertion). */
export interface PreparedAssertionExtensions {
  inputs: CborMap | undefined;
  hmacSecret: HmacSecretRequest | undefined;
}

/** Checks getAssertion extension inputs (CTAP 2.1 §6.2.2 step 5) before any user interaction. */
export function prepareGetAssertionExtensions(a: Authenticator, given: CborMap | undefined): PreparedAssertionExtensions {
  const inputs = offeredInputs(a, given);
  // Type checks for the simple ones happen here too, by reading them once.
  readCredBlobInput(inputs);
  readLargeBlobKeyInput(inputs);
  return { inputs, hmacSecret: readHmacSecretRequest(a, inputs) };
}

export interface AssertionExtensionResult {
  outputs: CborMap | undefined;
  /** response member 0x07 (§12.3) */
  largeBlobKey?: Uint8Array;
}

/** Extension outputs for one assertion (CTAP 2.1 §6.2.2 step 11, §12). */
export function processGetAssertionExtensions(
  a: Authenticator,
  credential: StoredCredential,
  prepared: PreparedAssertionExtensions | undefined,
  userVerified: boolean,
): AssertionExtensionResult {
  if (!prepared) return { outputs: undefined };
  const outputs: CborMap = new Map();
  const blob = credBlobAtAssertion(prepared.inputs, credential);
  if (blob) outputs.set(CtapExtension.credBlob, blob);
  // hmac-secret only for a credential made with it (§12.5); otherwise the input is ignored.
  if (prepared.hmacSecret && credential.hmacSecret) {
    outputs.set(CtapExtension.hmacSecret, hmacSecretOutput(a, prepared.hmacSecret, credential.id, userVerified));
  }
  const payment = thirdPartyPaymentAtAssertion(a, prepared.inputs, credential);
  if (payment !== undefined) outputs.set(CtapExtension.thirdPartyPayment, payment);
  const largeBlobKey = largeBlobKeyAtAssertion(prepared.inputs, credential);
  return { outputs: outputs.size > 0 ? outputs : undefined, ...(largeBlobKey ? { largeBlobKey } : {}) };
}
