import { createSimulatorDevice, DEFAULT_SELECTION_HOLD } from '../../authenticator-sim/index.ts';
import { authenticatorOptionsForQuirks } from '../../authenticator-sim/quirks/index.ts';
import { openDevice } from '../../harness/ctap/index.ts';
import { simulatorTestMds } from '../../harness/run/simulatorTestMds.ts';
import { prepareRun, runSuites } from '../../harness/suites/runSuites.ts';
import { connectReportDevice } from '../../harness/transport/index.ts';
import type { CheckResult } from '../../reports/index.ts';

/**
 * Plans and runs a selection on a fresh in-process simulator (as `run --device sim` does), and returns the
 * plan, each check's counted touches, and the simulator's own count of the touches it approved.
 */
export async function planAndRun(select: { suites?: string[]; checks?: string[]; quirks?: string[]; beforeTouch?: () => Promise<void> }) {
  const { device: sim, authenticator, presence } = await createSimulatorDevice({
    allowResetAnytime: true,
    presenceHold: DEFAULT_SELECTION_HOLD,
    ...authenticatorOptionsForQuirks(select.quirks ?? []),
  });
  const device = await openDevice({ kind: 'memory', connect: connectReportDevice(sim), name: 'memory:simulator' });
  try {
    const at = new Date();
    const mds = await simulatorTestMds(select.quirks ?? [], at);
    const options = {
      device: { ctap2: device.ctap2, ctap1: device.ctap1, hid: device.hid, kind: 'sim', path: 'memory:simulator' },
      context: { allowDestructive: true, pin: '1234', pinGiven: false, mds: { store: mds.store, at }, powerCycle: async () => authenticator.powerCycle() },
      ...(select.suites ? { suites: select.suites } : {}),
      ...(select.checks ? { checks: select.checks } : {}),
    };
    const prepared = prepareRun(options, { replugForReset: false });
    const run = await runSuites({ ...options, ...(select.beforeTouch ? { beforeTouch: select.beforeTouch } : {}) }, prepared);
    const counted = new Map(run.results.filter((r) => r.touches).map((r) => [r.id, r.touches!]));
    return {
      plan: prepared.plan,
      results: run.results as CheckResult[],
      counted,
      hostTouches: device.hid.presence.touches,
      simulatorTouches: presence.approved,
    };
  } finally {
    await device.close();
    sim.close();
  }
}
