import { randomBytes } from 'node:crypto';
import type { MdsStore } from '../../mds/MdsStore.ts';
import { defaultRpId } from './rpIdProblem.ts';

/** Time source; tests pass a manual one to expire challenges without waiting. */
export interface RpClock {
  now(): number;
}

export const systemRpClock: RpClock = { now: () => Date.now() };

/** What a createRpApp instance needs. Every store lives in the app; nothing is module-global. */
export interface RpConfig {
  /** the origin clientDataJSON must carry, e.g. http://localhost:8080 (WebAuthn L3 §7.1 step 9) */
  origin: string;
  /** the RP ID whose SHA-256 authData.rpIdHash must equal (§7.1 step 13) */
  rpId: string;
  rpName: string;
  /** also serve the FIDO conformance API at the root (it is always under /conformance) */
  conformanceAtRoot: boolean;
  /** a verified MDS BLOB; without one the decoded result says "no trust verdict: MDS not loaded" */
  mds?: MdsStore;
  /** why the MDS is not loaded (shown on the page), when one was asked for and failed */
  mdsProblem?: string;
  /** folder with runs/<name>/report.json */
  runsDir: string;
  /** the built page (web/dist); absent: the API only */
  webRoot?: string;
  clock: RpClock;
  rng: (length: number) => Uint8Array;
  /** ceremony (challenge) lifetime; WebAuthn L3 §5.4.1 suggests 300 s for UV-required, we use one value */
  challengeTtlMs: number;
  /** request body limit; the largest real registration (TPM, RSA chains) is under 16 KiB */
  maxBodyBytes: number;
  /** HMAC key for the session cookie */
  sessionSecret: Uint8Array;
  /**
   * Budgets that keep memory finite under hostile load without letting one client lock out the others:
   * outstanding ceremonies per browser session (its oldest is dropped when full), per peer address (refused
   * with 429 when full; the page's and the conformance API's ceremonies are counted apart), and in total
   * (when full, the peer holding the most loses its oldest).
   */
  maxCeremoniesPerSession: number;
  maxCeremoniesPerPeer: number;
  maxCeremonies: number;
  /** bytes kept for stored users and credentials, in total and per peer address that registered them */
  maxCredentialBytes: number;
  maxCredentialBytesPerPeer: number;
  maxCredentialsPerUser: number;
  /** a COSE_Key larger than this is refused: RSA-4096 takes 540 bytes, EC2 P-521 under 170 */
  maxPublicKeyBytes: number;
  /** signed-in browser sessions remembered (least recently used forgotten first) */
  maxSessions: number;
  /**
   * The simulator mode's trust anchor: the simulator's test MDS (its AAGUID and attestation root), so that
   * a simulator registration shows a trust verdict and the model. Browser ceremonies keep using `mds`.
   */
  simulatorMds?: () => Promise<MdsStore>;
  /**
   * Renders a runs/<name>/report.json as the report.html page (the same renderer the run command writes
   * it with); absent: the page offers report.json only. Throws on a value that is not a report.
   */
  renderReportHtml?: (report: unknown) => string;
}

export type RpConfigInput = Partial<RpConfig> & { port?: number };

/** Fills defaults: origin http://localhost:PORT (8080), rpId the origin's host, 120 s challenges, 64 KiB bodies. */
export function resolveRpConfig(input: RpConfigInput = {}): RpConfig {
  const rng = input.rng ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const origin = input.origin ?? `http://localhost:${input.port ?? 8080}`;
  return {
    origin,
    rpId: input.rpId ?? (input.origin ? defaultRpId(input.origin) : 'localhost'),
    rpName: input.rpName ?? 'fido-harness',
    conformanceAtRoot: input.conformanceAtRoot ?? false,
    ...(input.mds ? { mds: input.mds } : {}),
    ...(input.mdsProblem ? { mdsProblem: input.mdsProblem } : {}),
    runsDir: input.runsDir ?? 'runs',
    ...(input.webRoot ? { webRoot: input.webRoot } : {}),
    clock: input.clock ?? systemRpClock,
    rng,
    challengeTtlMs: input.challengeTtlMs ?? 120_000,
    maxBodyBytes: input.maxBodyBytes ?? 64 * 1024,
    sessionSecret: input.sessionSecret ?? rng(32),
    maxCeremoniesPerSession: input.maxCeremoniesPerSession ?? 32,
    maxCeremoniesPerPeer: input.maxCeremoniesPerPeer ?? 2_000,
    maxCeremonies: input.maxCeremonies ?? 50_000,
    maxCredentialBytes: input.maxCredentialBytes ?? 64 * 1024 * 1024,
    maxCredentialBytesPerPeer: input.maxCredentialBytesPerPeer ?? 16 * 1024 * 1024,
    maxCredentialsPerUser: input.maxCredentialsPerUser ?? 50,
    maxPublicKeyBytes: input.maxPublicKeyBytes ?? 1024,
    maxSessions: input.maxSessions ?? 10_000,
    ...(input.simulatorMds ? { simulatorMds: input.simulatorMds } : {}),
    ...(input.renderReportHtml ? { renderReportHtml: input.renderReportHtml } : {}),
  };
}
