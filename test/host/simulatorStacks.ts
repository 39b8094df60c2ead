import { createSimulatorDevice } from '../../authenticator-sim/ctaphid/createSimulatorDevice.ts';
import { UdpSimulator } from '../../authenticator-sim/udp/UdpSimulator.ts';
import type { Authenticator } from '../../authenticator-sim/Authenticator.ts';
import { openDevice, type OpenedDevice } from '../../harness/ctap/index.ts';
import { connectReportDevice } from '../../harness/transport/index.ts';

/** One host stack (client → ctap → ctaphid → transport) over a fresh simulator. */
export interface SimulatorStack {
  name: string;
  device: OpenedDevice;
  authenticator: Authenticator;
  close(): Promise<void>;
}

/** memory: the simulator's CtaphidDevice in this process, no sockets. */
export async function memoryStack(): Promise<SimulatorStack> {
  const { authenticator, device: sim } = await createSimulatorDevice({ allowResetAnytime: true});
  const device = await openDevice({ kind: 'memory', connect: connectReportDevice(sim) }, { ctaphid: { timeoutMs: 10_000 } });
  return {
    name: 'memory',
    device,
    authenticator,
    close: async () => {
      await device.close();
      sim.close();
    },
  };
}

/** udp: the simulator's UDP listener on 127.0.0.1 (a free port), our UdpTransport talking to it. */
export async function udpStack(): Promise<SimulatorStack> {
  const { authenticator, device: sim } = await createSimulatorDevice<import('node:dgram').RemoteInfo>({ allowResetAnytime: true});
  const server = await UdpSimulator.start(sim, '127.0.0.1', 0);
  const device = await openDevice({ kind: 'udp', host: '127.0.0.1', port: server.endpoint.port }, { ctaphid: { timeoutMs: 10_000 } });
  return {
    name: 'udp',
    device,
    authenticator,
    close: async () => {
      await device.close();
      await server.close();
    },
  };
}
