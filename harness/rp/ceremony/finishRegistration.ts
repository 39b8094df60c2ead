import type { MdsStore } from '../../../mds/MdsStore.ts';
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

export interface FinishRegistrationOptions {
  /** the peer address the credential's bytes are charged to */
  peer: string;
  /** judge against this MDS instead of the configured one (the simulator mode's test MDS) */
  mds?: { store: MdsStore } | { problem: string };
}

/**
 * Verifies, decodes and only then stores the credential (a refused registration stores nothing). The
 * decoded registration is answered, not kept: the store holds the key and what the credential list shows.
 */
export async function finishRegistration(rp: RpState, ceremony: Ceremony, body: RegistrationResponseBody, options: FinishRegistrationOptions): Promise<FinishedRegistration> {
  const { config } = rp;
  const now = new Date(config.clock.now());
  const mds = options.mds ? ('store' in options.mds ? options.mds.store : undefined) : config.mds;
  const mdsProblem = options.mds ? ('problem' in options.mds ? options.mds.problem : undefined) : config.mdsProblem;
  const verified = await verifyRegistration(body, ceremony, {
    origin: config.origin,
    rpId: config.rpId,
    maxPublicKeyBytes: config.maxPublicKeyBytes,
    isRegistered: (id) => rp.credentials.credential(id) !== undefined,
    ...(mds ? { mds } : {}),
    at: now,
  });
  const summary = await decodeRegistration({
    attestation: verified.attestation,
    response: body,
    origin: config.origin,
    rpId: config.rpId,
    clientExtensionResults: verified.clientExtensionResults,
    residentKeyRequested: ceremony.residentKey,
    mds,
    mdsProblem,
    at: now,
    verified: verified.attestationResult,
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
    backupEligible: verified.attestation.authData.be,
    transports: verified.transports,
    aaguid: summary.aaguid,
    fmt: summary.fmt,
    createdAt: now.toISOString(),
    signIns: 0,
    listing: { model: summary.model, userVerified: summary.flags.UV, residentKey: summary.residentKey, algorithm: summary.publicKey.algName },
  };
  rp.credentials.addCredential(user, credential, options.peer);
  return { username, credential, summary };
}
