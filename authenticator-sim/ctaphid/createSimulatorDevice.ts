import { Authenticator, type AuthenticatorOptions } from '../Authenticator.ts';
import { autoApprove } from '../env.ts';
import { CtaphidDevice, type CtaphidDeviceOptions } from './CtaphidDevice.ts';
import { TrackedUserPresence } from './TrackedUserPresence.ts';

export interface SimulatorDeviceOptions extends AuthenticatorOptions {
  /** CTAPHID timing options (message timeout, keepalive period, version bytes) */
  ctaphid?: Omit<CtaphidDeviceOptions, 'authenticator' | 'presence'>;
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
  const presence = new TrackedUserPresence(options.userPresence ?? autoApprove);
  const authenticator = await Authenticator.create({ ...options, userPresence: presence });
  const device = new CtaphidDevice<Origin>({ ...options.ctaphid, authenticator, presence });
  return { authenticator, device };
}
