import { generateAuthenticationOptions } from '@simplewebauthn/server';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { RpError } from '../RpError.ts';
import type { RpState } from '../RpState.ts';
import type { Ceremony } from '../stores/CeremonyStore.ts';

export interface StartAuthenticationInput {
  /** undefined: discoverable sign-in (empty allowCredentials, WebAuthn L3 §5.5) */
  username: string | undefined;
  userVerification: 'required' | 'preferred' | 'discouraged';
  sessionId: string | undefined;
  /** the peer address: budgets are kept per client */
  peer: string;
  extensions?: Record<string, unknown>;
}

/** Issues request options with a fresh challenge; a named user must exist and have credentials. */
export async function startAuthentication(rp: RpState, input: StartAuthenticationInput): Promise<{ ceremony: Ceremony; options: PublicKeyCredentialRequestOptionsJSON }> {
  const { config } = rp;
  let allow: { id: string; transports: string[] }[] = [];
  if (input.username !== undefined) {
    const creds = rp.credentials.credentialsOf(input.username);
    if (creds.length === 0) throw new RpError('USER_UNKNOWN', `no credentials registered for ${JSON.stringify(input.username)}`, 404);
    allow = creds.map((c) => ({ id: c.id, transports: c.transports }));
  }
  const options = await generateAuthenticationOptions({
    rpID: config.rpId,
    allowCredentials: allow,
    challenge: new Uint8Array(config.rng(32)),
    timeout: config.challengeTtlMs,
    userVerification: input.userVerification,
    ...(input.extensions ? { extensions: input.extensions as never } : {}),
  });
  const ceremony = rp.ceremonies.add({
    id: input.sessionId === undefined ? options.challenge : Buffer.from(config.rng(24)).toString('base64url'),
    kind: 'authentication',
    sessionId: input.sessionId,
    challenge: options.challenge,
    username: input.username,
    userVerification: input.userVerification,
    allowCredentialIds: allow.map((a) => a.id),
  }, { sessionId: input.sessionId, peer: input.peer });
  return { ceremony, options };
}
