import { UserPresenceCancelled, type UserPresence, type UserPresenceRequest } from '../env.ts';

/** Which presence requests are held, and for how long, before the inner presence answers. */
export interface PresenceHold {
  /** the request reasons to hold (e.g. ['selection']), or every request */
  reasons: readonly UserPresenceRequest['reason'][] | 'all';
  /** how long each such request waits, ms, before the inner presence is asked */
  ms: number;
  /** requests of any reason for RP IDs matching this are held too */
  rpIds?: RegExp;
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
 * The same for a simulator playing a model without authenticatorSelection (no FIDO_2_1): the ctaphid
 * checks then wait on a makeCredential of their own RP ID (`ctaphid-*.fido-harness.test`), which is held
 * instead; every other makeCredential is still approved at once.
 */
export const CTAP20_PRESENCE_HOLD: PresenceHold = { ...DEFAULT_SELECTION_HOLD, rpIds: /^ctaphid-[a-z0-9-]+\.fido-harness\.test$/ };

/** The hold for a simulator with `versions`: CTAP20_PRESENCE_HOLD without FIDO_2_1, else DEFAULT_SELECTION_HOLD. */
export function presenceHoldFor(versions: readonly string[]): PresenceHold {
  return versions.includes('FIDO_2_1') ? DEFAULT_SELECTION_HOLD : CTAP20_PRESENCE_HOLD;
}

/**
 * Wraps a user presence so requests with the given reasons wait `hold.ms` first. The wait ends early, with
 * UserPresenceCancelled, when the request's signal aborts (CTAPHID_CANCEL, or INIT resynchronising the
 * channel), exactly as a real touch wait does.
 */
export function holdPresence(inner: UserPresence, hold: PresenceHold): UserPresence {
  return {
    async request(req) {
      const held = hold.reasons === 'all' || hold.reasons.includes(req.reason) || (req.rpId !== undefined && hold.rpIds?.test(req.rpId) === true);
      if (hold.ms > 0 && held) {
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
