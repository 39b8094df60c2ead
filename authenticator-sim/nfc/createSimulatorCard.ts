import { Authenticator } from '../Authenticator.ts';
import { simulatorPresence, type SimulatorDeviceOptions } from '../ctaphid/createSimulatorDevice.ts';
import { NfcApplet } from './NfcApplet.ts';

/**
 * An authenticator behind the NFC applet, wired like createSimulatorDevice so status updates say UPNEEDED
 * while the injected user presence is pending (a latency profile's touch time applies; its per-command
 * time is CTAPHID's only):
 *
 *   const { applet } = await createSimulatorCard({ allowResetAnytime: true });
 *   const response = await applet.transmit(commandApdu);
 */
export async function createSimulatorCard(
  options: Omit<SimulatorDeviceOptions, 'ctaphid'> & { statusUpdateMs?: number } = {},
): Promise<{ authenticator: Authenticator; applet: NfcApplet }> {
  const presence = simulatorPresence(options);
  const authenticator = await Authenticator.create({ ...options, userPresence: presence });
  const applet = new NfcApplet({ authenticator, presence, ...(options.statusUpdateMs ? { statusUpdateMs: options.statusUpdateMs } : {}) });
  return { authenticator, applet };
}
