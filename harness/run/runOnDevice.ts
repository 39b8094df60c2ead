import { writeReports } from '../../reports/index.ts';
import { CtaphidCapability } from '../protocol/index.ts';
import { formatAaguid } from '../ctap/index.ts';
import { describePlan } from '../suites/planRun.ts';
import { prepareRun, runSuites, type PreparedRun, type RunSuitesResult } from '../suites/runSuites.ts';
import { touchPrompt } from './touchPrompt.ts';
import { createProgress } from './progress.ts';
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
    const aaguid = formatAaguid(opened.device.ctap2.info!.aaguid);
    if (opts.expectAaguid && aaguid !== opts.expectAaguid) {
      const why = `--rerun-failed: the report is of AAGUID ${opts.expectAaguid}, ${opts.device} is ${aaguid}: give --device for the key that made it`;
      io.stderr.write(`fido-harness run: ${terminalSafe(why)}\n`);
      return { device: opts.device, code: 2, error: why };
    }
    // --at dates the --mds BLOB; a profiled simulator is judged against its test MDS, as of now.
    const at = (opts.profile ? undefined : opts.at) ?? new Date();
    const mds = await mdsForDevice(opts, at, opened);
    const base = suiteOptions(opts, opened, mds, at, io);
    // a person touches and replugs a real key; a simulator approves by itself (a second per touch when
    // it answers like a real key, --sim-latency realistic)
    const person = opened.kind === 'hid' || (opened.kind === 'nfc' && !opened.isSimulator);
    const prepared = prepareRun(base, {
      replugForReset: opened.kind === 'hid',
      ...(person ? {} : { touchSeconds: opts.simLatency ? 1 : 0, checkSeconds: opts.simLatency ? 0.3 : 0.05 }),
    });
    const plan = prepared.plan;
    io.stdout.write(`plan: ${describePlan(plan)}\n`);
    if (opts.dryRun) {
      printPlan(prepared, io);
      return { device: opts.device, code: 0 };
    }
    if (opts.maxTouches !== undefined && plan.touches > opts.maxTouches) {
      const why = `the selected checks need about ${plan.touches} touches, more than --max-touches ${opts.maxTouches} (--dry-run lists them; select fewer with --suite or --check)`;
      io.stderr.write(`fido-harness run: ${why}\n`);
      return { device: opts.device, code: 2, error: why };
    }
    const run = await runOnOpenedDevice(opts, opened, base, prepared, io, deps);
    const report = buildRunReport(opts, opened, run, mds, at, startedAt, plan);
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
  return `fido-harness run --device ${opts.device} --check ${id}${opts.quirks.map((q) => ` --sim-quirk ${q}`).join('')}${opts.simProfile ? ` --sim-profile ${opts.simProfile}` : ''}${opts.mds ? ` --mds ${opts.mds}` : ''}${opts.at ? ` --at ${opts.at.toISOString()}` : ''}`;
}

/** The device, its context and the selection, as the suites take them. */
function suiteOptions(opts: RunOptions, opened: OpenedRunDevice, mds: LoadedMds | undefined, at: Date, io: RunIo) {
  const { device } = opened;
  return {
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
      ...(opened.fingerprint ? { fingerprint: opened.fingerprint } : {}),
      ...(opened.enterpriseRpIds ? { enterpriseRpIds: opened.enterpriseRpIds } : {}),
    },
    ...(opts.suites ? { suites: opts.suites } : {}),
    ...(opts.checks ? { checks: opts.checks } : {}),
  };
}

async function runOnOpenedDevice(
  opts: RunOptions,
  opened: OpenedRunDevice,
  base: ReturnType<typeof suiteOptions>,
  prepared: PreparedRun,
  io: RunIo,
  deps: RunDeps,
): Promise<RunSuitesResult> {
  const { device } = opened;
  const progress = createProgress(io);
  const realKey = opened.kind === 'hid' || (opened.kind === 'nfc' && !opened.isSimulator);
  const hid = 'hid' in device ? device.hid : undefined;
  // Each wait for a touch: the person is told (real keys), the --touch-command runs (any device).
  const prompt = touchPrompt(('hid' in device ? device.hid : device.nfc).presence, {
    device: { spec: opts.device, path: device.transport.path, ...(opened.product ? { product: opened.product } : {}) },
    prompt: realKey,
    several: opts.several === true,
    ...(opts.touchCommand ? { command: opts.touchCommand } : {}),
    stderr: io.stderr,
    env: io.env,
  });
  // With several keys attached the one about to ask for a touch blinks (CTAPHID_WINK, CTAP 2.1 §11.2.9.2.1);
  // not during the wait itself: the channel is busy with the command until the touch (§11.2.5).
  const winks = opts.several && hid && realKey && (hid.info.capabilities & CtaphidCapability.WINK) !== 0;
  try {
    return await runSuites(
      {
        ...base,
        timeoutMs: opts.timeoutMs,
        ...(realKey || opts.touchTimeoutMs ? { touchTimeoutMs: opts.touchTimeoutMs ?? 30_000 } : {}),
        signal: io.interrupt,
        ...(deps.probeMs ? { probeMs: deps.probeMs } : {}),
        ...(winks ? { beforeTouch: () => hid.wink().catch(() => undefined) } : {}),
        onPlan: (checks) => progress.plan(checks),
        onStart: (c, i, n) => progress.start(c, i, n),
        onResult: (r, i, n) => progress.result(r, i, n),
        rerunCommand: (c) => rerunCommand(opts, c.id),
      },
      prepared,
    );
  } finally {
    progress.done();
    await prompt.settled();
    prompt.stop();
  }
}

/** --dry-run: each check that needs a touch, with how many (set-up and shared credentials included). */
function printPlan(prepared: PreparedRun, io: RunIo): void {
  const lines = [...prepared.plan.perCheck].map(([id, n]) => `  ${id}\t${n}`);
  io.stdout.write(`${lines.length ? `touches per check:\n${lines.join('\n')}\n` : ''}${prepared.plan.resets} reset(s); nothing was sent that needs a touch\n`);
}

async function waitForReplug(io: RunIo): Promise<void> {
  io.stderr.write('The key refuses reset 10 s after power-up (CTAP 2.1 §6.6): unplug it, plug it back in, and touch it.\n');
  await new Promise((r) => setTimeout(r, 5_000));
}
