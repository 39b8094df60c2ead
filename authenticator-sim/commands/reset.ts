import { CtapStatus, CtapStatusError } from '../../harness/protocol/index.ts';
import type { Authenticator, HandleOptions } from '../Authenticator.ts';

/** CTAP 2.1 §6.6: reset only within 10 s of power-up (unless the simulator allows it anytime). */
export const RESET_WINDOW_MS = 10_000;
/** CTAP 2.1 §6.6: the user has 30 s to confirm a reset, else CTAP2_ERR_USER_ACTION_TIMEOUT. */
export const RESET_PRESENCE_TIMEOUT_MS = 30_000;

/** authenticatorReset, CTAP 2.1 §6.6 */
export async function reset(a: Authenticator, _params: unknown, { signal }: HandleOptions): Promise<null> {
  if (!a.allowResetAnytime && a.clock.now() - a.poweredOnAt > RESET_WINDOW_MS) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_NOT_ALLOWED, 'reset is allowed only within 10 s of power-up');
  }
  const outcome = await presenceWithin(a, a.resetPresenceTimeoutMs, signal);
  if (outcome === 'timeout') throw new CtapStatusError(CtapStatus.CTAP2_ERR_USER_ACTION_TIMEOUT);
  if (outcome !== 'approved') throw new CtapStatusError(CtapStatus.CTAP2_ERR_OPERATION_DENIED);
  a.factoryReset();
  a.persist();
  return null;
}

/** authenticatorSelection, CTAP 2.1 §6.9: a touch selects this authenticator. */
export async function selection(a: Authenticator, _params: unknown, { signal }: HandleOptions): Promise<null> {
  const outcome = await a.requestUserPresence({ reason: 'selection', signal });
  if (outcome === 'timeout') throw new CtapStatusError(CtapStatus.CTAP2_ERR_USER_ACTION_TIMEOUT);
  if (outcome !== 'approved') throw new CtapStatusError(CtapStatus.CTAP2_ERR_OPERATION_DENIED);
  return null;
}

/** The reset's touch, given up after `ms` (the wait itself is aborted, so no touch is left pending). */
async function presenceWithin(a: Authenticator, ms: number, signal: AbortSignal | undefined): Promise<'approved' | 'denied' | 'timeout'> {
  const expiry = new AbortController();
  const onAbort = () => expiry.abort();
  // A cancel that came before the wait began ends it at once ('abort' is not dispatched again).
  if (signal?.aborted) expiry.abort();
  // Stryker disable next-line ObjectLiteral,BooleanLiteral: onAbort is idempotent and removed in finally anyway
  else signal?.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    expiry.abort();
  }, ms);
  // Stryker disable next-line OptionalChaining: Node's timers always have unref
  timer.unref?.();
  try {
    return await a.requestUserPresence({ reason: 'reset', signal: expiry.signal });
  } catch (err) {
    // The abort of our own timer is the user not answering; CTAPHID_CANCEL stays KEEPALIVE_CANCEL.
    if (timedOut && !signal?.aborted) return 'timeout';
    throw err;
    // Stryker disable next-line BlockStatement: housekeeping: a later timer or cancel only aborts a wait already over
  } finally {
    clearTimeout(timer);
    // Stryker disable next-line StringLiteral: as above, a listener left behind only aborts a wait already over
    signal?.removeEventListener('abort', onAbort);
  }
}
