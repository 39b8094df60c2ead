import { CtapStatus, CtapStatusError } from '../../harness/protocol/index.ts';
import type { Authenticator, HandleOptions } from '../Authenticator.ts';

/** CTAP 2.1 §6.6: reset only within 10 s of power-up (unless the simulator allows it anytime). */
export const RESET_WINDOW_MS = 10_000;

/** authenticatorReset, CTAP 2.1 §6.6 */
export async function reset(a: Authenticator, _params: unknown, { signal }: HandleOptions): Promise<null> {
  if (!a.allowResetAnytime && a.clock.now() - a.poweredOnAt > RESET_WINDOW_MS) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_NOT_ALLOWED, 'reset is allowed only within 10 s of power-up');
  }
  const outcome = await a.requestUserPresence({ reason: 'reset', signal });
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
