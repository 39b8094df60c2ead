// `fido-harness run`: parses its flags and hands the run to harness/run (loaded only when it runs, so
// `run --help` and usage errors answer at once).
import { REPORT_FORMATS, type ReportFormat } from '../../reports/model.ts';
import { REQUIRED_VERDICTS, type RequiredVerdict, type RunDeps, type RunIo, type RunOptions } from '../run/RunOptions.ts';
import { parseCommandArgs, parseTime, UsageError, withUsage, type CommandSpec, type ParsedValues } from './args.ts';
import { PIN_ENV, pinProblem } from '../run/readPin.ts';

export const RUN_SPEC = {
  name: 'run',
  summary: 'The conformance run: every suite (or the selected ones) against one device or several, then the Microsoft and Entra evaluations and the reports.',
  options: {
    device: { type: 'string', value: 'DEV', help: 'sim (default), sim:nfc, hid, hid:PATH, udp:HOST:PORT, pcsc, pcsc:READER, a comma list, or all (every attached key)' },
    suite: { type: 'string', value: 'NAME', multiple: true, help: 'run only these suites (case-insensitive)' },
    check: { type: 'string', value: 'ID', multiple: true, help: 'run only these checks (case-insensitive ids)' },
    'rerun-failed': { type: 'string', value: 'RUN', help: 'run the failed and errored checks of an earlier run (report.json or its folder) again, on its device unless --device is given' },
    'dry-run': { type: 'boolean', help: 'print the plan (touches, replugs, minutes for the selected checks on this device) and exit' },
    'max-touches': { type: 'string', value: 'N', help: 'refuse a run whose plan needs more than N touches' },
    'touch-command': { type: 'string', value: 'CMD', help: 'run CMD each time the key waits for a touch (FIDO_HARNESS_DEVICE in its environment)' },
    'touch-timeout': { type: 'string', value: 'S', help: 'seconds a touch may take before the wait is cancelled (default 30)' },
    'sim-latency': { type: 'string', value: 'NAME', help: 'the built-in simulator answers as slowly as a real key: realistic (a second per touch)' },
    list: { type: 'boolean', help: 'list the checks (id, suite, title) and exit' },
    pin: { type: 'string', value: 'PIN', help: 'the key\'s PIN (visible in ps: prefer FIDO_HARNESS_PIN or --pin-file); without one a key that has a PIN gets its PIN checks skipped' },
    'pin-file': { type: 'string', value: 'FILE', help: 'read the key\'s PIN from the first line of FILE' },
    'allow-reset': { type: 'boolean', help: 'a real key may be reset (wiped) for the checks that need it' },
    mds: { type: 'string', value: 'FILE', help: 'judge the key against this MDS3 BLOB (verified before the device is opened)' },
    at: { type: 'string', value: 'DATE', help: 'verify the MDS BLOB and judge statuses as of this date (an old BLOB)' },
    'entra-policy': { type: 'string', value: 'FILE', help: 'a Graph fido2AuthenticationMethodConfiguration (or the whole authenticationMethodsPolicy) the Entra verdict follows' },
    'entra-user-groups': { type: 'string', value: 'IDS', help: "the ids of the groups the user is in (comma list); without it a group-scoped policy \"depends on group\"" },
    'entra-auth-strength': { type: 'string', value: 'FILE', multiple: true, help: 'a Graph authenticationStrengthPolicy (or the list of them) Conditional Access requires' },
    require: { type: 'string', value: 'LIST', multiple: true, help: 'microsoft, entra: exit 1 unless Microsoft-compatible is "compatible" / Entra is "allowed"' },
    out: { type: 'string', value: 'DIR', help: 'where the reports go (default: a new folder runs/<time>-<device>/, with runs/latest naming the newest)' },
    format: { type: 'string', value: 'LIST', multiple: true, help: `report formats besides report.json: ${REPORT_FORMATS.filter((f) => f !== 'json').join(', ')} (default all)` },
    'sim-quirk': { type: 'string', value: 'NAME', multiple: true, help: 'the simulator misbehaves on purpose (fido-harness sim --list-quirks)' },
    'sim-profile': { type: 'string', value: 'AAGUID', help: 'the simulator plays this model of the --mds BLOB (its authenticatorGetInfo); judged against the simulator\'s test MDS' },
    timeout: { type: 'string', value: 'MS', help: 'time limit per check in milliseconds' },
  },
  notes: [
    'Exit 0: every check passed, warned or was skipped with a reason; 1: a check failed or errored, or a',
    'verdict named by --require is not compatible / allowed;',
    '2: a usage error, an input that cannot be used, a device that cannot be used, or a run cut short.',
    'report.json is always written (report, report diff and --rerun-failed read it).',
  ],
} as const satisfies CommandSpec;

/** `fido-harness run ARGS`: the exit code. `deps` are test and embedding seams; the CLI passes none. */
export async function runRunCommand(args: string[], io: RunIo, deps: RunDeps = {}): Promise<number> {
  return withUsage(RUN_SPEC, io, async () => {
    const { values } = parseCommandArgs(RUN_SPEC, args);
    if (values.list) {
      const { ALL_CHECKS } = await import('../suites/index.ts');
      const { terminalSafe } = await import('../../reports/terminalSafe.ts');
      io.stdout.write(ALL_CHECKS.map((c) => `${c.id}\t${c.suite}\t${terminalSafe(c.title)}\n`).join(''));
      return 0;
    }
    const options = runOptions(values);
    const { startRun } = await import('../run/startRun.ts');
    return startRun(options, io, deps);
  });
}

/** The parsed flags as the run's options; anything malformed is a UsageError. */
export function runOptions(values: ParsedValues<typeof RUN_SPEC>, env: NodeJS.ProcessEnv = process.env): RunOptions {
  const formats = values.format.length ? values.format : REPORT_FORMATS;
  for (const f of formats) {
    if (!(REPORT_FORMATS as readonly string[]).includes(f)) throw new UsageError(`unknown --format "${f}" (${REPORT_FORMATS.join(', ')})`);
  }
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    timeoutMs = Number(values.timeout);
    if (!(timeoutMs > 0)) throw new UsageError(`--timeout takes milliseconds, not "${values.timeout}"`);
  }
  const list = (v: readonly string[]) => v.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const require = list(values.require);
  for (const r of require) {
    if (!(REQUIRED_VERDICTS as readonly string[]).includes(r)) throw new UsageError(`unknown --require "${r}" (${REQUIRED_VERDICTS.join(', ')})`);
  }
  if (values.at !== undefined && values.mds === undefined) throw new UsageError('--at dates an MDS BLOB: give it with --mds FILE');
  if (values['sim-profile'] !== undefined && values.mds === undefined) throw new UsageError('--sim-profile AAGUID reads the model from an MDS BLOB: give it with --mds FILE');
  const maxTouches = values['max-touches'] === undefined ? undefined : wholeNumber('--max-touches', values['max-touches']);
  const touchTimeout = values['touch-timeout'] === undefined ? undefined : Number(values['touch-timeout']);
  if (touchTimeout !== undefined && !(touchTimeout > 0 && touchTimeout <= 3600)) throw new UsageError(`--touch-timeout takes seconds (1 to 3600), not "${values['touch-timeout']}"`);
  if (values['sim-latency'] !== undefined && values['sim-latency'] !== 'realistic' && values['sim-latency'] !== 'none') {
    throw new UsageError(`--sim-latency wants realistic or none, not "${values['sim-latency']}"`);
  }
  const pin = pinSource(values, env);
  return {
    device: values.device ?? 'sim',
    deviceGiven: values.device !== undefined,
    ...(values['dry-run'] ? { dryRun: true } : {}),
    ...(maxTouches !== undefined ? { maxTouches } : {}),
    ...(values['touch-command'] ? { touchCommand: values['touch-command'] } : {}),
    ...(touchTimeout !== undefined ? { touchTimeoutMs: Math.round(touchTimeout * 1000) } : {}),
    ...(values['sim-latency'] && values['sim-latency'] !== 'none' ? { simLatency: values['sim-latency'] } : {}),
    ...(values.suite.length ? { suites: values.suite } : {}),
    ...(values.check.length ? { checks: values.check } : {}),
    ...(values['rerun-failed'] ? { rerunFailed: values['rerun-failed'] } : {}),
    ...pin,
    ...(values.mds ? { mds: values.mds } : {}),
    ...(values.at !== undefined ? { at: parseTime(values.at) } : {}),
    ...(values['entra-policy'] ? { entraPolicy: values['entra-policy'] } : {}),
    ...(values['entra-user-groups'] !== undefined ? { userGroups: list([values['entra-user-groups']]) } : {}),
    ...(values['entra-auth-strength'].length ? { entraAuthStrengths: values['entra-auth-strength'] } : {}),
    ...(require.length ? { require: require as RequiredVerdict[] } : {}),
    ...(values.out !== undefined ? { out: values.out } : { out: 'runs', runsDir: 'runs' }),
    // report.json is always written: `report`, `report diff` and --rerun-failed read it
    formats: [...new Set<ReportFormat>(['json', ...(formats as ReportFormat[])])],
    quirks: values['sim-quirk'],
    ...(values['sim-profile'] !== undefined ? { simProfile: values['sim-profile'] } : {}),
    allowReset: values['allow-reset'],
    ...(timeoutMs ? { timeoutMs } : {}),
  };
}

function wholeNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new UsageError(`${flag} takes a whole number, not "${text}"`);
  return n;
}

/**
 * The PIN from --pin, --pin-file (read with the other inputs) or FIDO_HARNESS_PIN, in that order: a flag
 * given on purpose wins over the environment. Without any, the default PIN is only ever set, never guessed.
 */
function pinSource(values: ParsedValues<typeof RUN_SPEC>, env: NodeJS.ProcessEnv): Pick<RunOptions, 'pin' | 'pinGiven' | 'pinFile'> {
  if (values.pin !== undefined && values['pin-file'] !== undefined) throw new UsageError('give the PIN one way: --pin or --pin-file (or FIDO_HARNESS_PIN)');
  if (values['pin-file'] !== undefined) return { pin: '', pinGiven: true, pinFile: values['pin-file'] };
  const [pin, source] = values.pin !== undefined ? [values.pin, '--pin'] : env[PIN_ENV] ? [env[PIN_ENV], PIN_ENV] : [undefined, undefined];
  if (pin === undefined) return { pin: '1234', pinGiven: false };
  const problem = pinProblem(pin);
  if (problem) throw new UsageError(`${source}: ${problem}`);
  return { pin, pinGiven: true };
}
