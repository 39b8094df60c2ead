import { parseAuthenticatorData } from '../protocol/index.ts';

/** One signature counter the run saw in a makeCredential / getAssertion answer (authData signCount). */
export interface SeenCounter {
  /** how many authenticatorResets the run had done before the answer */
  epoch: number;
  signCount: number;
  /** hex of the credential ID the counter belongs to */
  credential: string;
}

/**
 * The signature counters of the run, and the resets between them (every reset goes through
 * SuiteContext.reset), so that a check can see what authenticatorReset did to the counter without a reset or
 * a touch of its own: the run makes credentials on both sides of its resets anyway.
 */
export class SignCountLog {
  private epoch = 0;
  private readonly counters: SeenCounter[] = [];

  /** An authenticatorReset was answered CTAP2_OK. */
  reset(): void {
    this.epoch++;
  }

  /** The counter in `authData` (an answer that does not parse is left out: the check reading it judges it). */
  record(authData: Uint8Array, credentialId?: Uint8Array): void {
    try {
      const parsed = parseAuthenticatorData(authData, { canonical: 'report' });
      const id = credentialId ?? parsed.attestedCredentialData?.credentialId;
      if (!id) return;
      this.counters.push({ epoch: this.epoch, signCount: parsed.signCount, credential: Buffer.from(id).toString('hex') });
    } catch {
      // not ours to judge here
    }
  }

  get seen(): readonly SeenCounter[] {
    return this.counters;
  }
}

/** What the run's counters say about authenticatorReset (WebAuthn L3 §6.1.1). */
export interface CounterAcrossResets {
  /**
   * whether the counters look global (one counter for the device): in some stretch between resets they
   * rose with every answer over at least two credentials; a key with a counter per credential (each new
   * credential starts again, allowed by §6.1.1) or none (always 0) is not judged
   */
  global: boolean;
  /** each reset with counters seen on both sides: the highest before it and the first after it */
  crossings: readonly { epoch: number; before: number; after: number }[];
}

export function counterAcrossResets(seen: readonly SeenCounter[]): CounterAcrossResets {
  const epochs = [...new Set(seen.map((c) => c.epoch))].sort((a, b) => a - b);
  const global = epochs.some((e) => {
    const run = seen.filter((c) => c.epoch === e);
    return run.length >= 3 && new Set(run.map((c) => c.credential)).size >= 2 && run.every((c, i) => i === 0 || c.signCount > run[i - 1]!.signCount);
  });
  const crossings = epochs.slice(1).flatMap((e) => {
    const earlier = seen.filter((c) => c.epoch < e);
    const first = seen.find((c) => c.epoch === e);
    if (earlier.length === 0 || !first) return [];
    return [{ epoch: e, before: Math.max(...earlier.map((c) => c.signCount)), after: first.signCount }];
  });
  return { global, crossings };
}
