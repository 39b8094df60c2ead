import type { SuiteContext } from './SuiteContext.ts';

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
