import { createECDH, createPrivateKey, sign } from 'node:crypto';
import {
  CoseAlgorithm,
  CredProtect,
  U2F_REGISTER_RESERVED,
  U2fStatusWord,
  type CommandApdu,
} from '../../harness/protocol/index.ts';
import type { Authenticator } from '../Authenticator.ts';
import { wrapCredentialId, WrappedKeyFlag } from '../credentialId.ts';
import { generatePrivateKey } from '../credentialKeys.ts';
import { u2fOk, u2fResponse } from './u2fResponse.ts';

/**
 * U2F_REGISTER (FIDO U2F raw message formats v1.2 §4): data = challenge parameter (32) || application
 * parameter (32). The key handle is a wrapped credential ID with the application parameter as its
 * RP ID hash (credentialId.ts), so a CTAP2 getAssertion with rpId whose SHA-256 is that parameter finds it
 * (CTAP 2.1 §10.3: U2F credentials remain usable from CTAP2). The attestation certificate is the
 * simulator's batch attestation leaf, its key signs.
 */
export async function u2fRegister(a: Authenticator, apdu: CommandApdu, signal?: AbortSignal): Promise<Uint8Array> {
  if (apdu.data.length !== 64) return u2fResponse(U2fStatusWord.SW_WRONG_LENGTH);
  if (a.state.alwaysUv) {
    // CTAP 2.1 §7.2 (Always Require User Verification): U2F cannot verify the user, so CTAP1 is refused.
    return u2fResponse(U2fStatusWord.SW_CONDITIONS_NOT_SATISFIED);
  }
  const challenge = apdu.data.subarray(0, 32);
  const application = apdu.data.subarray(32, 64);
  // §4.1: the token asks for a touch; without one it answers SW_CONDITIONS_NOT_SATISFIED and the host
  // retries. The simulator waits for the injected user presence (KEEPALIVE flows meanwhile).
  const outcome = await a.requestUserPresence({ reason: 'u2f', signal });
  if (outcome !== 'approved') return u2fResponse(U2fStatusWord.SW_CONDITIONS_NOT_SATISFIED);

  const privateKey = generatePrivateKey(CoseAlgorithm.ES256, a.rng);
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(privateKey);
  const userPublicKey = new Uint8Array(ecdh.getPublicKey()); // 0x04 || X || Y, 65 bytes
  const keyHandle = wrapCredentialId(
    a.state.masterKey,
    application,
    { alg: CoseAlgorithm.ES256, credProtect: CredProtect.userVerificationOptional, flags: WrappedKeyFlag.u2f, privateKey },
    a.rng,
  );
  // §4.3: signature over 0x00 || application || challenge || key handle || user public key.
  const signedData = Buffer.concat([Uint8Array.of(0x00), application, challenge, keyHandle, userPublicKey]);
  const attestationKey = createPrivateKey({
    key: Buffer.from(a.state.attestation.leafPrivateKey),
    format: 'der',
    type: 'pkcs8',
  });
  const signature = sign('sha256', a.behaviour.attestationSignedData(new Uint8Array(signedData)), attestationKey);
  return u2fOk(
    new Uint8Array(
      Buffer.concat([
        Uint8Array.of(U2F_REGISTER_RESERVED),
        userPublicKey,
        Uint8Array.of(keyHandle.length),
        keyHandle,
        a.state.attestation.leafCertificate,
        signature,
      ]),
    ),
  );
}
