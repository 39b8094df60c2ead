import { createSimulatorDevice, DEFAULT_SELECTION_HOLD, type SimulatorDeviceOptions } from '../../authenticator-sim/index.ts';
import { authenticatorOptionsForQuirks } from '../../authenticator-sim/quirks/index.ts';
import { openDevice } from '../../harness/ctap/index.ts';
import { runSuites } from '../../harness/suites/runSuites.ts';
import { connectReportDevice } from '../../harness/transport/index.ts';
import { sharedAttestationMaterial } from '../helpers/sim.ts';
import { HOST_TIMED } from '../runner/runHarness.ts';
import { faultyDevice, type PacketFaults } from './hidFaults.ts';

export interface AreaRun {
  status: Map<string, string>;
  messages: Map<string, string>;
  /** the touches each check cost, counted from the device's KEEPALIVE UPNEEDED waits (0 when none) */
  touches: Map<string, number>;
  /** ids whose status is not pass (a timing check's host-load warning aside) */
  notPassing: string[];
  /** what each check said it expected and saw (CheckEvidence expected/actual), where it said so */
  evidence: Map<string, { expected?: string; actual?: string }>;
}

/**
 * Runs one area (optionally only some checks) against a fresh in-process simulator as `fido-harness run`
 * builds it (authenticatorSelection held 1.5 s), with quirks, device options and test-only faults.
 */
export async function runHidArea(
  suite: string,
  options: {
    checks?: string[];
    quirks?: string[];
    sim?: SimulatorDeviceOptions;
    faults?: PacketFaults;
    /** the faults act on the host's own opening INIT too (what the device advertises to every check) */
    faultsFromOpen?: boolean;
    withoutHid?: boolean;
    /** host traffic through the ordinary channel before the checks run (it lands in the CTAP trace first) */
    beforeChecks?: (ctap2: Awaited<ReturnType<typeof openDevice>>['ctap2']) => Promise<unknown>;
  } = {},
): Promise<AreaRun> {
  const { device: sim } = await createSimulatorDevice({
    allowResetAnytime: true,
    presenceHold: DEFAULT_SELECTION_HOLD,
    attestationMaterial: await sharedAttestationMaterial(),
    ...authenticatorOptionsForQuirks(options.quirks ?? []),
    ...options.sim,
  });
  const faulty = faultyDevice(sim, options.faults ?? {});
  faulty.enabled = options.faultsFromOpen === true;
  const opened = await openDevice({ kind: 'memory', connect: connectReportDevice(faulty) }, { ctaphid: { timeoutMs: 10_000 } });
  faulty.enabled = true;
  try {
    await options.beforeChecks?.(opened.ctap2);
    const run = await runSuites({
      device: options.withoutHid
        ? { ctap2: opened.ctap2, kind: 'sim' }
        : { ctap2: opened.ctap2, ctap1: opened.ctap1, hid: opened.hid, kind: 'sim' },
      context: { allowDestructive: true, pin: '1234' },
      suites: [suite],
      ...(options.checks ? { checks: options.checks } : {}),
      timeoutMs: 20_000,
    });
    return {
      status: new Map(run.results.map((r) => [r.id, r.status])),
      messages: new Map(run.results.map((r) => [r.id, r.message])),
      touches: new Map(run.results.map((r) => [r.id, r.touches ?? 0])),
      evidence: new Map(
        run.results.map((r) => [r.id, { ...(r.evidence?.expected !== undefined ? { expected: r.evidence.expected } : {}), ...(r.evidence?.actual !== undefined ? { actual: r.evidence.actual } : {}) }]),
      ),
      // a timing check's warning on a loaded host is about the host (docs/decisions/009-host-timing.md)
      notPassing: run.results.filter((r) => r.status !== 'pass' && !(r.status === 'warn' && HOST_TIMED.has(r.id))).map((r) => `${r.id}:${r.status}`),
    };
  } finally {
    await opened.close();
    sim.close();
  }
}
