import { createSocket, type RemoteInfo } from 'node:dgram';
import { createSimulatorDevice, UdpSimulator } from '../authenticator-sim/index.ts';
import { CtaphidChannel } from '../harness/ctaphid/index.ts';
import { connectReportDevice, MemoryTransport, UdpTransport } from '../harness/transport/index.ts';
import { figure, opsPerSecond, type BenchFigure } from './measure.ts';

/**
 * CTAPHID round trips (a 64-byte PING, one report each way) over UDP and in-process, against a bare UDP
 * echo of one 64-byte datagram on the same loopback (the floor any UDP device protocol has).
 */
export async function benchCtaphid(): Promise<BenchFigure[]> {
  const payload = new Uint8Array(50).fill(0x42);
  // baseline: a plain UDP echo server and client
  const echo = createSocket('udp4');
  echo.on('message', (m, r) => echo.send(m, r.port, r.address));
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()));
  const client = createSocket('udp4');
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
  const port = echo.address().port;
  const datagram = Buffer.alloc(64, 1);
  const rawUdp = await opsPerSecond(
    () =>
      new Promise<void>((resolve) => {
        client.once('message', () => resolve());
        client.send(datagram, port, '127.0.0.1');
      }),
  );
  client.close();
  echo.close();

  const udpSim = await createSimulatorDevice<RemoteInfo>({ allowResetAnytime: true });
  const server = await UdpSimulator.start(udpSim.device, '127.0.0.1', 0);
  const udp = await CtaphidChannel.open(await UdpTransport.open({ host: '127.0.0.1', port: server.endpoint.port }));
  const udpRate = await opsPerSecond(() => udp.ping(payload));
  await udp.close();
  await server.close();

  const memSim = await createSimulatorDevice({ allowResetAnytime: true });
  const mem = await CtaphidChannel.open(new MemoryTransport(connectReportDevice(memSim.device)));
  const memRate = await opsPerSecond(() => mem.ping(payload));
  await mem.close();
  return [
    figure('ctaphid.udpRoundTrips', udpRate, 'round trips/s', rawUdp, 'bare UDP echo of one 64-byte datagram'),
    figure('ctaphid.memoryRoundTrips', memRate, 'round trips/s', rawUdp, 'bare UDP echo of one 64-byte datagram'),
  ];
}
