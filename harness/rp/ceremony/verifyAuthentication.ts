import { createHash } from 'node:crypto';
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import type { AuthenticationResponseJSON, AuthenticatorTransport } from '@simplewebauthn/server';
import { parseAuthenticatorData, type AuthenticatorData } from '../../protocol/index.ts';
import { RpError } from '../RpError.ts';
import type { Ceremony } from '../stores/CeremonyStore.ts';
import type { StoredCredential } from '../stores/CredentialStore.ts';
import type { AuthenticationResponseBody } from '../schemas.ts';
import { checkClientData, parseClientData } from './decodeClientData.ts';

export interface VerifiedAuthentication {
  authData: AuthenticatorData;
  newCounter: number;
  userVerified: boolean;
}

/**
 * WebAuthn L3 §7.2 "Verifying an Authentication Assertion": our checks with stable codes first (credential
 * allowed, user handle, client data, rpIdHash, flags, signature counter), then @simplewebauthn/server for
 * the signature. The counter rule (step 22): when either counter is non-zero and the new one is not
 * greater, the authenticator may be cloned; this RP refuses the assertion and leaves the stored counter as is.
 */
export async function verifyAuthentication(
  body: AuthenticationResponseBody,
  ceremony: Ceremony,
  credential: StoredCredential,
  expected: { origin: string; rpId: string },
): Promise<VerifiedAuthentication> {
  if (body.id !== body.rawId) throw new RpError('CREDENTIAL_ID_MISMATCH', 'id and rawId differ');
  // step 5: a credential from allowCredentials, when the RP gave a list
  const allow = ceremony.allowCredentialIds ?? [];
  if (allow.length > 0 && !allow.includes(body.id)) {
    throw new RpError('CREDENTIAL_NOT_ALLOWED', 'this credential was not in allowCredentials');
  }
  if (ceremony.username !== undefined && credential.username !== ceremony.username) {
    throw new RpError('CREDENTIAL_NOT_ALLOWED', `this credential does not belong to ${ceremony.username}`);
  }
  // step 6: the user handle, when given, must be the owner's; without an identified user it is required
  const userHandle = body.response.userHandle ?? undefined;
  if (userHandle !== undefined && userHandle !== '' && userHandle !== credential.userId) {
    throw new RpError('USER_HANDLE_MISMATCH', 'userHandle is not the handle of the credential owner');
  }
  if (ceremony.username === undefined && !userHandle) {
    throw new RpError('USER_HANDLE_MISMATCH', 'discoverable sign-in needs the userHandle the authenticator stored');
  }
  const clientData = parseClientData(body.response.clientDataJSON);
  checkClientData(clientData, { type: 'webauthn.get', challenge: ceremony.challenge, origin: expected.origin });
  let authData: AuthenticatorData;
  try {
    authData = parseAuthenticatorData(new Uint8Array(Buffer.from(body.response.authenticatorData, 'base64url')), { canonical: 'report' });
  } catch (e) {
    throw new RpError('AUTHENTICATOR_DATA_MALFORMED', `authenticatorData: ${(e as Error).message}`);
  }
  // step 15
  if (!Buffer.from(authData.rpIdHash).equals(createHash('sha256').update(expected.rpId).digest())) {
    throw new RpError('RPID_HASH_MISMATCH', `authData.rpIdHash is not SHA-256("${expected.rpId}")`);
  }
  // steps 16-17
  if (!authData.up) throw new RpError('USER_PRESENCE_MISSING', 'authData UP flag is not set');
  if (ceremony.userVerification === 'required' && !authData.uv) {
    throw new RpError('USER_VERIFICATION_MISSING', 'user verification was required but the authData UV flag is not set');
  }
  // WebAuthn L3 §7.2 (backup state steps): BE is fixed at creation; an assertion whose BE differs from the
  // credential record's backupEligible is refused, and BS is never set without BE (§6.1.3)
  if (credential.backupEligible !== undefined && authData.be !== credential.backupEligible) {
    throw new RpError('BACKUP_ELIGIBILITY_CHANGED', `authData BE flag is ${authData.be ? 'set' : 'clear'} but was ${credential.backupEligible ? 'set' : 'clear'} at registration`);
  }
  if (authData.bs && !authData.be) throw new RpError('AUTHENTICATOR_DATA_MALFORMED', 'authData BS (backed up) is set while BE (backup eligible) is clear (WebAuthn L3 §6.1.3)');
  // step 22
  if ((authData.signCount !== 0 || credential.counter !== 0) && authData.signCount <= credential.counter) {
    throw new RpError(
      'COUNTER_REGRESSION',
      `signature counter ${authData.signCount} is not greater than the stored ${credential.counter}: possible cloned authenticator`,
    );
  }
  let result;
  try {
    result = await verifyAuthenticationResponse({
      response: { ...body, clientExtensionResults: body.clientExtensionResults ?? body.getClientExtensionResults ?? {} } as unknown as AuthenticationResponseJSON,
      expectedChallenge: ceremony.challenge,
      expectedOrigin: expected.origin,
      expectedRPID: expected.rpId,
      credential: {
        id: credential.id,
        publicKey: new Uint8Array(credential.publicKey),
        counter: credential.counter,
        transports: credential.transports as AuthenticatorTransport[],
      },
      requireUserVerification: ceremony.userVerification === 'required',
    });
  } catch (e) {
    throw new RpError('VERIFICATION_FAILED', `assertion not verified: ${(e as Error).message}`);
  }
  if (!result.verified) throw new RpError('VERIFICATION_FAILED', 'assertion signature not verified');
  return { authData, newCounter: result.authenticationInfo.newCounter, userVerified: result.authenticationInfo.userVerified };
}
