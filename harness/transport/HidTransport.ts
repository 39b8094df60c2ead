import { FIDO_USAGE_CTAPHID, FIDO_USAGE_PAGE, HID_REPORT_SIZE } from '../protocol/index.ts';
import type { HidBackend, HidDeviceInfo, HidHandle } from './hidBackend.ts';
import type { PacketTransport } from './PacketTransport.ts';
import { ReportQueue } from './ReportQueue.ts';
import { TransportError } from './TransportError.ts';
import { hidPermissionHelp } from './udevRule.ts';

/** A FIDO HID interface found by usage page 0xF1D0 / usage 0x01 (CTAP 2.1 §11.2.8.1). */
export interface FidoHidDevice {
  path: string;
  vendorId: number;
  productId: number;
  manufacturer?: string;
  product?: string;
  serialNumber?: string;
}

/** Lists FIDO HID interfaces: usage page 0xF1D0 and usage 0x01 (CTAP 2.1 §11.2.8.1); other HID devices are left out. */
export async function listFidoHidDevices(backend: HidBackend): Promise<FidoHidDevice[]> {
  const all: HidDeviceInfo[] = await backend.devices();
  const seen = new Set<string>();
  const out: FidoHidDevice[] = [];
  for (const d of all) {
    if (d.usagePage !== FIDO_USAGE_PAGE || d.usage !== FIDO_USAGE_CTAPHID || !d.path || seen.has(d.path)) continue;
    seen.add(d.path);
    const dev: FidoHidDevice = { path: d.path, vendorId: d.vendorId, productId: d.productId };
    if (d.manufacturer) dev.manufacturer = d.manufacturer;
    if (d.product) dev.product = d.product;
    if (d.serialNumber) dev.serialNumber = d.serialNumber;
    out.push(dev);
  }
  return out;
}

export interface HidTransportOptions {
  /**
   * Whether writes carry a leading report-ID byte. hidapi (under node-hid) takes the report ID as the first
   * byte of every write on every platform: hidraw on Linux passes it to the kernel (which wants 0 for
   * devices without numbered reports, as FIDO keys are), Windows wants a buffer of report length + 1, and
   * macOS drops a leading 0. So the default is true everywhere; false is for a backend that does not.
   */
  reportIdByte?: boolean;
}

/**
 * `hid` transport over node-hid. Reads arrive as 'data' events; an 'error' event (the key was unplugged,
 * the read failed) becomes TRANSPORT_DISCONNECTED for the reader and closes the transport: nothing is
 * thrown from the background.
 */
export class HidTransport implements PacketTransport {
  readonly kind = 'hid' as const;
  private readonly queue = new ReportQueue();
  private isClosed = false;
  private readonly reportIdByte: boolean;

  private constructor(
    private readonly handle: HidHandle,
    readonly path: string,
    options: HidTransportOptions,
  ) {
    this.reportIdByte = options.reportIdByte ?? true;
    handle.on('data', (data) => this.onData(data));
    handle.on('error', (err) => {
      this.queue.fail(new TransportError('TRANSPORT_DISCONNECTED', `reading ${path} failed: ${errorText(err)} (was the key unplugged?)`, { cause: err }));
      void this.shutdown();
    });
  }

  /**
   * Opens a FIDO device: `path` from listFidoHidDevices, or the first FIDO device when no path is given.
   * A refused open on Linux becomes TRANSPORT_PERMISSION with the udev rule to add.
   */
  static async open(backend: HidBackend, path?: string, options: HidTransportOptions = {}): Promise<HidTransport> {
    let target = path;
    if (target === undefined) {
      const devices = await listFidoHidDevices(backend);
      if (devices.length === 0) throw new TransportError('TRANSPORT_NO_DEVICE', 'no FIDO devices found (HID usage page 0xF1D0)');
      target = devices[0]!.path;
    }
    let handle: HidHandle;
    try {
      handle = await backend.open(target);
    } catch (err) {
      const problem = backend.permissionProblem?.(target);
      if (problem || /permission|access denied|EACCES/i.test(errorText(err))) {
        throw new TransportError('TRANSPORT_PERMISSION', hidPermissionHelp(target), { cause: err });
      }
      throw new TransportError('TRANSPORT_OPEN_FAILED', `cannot open ${target}: ${errorText(err)}`, { cause: err });
    }
    return new HidTransport(handle, target, options);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  private onData(data: Buffer | Uint8Array): void {
    let report = new Uint8Array(data);
    // Some hidapi backends hand back the report-ID byte (0 for unnumbered reports) in front of the report.
    if (report.length === HID_REPORT_SIZE + 1 && report[0] === 0) report = report.subarray(1);
    if (report.length !== HID_REPORT_SIZE) {
      this.queue.fail(new TransportError('TRANSPORT_REPORT_SIZE', `${this.path} sent a report of ${report.length} bytes; expected 64`), false);
      return;
    }
    this.queue.push(report);
  }

  async write(report: Uint8Array): Promise<void> {
    if (this.isClosed) throw new TransportError('TRANSPORT_CLOSED', `${this.path} is closed`);
    if (report.length !== HID_REPORT_SIZE) {
      throw new TransportError('TRANSPORT_REPORT_SIZE', `report of ${report.length} bytes; CTAPHID reports are 64`);
    }
    const out = this.reportIdByte ? Buffer.concat([Buffer.from([0]), report]) : Buffer.from(report);
    let written: number;
    try {
      written = await this.handle.write(out);
    } catch (err) {
      this.queue.fail(new TransportError('TRANSPORT_DISCONNECTED', `writing ${this.path} failed: ${errorText(err)}`, { cause: err }));
      await this.shutdown();
      throw new TransportError('TRANSPORT_DISCONNECTED', `writing ${this.path} failed: ${errorText(err)} (was the key unplugged?)`, { cause: err });
    }
    if (written !== out.length) {
      throw new TransportError('TRANSPORT_DISCONNECTED', `${this.path} accepted ${written} of ${out.length} bytes`);
    }
  }

  read(timeoutMs: number, signal?: AbortSignal): Promise<Uint8Array> {
    return this.queue.read(timeoutMs, signal);
  }

  discardPending(): number {
    return this.queue.clear();
  }

  async close(): Promise<void> {
    this.queue.fail(new TransportError('TRANSPORT_CLOSED', `${this.path} is closed`));
    await this.shutdown();
  }

  private async shutdown(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.handle.removeAllListeners('data');
    try {
      await this.handle.close();
    } catch {
      // closing a device that is already gone fails; the transport is closed either way
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
