import type { MdsStore } from '../../mds/MdsStore.ts';
import type { RpConfig } from './RpConfig.ts';
import type { CeremonyStore } from './stores/CeremonyStore.ts';
import type { CredentialStore } from './stores/CredentialStore.ts';
import type { CertificateSummaryCache } from './stores/CertificateSummaryCache.ts';
import type { SessionStore } from './stores/SessionStore.ts';

/** One RP instance's state: its config and its own stores. Route factories receive it; nothing is global. */
export interface RpState {
  config: RpConfig;
  ceremonies: CeremonyStore;
  credentials: CredentialStore;
  sessions: SessionStore;
  /** attestation certificate descriptions, shared by the registrations of one RP */
  certificates: CertificateSummaryCache;
  /** the MDS simulator registrations are judged against (loaded once, on first use); undefined: config.mds */
  simulatorMds(): Promise<{ store: MdsStore } | { problem: string } | undefined>;
}

/** Hono environment: the typed context variables the middleware sets. */
export interface RpEnv {
  Variables: {
    /** set by sessionCookie(): the caller's session, bound into every ceremony it starts */
    sessionId: string;
    /** set on the FIDO conformance API's routes: failures there carry exactly {status, errorMessage} */
    conformance: boolean;
    /** a route that answers a document with its own policy (report.html) sets it; securityHeaders applies it */
    documentPolicy: string;
  };
}
