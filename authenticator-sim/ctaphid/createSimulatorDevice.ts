import { Authenticator, type AuthenticatorOptions } from '../Authenticator.ts';
import { autoApprove } from '../env.ts';
import { CtaphidDevice, type CtaphidDeviceOptions } from './CtaphidDevice.ts';
import { holdPresence, type PresenceHold } from './holdPresence.ts';
import { TrackedUserPresence } from './TrackedUserPresence.ts';

export interface SimulatorDeviceOptions extends AuthenticatorOptions {
  /** CTAPHID timing options (message timeout, keepalive period, version bytes) */
  ctaphid?: Omit<CtaphidDeviceOptions, 'authenticator' | 'presence'>;
  /**
   * user-presence requests of these reasons wait this long before the injected presence answers (and
   * KEEPALIVE says UPNEEDED meanwhile); see holdPresence.ts, DEFAULT_SELECTION_HOLD. Default: none.
   */
  presenceHold?: PresenceHold;
}

/**
 * An authenticator behind a CTAPHID device, wired so KEEPALIVE reports UPNEEDED while the injected user
 * presence is pending. This is what the UDP listener and an in-process `memory` transport drive:
 *
 *   const { device } = await createSimulatorDevice({ allowResetAnytime: true });
 *   device.onReport((report) => host.deliver(report));   // 64-byte reports out
 *   device.receive(report);                                // 64-byte reports in
 */
export async function createSimulatorDevice<Origin = unknown>(
  options: SimulatorDeviceOptions = {},
): Promise<{ authenticator: Authenticator; device: CtaphidDevice<Origin> }> {
  const inner = options.userPresence ?? autoApprove;
  const presence = new TrackedUserPresence(options.presenceHold ? holdPresence(inner, options.presenceHold) : inner);
  const authenticator = await Authenticator.create({ ...options, userPresence: presence });
  const device = new CtaphidDevice<Origin>({ ...options.ctaphid, authenticator, presence });
  return { authenticator, device };
}
