import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { HID_REPORT_SIZE } from '../../harness/protocol/index.ts';
import { SimulatedFingerprintSensor } from '../bio/fingerprintSensor.ts';
import type { CtaphidDevice } from '../ctaphid/CtaphidDevice.ts';
import { parseFingerDatagram } from './fingerDatagram.ts';

/**
 * The datagram that power-cycles the simulator in place (docs/simulator.md "Power cycle"): persistent
 * state and channel allocations are kept, volatile state is cleared. It is never answered.
 */
export const POWER_CYCLE_DATAGRAM = Uint8Array.from(
  Buffer.from(
    'ac1052ca95e569de69e02ebff333485f13f9b2da34c5a8a340526697a9ab2e0b' +
      '394d8d04973c134005be1a0140bff6045bb26eb77a73eaa47813f6b49a7250dc',
    'hex',
  ),
);

export const DEFAULT_UDP_HOST = '127.0.0.1';
export const DEFAULT_UDP_PORT = 8111;

export interface UdpEndpoint {
  address: string;
  port: number;
}

export class UdpSimulatorError extends Error {
  override readonly name = 'UdpSimulatorError';
  constructor(
    readonly code: 'SIM_UDP_BIND_FAILED',
    message: string,
  ) {
    super(message);
  }
}

/**
 * A CTAPHID device on a UDP socket, in the convention of open-source simulators (docs/simulator.md): each datagram
 * is one raw 64-byte report with no report-ID byte, in both directions, and every answer goes to the
 * address that sent the request it belongs to (so several clients can share the port, each on its own
 * channel). Datagrams of another size are handed to the device, which answers ERR_INVALID_LEN.
 */
export class UdpSimulator {
  private closed = false;
  private readonly unsubscribe: () => void;
  /** datagrams the device answered to an address that could not be reached (a client that vanished) */
  sendFailures = 0;
  powerCycles = 0;

  private constructor(
    readonly device: CtaphidDevice<RemoteInfo>,
    private readonly socket: Socket,
    readonly endpoint: UdpEndpoint,
  ) {
    this.unsubscribe = device.onReport((report, origin) => {
      if (!origin || this.closed) return;
      socket.send(report, origin.port, origin.address, (err) => {
        if (err) this.sendFailures++;
      });
    });
    socket.on('message', (msg, rinfo) => this.onDatagram(new Uint8Array(msg), rinfo));
    // ICMP "port unreachable" from a vanished client surfaces as an error on some systems: keep serving.
    socket.on('error', () => {
      this.sendFailures++;
    });
  }

  static async start(
    device: CtaphidDevice<RemoteInfo>,
    host: string = DEFAULT_UDP_HOST,
    port: number = DEFAULT_UDP_PORT,
  ): Promise<UdpSimulator> {
    const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        socket.close();
        reject(new UdpSimulatorError('SIM_UDP_BIND_FAILED', `cannot listen on udp ${host}:${port}: ${err.message}`));
      };
      socket.once('error', onError);
      socket.bind(port, host, () => {
        socket.off('error', onError);
        resolve();
      });
    });
    const addr = socket.address();
    return new UdpSimulator(device, socket, { address: addr.address, port: addr.port });
  }

  private onDatagram(datagram: Uint8Array, rinfo: RemoteInfo): void {
    if (this.closed) return;
    if (datagram.length === HID_REPORT_SIZE && Buffer.compare(datagram, POWER_CYCLE_DATAGRAM) === 0) {
      this.powerCycles++;
      this.device.powerCycle();
      return;
    }
    const sample = parseFingerDatagram(datagram);
    if (sample) {
      const sensor = this.device.authenticator.fingerprint;
      if (sensor instanceof SimulatedFingerprintSensor) sensor.queue.push(sample);
      return;
    }
    this.device.receive(datagram, rinfo);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.device.close();
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
