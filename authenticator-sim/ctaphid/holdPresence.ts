import { UserPresenceCancelled, type UserPresence, type UserPresenceRequest } from '../env.ts';

/** Which presence requests are held, and for how long, before the inner presence answers. */
export interface PresenceHold {
  /** the request reasons to hold (e.g. ['selection']), or every request */
  reasons: readonly UserPresenceRequest['reason'][] | 'all';
  /** how long each such request waits, ms, before the inner presence is asked */
  ms: number;
}

/**
 * The hold the simulator applies by default when driven by `fido-harness run` or `fido-harness sim`:
 * authenticatorSelection (CTAP 2.1 §6.9) waits 1.5 s for its "touch". Nothing else asks for selection in
 * ordinary use, and every other request is still approved at once (docs/simulator.md). This makes a pending
 * user-presence wait observable over CTAPHID, so the suites can test CANCEL (§11.2.9.1.5), KEEPALIVE
 * UPNEEDED cadence (§11.2.9.2.1), CHANNEL_BUSY during a transaction and INIT aborting one (§11.2.9.1.3)
 * against the simulator as against a key nobody touches. The value is chosen, not from the spec: long
 * enough for a loaded host to send its CANCEL, short enough that a check waiting it out costs little.
 */
export const DEFAULT_SELECTION_HOLD: PresenceHold = { reasons: ['selection'], ms: 1_500 };

/**
 * Wraps a user presence so requests with the given reasons wait `hold.ms` first. The wait ends early, with
 * UserPresenceCancelled, when the request's signal aborts (CTAPHID_CANCEL, or INIT resynchronising the
 * channel), exactly as a real touch wait does.
 */
export function holdPresence(inner: UserPresence, hold: PresenceHold): UserPresence {
  return {
    async request(req) {
      if (hold.ms > 0 && (hold.reasons === 'all' || hold.reasons.includes(req.reason))) {
        await new Promise<void>((resolve, reject) => {
          if (req.signal?.aborted) {
            reject(new UserPresenceCancelled());
            return;
          }
          const onAbort = () => {
            clearTimeout(timer);
            reject(new UserPresenceCancelled());
          };
          const timer = setTimeout(() => {
            req.signal?.removeEventListener('abort', onAbort);
            resolve();
          }, hold.ms);
          req.signal?.addEventListener('abort', onAbort, { once: true });
        });
      }
      return inner.request(req);
    },
  };
}
