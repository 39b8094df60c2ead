import { CtaphidChannel, type CtaphidChannelOptions } from '../ctaphid/index.ts';
import {
  HidTransport,
  loadNodeHidBackend,
  MemoryTransport,
  parseUdpAddress,
  TransportError,
  UdpTransport,
  type HidBackend,
  type InProcessDeviceFactory,
  type PacketTransport,
} from '../transport/index.ts';
import { Ctap1 } from './Ctap1.ts';
import { Ctap2, type Ctap2Options } from './Ctap2.ts';

/** Which device to talk to. `sim` (the built-in simulator) is made by the caller and passed as `memory`. */
export type DeviceSpec =
  | { kind: 'hid'; path?: string; backend?: HidBackend }
  | { kind: 'udp'; host: string; port: number }
  | { kind: 'memory'; connect: InProcessDeviceFactory; name?: string };

/** The whole host stack for one device: transport → CTAPHID channel → CTAP2 and CTAP1 APIs. */
export interface OpenedDevice {
  transport: PacketTransport;
  hid: CtaphidChannel;
  ctap2: Ctap2;
  ctap1: Ctap1;
  close(): Promise<void>;
}

/** Parses the CLI's `--device hid | hid:PATH | udp:HOST:PORT | pcsc | pcsc:READER` (docs); `sim` is the caller's. */
export function parseDeviceSpec(text: string): Exclude<DeviceSpec, { kind: 'memory' }> | { kind: 'pcsc'; reader?: string } {
  if (text === 'hid') return { kind: 'hid' };
  if (text === 'pcsc') return { kind: 'pcsc' };
  if (text.startsWith('pcsc:') && text.length > 5) return { kind: 'pcsc', reader: text.slice(5) };
  if (text.startsWith('hid:')) return { kind: 'hid', path: text.slice(4) };
  if (text.startsWith('udp:')) return { kind: 'udp', ...parseUdpAddress(text) };
  throw new TransportError('TRANSPORT_OPEN_FAILED', `unknown device "${text}": use sim, hid, hid:PATH, udp:HOST:PORT, pcsc or pcsc:READER`);
}

/**
 * Opens a device: the transport, a CTAPHID channel (INIT), and getInfo. On failure after the transport is
 * open, the transport is closed before the error is passed on.
 */
export async function openDevice(
  spec: DeviceSpec,
  options: { ctaphid?: CtaphidChannelOptions; ctap2?: Ctap2Options } = {},
): Promise<OpenedDevice> {
  let transport: PacketTransport;
  if (spec.kind === 'hid') transport = await HidTransport.open(spec.backend ?? (await loadNodeHidBackend()), spec.path);
  else if (spec.kind === 'udp') transport = await UdpTransport.open({ host: spec.host, port: spec.port });
  else transport = new MemoryTransport(spec.connect, spec.name ?? 'memory:simulator');
  try {
    const hid = await CtaphidChannel.open(transport, options.ctaphid);
    const ctap2 = await Ctap2.open(hid, options.ctap2);
    const ctap1 = new Ctap1(hid, ctap2.trace);
    return { transport, hid, ctap2, ctap1, close: () => transport.close() };
  } catch (err) {
    await transport.close();
    throw err;
  }
}
