import { SIMULATOR_AAGUID, type Authenticator } from './Authenticator.ts';
import { buildInfo } from './commands/getInfo.ts';
import { createSimulatorDevice } from './ctaphid/createSimulatorDevice.ts';
import { DEFAULT_SELECTION_HOLD, presenceHoldFor } from './ctaphid/holdPresence.ts';
import { LATENCY_PROFILES, type LatencyProfile } from './ctaphid/latency.ts';
import { autoApprove } from './env.ts';
import { FileStorage, StateStorageError } from './FileStorage.ts';
import { isLoopbackAddress } from '../harness/protocol/index.ts';
import { behaviourForQuirks, listQuirks, QuirkError } from './quirks/index.ts';
import { StateFileError } from './state.ts';
import { DEFAULT_UDP_HOST, DEFAULT_UDP_PORT, UdpSimulator, UdpSimulatorError } from './udp/UdpSimulator.ts';
import type { RemoteInfo } from 'node:dgram';
import type { DeviceProfile } from './profile/profileFromGetInfo.ts';
import { createSimulatorCard } from './nfc/createSimulatorCard.ts';
import { DEFAULT_VPCD_HOST, DEFAULT_VPCD_PORT, VpcdCard, VpcdCardError } from './nfc/VpcdCard.ts';

export const SIM_USAGE = `usage: fido-harness sim [--udp HOST:PORT | --pcsc [HOST:PORT]] [--state FILE] [--quirk NAME ...] [--latency realistic]
                        [--list-quirks] [--allow-reset-anytime]
  --udp HOST:PORT          where to listen (default ${DEFAULT_UDP_HOST}:${DEFAULT_UDP_PORT}; port 0 picks a free one)
  --pcsc [HOST:PORT]       be a contactless card in vsmartcard's virtual reader instead (pcscd with vpcd; default
                           ${DEFAULT_VPCD_HOST}:${DEFAULT_VPCD_PORT}, the reader "Virtual PCD 00 00"; :35964 is "… 00 01")
  --state FILE             keep credentials, PIN, counters and attestation keys in FILE (written atomically)
  --quirk NAME             misbehave on purpose (repeatable); see --list-quirks
  --latency realistic      answer as slowly as a real key (tens of ms per signature, a second per touch)
  --list-quirks            print the quirks and exit
  --allow-reset-anytime    accept authenticatorReset at any time (default: only within 10 s of power-up or
                           of the power-cycle datagram, else CTAP2_ERR_NOT_ALLOWED, CTAP 2.1 §6.6)`;

export interface SimCommandIo {
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** stops the simulator (tests); SIGINT and SIGTERM stop it too */
  signal?: AbortSignal;
}

/** What the simulator is started with (`fido-harness sim` parses its flags into this). */
export interface SimOptions {
  host: string;
  port: number;
  /** vpcd's address when the simulator is a card in vsmartcard's virtual reader (`--pcsc`) */
  pcsc?: { host: string; port: number };
  state?: string;
  quirks: string[];
  latency?: LatencyProfile;
  listQuirks: boolean;
  allowResetAnytime: boolean;
  /** a key model to play (profile/profileFromGetInfo.ts): its AAGUID and features */
  profile?: DeviceProfile;
}

interface SimArgs extends SimOptions {
  help: boolean;
}

/** `--latency NAME`: the profile (undefined for "none"); throws on an unknown name. */
export function parseLatency(v: string): LatencyProfile | undefined {
  if (!Object.hasOwn(LATENCY_PROFILES, v)) throw new UsageError(`--latency wants ${Object.keys(LATENCY_PROFILES).join(' or ')}, got "${v}"`);
  return LATENCY_PROFILES[v];
}

/** `--udp HOST:PORT` (an IPv6 host in brackets); throws on anything else. */
export function parseUdpEndpoint(v: string, flag = '--udp'): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(v);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`${flag} wants HOST:PORT, got "${v}"`);
  return { host: (m[1] ?? m[2])!, port };
}

class UsageError extends Error {}

function parseArgs(args: readonly string[]): SimArgs {
  const parsed: SimArgs = { host: DEFAULT_UDP_HOST, port: DEFAULT_UDP_PORT, quirks: [], listQuirks: false, allowResetAnytime: false, help: false };
  let udpGiven = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--udp': {
        Object.assign(parsed, parseUdpEndpoint(value()));
        udpGiven = true;
        break;
      }
      case '--pcsc': {
        // the address is optional: the next argument is it unless it is another flag
        const next = inline ?? (args[i + 1] !== undefined && !args[i + 1]!.startsWith('-') ? args[++i] : undefined);
        parsed.pcsc = next ? parseUdpEndpoint(next, '--pcsc') : { host: DEFAULT_VPCD_HOST, port: DEFAULT_VPCD_PORT };
        break;
      }
      case '--state':
        parsed.state = value();
        break;
      case '--quirk':
        parsed.quirks.push(...value().split(',').filter(Boolean));
        break;
      case '--latency': {
        const profile = parseLatency(value());
        if (profile) parsed.latency = profile;
        else delete parsed.latency;
        break;
      }
      case '--list-quirks':
        parsed.listQuirks = true;
        break;
      case '--allow-reset-anytime':
        parsed.allowResetAnytime = true;
        break;
      case '--help':
      case '-h':
        parsed.help = true;
        break;
      default:
        throw new UsageError(`unknown argument "${arg}"`);
    }
  }
  if (udpGiven && parsed.pcsc) throw new UsageError('--udp and --pcsc exclude each other: the simulator is either a UDP device or a card');
  return parsed;
}

function formatAaguid(aaguid: Uint8Array): string {
  const h = Buffer.from(aaguid).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * `fido-harness sim`: the software authenticator as a CTAPHID device on UDP (docs/simulator.md). User
 * presence is approved automatically; authenticatorReset follows CTAP 2.1 §6.6 (within 10 s of power-up)
 * unless --allow-reset-anytime. Runs until SIGINT/SIGTERM (or
 * `io.signal`), then closes the socket and answers 0. Usage errors, an unusable state file or a port that
 * cannot be bound answer 2 with one line saying why.
 */
export async function runSimCommand(args: string[], io: SimCommandIo = {}): Promise<number> {
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = io.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  let parsed: SimArgs;
  try {
    parsed = parseArgs(args);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`fido-harness sim: ${e.message}`);
      err(SIM_USAGE);
      return 2;
    }
    throw e;
  }
  if (parsed.help) {
    out(SIM_USAGE);
    return 0;
  }
  return runSimulator(parsed, io);
}

/**
 * The simulator on UDP (or as a card in vpcd, `pcsc`) with options already parsed: lists the quirks and
 * returns with --list-quirks, otherwise serves until stopped. 0 when stopped, 2 with one line when a quirk, the state file or the
 * port cannot be used.
 */
export async function runSimulator(parsed: SimOptions, io: SimCommandIo = {}): Promise<number> {
  const out = io.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = io.err ?? ((line: string) => process.stderr.write(`${line}\n`));
  try {
    behaviourForQuirks(parsed.quirks);
  } catch (e) {
    if (e instanceof QuirkError) {
      err(`fido-harness sim: ${e.message} (fido-harness sim --list-quirks)`);
      return 2;
    }
    throw e;
  }
  if (parsed.listQuirks) {
    const width = Math.max(...listQuirks().map((q) => q.name.length));
    for (const q of listQuirks()) out(`${q.name.padEnd(width)}  ${q.description} (caught by: ${q.caughtBy})`);
    return 0;
  }

  // The handlers go in before anything is printed: a parent that reads "listening" and signals at once
  // must find them installed.
  let removeHandlers = () => {};
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      removeHandlers();
      resolve();
    };
    removeHandlers = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener('abort', stop);
  });

  let close: () => Promise<void>;
  try {
    if (parsed.pcsc) {
      close = await startCard(parsed, parsed.pcsc, out, err);
    } else {
      let sim: UdpSimulator;
      const { device, authenticator } = await createSimulatorDevice<RemoteInfo>(simulatorOptions(parsed));
      try {
        sim = await UdpSimulator.start(device, parsed.host, parsed.port);
      } catch (e) {
        device.close();
        throw e;
      }
      const host = sim.endpoint.address.includes(':') ? `[${sim.endpoint.address}]` : sim.endpoint.address;
      out(`fido-harness sim: listening on udp ${host}:${sim.endpoint.port} (CTAPHID, one 64-byte report per datagram)`);
      if (!isLoopbackAddress(sim.endpoint.address)) {
        err(
          `fido-harness sim: warning: ${host} is not a loopback address: any host that reaches it can drive the simulator, and since one datagram is answered by several, a spoofed source makes it an amplifier. Use --udp 127.0.0.1:PORT unless you mean this.`,
        );
      }
      describeSimulator(authenticator, parsed, out, 'send the power-cycle datagram first');
      close = () => sim.close();
    }
  } catch (e) {
    removeHandlers();
    if (e instanceof StateFileError) {
      err(`fido-harness sim: state file ${parsed.state} is not usable (${e.message}); it was left untouched. Move it away to start fresh.`);
      return 2;
    }
    if (e instanceof StateStorageError || e instanceof UdpSimulatorError || e instanceof VpcdCardError) {
      err(`fido-harness sim: ${e.message}`);
      return 2;
    }
    throw e;
  }

  await stopped;
  await close();
  out('fido-harness sim: stopped');
  return 0;
}

/** The authenticator `sim` runs, over UDP or as a card. */
function simulatorOptions(parsed: SimOptions) {
  return {
    userPresence: autoApprove,
    // authenticatorSelection waits 1.5 s (cancellable), so checks can observe a touch wait (KEEPALIVE, status updates).
    presenceHold: parsed.profile ? presenceHoldFor(parsed.profile.features.versions) : DEFAULT_SELECTION_HOLD,
    ...(parsed.latency ? { latency: parsed.latency } : {}),
    allowResetAnytime: parsed.allowResetAnytime,
    ...(parsed.profile ? { aaguid: parsed.profile.aaguid, features: parsed.profile.features } : {}),
    behaviour: behaviourForQuirks(parsed.quirks),
    ...(parsed.state ? { storage: new FileStorage(parsed.state) } : {}),
  };
}

/** What the simulator is, after the line that says where it listens. */
function describeSimulator(authenticator: Authenticator, parsed: SimOptions, out: (l: string) => void, powerCycleHint: string): void {
  out(`AAGUID ${formatAaguid(authenticator.aaguid)}${Buffer.compare(authenticator.aaguid, SIMULATOR_AAGUID) === 0 ? ' (fido-harness simulator)' : ''}`);
  out(`versions ${buildInfo(authenticator).versions.join(', ')}; user presence approved automatically (authenticatorSelection after ${DEFAULT_SELECTION_HOLD.ms} ms)`);
  out(`state ${parsed.state ?? '(memory only; lost on exit)'}`);
  out(parsed.allowResetAnytime ? 'reset allowed at any time' : `reset only within 10 s of power-up (${powerCycleHint})`);
  if (parsed.latency) out(`latency ${parsed.latency.name}: a touch takes ${parsed.latency.touchMs} ms, commands tens of ms`);
  if (parsed.quirks.length > 0) out(`quirks ${[...new Set(parsed.quirks)].join(', ')}`);
}

/**
 * `sim --pcsc`: the same authenticator as a contactless card in vpcd (CTAP 2.1 §11.3). When pcscd goes
 * away the card waits for it and connects again (every second); the state stays.
 */
async function startCard(parsed: SimOptions, at: { host: string; port: number }, out: (l: string) => void, err: (l: string) => void): Promise<() => Promise<void>> {
  const { authenticator, applet } = await createSimulatorCard(simulatorOptions(parsed));
  let card = await VpcdCard.connect(applet, at.host, at.port);
  let stopped = false;
  const slot = at.port - DEFAULT_VPCD_PORT;
  const reader = slot >= 0 && slot < 100 ? ` (reader "Virtual PCD 00 ${String(slot).padStart(2, '0')}")` : '';
  out(`fido-harness sim: card in vpcd ${at.host}:${at.port}${reader} (ISO 7816-4 APDUs, CTAP 2.1 §11.3)`);
  describeSimulator(authenticator, parsed, out, 'a reader power cycle: SCardReconnect with SCARD_UNPOWER_CARD');
  const watch = async () => {
    while (!stopped) {
      await card.ended;
      if (stopped) return;
      err('fido-harness sim: vpcd closed the connection (pcscd stopped?); connecting again every second');
      applet.powerOff();
      while (!stopped) {
        await new Promise((r) => setTimeout(r, 1_000));
        if (stopped) return;
        try {
          card = await VpcdCard.connect(applet, at.host, at.port);
          out(`fido-harness sim: card back in vpcd ${at.host}:${at.port}`);
          break;
        } catch {
          // pcscd not back yet
        }
      }
    }
  };
  const watching = watch();
  return async () => {
    stopped = true;
    card.close();
    await watching;
  };
}
