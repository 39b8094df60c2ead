import { randomBytes } from 'node:crypto';
import type { MdsStore } from '../../mds/MdsStore.ts';

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
  /** bounds that keep memory finite under hostile load */
  maxCeremonies: number;
  maxUsers: number;
  maxCredentialsPerUser: number;
}

export type RpConfigInput = Partial<RpConfig> & { port?: number };

/** Fills defaults: origin http://localhost:PORT (8080), rpId localhost, 120 s challenges, 64 KiB bodies. */
export function resolveRpConfig(input: RpConfigInput = {}): RpConfig {
  const rng = input.rng ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const origin = input.origin ?? `http://localhost:${input.port ?? 8080}`;
  return {
    origin,
    rpId: input.rpId ?? 'localhost',
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
    maxCeremonies: input.maxCeremonies ?? 10_000,
    maxUsers: input.maxUsers ?? 1_000,
    maxCredentialsPerUser: input.maxCredentialsPerUser ?? 50,
  };
}
