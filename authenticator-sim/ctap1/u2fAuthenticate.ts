import {
  AuthDataFlag,
  CoseAlgorithm,
  CredProtect,
  U2fControl,
  U2fStatusWord,
  type CommandApdu,
} from '../../harness/protocol/index.ts';
import type { Authenticator } from '../Authenticator.ts';
import { unwrapCredentialId } from '../credentialId.ts';
import { privateKeyObject, signWith } from '../credentialKeys.ts';
import { u2fOk, u2fResponse } from './u2fResponse.ts';

/**
 * U2F_AUTHENTICATE (FIDO U2F raw message formats v1.2 §5): data = challenge parameter (32) ||
 * application parameter (32) || key handle length (1) || key handle. P1 is the control byte.
 *
 * Interop with CTAP2 (CTAP 2.1 §10.3, §12.1): every key handle this simulator made for the application
 * opens, whether it came from U2F_REGISTER or authenticatorMakeCredential, except
 * - credentials that are not ES256 (U2F signatures are ECDSA P-256 only), and
 * - credProtect level 3 (userVerificationRequired), which U2F cannot satisfy since it never verifies the user.
 * Those answer SW_WRONG_DATA, as a key handle that is not ours does.
 */
export async function u2fAuthenticate(a: Authenticator, apdu: CommandApdu, signal?: AbortSignal): Promise<Uint8Array> {
  const data = apdu.data;
  if (data.length < 65 || data.length !== 65 + data[64]!) return u2fResponse(U2fStatusWord.SW_WRONG_LENGTH);
  const control = apdu.p1;
  if (
    control !== U2fControl.CHECK_ONLY &&
    control !== U2fControl.ENFORCE_USER_PRESENCE_AND_SIGN &&
    control !== U2fControl.DONT_ENFORCE_USER_PRESENCE_AND_SIGN
  ) {
    // §5.1 lists three control bytes and no status for others; the request data is wrong.
    return u2fResponse(U2fStatusWord.SW_WRONG_DATA);
  }
  const challenge = data.subarray(0, 32);
  const application = data.subarray(32, 64);
  const keyHandle = data.subarray(65);
  const key = unwrapCredentialId(a.state.masterKey, application, keyHandle);
  if (!key || key.alg !== CoseAlgorithm.ES256 || key.credProtect === CredProtect.userVerificationRequired) {
    return u2fResponse(U2fStatusWord.SW_WRONG_DATA);
  }
  // §5.1 check-only: "the key handle is ours" is answered with SW_CONDITIONS_NOT_SATISFIED.
  if (control === U2fControl.CHECK_ONLY) return u2fResponse(U2fStatusWord.SW_CONDITIONS_NOT_SATISFIED);
  // CTAP 2.1 §7.2: with alwaysUv, CTAP1 cannot be used (it never verifies the user).
  if (a.state.alwaysUv) return u2fResponse(U2fStatusWord.SW_CONDITIONS_NOT_SATISFIED);

  let flags = 0;
  if (control === U2fControl.ENFORCE_USER_PRESENCE_AND_SIGN) {
    const outcome = await a.requestUserPresence({ reason: 'u2f', signal });
    if (outcome !== 'approved') return u2fResponse(U2fStatusWord.SW_CONDITIONS_NOT_SATISFIED);
    flags = AuthDataFlag.UP;
  }
  const counter = a.nextSignCount();
  const counterBytes = new Uint8Array(4);
  new DataView(counterBytes.buffer).setUint32(0, counter);
  // §5.4: signature over application || user presence || counter || challenge.
  const signed = new Uint8Array(Buffer.concat([application, Uint8Array.of(flags), counterBytes, challenge]));
  const signature = signWith(CoseAlgorithm.ES256, privateKeyObject(key.alg, key.privateKey), a.behaviour.assertionSignedData(signed));
  a.persist();
  return u2fOk(new Uint8Array(Buffer.concat([Uint8Array.of(flags), counterBytes, signature])));
}
