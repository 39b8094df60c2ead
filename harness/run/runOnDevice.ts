import { writeReports } from '../../reports/index.ts';
import { runSuites, type RunSuitesResult } from '../suites/runSuites.ts';
import { createProgress } from '../runner/progress.ts';
import { buildRunReport } from './buildRunReport.ts';
import { mdsForDevice } from './loadRunMds.ts';
import { message, openRunDevice } from './openRunDevice.ts';
import { printRunSummary, unmetRequirements } from './printRunSummary.ts';
import { terminalSafe } from '../../reports/terminalSafe.ts';
import type { DeviceRunOutcome, LoadedMds, OpenedRunDevice, RunDeps, RunIo, RunOptions } from './RunOptions.ts';

/**
 * The run on one device: open it, run the selected suites, evaluate, write the reports, print the summary.
 * Exit code 0 all passed (or warned, or skipped with a reason), 1 a check failed or errored or a verdict
 * named by --require is not compatible / allowed, 2 the device
 * could not be used or the run was cut short (report written, marked incomplete).
 */
export async function runOnDevice(opts: RunOptions, io: RunIo, deps: RunDeps = {}): Promise<DeviceRunOutcome> {
  const startedAt = new Date();
  let opened: OpenedRunDevice | undefined;
  try {
    opened = await (deps.openDevice ?? openRunDevice)(opts.device, opts, io);
    const at = opts.at ?? new Date();
    const mds = await mdsForDevice(opts, at, opened);
    const run = await runOnOpenedDevice(opts, opened, mds, at, io, deps);
    const report = buildRunReport(opts, opened, run, mds, at, startedAt);
    const written = await writeReports(report, opts.out, opts.formats);
    printRunSummary(report, written, io, opts.require ?? []);
    const failed = report.summary.failed + report.summary.errored > 0 || unmetRequirements(report, opts.require ?? []).length > 0;
    const code = run.incompleteReason ? 2 : failed ? 1 : 0;
    return { device: opts.device, code, report, written };
  } catch (err) {
    const why = `the device could not be used: ${message(err as Error)}`;
    io.stderr.write(`fido-harness run: ${terminalSafe(why)}\n`);
    return { device: opts.device, code: 2, error: why };
  } finally {
    await opened?.device.close().catch(() => undefined);
  }
}

/** The command that runs one check again, as printed at the top of a failing check's evidence. */
export function rerunCommand(opts: RunOptions, id: string): string {
  return `fido-harness run --device ${opts.device} --check ${id}${opts.quirks.map((q) => ` --sim-quirk ${q}`).join('')}${opts.mds ? ` --mds ${opts.mds}` : ''}${opts.at ? ` --at ${opts.at.toISOString()}` : ''}`;
}

async function runOnOpenedDevice(opts: RunOptions, opened: OpenedRunDevice, mds: LoadedMds | undefined, at: Date, io: RunIo, deps: RunDeps): Promise<RunSuitesResult> {
  const { device } = opened;
  const progress = createProgress(io);
  const run = await runSuites({
    device: { ctap2: device.ctap2, ctap1: device.ctap1, ...('hid' in device ? { hid: device.hid } : { nfc: device.nfc }), kind: opened.kind, path: device.transport.path },
    context: {
      // a real key (USB or NFC) is reset only when allowed; simulators always
      allowDestructive: opts.allowReset || !(opened.kind === 'hid' || (opened.kind === 'nfc' && !opened.isSimulator)),
      pin: opts.pin,
      pinGiven: opts.pinGiven,
      ...(mds ? { mds: { store: mds.store, at } } : {}),
      ...(opened.kind === 'hid' ? { requestReplug: () => waitForReplug(io) } : {}),
      // over NFC the reader takes the field away and gives it back: the key is freshly powered (CTAP 2.1 §6.6)
      ...(opened.kind === 'nfc' && opened.powerCycle ? { requestReplug: opened.powerCycle } : {}),
      ...(opened.powerCycle ? { powerCycle: opened.powerCycle } : {}),
    },
    suites: opts.suites,
    checks: opts.checks,
    timeoutMs: opts.timeoutMs,
    signal: io.interrupt,
    ...(deps.probeMs ? { probeMs: deps.probeMs } : {}),
    onPlan: (checks) => progress.plan(checks),
    onStart: (c, i, n) => progress.start(c, i, n),
    onResult: (r, i, n) => progress.result(r, i, n),
    rerunCommand: (c) => rerunCommand(opts, c.id),
  });
  progress.done();
  return run;
}

async function waitForReplug(io: RunIo): Promise<void> {
  io.stderr.write('The key refuses reset 10 s after power-up (CTAP 2.1 §6.6): unplug it, plug it back in, and touch it.\n');
  await new Promise((r) => setTimeout(r, 5_000));
}
