import { CtaphidCapability } from '../protocol/index.ts';
import { terminalSafe, terminalSafeJson } from '../../reports/terminalSafe.ts';
import { CtaphidChannel } from '../ctaphid/index.ts';
import {
  HidTransport,
  listFidoHidDevices,
  loadNodeHidBackend,
  type FidoHidDevice,
  type HidBackend,
} from '../transport/index.ts';
import { Ctap2 } from '../ctap/Ctap2.ts';
import { formatAaguid, namedInfo } from '../ctap/namedInfo.ts';
import { listFidoCards } from '../ctap/openNfcDevice.ts';
import { HelpRequest, parseCommandArgs, UsageError, usageError, type CommandSpec } from './args.ts';

export interface DevicesCommandDeps {
  backend?: HidBackend;
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** prints the --json document (default: stdout, parseable, terminal-safe inside strings) */
  json?: (value: unknown) => void;
  /** the FIDO cards on PC/SC readers (default: pcscd through the smartcard binding; none when it is not there) */
  cards?: typeof listFidoCards;
}

export const DEVICES_SPEC = {
  name: 'devices',
  summary: 'List FIDO HID devices (usage page 0xF1D0) and FIDO cards on PC/SC readers (NFC) like fido2-token -L; with --info each one\'s CTAPHID capabilities or applet version, AAGUID and getInfo.',
  options: {
    info: { type: 'boolean', help: 'open each device and read its getInfo' },
    json: { type: 'boolean', help: 'one JSON document instead of lines' },
  },
  notes: ['Exit 0 when the listing worked (also when it is empty), 2 on a usage error or when HID cannot be used.'],
} as const satisfies CommandSpec;

/**
 * `fido-harness devices [--info] [--json]`: lists FIDO HID devices (usage page 0xF1D0) like
 * `fido2-token -L`; with --info also each device's decoded getInfo and AAGUID (`fido2-token -I`).
 * Exit 0 when the listing worked (also when it is empty), 2 on a usage error or when HID cannot be used.
 */
export async function runDevicesCommand(args: string[], deps: DevicesCommandDeps = {}): Promise<number> {
  const write = (stream: NodeJS.WriteStream) => (l: string) => stream.write(`${l}\n`);
  const rawOut = deps.out ?? write(process.stdout);
  const rawErr = deps.err ?? write(process.stderr);
  // product strings and getInfo come from the device: each line escaped for the terminal (a JSON document is not)
  const out = (l: string) => rawOut(terminalSafe(l));
  const err = (l: string) => rawErr(terminalSafe(l));
  const printJson = deps.json ?? ((v: unknown) => process.stdout.write(`${terminalSafeJson(v)}\n`));
  let values;
  try {
    ({ values } = parseCommandArgs(DEVICES_SPEC, args));
  } catch (e) {
    if (e instanceof HelpRequest) {
      rawOut(e.text.trimEnd());
      return 0;
    }
    if (e instanceof UsageError) {
      rawErr(usageError(DEVICES_SPEC, e.message));
      return 2;
    }
    throw e;
  }
  const { info, json } = values;
  let backend: HidBackend;
  let devices: FidoHidDevice[];
  try {
    backend = deps.backend ?? (await loadNodeHidBackend());
    devices = await listFidoHidDevices(backend);
  } catch (e) {
    err(`fido-harness devices: cannot enumerate HID devices: ${(e as Error).message}`);
    return 2;
  }
  const pcsc = await (deps.cards ?? listFidoCards)(info ? async (d) => ({ aaguid: formatAaguid(d.ctap2.info!.aaguid), getInfo: namedInfo(d.ctap2.info!) }) : undefined);
  if (devices.length === 0 && pcsc.cards.length === 0) {
    if (json) printJson([]);
    else out('no FIDO devices found (HID usage page 0xF1D0, or a FIDO card on a PC/SC reader); is the key plugged in, or on the reader with pcscd running? (see README: udev rule, NFC)');
    return 0;
  }
  const rows: Record<string, unknown>[] = [];
  let failed = false;
  for (const c of pcsc.cards) {
    const { details, ...row } = c;
    if (!json) out(`${c.path}: ${c.error ? `cannot select the FIDO applet: ${c.error}` : `FIDO applet ${c.version}${c.atr ? `, ATR ${c.atr}` : ''}`}`);
    if (c.error) failed = failed || info;
    if (details) {
      Object.assign(row, details);
      if (!json) {
        out(`  AAGUID: ${details.aaguid}`);
        for (const [k, v] of Object.entries(details.getInfo)) out(`  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
      }
    }
    rows.push({ transport: 'nfc', ...row });
  }
  for (const d of devices) {
    const row: Record<string, unknown> = { ...d, vendorId: hex4(d.vendorId), productId: hex4(d.productId) };
    if (!json) out(`${d.path}: vendor=${hex4(d.vendorId)} product=${hex4(d.productId)} ${[d.manufacturer, d.product].filter(Boolean).join(' ')}`.trimEnd());
    if (info) {
      try {
        const details = await readInfo(backend, d.path);
        row.ctaphid = details.ctaphid;
        row.aaguid = details.aaguid;
        row.getInfo = details.getInfo;
        if (!json) {
          out(`  CTAPHID: protocol ${details.ctaphid.protocolVersion}, device version ${details.ctaphid.version}, capabilities ${details.ctaphid.capabilities.join(' ') || 'none'}`);
          out(`  AAGUID: ${details.aaguid}`);
          for (const [k, v] of Object.entries(details.getInfo)) out(`  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
        }
      } catch (e) {
        failed = true;
        row.error = (e as Error).message;
        if (!json) err(`  ${d.path}: cannot read getInfo: ${(e as Error).message}`);
      }
    }
    rows.push(row);
  }
  if (json) printJson(rows);
  // A device that cannot be read with --info is "the device could not be used" (exit 2, docs/architecture.md "Exit codes").
  return failed ? 2 : 0;
}

async function readInfo(backend: HidBackend, path: string) {
  const transport = await HidTransport.open(backend, path);
  try {
    const hid = await CtaphidChannel.open(transport, { timeoutMs: 5_000 });
    const caps = Object.entries(CtaphidCapability)
      .filter(([, bit]) => (hid.info.capabilities & bit) !== 0)
      .map(([name]) => name);
    const v = hid.info.deviceVersion;
    const ctaphid = { protocolVersion: hid.info.protocolVersion, version: `${v.major}.${v.minor}.${v.build}`, capabilities: caps };
    if ((hid.info.capabilities & CtaphidCapability.CBOR) === 0) {
      return { ctaphid, aaguid: '(CTAP1/U2F only: no getInfo)', getInfo: {} };
    }
    const info = await new Ctap2(hid).getInfo();
    return { ctaphid, aaguid: formatAaguid(info.aaguid), getInfo: namedInfo(info) };
  } finally {
    await transport.close();
  }
}

function hex4(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}

