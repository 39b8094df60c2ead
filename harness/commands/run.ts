import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createSimulatorDevice, DEFAULT_SELECTION_HOLD, POWER_CYCLE_DATAGRAM } from '../../authenticator-sim/index.ts';
import { authenticatorOptionsForQuirks } from '../../authenticator-sim/quirks/index.ts';
import { loadBundledMdsRoots, loadMdsStore, type MdsStore } from '../../mds/index.ts';
import { createReport, parseReport, REPORT_FORMATS, writeReports, type Report, type ReportFormat } from '../../reports/index.ts';
import { evaluateEntra, evaluateMicrosoft, parseEntraPolicy, summarizeMds, type CompatInput, type EntraPolicy } from '../compat/index.ts';
import { formatAaguid, namedInfo, openDevice, parseDeviceSpec, type OpenedDevice } from '../ctap/index.ts';
import { connectReportDevice, listFidoHidDevices, loadNodeHidBackend } from '../transport/index.ts';
import { KeepaliveStatus } from '../protocol/index.ts';
import { terminalSafe } from '../../reports/terminalSafe.ts';
import { runSuites, type RunSuitesResult } from '../suites/runSuites.ts';
import { createProgress } from '../runner/progress.ts';
import { simulatorTestMds } from '../run/simulatorTestMds.ts';
import { CheckSelectionError } from '../suites/index.ts';

const VERSION = '0.1.0';

export interface RunCommandIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** fires on Ctrl-C: the run ends after the current check with its report marked incomplete */
  interrupt?: AbortSignal;
}

export class UsageError extends Error {}

/** Test and embedding seams of `fido-harness run`; the CLI passes none. */
export interface RunCommandDeps {
  /** opens the device named by one `--device` entry (default: the simulator, hid, hid:PATH, udp:HOST:PORT) */
  openDevice?: (device: string, opts: RunArgs, io: RunCommandIo) => Promise<OpenedRunDevice>;
  /** the FIDO HID device paths `--device all` stands for (default: node-hid, usage page 0xF1D0) */
  listHidPaths?: () => Promise<string[]>;
  /** how long a device has to echo a PING after a check ended in a channel error (default 5 s) */
  probeMs?: number;
}

export interface OpenedRunDevice {
  device: OpenedDevice;
  /** "sim" | "hid" | "udp" | … as the report's device.transport */
  kind: string;
  powerCycle?: () => Promise<void>;
}

/** One device's run: its exit code, and its report when one was written. */
export interface DeviceRunOutcome {
  device: string;
  code: number;
  report?: Report;
  written?: Partial<Record<ReportFormat, string>>;
  /** why the device could not be used (no report then) */
  error?: string;
}

/**
 * `fido-harness run` (DESIGN.md): every suite (or the selected ones) against one device, then the
 * Microsoft and Entra evaluations and the reports. Exit 0: every check passed, warned or was skipped with a
 * reason; 1: a check failed or errored; 2: usage error, or the device could not be used (one line says why),
 * or the run was cut short (Ctrl-C, device lost: the report is written, marked incomplete).
 * `--device a,b,…` or `--device all` runs on each device in parallel (runSeveralDevices.ts).
 */
export async function runRunCommand(args: string[], io: RunCommandIo, deps: RunCommandDeps = {}): Promise<number> {
  let opts;
  let devices: string[];
  try {
    opts = parseRunArgs(args);
    await resolveRerun(opts);
    await resolveEntraPolicy(opts);
    devices = await expandDevices(opts.device, deps);
  } catch (err) {
    io.stderr.write(`fido-harness run: ${(err as Error).message}\n`);
    return 2;
  }
  if (devices.length === 1) return (await runOnDevice({ ...opts, device: devices[0]! }, io, deps)).code;
  const { runSeveralDevices } = await import('../run/runSeveralDevices.ts');
  return runSeveralDevices(opts, devices, io, (o, deviceIo) => runOnDevice(o, deviceIo, deps));
}

/** The run on one device, as `fido-harness run --device D` does it. */
export async function runOnDevice(opts: RunArgs, io: RunCommandIo, deps: RunCommandDeps = {}): Promise<DeviceRunOutcome> {
  const startedAt = new Date();
  let device: OpenedDevice | undefined;
  try {
    const opened = await (deps.openDevice ?? openRunDevice)(opts.device, opts, io);
    device = opened.device;
    const at = new Date();
    const mds = await loadMds(opts, at);
    const run = await runOnOpenedDevice(opts, opened, mds, at, io, deps);
    const report = await buildReport(opts, opened, run, mds, at, startedAt);
    const written = await writeReports(report, opts.out, opts.formats);
    printSummary(report, written, io);
    const code = run.incompleteReason ? 2 : report.summary.failed + report.summary.errored > 0 ? 1 : 0;
    return { device: opts.device, code, report, written };
  } catch (err) {
    if (err instanceof UsageError || err instanceof CheckSelectionError) {
      io.stderr.write(`fido-harness run: ${err.message}\n`);
      return { device: opts.device, code: 2, error: err.message };
    }
    const e = err as Error & { code?: string };
    const why = `the device could not be used: ${e.code ? `${e.code}: ` : ''}${e.message}`;
    io.stderr.write(`fido-harness run: ${why}\n`);
    return { device: opts.device, code: 2, error: why };
  } finally {
    await device?.close().catch(() => undefined);
  }
}

type MdsForRun = { store: MdsStore } | undefined;

async function runOnOpenedDevice(opts: RunArgs, opened: OpenedRunDevice, mds: MdsForRun, at: Date, io: RunCommandIo, deps: RunCommandDeps): Promise<RunSuitesResult> {
  const { device } = opened;
  const progress = createProgress(io);
  const rerun = (id: string) => `fido-harness run --device ${opts.device} --check ${id}${opts.quirks.map((q) => ` --sim-quirk ${q}`).join('')}`;
  const run = await runSuites({
    device: { ctap2: device.ctap2, ctap1: device.ctap1, hid: device.hid, kind: opened.kind, path: device.transport.path },
    context: {
      allowDestructive: opened.kind !== 'hid' || opts.allowReset,
      pin: opts.pin,
      pinGiven: opts.pinGiven,
      ...(mds ? { mds: { store: mds.store, at } } : {}),
      ...(opened.kind === 'hid' ? { requestReplug: () => waitForReplug(io) } : {}),
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
    rerunCommand: (c) => rerun(c.id),
  });
  progress.done();
  return run;
}

async function buildReport(opts: RunArgs, opened: OpenedRunDevice, run: RunSuitesResult, mds: MdsForRun, at: Date, startedAt: Date): Promise<Report> {
  const compat: CompatInput = {
    info: run.ctx.info,
    checks: run.results,
    ...(run.ctx.artifacts.attestationObject ? { attestation: run.ctx.artifacts.attestationObject } : {}),
    ...(mds ? { mds: mds.store } : {}),
    at,
  };
  const microsoft = evaluateMicrosoft(compat);
  const entra = evaluateEntra({ ...compat, microsoft, ...(opts.policy ? { policy: opts.policy } : {}) });
  const mdsSummary = summarizeMds(compat);
  return createReport({
    tool: { name: 'fido-harness', version: VERSION },
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    ...(run.incompleteReason ? { incomplete: true, incompleteReason: run.incompleteReason } : {}),
    device: {
      transport: opened.kind,
      path: opened.device.transport.path,
      aaguid: formatAaguid(run.ctx.info.aaguid),
      getInfo: namedInfo(run.ctx.info),
      ...(mdsSummary ? { mds: mdsSummary } : {}),
      ...(opts.quirks.length ? { simulatorQuirks: opts.quirks } : {}),
    },
    checks: run.results,
    microsoft,
    entra,
  });
}

/** `--device a,b,…` → each; `all` → every attached FIDO HID key (hid:PATH); one device → itself. */
async function expandDevices(text: string, deps: RunCommandDeps): Promise<string[]> {
  const list = text.split(',').map((d) => d.trim()).filter(Boolean);
  if (list.length === 0) throw new UsageError('--device is empty');
  if (!list.includes('all')) return list;
  if (list.length > 1) throw new UsageError('--device all stands for every attached key: give it alone');
  const paths = await (deps.listHidPaths ?? listHidPaths)();
  if (paths.length === 0) throw new UsageError('--device all: no FIDO HID device is attached (fido-harness devices lists them)');
  return paths.map((p) => `hid:${p}`);
}

async function listHidPaths(): Promise<string[]> {
  const found = await listFidoHidDevices(await loadNodeHidBackend());
  return found.map((d) => d.path);
}

export interface RunArgs {
  device: string;
  suites?: string[];
  checks?: string[];
  pin: string;
  /** whether --pin was given (else the default PIN is only ever set, never guessed) */
  pinGiven: boolean;
  mds?: string;
  entraPolicy?: string;
  /** the parsed --entra-policy, read before any device is opened */
  policy?: EntraPolicy;
  out: string;
  formats: ReportFormat[];
  quirks: string[];
  allowReset: boolean;
  timeoutMs?: number;
}

export function parseRunArgs(args: string[]): RunArgs {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      device: { type: 'string', default: 'sim' },
      suite: { type: 'string', multiple: true },
      check: { type: 'string', multiple: true },
      'rerun-failed': { type: 'string' },
      pin: { type: 'string' },
      mds: { type: 'string' },
      'entra-policy': { type: 'string' },
      out: { type: 'string', default: 'runs/latest' },
      format: { type: 'string', default: REPORT_FORMATS.join(',') },
      'sim-quirk': { type: 'string', multiple: true },
      'allow-reset': { type: 'boolean', default: false },
      timeout: { type: 'string' },
    },
  });
  const list = (v: string[] | undefined) => v?.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const formats = list([values.format!])!;
  for (const f of formats) {
    if (!(REPORT_FORMATS as readonly string[]).includes(f)) throw new Error(`unknown --format "${f}" (${REPORT_FORMATS.join(', ')})`);
  }
  let checks = list(values.check);
  if (values['rerun-failed']) {
    // resolved later (async); recorded here
    checks = [...(checks ?? []), `@rerun:${values['rerun-failed']}`];
  }
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new Error('--timeout takes milliseconds');
  return {
    device: values.device!,
    ...(list(values.suite) ? { suites: list(values.suite) } : {}),
    ...(checks ? { checks } : {}),
    pin: values.pin ?? '1234',
    pinGiven: values.pin !== undefined,
    ...(values.mds ? { mds: values.mds } : {}),
    ...(values['entra-policy'] ? { entraPolicy: values['entra-policy'] } : {}),
    out: values.out!,
    formats: formats as ReportFormat[],
    quirks: list(values['sim-quirk']) ?? [],
    allowReset: values['allow-reset']!,
    ...(timeoutMs ? { timeoutMs } : {}),
  };
}

async function openRunDevice(deviceText: string, opts: RunArgs, io: RunCommandIo): Promise<OpenedRunDevice> {
  if (deviceText === 'sim') {
    // As `fido-harness sim`: authenticatorSelection waits (cancellably) so the ctaphid suite can test CANCEL/KEEPALIVE.
    // Reset follows CTAP 2.1 §6.6 (10 s window) as on a real key; the run power-cycles it when refused.
    const { device: sim } = await createSimulatorDevice({ presenceHold: DEFAULT_SELECTION_HOLD, ...authenticatorOptionsForQuirks(opts.quirks) });
    const device = await openDevice({ kind: 'memory', connect: connectReportDevice(sim), name: 'memory:simulator' });
    // In-process power cycle: persistent state and channels kept, tokens and the wrong-PIN streak cleared,
    // the reset window open again (docs/simulator.md).
    return { device, kind: 'sim', powerCycle: async () => sim.powerCycle() };
  }
  if (opts.quirks.length && !deviceText.startsWith('udp:')) throw new UsageError('--sim-quirk applies to the simulator only');
  const spec = parseDeviceSpec(deviceText);
  if (spec.kind === 'udp') {
    // A UDP device is a simulator by convention: it approves presence itself, and the power-cycle datagram
    // (docs/simulator.md) power-cycles it in place; channels survive it, the host INITs anew all the same
    // (a simulator of another make may clear them).
    const device = await openDevice(spec);
    const powerCycle = async () => {
      await sendDatagram(spec.host, spec.port, POWER_CYCLE_DATAGRAM);
      await new Promise((r) => setTimeout(r, 50));
      await device.hid.reopen();
    };
    return { device, kind: spec.kind, powerCycle };
  }
  // A real key: say so when it waits for a touch (CTAPHID KEEPALIVE UPNEEDED), at most every 5 s.
  let shown = 0;
  const onKeepalive = (status: number) => {
    if (status === KeepaliveStatus.UPNEEDED && Date.now() - shown > 5_000) {
      shown = Date.now();
      io.stderr.write('Touch your security key\n');
    }
  };
  const device = await openDevice(spec, { ctaphid: { onKeepalive } });
  return { device, kind: spec.kind };
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

/** `--entra-policy FILE`: read and checked up front, so a bad policy costs no run (exit 2, one line). */
async function resolveEntraPolicy(opts: RunArgs): Promise<void> {
  if (!opts.entraPolicy) return;
  try {
    opts.policy = parseEntraPolicy(JSON.parse(await readFile(opts.entraPolicy, 'utf8')));
  } catch (err) {
    throw new UsageError(`--entra-policy ${opts.entraPolicy}: ${(err as Error).message}`);
  }
}

/** `--rerun-failed RUN.json`: the failed and errored checks of an earlier run. */
async function resolveRerun(opts: RunArgs): Promise<void> {
  const marker = opts.checks?.find((c) => c.startsWith('@rerun:'));
  if (!marker) return;
  const file = marker.slice('@rerun:'.length);
  let report: Report;
  try {
    report = parseReport(await readFile(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`--rerun-failed ${file}: ${(err as Error).message}`);
  }
  const failed = report.checks.filter((c) => c.status === 'fail' || c.status === 'error').map((c) => c.id);
  if (failed.length === 0) throw new UsageError(`--rerun-failed ${file}: that run has no failed checks`);
  opts.checks = [...opts.checks!.filter((c) => c !== marker), ...failed];
}

async function loadMds(opts: RunArgs, at: Date): Promise<{ store: MdsStore } | undefined> {
  if (opts.mds) {
    const jws = await readFile(opts.mds, 'utf8').catch((err: Error) => {
      throw new UsageError(`--mds ${opts.mds}: ${err.message} (a URL: fetch it first with "fido-harness mds fetch")`);
    });
    return { store: await loadMdsStore(jws.trim(), { roots: loadBundledMdsRoots(), at }) };
  }
  // The simulator (in-process or over UDP) is judged against the test MDS that lists it (DESIGN.md).
  if (opts.device === 'sim' || opts.device.startsWith('udp:')) return simulatorTestMds(opts.quirks, at);
  return undefined;
}

async function waitForReplug(io: RunCommandIo): Promise<void> {
  io.stderr.write('The key refuses reset 10 s after power-up (CTAP 2.1 §6.6): unplug it, plug it back in, and touch it.\n');
  await new Promise((r) => setTimeout(r, 5_000));
}

/** Why Entra blocks the key, and the policy fragment an admin would PATCH to allow it (issue 9). */
function entraAdvice(report: Report): string[] {
  const entra = report.entra;
  if (entra?.verdict !== 'blocked') return [];
  const failing = entra.reasons.filter((r) => r.status === 'fail').map((r) => `  ${r.id}: ${terminalSafe(r.message)}`);
  return [
    ...failing,
    'To allow it, PATCH /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2 with:',
    JSON.stringify(entra.suggestedPolicy, null, 2),
  ];
}

function printSummary(report: Report, written: Partial<Record<ReportFormat, string>>, io: RunCommandIo): void {
  const s = report.summary;
  const lines = [
    '',
    `${s.passed} passed, ${s.failed} failed, ${s.warned} warned, ${s.skipped} skipped, ${s.errored} errored`,
    `Microsoft-compatible: ${report.microsoft?.verdict ?? 'not evaluated'}; Entra: ${report.entra?.verdict ?? 'not evaluated'}`,
    ...entraAdvice(report),
    ...(report.incomplete ? [`INCOMPLETE: ${terminalSafe(report.incompleteReason ?? '')}`] : []),
    ...Object.values(written).map((f) => `wrote ${f}`),
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
}
