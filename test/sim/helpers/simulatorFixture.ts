import { sharedAttestationMaterial } from '../../helpers/sim.ts';
import type { RemoteInfo } from 'node:dgram';
import {
  UserPresenceCancelled,
  type AuthenticatorOptions,
  type UserPresence,
  type UserPresenceOutcome,
  type UserPresenceRequest,
} from '../../../authenticator-sim/index.ts';
import { createSimulatorDevice } from '../../../authenticator-sim/ctaphid/createSimulatorDevice.ts';
import { UdpSimulator } from '../../../authenticator-sim/udp/UdpSimulator.ts';
import { UdpTestClient } from './UdpTestClient.ts';

/** User presence a test holds pending (to see KEEPALIVE UPNEEDED and CANCEL) or lets through. */
export class ScriptedPresence implements UserPresence {
  hold = false;
  requests: UserPresenceRequest['reason'][] = [];
  private pending: (() => void)[] = [];

  async request(req: UserPresenceRequest): Promise<UserPresenceOutcome> {
    this.requests.push(req.reason);
    if (req.signal?.aborted) throw new UserPresenceCancelled();
    if (!this.hold) return 'approved';
    return new Promise<UserPresenceOutcome>((resolve, reject) => {
      const onAbort = () => reject(new UserPresenceCancelled());
      req.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.push(() => {
        req.signal?.removeEventListener('abort', onAbort);
        resolve('approved');
      });
    });
  }

  /** Approves every pending request. */
  touch(): void {
    for (const p of this.pending.splice(0)) p();
  }
}

export { sharedAttestationMaterial } from '../../helpers/sim.ts';

export interface UdpFixture {
  sim: UdpSimulator;
  client: UdpTestClient;
  presence: ScriptedPresence;
  close(): Promise<void>;
}

/** A simulator on 127.0.0.1:<ephemeral> with a client socket. */
export async function startUdpFixture(
  options: AuthenticatorOptions & { messageTimeoutMs?: number } = {},
): Promise<UdpFixture> {
  const presence = new ScriptedPresence();
  const { device } = await createSimulatorDevice<RemoteInfo>({
    attestationMaterial: await sharedAttestationMaterial(),
    allowResetAnytime: true,
    userPresence: presence,
    ...options,
    ...(options.messageTimeoutMs ? { ctaphid: { messageTimeoutMs: options.messageTimeoutMs } } : {}),
  });
  const sim = await UdpSimulator.start(device, '127.0.0.1', 0);
  const client = await UdpTestClient.open(sim.endpoint.port);
  return {
    sim,
    client,
    presence,
    async close() {
      client.close();
      await sim.close();
    },
  };
}
