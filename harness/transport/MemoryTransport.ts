import { HID_REPORT_SIZE } from '../protocol/index.ts';
import type { PacketTransport } from './PacketTransport.ts';
import { ReportQueue } from './ReportQueue.ts';
import { TransportError } from './TransportError.ts';

/**
 * A device that lives in this process and speaks in 64-byte reports: the simulator's CTAPHID device, or a
 * scripted fake in tests. It is given a function to emit its reports with when connected; the
 * transport hands it every report the host writes. Structural, so this layer needs no import of the
 * simulator (docs/architecture.md).
 */
export interface InProcessReportDevice {
  /** A report from the host. May answer synchronously or later through `emit`. */
  receiveReport(report: Uint8Array): void | Promise<void>;
  /** called once when the transport closes */
  disconnect?(): void;
}

/**
 * A transport-neutral CTAPHID device in the shape of the simulator's `CtaphidDevice` (`receive` reports in,
 * `onReport` listeners for reports out, returning an unsubscribe function).
 */
export interface ReportDevice {
  receive(report: Uint8Array): void;
  onReport(listener: (report: Uint8Array) => void): () => void;
}

/** Connects a ReportDevice (e.g. the simulator's CtaphidDevice) to a MemoryTransport. */
export function connectReportDevice(device: ReportDevice): InProcessDeviceFactory {
  return (emit) => {
    const unsubscribe = device.onReport((report) => emit(report));
    return { receiveReport: (report) => device.receive(report), disconnect: unsubscribe };
  };
}

export type InProcessDeviceFactory = (emit: (report: Uint8Array) => void) => InProcessReportDevice;

/**
 * `memory` transport: reports go to an in-process device with no sockets. Reports are copied both ways
 * so neither side can alter the other's buffers, and delivery is asynchronous (a microtask) as it is on a
 * real bus, so the host never re-enters itself.
 */
export class MemoryTransport implements PacketTransport {
  readonly kind = 'memory' as const;
  private readonly queue = new ReportQueue();
  private readonly device: InProcessReportDevice;
  private isClosed = false;

  constructor(
    connect: InProcessDeviceFactory,
    readonly path = 'memory:simulator',
  ) {
    this.device = connect((report) => {
      if (this.isClosed) return;
      if (report.length !== HID_REPORT_SIZE) {
        // As the UDP and HID transports do: a report of another size is a failure for one read, and the
        // transport stays usable (CTAP 2.1 §11.2.4: reports are 64 bytes).
        this.queue.fail(new TransportError('TRANSPORT_REPORT_SIZE', `${this.path} sent a report of ${report.length} bytes; expected 64`), false);
        return;
      }
      this.queue.push(Uint8Array.from(report));
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  async write(report: Uint8Array): Promise<void> {
    if (this.isClosed) throw new TransportError('TRANSPORT_CLOSED', `${this.path} is closed`);
    if (report.length !== HID_REPORT_SIZE) {
      throw new TransportError('TRANSPORT_REPORT_SIZE', `report of ${report.length} bytes; CTAPHID reports are 64`);
    }
    const copy = Uint8Array.from(report);
    await Promise.resolve();
    try {
      await this.device.receiveReport(copy);
    } catch (err) {
      // A device that throws is a broken device, not a broken host: the failure is read, not thrown here.
      this.queue.fail(new TransportError('TRANSPORT_DISCONNECTED', `in-process device failed: ${String(err)}`, { cause: err }));
    }
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
    this.device.disconnect?.();
  }
}
