import type { AuthenticatorData } from '../protocol/index.ts';
import { authDataOf } from './client-pin/tokenChecks.ts';
import { ensure } from './expect.ts';
import type { CallResult, SuiteContext } from './SuiteContext.ts';

/** Counting touches needs a transport that shows the device's waits (CTAPHID or NFC). */
export const needsPresenceCount = (ctx: SuiteContext): string | undefined =>
  ctx.device.hid || ctx.device.nfc ? undefined : 'the transport does not show the device waiting for a touch';

/**
 * The waits for a touch the device announced while `body` ran, as the host sees them: CTAPHID KEEPALIVE
 * with status UPNEEDED (CTAP 2.1 §11.2.9.2.1) or the NFC status update (§11.3.5). `waits` is undefined
 * when the transport cannot see them (nothing to count on).
 */
export async function countPresenceWaits<T>(ctx: SuiteContext, body: () => Promise<T>): Promise<{ value: T; waits: number | undefined }> {
  const presence = ctx.device.hid?.presence ?? ctx.device.nfc?.presence;
  const before = presence?.waits ?? 0;
  const value = await body();
  return { value, waits: presence ? presence.waits - before : undefined };
}

/**
 * A makeCredential or getAssertion sent with a PIN token must still ask for exactly one touch (the token is
 * no proof of presence: CTAP 2.1 §6.5.5.7.2 starts it with userPresent false) and then set UP.
 */
export async function expectOneTouchWithUp(ctx: SuiteContext, what: 'makeCredential' | 'getAssertion', send: () => Promise<CallResult<unknown>>): Promise<AuthenticatorData> {
  const { value, waits } = await countPresenceWaits(ctx, send);
  const authData = authDataOf(value, what);
  ensure(waits === 1, `${what} with a PIN token asked for ${waits} touches, not 1`, { expected: '1 presence wait', actual: String(waits) });
  ensure(authData.up, `UP clear after ${what} collected the touch`);
  return authData;
}
