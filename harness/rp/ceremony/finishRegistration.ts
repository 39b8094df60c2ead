import type { RpState } from '../RpState.ts';
import type { Ceremony } from '../stores/CeremonyStore.ts';
import type { StoredCredential } from '../stores/CredentialStore.ts';
import type { RegistrationResponseBody } from '../schemas.ts';
import { decodeRegistration, type RegistrationSummary } from './decodeRegistration.ts';
import { verifyRegistration } from './verifyRegistration.ts';

export interface FinishedRegistration {
  username: string;
  credential: StoredCredential;
  summary: RegistrationSummary;
}

/** Verifies, decodes and only then stores the credential (a refused registration stores nothing). */
export async function finishRegistration(rp: RpState, ceremony: Ceremony, body: RegistrationResponseBody): Promise<FinishedRegistration> {
  const { config } = rp;
  const verified = await verifyRegistration(body, ceremony, {
    origin: config.origin,
    rpId: config.rpId,
    isRegistered: (id) => rp.credentials.credential(id) !== undefined,
  });
  const now = new Date(config.clock.now());
  const summary = await decodeRegistration({
    attestation: verified.attestation,
    response: body,
    origin: config.origin,
    rpId: config.rpId,
    clientExtensionResults: verified.clientExtensionResults,
    residentKeyRequested: ceremony.residentKey,
    mds: config.mds,
    mdsProblem: config.mdsProblem,
    at: now,
    describe: (der) => rp.certificates.describe(der),
  });
  const username = ceremony.username!;
  const user = rp.credentials.userOrNew(username, ceremony.displayName ?? username, () => ceremony.userId!);
  const credential: StoredCredential = {
    id: verified.credentialId,
    username,
    // the handle the authenticator stored is the one in this ceremony's options (a concurrent first
    // registration of the same new user may have saved another one)
    userId: ceremony.userId ?? user.userId,
    publicKey: verified.publicKey,
    counter: verified.counter,
    transports: verified.transports,
    aaguid: summary.aaguid,
    fmt: summary.fmt,
    createdAt: now.toISOString(),
    signIns: 0,
    summary,
  };
  rp.credentials.addCredential(user, credential);
  return { username, credential, summary };
}
