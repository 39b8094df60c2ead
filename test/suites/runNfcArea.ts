import { createSimulatorCard, type SimulatorDeviceOptions } from '../../authenticator-sim/index.ts';
import { authenticatorOptionsForQuirks } from '../../authenticator-sim/quirks/index.ts';
import { openNfcDevice } from '../../harness/ctap/index.ts';
import { runSuites } from '../../harness/suites/runSuites.ts';
import type { InProcessCard } from '../../harness/transport/index.ts';
import type { CheckResult } from '../../reports/model.ts';

/**
 * A fault between the NFC layer and the simulator's applet: it sees each command APDU (bytes) and may
 * change it, answer in the card's place, or change the response APDU (data || SW1 SW2).
 */
export type CardFault = (command: Uint8Array, next: (command: Uint8Array) => Promise<Uint8Array>) => Promise<Uint8Array>;

/**
 * Runs the nfc area (or some of its checks) against the simulator as a card, as `fido-harness run --device
 * sim:nfc` builds it but with authenticatorSelection held 0.4 s (long enough for status updates, every
 * 100 ms), with quirks and an APDU fault. The fault starts after the device is opened (SELECT and getInfo
 * of the opening pass untouched).
 */
export async function runNfcArea(options: { checks?: string[]; quirks?: string[]; sim?: Omit<SimulatorDeviceOptions, 'ctaphid'>; fault?: CardFault } = {}): Promise<Map<string, CheckResult>> {
  const { applet } = await createSimulatorCard({ allowResetAnytime: true, presenceHold: { reasons: ['selection'], ms: 400 }, ...authenticatorOptionsForQuirks(options.quirks ?? []), ...options.sim });
  let enabled = false;
  const fault = options.fault;
  const card: InProcessCard = {
    transmit: (c) => (enabled && fault ? fault(c, (x) => applet.transmit(x)) : applet.transmit(c)),
    powerOff: () => applet.powerOff(),
    powerOn: () => applet.powerOn(),
  };
  const device = await openNfcDevice({ kind: 'memory-card', card, name: 'memory:simulator-card' });
  enabled = true;
  try {
    const run = await runSuites({
      device: { ctap2: device.ctap2, ctap1: device.ctap1, nfc: device.nfc, kind: 'nfc' },
      context: { allowDestructive: true, pin: '1234' },
      suites: ['nfc'],
      ...(options.checks ? { checks: options.checks } : {}),
      timeoutMs: 20_000,
    });
    return new Map(run.results.map((r) => [r.id, r]));
  } finally {
    await device.close();
  }
}

const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The response APDU `data || sw`. */
export const responseApdu = (data: Uint8Array | string, sw: number): Uint8Array =>
  Uint8Array.from([...(typeof data === 'string' ? new TextEncoder().encode(data) : data), sw >> 8, sw & 0xff]);

/** Splits a response APDU into data and status word. */
export const splitApdu = (r: Uint8Array) => ({ data: r.subarray(0, r.length - 2), sw: (r[r.length - 2]! << 8) | r[r.length - 1]! });

/** Answers `answer(command)` in the card's place where it returns bytes, else passes the command on. */
export const answerFor =
  (answer: (command: Uint8Array, hex: string) => Uint8Array | undefined): CardFault =>
  async (command, next) =>
    answer(command, hexOf(command)) ?? next(command);

/** Changes the card's response to commands `match` picks. */
export const rewriteCardResponse =
  (match: (command: Uint8Array) => boolean, change: (response: Uint8Array, command: Uint8Array) => Uint8Array): CardFault =>
  async (command, next) => {
    const r = await next(command);
    return match(command) ? change(r, command) : r;
  };
