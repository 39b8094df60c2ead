import { createHash } from 'node:crypto';
import { CredProtect, CtapExtension, type AuthenticatorInfo, type CborMap, type CborValue } from '../protocol/index.ts';
import { fromBase64url, toBase64url } from './base64url.ts';
import { ClientError } from './ClientError.ts';
import { concat } from './ClientPin.ts';
import type { ClientPinUvAuthProtocol } from './pinUvAuthProtocol.ts';

/** base64url in JSON, as WebAuthn L3's *JSON option forms carry binary. */
type B64 = string;

export interface PrfValuesJSON {
  first: B64;
  second?: B64;
}

/** Client extension inputs in their JSON form (WebAuthn L3 §5.1.3/§5.1.4 extensions, §10). */
export interface ClientExtensionInputsJSON {
  credProps?: boolean;
  prf?: { eval?: PrfValuesJSON; evalByCredential?: Record<string, PrfValuesJSON> };
  /** CTAP 2.1 §12.5 through WebAuthn: makeCredential's hmac-secret */
  hmacCreateSecret?: boolean;
  /** raw hmac-secret salts (32 bytes each), no PRF hashing: what the FIDO conformance tools send */
  hmacGetSecret?: { salt1: B64; salt2?: B64 };
  credentialProtectionPolicy?: 'userVerificationOptional' | 'userVerificationOptionalWithCredentialIDList' | 'userVerificationRequired';
  enforceCredentialProtectionPolicy?: boolean;
  credBlob?: B64;
  getCredBlob?: boolean;
  largeBlob?: { support?: 'required' | 'preferred'; read?: boolean; write?: B64 };
  minPinLength?: boolean;
}

export interface ClientExtensionOutputsJSON {
  credProps?: { rk: boolean };
  prf?: { enabled?: boolean; results?: PrfValuesJSON };
  hmacCreateSecret?: boolean;
  hmacGetSecret?: { output1: B64; output2?: B64 };
  credBlob?: boolean;
  getCredBlob?: B64;
  largeBlob?: { supported?: boolean; blob?: B64; written?: boolean };
}

const credProtectLevels = {
  userVerificationOptional: CredProtect.userVerificationOptional,
  userVerificationOptionalWithCredentialIDList: CredProtect.userVerificationOptionalWithCredentialIDList,
  userVerificationRequired: CredProtect.userVerificationRequired,
} as const;

function supports(info: AuthenticatorInfo, ext: string): boolean {
  return info.extensions?.includes(ext) ?? false;
}

/**
 * makeCredential extension inputs (CTAP 2.1 §12) for the client inputs. Extensions the device does not list
 * are left out unless the RP enforces them, which is then a ClientError (WebAuthn L3 §10, CTAP 2.1 §12.1).
 */
export function makeCredentialExtensions(inputs: ClientExtensionInputsJSON | undefined, info: AuthenticatorInfo): CborMap | undefined {
  if (!inputs) return undefined;
  const ext: CborMap = new Map<CborValue, CborValue>();
  if ((inputs.prf || inputs.hmacCreateSecret) && supports(info, CtapExtension.hmacSecret)) ext.set(CtapExtension.hmacSecret, true);
  if (inputs.credentialProtectionPolicy) {
    const level = credProtectLevels[inputs.credentialProtectionPolicy];
    if (level === undefined) throw new ClientError('CLIENT_BAD_OPTIONS', 'TypeError', `credentialProtectionPolicy ${inputs.credentialProtectionPolicy}`);
    if (supports(info, CtapExtension.credProtect)) ext.set(CtapExtension.credProtect, level);
    else if (inputs.enforceCredentialProtectionPolicy && level !== CredProtect.userVerificationOptional) {
      // CTAP 2.1 §12.1: with enforce set, a device without credProtect must not be used.
      throw new ClientError('CLIENT_EXTENSION_UNSUPPORTED', 'NotAllowedError', 'credProtect enforced but the device does not support it');
    }
  }
  if (inputs.credBlob !== undefined && supports(info, CtapExtension.credBlob)) {
    const blob = fromBase64url(inputs.credBlob, 'extensions.credBlob');
    if (blob.length <= (info.maxCredBlobLength ?? 32)) ext.set(CtapExtension.credBlob, blob);
  }
  if (inputs.minPinLength && supports(info, CtapExtension.minPinLength)) ext.set(CtapExtension.minPinLength, true);
  return ext.size > 0 ? ext : undefined;
}

/** Whether the largeBlob extension asks for a largeBlobKey (CTAP 2.1 §6.1 0x06 extension / §6.10). */
export function wantsLargeBlobKey(inputs: ClientExtensionInputsJSON | undefined, info: AuthenticatorInfo, ceremony: 'create' | 'get'): boolean {
  const lb = inputs?.largeBlob;
  if (!lb) return false;
  const has = info.options?.largeBlobs === true && supports(info, CtapExtension.largeBlobKey);
  if (ceremony === 'create' && lb.support === 'required' && !has) {
    throw new ClientError('CLIENT_EXTENSION_UNSUPPORTED', 'NotSupportedError', 'largeBlob support required but the device has no largeBlobs');
  }
  return has && (ceremony === 'create' || lb.read === true || lb.write !== undefined);
}

/** The WebAuthn PRF salt: SHA-256("WebAuthn PRF" || 0x00 || input) (WebAuthn L3 §10.1.4). */
export function prfSalt(input: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(Buffer.from('WebAuthn PRF', 'utf8')).update(Buffer.of(0)).update(input).digest());
}

/** Salts for hmac-secret in a getAssertion, from prf or hmacGetSecret; undefined when none is asked. */
export function hmacSecretSalts(
  inputs: ClientExtensionInputsJSON | undefined,
  allowCredentialIds: string[],
): { salt1: Uint8Array; salt2?: Uint8Array; via: 'prf' | 'hmacGetSecret' } | undefined {
  if (inputs?.prf) {
    // evalByCredential applies when the allowList names that credential alone (WebAuthn L3 §10.1.4 step
    // "if evalByCredential is present"); with several, per-credential salts would need a preflight, so
    // `eval` is used (a documented simplification).
    let values = inputs.prf.eval;
    if (inputs.prf.evalByCredential && allowCredentialIds.length === 1) {
      values = inputs.prf.evalByCredential[allowCredentialIds[0]!] ?? values;
    }
    if (!values) return undefined;
    const out: { salt1: Uint8Array; salt2?: Uint8Array; via: 'prf' } = { salt1: prfSalt(fromBase64url(values.first, 'prf.first')), via: 'prf' };
    if (values.second !== undefined) out.salt2 = prfSalt(fromBase64url(values.second, 'prf.second'));
    return out;
  }
  if (inputs?.hmacGetSecret) {
    const salt1 = fromBase64url(inputs.hmacGetSecret.salt1, 'hmacGetSecret.salt1');
    const out: { salt1: Uint8Array; salt2?: Uint8Array; via: 'hmacGetSecret' } = { salt1, via: 'hmacGetSecret' };
    if (inputs.hmacGetSecret.salt2 !== undefined) out.salt2 = fromBase64url(inputs.hmacGetSecret.salt2, 'hmacGetSecret.salt2');
    if (salt1.length !== 32 || (out.salt2 && out.salt2.length !== 32)) {
      throw new ClientError('CLIENT_BAD_OPTIONS', 'TypeError', 'hmac-secret salts are 32 bytes (CTAP 2.1 §12.5)');
    }
    return out;
  }
  return undefined;
}

/**
 * The hmac-secret getAssertion input (CTAP 2.1 §12.5): {1: keyAgreement, 2: saltEnc, 3: saltAuth,
 * 4: pinUvAuthProtocol}. saltAuth = authenticate(sharedSecret, saltEnc).
 */
export function hmacSecretInput(
  protocol: ClientPinUvAuthProtocol,
  keyAgreement: CborMap,
  sharedSecret: Uint8Array,
  salts: { salt1: Uint8Array; salt2?: Uint8Array },
): CborMap {
  const saltEnc = protocol.encrypt(sharedSecret, salts.salt2 ? concat(salts.salt1, salts.salt2) : salts.salt1);
  const input: CborMap = new Map<CborValue, CborValue>([
    [1, keyAgreement],
    [2, saltEnc],
    [3, protocol.authenticate(sharedSecret, saltEnc)],
  ]);
  // §12.5: pinUvAuthProtocol is optional and means protocol one when absent.
  if (protocol.version !== 1) input.set(4, protocol.version);
  return input;
}

/** Decrypts the hmac-secret output of an assertion into output1 [, output2] (32 bytes each). */
export function hmacSecretOutput(protocol: ClientPinUvAuthProtocol, sharedSecret: Uint8Array, encrypted: Uint8Array, two: boolean): { output1: Uint8Array; output2?: Uint8Array } {
  const plain = protocol.decrypt(sharedSecret, encrypted);
  if (plain.length !== (two ? 64 : 32)) {
    throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', `hmac-secret output of ${plain.length} bytes; expected ${two ? 64 : 32}`);
  }
  return two ? { output1: plain.subarray(0, 32), output2: plain.subarray(32) } : { output1: plain };
}

export { toBase64url };
