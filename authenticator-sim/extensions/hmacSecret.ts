import { createHmac, randomBytes } from 'node:crypto';
import { CtapExtension, CtapStatus, CtapStatusError, type CborMap } from '../../harness/protocol/index.ts';
import type { Authenticator } from '../Authenticator.ts';
import type { PinUvAuthProtocol } from '../pinUvAuth/protocols.ts';
import { extensionInput, isBool, isBytes, isMap, isUint } from './extensionInput.ts';

/** hmac-secret getAssertion input members (CTAP 2.1 §12.5). */
const HmacSecretInputKey = { keyAgreement: 0x01, saltEnc: 0x02, saltAuth: 0x03, pinUvAuthProtocol: 0x04 } as const;

/**
 * hmac-secret-mc (CTAP 2.2 §12): the getAssertion-style input at makeCredential, next to "hmac-secret":
 * true; the output is what getAssertion would give for the same salts and user verification.
 * Checked before user presence; the output is made once the credential ID exists.
 */
export function readHmacSecretMcRequest(a: Authenticator, inputs: CborMap | undefined): HmacSecretRequest | undefined {
  if (!a.ctap22 || !inputs?.has(CtapExtension.hmacSecretMc)) return undefined;
  if (extensionInput(inputs, CtapExtension.hmacSecret, isBool, 'a boolean') !== true) {
    throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'hmac-secret-mc without "hmac-secret": true');
  }
  return readHmacSecretRequest(a, inputs, CtapExtension.hmacSecretMc);
}

/** hmac-secret at registration (§12.5): `true` asks for it; the output is `true` when the credential has it. */
export function hmacSecretAtRegistration(a: Authenticator, inputs: CborMap | undefined): boolean {
  const wanted = extensionInput(inputs, CtapExtension.hmacSecret, isBool, 'a boolean');
  return wanted === true && a.behaviour.hmacSecret;
}

/** A checked hmac-secret request: the shared secret and the decrypted salt(s). */
export interface HmacSecretRequest {
  protocol: PinUvAuthProtocol;
  shared: Uint8Array;
  salt1: Uint8Array;
  salt2: Uint8Array | undefined;
}

/**
 * Reads and checks the getAssertion input (§12.5 authenticator processing): all of keyAgreement, saltEnc
 * and saltAuth (CTAP2_ERR_MISSING_PARAMETER), pinUvAuthProtocol defaulting to 1 (an unsupported one is
 * CTAP1_ERR_INVALID_PARAMETER), decapsulate (CTAP1_ERR_INVALID_PARAMETER), verify(shared secret, saltEnc,
 * saltAuth) (CTAP2_ERR_PIN_AUTH_INVALID), decrypt to 32 or 64 bytes of salt (else CTAP1_ERR_INVALID_PARAMETER).
 * Done once, before user presence, so a bad input is refused before the user is asked.
 */
export function readHmacSecretRequest(
  a: Authenticator,
  inputs: CborMap | undefined,
  name: string = CtapExtension.hmacSecret,
): HmacSecretRequest | undefined {
  if (!a.behaviour.hmacSecret) return undefined;
  const m = extensionInput(inputs, name, isMap, 'a map');
  if (!m) return undefined;
  const keyAgreement = member(m, HmacSecretInputKey.keyAgreement, isMap, 'a map');
  const saltEnc = member(m, HmacSecretInputKey.saltEnc, isBytes, 'a byte string');
  const saltAuth = member(m, HmacSecretInputKey.saltAuth, isBytes, 'a byte string');
  const version = m.has(HmacSecretInputKey.pinUvAuthProtocol)
    ? member(m, HmacSecretInputKey.pinUvAuthProtocol, isUint, 'an unsigned integer')
    : 1;
  const protocol = a.protocols.get(version);
  if (!protocol) throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, `hmac-secret pinUvAuthProtocol ${version}`);
  const shared = protocol.decapsulate(keyAgreement);
  if (!protocol.verify(shared, saltEnc, saltAuth)) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'hmac-secret saltAuth does not verify');
  }
  const salt = protocol.decrypt(shared, saltEnc);
  if (!salt || (salt.length !== 32 && salt.length !== 64)) {
    throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'hmac-secret salts must be 32 or 64 bytes');
  }
  return { protocol, shared, salt1: salt.slice(0, 32), salt2: salt.length === 64 ? salt.slice(32) : undefined };
}

function member<T>(m: CborMap, key: number, check: (v: unknown) => v is T, what: string): T {
  const v = m.get(key);
  if (v === undefined) throw new CtapStatusError(CtapStatus.CTAP2_ERR_MISSING_PARAMETER, `hmac-secret member ${key} missing`);
  if (!check(v)) throw new CtapStatusError(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE, `hmac-secret member ${key} is not ${what}`);
  return v;
}

/**
 * CredRandomWithUV / CredRandomWithoutUV (§12.5 makeCredential): two 32-byte secrets per credential. The
 * simulator derives them from its master key and the credential ID (HMAC-SHA-256), so non-discoverable
 * credentials have them too without storage, they are unique per credential, and a reset (new master key)
 * ends them. The two differ, so outputs with and without user verification differ.
 */
export function credRandom(masterKey: Uint8Array, credentialId: Uint8Array, userVerified: boolean): Uint8Array {
  const label = userVerified ? 'hmac-secret CredRandomWithUV' : 'hmac-secret CredRandomWithoutUV';
  return new Uint8Array(createHmac('sha256', masterKey).update(label).update(credentialId).digest());
}

/** output1 = HMAC-SHA-256(CredRandom, salt1) [|| output2 for salt2], encrypted with the shared secret (§12.5). */
export function hmacSecretOutput(
  a: Authenticator,
  request: HmacSecretRequest,
  credentialId: Uint8Array,
  userVerified: boolean,
): Uint8Array {
  const key = a.behaviour.hmacSecretStableCredRandom ? credRandom(a.state.masterKey, credentialId, userVerified && a.behaviour.hmacSecretUvSplit) : randomBytes(32);
  // the hmac-secret-salt-ignored quirk: a fixed value in place of each salt
  const salt = (s: Uint8Array) => (a.behaviour.hmacSecretUsesSalts ? s : new Uint8Array(32));
  const parts = [createHmac('sha256', key).update(salt(request.salt1)).digest()];
  if (request.salt2) parts.push(createHmac('sha256', key).update(salt(a.behaviour.hmacSecretUsesSalt2 ? request.salt2 : request.salt1)).digest());
  return request.protocol.encrypt(request.shared, new Uint8Array(Buffer.concat(parts)));
}
