import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { HID_REPORT_SIZE } from '../protocol/index.ts';
import type { PacketTransport } from './PacketTransport.ts';
import { ReportQueue } from './ReportQueue.ts';
import { TransportError } from './TransportError.ts';

export interface UdpTransportOptions {
  host?: string;
  port?: number;
  /** local port to send from (open-source CTAP test suites use 7112); default: any free port */
  localPort?: number;
}

/** Default address of the simulator's UDP listener (docs/simulator.md). */
export const DEFAULT_UDP_HOST = '127.0.0.1';
export const DEFAULT_UDP_PORT = 8111;

/**
 * `udp` transport, the simulator convention (docs/simulator.md "UDP device protocol"): every datagram is exactly
 * one raw 64-byte CTAPHID report, no report-ID byte, both ways. Datagrams from any other address, and
 * datagrams that are not 64 bytes, are not reports of this device: the first are ignored, the second
 * become a TRANSPORT_REPORT_SIZE failure for the next read.
 */
export class UdpTransport implements PacketTransport {
  readonly kind = 'udp' as const;
  readonly path: string;
  private readonly queue = new ReportQueue();
  private isClosed = false;
  /** datagrams from other senders, ignored */
  strayDatagrams = 0;

  private constructor(
    private readonly socket: Socket,
    readonly host: string,
    readonly port: number,
  ) {
    this.path = `udp:${host}:${port}`;
    socket.on('message', (msg, rinfo) => {
      if (rinfo.port !== port || !sameHost(rinfo.address, host)) {
        this.strayDatagrams++;
        return;
      }
      if (msg.length !== HID_REPORT_SIZE) {
        this.queue.fail(new TransportError('TRANSPORT_REPORT_SIZE', `datagram of ${msg.length} bytes from ${this.path}; expected 64`), false);
        return;
      }
      this.queue.push(new Uint8Array(msg));
    });
    socket.on('error', (err) => {
      this.queue.fail(new TransportError('TRANSPORT_DISCONNECTED', `UDP socket error: ${err.message}`, { cause: err }));
    });
  }

  /** Opens a socket to the device at host:port (default 127.0.0.1:8111). */
  static async open(options: UdpTransportOptions = {}): Promise<UdpTransport> {
    const host = options.host ?? DEFAULT_UDP_HOST;
    const port = options.port ?? DEFAULT_UDP_PORT;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new TransportError('TRANSPORT_OPEN_FAILED', `UDP port ${port} is not a port number`);
    }
    const socket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    // Bind to loopback when talking to a loopback device, so nothing listens on other interfaces.
    const loopback = host === 'localhost' || host.startsWith('127.') || host === '::1';
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ port: options.localPort ?? 0, address: loopback ? (host === '::1' ? '::1' : '127.0.0.1') : undefined }, () => {
        socket.off('error', reject);
        resolve();
      });
    }).catch((err: Error) => {
      socket.close();
      throw new TransportError('TRANSPORT_OPEN_FAILED', `cannot bind a UDP socket: ${err.message}`, { cause: err });
    });
    return new UdpTransport(socket, host === 'localhost' ? '127.0.0.1' : host, port);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  write(report: Uint8Array): Promise<void> {
    if (this.isClosed) return Promise.reject(new TransportError('TRANSPORT_CLOSED', `${this.path} is closed`));
    if (report.length !== HID_REPORT_SIZE) {
      return Promise.reject(new TransportError('TRANSPORT_REPORT_SIZE', `report of ${report.length} bytes; CTAPHID reports are 64`));
    }
    return new Promise((resolve, reject) => {
      this.socket.send(report, this.port, this.host, (err) => {
        if (err) reject(new TransportError('TRANSPORT_DISCONNECTED', `UDP send failed: ${err.message}`, { cause: err }));
        else resolve();
      });
    });
  }

  read(timeoutMs: number, signal?: AbortSignal): Promise<Uint8Array> {
    return this.queue.read(timeoutMs, signal);
  }

  discardPending(): number {
    return this.queue.clear();
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.queue.fail(new TransportError('TRANSPORT_CLOSED', `${this.path} is closed`));
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}

function sameHost(a: string, b: string): boolean {
  const norm = (h: string) => (h === 'localhost' ? '127.0.0.1' : h.replace(/^::ffff:/, ''));
  return norm(a) === norm(b);
}

/** Parses "udp:HOST:PORT" / "HOST:PORT" (IPv6 in brackets) as the CLI's --device takes it. */
export function parseUdpAddress(spec: string): { host: string; port: number } {
  const s = spec.replace(/^udp:/, '');
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s);
  if (!m) throw new TransportError('TRANSPORT_OPEN_FAILED', `"${spec}" is not udp:HOST:PORT`);
  return { host: m[1]!, port: Number(m[2]) };
}
