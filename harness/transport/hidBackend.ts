import { accessSync, constants } from 'node:fs';
import { TransportError } from './TransportError.ts';

/** One HID interface as node-hid enumerates it (the fields this harness uses). */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string | undefined;
  serialNumber?: string | undefined;
  manufacturer?: string | undefined;
  product?: string | undefined;
  release?: number;
  interface?: number;
  usagePage?: number | undefined;
  usage?: number | undefined;
}

/** An open HID device, shaped like node-hid's HIDAsync (so tests can hand in a fake). */
export interface HidHandle {
  on(event: 'data', listener: (data: Buffer | Uint8Array) => void): unknown;
  on(event: 'error', listener: (err: unknown) => void): unknown;
  removeAllListeners(event?: string): unknown;
  write(values: number[] | Buffer): Promise<number>;
  close(): Promise<void>;
}

/** What the hid transport needs from node-hid; `loadNodeHidBackend()` gives the real one. */
export interface HidBackend {
  devices(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidHandle>;
  /**
   * Why the OS would refuse to open `path`, if it can tell before trying (Linux: hidraw node not readable
   * and writable by this user). Optional; used to turn node-hid's generic open failure into a clear one.
   */
  permissionProblem?(path: string): string | undefined;
  /** 'linux' | 'darwin' | 'win32'… : decides the report-ID byte (see HidTransport) */
  platform: NodeJS.Platform;
}

/**
 * node-hid, loaded on first use so that a machine without its native libraries (libudev, libusb) can still
 * run everything but the hid transport; the failure becomes one clear TransportError.
 */
export async function loadNodeHidBackend(): Promise<HidBackend> {
  let hid: typeof import('node-hid');
  try {
    const mod = (await import('node-hid')) as typeof import('node-hid') & { default?: typeof import('node-hid') };
    hid = mod.default ?? mod;
  } catch (err) {
    throw new TransportError(
      'TRANSPORT_OPEN_FAILED',
      `node-hid could not be loaded (${(err as Error).message}); on Debian/Ubuntu install libudev1 and libusb-1.0-0`,
      { cause: err },
    );
  }
  return {
    platform: process.platform,
    devices: () => hid.devicesAsync(),
    open: async (path) => (await hid.HIDAsync.open(path)) as unknown as HidHandle,
    permissionProblem: (path) => {
      if (process.platform !== 'linux' || !path.startsWith('/dev/')) return undefined;
      try {
        accessSync(path, constants.R_OK | constants.W_OK);
        return undefined;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        return code === 'EACCES' || code === 'EPERM' ? `${path} is not readable and writable by this user` : undefined;
      }
    },
  };
}
