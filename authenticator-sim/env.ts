import { createHash, randomBytes } from 'node:crypto';

/**
 * The simulator's hardware, injected (after OpenSK's Env): tests script the clock, the
 * randomness, the user's touch and the storage.
 */
export interface Clock {
  /** milliseconds, monotonic enough for timers */
  now(): number;
}

export interface Rng {
  bytes(length: number): Uint8Array;
}

export type UserPresenceOutcome = 'approved' | 'denied' | 'timeout';

export interface UserPresenceRequest {
  /** what the user is asked to confirm (for logs and scripted tests) */
  reason: 'makeCredential' | 'getAssertion' | 'reset' | 'selection' | 'excluded' | 'pinUvAuthParam-probe' | 'u2f' | 'uv' | 'config' | 'credentialManagement' | 'largeBlobs';
  rpId?: string;
  /** aborted by CTAPHID_CANCEL: the wait ends with CTAP2_ERR_KEEPALIVE_CANCEL */
  signal?: AbortSignal;
}

/** The user's touch. The device layer reports KEEPALIVE UPNEEDED while a request is pending. */
export interface UserPresence {
  request(req: UserPresenceRequest): Promise<UserPresenceOutcome>;
}

/** Where persistent state lives; `save` must be durable before it returns (atomic file writes). */
export interface StateStorage {
  load(): string | undefined;
  save(serialized: string): void;
}

export const systemClock: Clock = { now: () => Date.now() };
export const systemRng: Rng = { bytes: (n) => new Uint8Array(randomBytes(n)) };

/** Approves every request at once: what a simulator driven over UDP does (docs/simulator.md). */
export const autoApprove: UserPresence = {
  request: async (req) => {
    if (req.signal?.aborted) throw new UserPresenceCancelled();
    return 'approved';
  },
};

export class UserPresenceCancelled extends Error {
  override readonly name = 'UserPresenceCancelled';
  constructor() {
    super('user presence wait cancelled');
  }
}

export class MemoryStorage implements StateStorage {
  private value: string | undefined;
  constructor(initial?: string) {
    this.value = initial;
  }
  load(): string | undefined {
    return this.value;
  }
  save(serialized: string): void {
    this.value = serialized;
  }
}

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private t = 1_700_000_000_000) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Deterministic bytes from a counter-mode SHA-256 stream, for reproducible tests. */
export function seededRng(seed: string): Rng {
  let counter = 0;
  return {
    bytes(length) {
      const out = new Uint8Array(length);
      for (let off = 0; off < length; off += 32) {
        const block = createHash('sha256').update(`${seed}:${counter++}`).digest();
        out.set(block.subarray(0, Math.min(32, length - off)), off);
      }
      return out;
    },
  };
}
