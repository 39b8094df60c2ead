import { Authenticator, type AuthenticatorOptions } from '../Authenticator.ts';
import { autoApprove } from '../env.ts';
import { CtaphidDevice, type CtaphidDeviceOptions } from './CtaphidDevice.ts';
import { holdPresence, type PresenceHold } from './holdPresence.ts';
import type { LatencyProfile } from './latency.ts';
import { TrackedUserPresence } from './TrackedUserPresence.ts';

export interface SimulatorDeviceOptions extends AuthenticatorOptions {
  /** CTAPHID timing options (message timeout, keepalive period, version bytes) */
  ctaphid?: Omit<CtaphidDeviceOptions, 'authenticator' | 'presence'>;
  /**
   * user-presence requests of these reasons wait this long before the injected presence answers (and
   * KEEPALIVE says UPNEEDED meanwhile); see holdPresence.ts, DEFAULT_SELECTION_HOLD. Default: none.
   */
  presenceHold?: PresenceHold;
  /** a real key's slowness: every touch and every command takes this long (latency.ts). Default: none. */
  latency?: LatencyProfile;
}

/** The injected presence with the latency's touch time and the hold applied, tracked (UPNEEDED while it waits). */
export function simulatorPresence(options: Pick<SimulatorDeviceOptions, 'userPresence' | 'latency' | 'presenceHold'>): TrackedUserPresence {
  let inner = options.userPresence ?? autoApprove;
  if (options.latency) inner = holdPresence(inner, { reasons: 'all', ms: options.latency.touchMs });
  if (options.presenceHold) inner = holdPresence(inner, options.presenceHold);
  return new TrackedUserPresence(inner);
}

/**
 * An authenticator behind a CTAPHID device, wired so KEEPALIVE reports UPNEEDED while the injected user
 * presence is pending. This is what the UDP listener and an in-process `memory` transport drive:
 *
 *   const { device } = await createSimulatorDevice({ allowResetAnytime: true });
 *   device.onReport((report) => host.deliver(report));   // 64-byte reports out
 *   device.receive(report);                                // 64-byte reports in
 *
 * `presence.approved` counts the touches approved (what the same requests cost on a real key).
 */
export async function createSimulatorDevice<Origin = unknown>(
  options: SimulatorDeviceOptions = {},
): Promise<{ authenticator: Authenticator; device: CtaphidDevice<Origin>; presence: TrackedUserPresence }> {
  const presence = simulatorPresence(options);
  const authenticator = await Authenticator.create({ ...options, userPresence: presence });
  const latency = options.latency;
  const device = new CtaphidDevice<Origin>({
    ...(latency ? { processingDelayMs: (cmd: number, payload: Uint8Array) => latency.commandMs(cmd, payload) } : {}),
    ...options.ctaphid,
    authenticator,
    presence,
  });
  return { authenticator, device, presence };
}
