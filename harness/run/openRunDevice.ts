import { createSocket } from 'node:dgram';
import {
  createSimulatorCard,
  createSimulatorDevice,
  DEFAULT_SELECTION_HOLD,
  ENTERPRISE_RP_IDS,
  fingerDatagram,
  fingerSample,
  LATENCY_PROFILES,
  POWER_CYCLE_DATAGRAM,
  presenceHoldFor,
  SIM_FINGER_INS,
  SIMULATOR_CARD_ATR,
  SimulatedFingerprintSensor,
  type FingerprintSensor,
} from '../../authenticator-sim/index.ts';
import type { FingerControl } from '../suites/SuiteContext.ts';
import { authenticatorOptionsForQuirks, behaviourForQuirks, QuirkError } from '../../authenticator-sim/quirks/index.ts';
import { openDevice, openNfcDevice, parseDeviceSpec } from '../ctap/index.ts';
import type { CtaphidChannelOptions } from '../ctaphid/index.ts';
import { encodeApdu, formatSw, Iso7816Cla, Sw } from '../protocol/index.ts';
import { connectReportDevice, listFidoHidDevices, loadNodeHidBackend } from '../transport/index.ts';
import { RunInputError, type OpenedRunDevice, type RunIo, type RunOptions } from './RunOptions.ts';

/**
 * Opens one `--device` entry: `sim` (the simulator in-process), `udp:HOST:PORT` (a simulator started with
 * `fido-harness sim`), `hid` or `hid:PATH` (a real key), `pcsc` or `pcsc:READER` (a card on a PC/SC reader:
 * NFC, CTAP 2.1 §11.3; `fido-harness sim --pcsc` is one), `sim:nfc` (the simulator in-process as a card).
 * A device that cannot be opened throws with one line saying why and what to try next.
 */
export async function openRunDevice(deviceText: string, opts: RunOptions, io: RunIo): Promise<OpenedRunDevice> {
  if (deviceText === 'sim') {
    // As `fido-harness sim`: authenticatorSelection waits (cancellably) so the ctaphid suite can test CANCEL/KEEPALIVE.
    // Reset follows CTAP 2.1 §6.6 (10 s window) as on a real key; the run power-cycles it when refused.
    const latency = opts.simLatency ? LATENCY_PROFILES[opts.simLatency] : undefined;
    const { device: sim, presence } = await createSimulatorDevice({
      presenceHold: opts.profile ? presenceHoldFor(opts.profile.features.versions) : DEFAULT_SELECTION_HOLD,
      ...(opts.profile ? { aaguid: opts.profile.aaguid, features: opts.profile.features } : {}),
      ...(latency ? { latency } : {}),
      ...authenticatorOptionsForQuirks(opts.quirks),
    });
    const device = await openDevice({ kind: 'memory', connect: connectReportDevice(sim), name: 'memory:simulator' }, { ctaphid: channelOptions(opts) });
    // In-process power cycle: persistent state and channels kept, tokens and the wrong-PIN streak cleared,
    // the reset window open again (docs/simulator.md).
    const fingerprint = fingerControlOf(sim.authenticator.fingerprint);
    return {
      device,
      kind: 'sim',
      powerCycle: async () => sim.powerCycle(),
      simulatorTouches: () => presence.approved,
      enterpriseRpIds: sim.authenticator.enterpriseRpIds,
      ...(fingerprint ? { fingerprint } : {}),
    };
  }
  if (deviceText === 'sim:nfc') {
    // The in-process simulator as a card: every APDU through the NFC layer and the simulator's applet.
    const { applet, authenticator } = await createSimulatorCard({ presenceHold: DEFAULT_SELECTION_HOLD, ...authenticatorOptionsForQuirks(opts.quirks) });
    const device = await openNfcDevice({ kind: 'memory-card', card: applet, name: 'memory:simulator-card', atr: SIMULATOR_CARD_ATR });
    const fingerprint = fingerControlOf(authenticator.fingerprint);
    return { device, kind: 'nfc', isSimulator: true, powerCycle: () => device.nfc.powerCycle(), enterpriseRpIds: authenticator.enterpriseRpIds, ...(fingerprint ? { fingerprint } : {}) };
  }
  const spec = parseDeviceSpec(deviceText);
  if (spec.kind === 'udp') {
    // A UDP device is a simulator by convention: it approves presence itself, and the power-cycle datagram
    // (docs/simulator.md) power-cycles it in place; channels survive it, the host INITs anew all the same
    // (a simulator of another make may clear them).
    const device = await openDevice(spec, { ctaphid: channelOptions(opts) }).catch((err: Error) => {
      throw new Error(`nothing answers CTAPHID_INIT at ${deviceText} (${message(err)}); start one with: fido-harness sim --udp ${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}`);
    });
    const powerCycle = async () => {
      await sendDatagram(spec.host, spec.port, POWER_CYCLE_DATAGRAM);
      await new Promise((r) => setTimeout(r, 50));
      await device.hid.reopen();
    };
    // The fingerprint datagram (docs/simulator.md) puts samples on the simulator's sensor.
    const fingerprint: FingerControl = {
      present: async (...samples) => {
        for (const s of samples) await sendDatagram(spec.host, spec.port, fingerDatagram(fingerSample(s)));
      },
    };
    // A simulator started with `fido-harness sim` has the default enterprise attestation list.
    return { device, kind: spec.kind, powerCycle, fingerprint, enterpriseRpIds: ENTERPRISE_RP_IDS };
  }
  // A real key: the person is told when it waits for a touch (touchPrompt.ts, from KEEPALIVE UPNEEDED or,
  // over NFC, the status update UPNEEDED).
  if (spec.kind === 'pcsc') {
    // A card on a PC/SC reader (NFC).
    const device = await openNfcDevice(spec).catch((err: Error) => {
      throw new Error(`${message(err)} (is pcscd running and the key on the reader? pcsc_scan shows both; fido-harness devices lists FIDO cards)`);
    });
    const atr = device.transport.atr;
    const isSimulator = atr !== undefined && Buffer.from(atr).equals(Buffer.from(SIMULATOR_CARD_ATR));
    if (!isSimulator) return { device, kind: 'nfc', powerCycle: () => device.nfc.powerCycle() };
    // `fido-harness sim --pcsc`: its own instruction puts samples on its fingerprint sensor (the UDP finger datagram's bytes)
    const fingerprint: FingerControl = {
      present: async (...samples) => {
        for (const s of samples) {
          const r = await device.nfc.transmit(encodeApdu({ cla: Iso7816Cla.NFCCTAP, ins: SIM_FINGER_INS, p1: 0, p2: 0, data: fingerDatagram(fingerSample(s)) }));
          if (r.sw !== Sw.SUCCESS) throw new Error(`the simulator card refused a fingerprint sample (${formatSw(r.sw)})`);
        }
      },
    };
    return { device, kind: 'nfc', isSimulator, powerCycle: () => device.nfc.powerCycle(), fingerprint, enterpriseRpIds: ENTERPRISE_RP_IDS };
  }
  const device = await openDevice(spec, { ctaphid: channelOptions(opts, REAL_KEY_TOUCH_MS) }).catch((err: Error) => {
    throw new Error(`${message(err)} (fido-harness devices lists the keys this user can open)`);
  });
  const product = await hidProduct(device.transport.path);
  return { device, kind: spec.kind, ...(product ? { product } : {}) };
}

/** How long a person has for a touch on a real key without --touch-timeout (a common key's own limit). */
const REAL_KEY_TOUCH_MS = 30_000;

/**
 * The channel's limits: with a touch timeout, a wait for a touch is cancelled after it (CTAPHID_CANCEL,
 * CTAP 2.1 §11.2.9.1.5), and a transaction may last that long plus some slack.
 */
function channelOptions(opts: RunOptions, defaultTouchMs?: number): CtaphidChannelOptions {
  const touchMs = opts.touchTimeoutMs ?? defaultTouchMs;
  if (!touchMs) return {};
  return { touchTimeoutMs: touchMs, timeoutMs: Math.max(30_000, touchMs + 5_000) };
}

/** The product name node-hid reports for the key at `path` (prompts name it), if it can be read. */
async function hidProduct(path: string): Promise<string | undefined> {
  try {
    return (await listFidoHidDevices(await loadNodeHidBackend())).find((d) => d.path === path)?.product;
  } catch {
    return undefined;
  }
}

/**
 * `--sim-quirk` is for simulators: `sim` runs with them; for `udp:` it says which quirks the simulator there
 * was started with (its test MDS and rerun commands follow them). Refused for real keys before anything opens.
 */
export function checkQuirksApply(devices: readonly string[], quirks: readonly string[]): void {
  const real = devices.find((d) => d !== 'sim' && d !== 'sim:nfc' && !d.startsWith('udp:') && !d.startsWith('pcsc'));
  if (quirks.length && real) throw new RunInputError(`--sim-quirk applies to the simulator only (sim, sim:nfc, udp: or pcsc), not ${real}`);
  // an unknown quirk, or two that change the same behaviour, is the user's input: refused here, not at open
  try {
    behaviourForQuirks(quirks);
  } catch (err) {
    if (err instanceof QuirkError) throw new RunInputError(`--sim-quirk: ${err.message} (fido-harness sim --list-quirks)`);
    throw err;
  }
}

/** An error's message once: "CODE: text" when the message does not already start with its code. */
export function message(err: Error & { code?: unknown }): string {
  const code = typeof err.code === 'string' ? err.code : undefined;
  return code && !err.message.startsWith(code) ? `${code}: ${err.message}` : err.message;
}

/** The in-process simulator's sensor as checks drive it. */
function fingerControlOf(sensor: FingerprintSensor | undefined): FingerControl | undefined {
  return sensor instanceof SimulatedFingerprintSensor ? { present: async (...samples) => sensor.present(...samples) } : undefined;
}

function sendDatagram(host: string, port: number, datagram: Uint8Array): Promise<void> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) =>
    socket.send(datagram, port, host, (err) => {
      socket.close();
      if (err) reject(err);
      else resolve();
    }),
  );
}
