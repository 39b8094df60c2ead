import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import type { RpState } from '../RpState.ts';
import { buildRegistrationOptions, resolveRegistrationChoices, type RegistrationChoices } from './registrationOptions.ts';
import type { Ceremony } from '../stores/CeremonyStore.ts';

export interface StartRegistrationInput {
  username: string;
  displayName?: string;
  choices: RegistrationChoices;
  /** page: the session; conformance API: undefined (the challenge itself identifies the ceremony) */
  sessionId: string | undefined;
  /** the peer address: budgets are kept per client */
  peer: string;
  extensions?: Record<string, unknown>;
}

const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');

/**
 * Issues creation options with a fresh 32-byte challenge (WebAuthn L3 §13.4.3: at least 16 random bytes)
 * and records the ceremony. Existing credentials of the user go into excludeCredentials (§5.4 step).
 * Nothing about the user is stored until the registration verifies.
 */
export async function startRegistration(rp: RpState, input: StartRegistrationInput): Promise<{ ceremony: Ceremony; options: PublicKeyCredentialCreationOptionsJSON }> {
  const { config } = rp;
  const user = rp.credentials.userOrNew(input.username, input.displayName ?? input.username, () => b64u(config.rng(16)));
  rp.credentials.checkRoom(user, input.peer);
  const challenge = config.rng(32);
  const choices = resolveRegistrationChoices(input.choices);
  const options = await buildRegistrationOptions({
    rpName: config.rpName,
    rpId: config.rpId,
    username: user.username,
    displayName: input.displayName ?? user.displayName,
    userId: Buffer.from(user.userId, 'base64url'),
    challenge,
    timeoutMs: config.challengeTtlMs,
    excludeCredentials: rp.credentials.credentialsOf(user.username).map((c) => ({ id: c.id, transports: c.transports })),
    choices,
    ...(input.extensions ? { extensions: input.extensions } : {}),
  });
  const ceremony = rp.ceremonies.add({
    // the page gets a separate ceremony id; the conformance API finds the ceremony by its challenge
    id: input.sessionId === undefined ? options.challenge : b64u(config.rng(24)),
    kind: 'registration',
    sessionId: input.sessionId,
    challenge: options.challenge,
    username: user.username,
    userVerification: choices.userVerification,
    residentKey: choices.residentKey,
    attestation: choices.attestation,
    algorithms: choices.algorithms,
    profile: choices.profile,
    displayName: input.displayName ?? user.displayName,
    userId: user.userId,
  }, { sessionId: input.sessionId, peer: input.peer });
  return { ceremony, options };
}
