import type { RpConfig } from './RpConfig.ts';
import type { CeremonyStore } from './stores/CeremonyStore.ts';
import type { CredentialStore } from './stores/CredentialStore.ts';
import type { CertificateSummaryCache } from './stores/CertificateSummaryCache.ts';

/** One RP instance's state: its config and its own stores. Route factories receive it; nothing is global. */
export interface RpState {
  config: RpConfig;
  ceremonies: CeremonyStore;
  credentials: CredentialStore;
  /** attestation certificate descriptions, shared by the registrations of one RP */
  certificates: CertificateSummaryCache;
}

/** Hono environment: the typed context variables the middleware sets. */
export interface RpEnv {
  Variables: {
    /** set by sessionCookie(): the caller's session, bound into every ceremony it starts */
    sessionId: string;
    /** set on the FIDO conformance API's routes: failures there carry exactly {status, errorMessage} */
    conformance: boolean;
  };
}
