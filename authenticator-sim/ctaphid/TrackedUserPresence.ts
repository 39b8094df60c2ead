import type { UserPresence, UserPresenceOutcome, UserPresenceRequest } from '../env.ts';

/**
 * Wraps the user's touch so the device layer knows when a request is waiting for it: CTAPHID then reports
 * KEEPALIVE status UPNEEDED instead of PROCESSING (CTAP 2.1 §11.2.9.2.1). It also counts the requests the
 * user approved: on the simulator that is the number of touches a run would cost on a real key.
 */
export class TrackedUserPresence implements UserPresence {
  private pending = 0;
  private readonly listeners = new Set<(req: UserPresenceRequest) => void>();
  /** presence requests approved since the device was made (touches on a real key) */
  approved = 0;

  constructor(private readonly inner: UserPresence) {}

  /** true while at least one request waits for the user */
  get waiting(): boolean {
    return this.pending > 0;
  }

  /** Called each time a request starts waiting for the user; returns a function that removes it. */
  onWait(listener: (req: UserPresenceRequest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async request(req: UserPresenceRequest): Promise<UserPresenceOutcome> {
    this.pending++;
    for (const listener of this.listeners) listener(req);
    try {
      const outcome = await this.inner.request(req);
      if (outcome === 'approved') this.approved++;
      return outcome;
    } finally {
      this.pending--;
    }
  }
}
