import type { UserPresence, UserPresenceOutcome, UserPresenceRequest } from '../env.ts';

/**
 * Wraps the user's touch so the device layer knows when a request is waiting for it: CTAPHID then reports
 * KEEPALIVE status UPNEEDED instead of PROCESSING (CTAP 2.1 §11.2.9.2.1).
 */
export class TrackedUserPresence implements UserPresence {
  private pending = 0;

  constructor(private readonly inner: UserPresence) {}

  /** true while at least one request waits for the user */
  get waiting(): boolean {
    return this.pending > 0;
  }

  async request(req: UserPresenceRequest): Promise<UserPresenceOutcome> {
    this.pending++;
    try {
      return await this.inner.request(req);
    } finally {
      this.pending--;
    }
  }
}
