import type { FingerControl } from '../suites/SuiteContext.ts';
import type { MdsStore } from '../../mds/index.ts';
import type { DeviceProfile } from '../../authenticator-sim/profile/profileFromGetInfo.ts';
import type { AuthStrengthInput, EntraPolicy } from '../compat/index.ts';
import type { OpenedDevice, OpenedNfcDevice } from '../ctap/index.ts';
import type { Report, ReportFormat } from '../../reports/index.ts';

/** What one `fido-harness run` was asked to do (the command parses the flags into this). */
export interface RunOptions {
  /** one `--device` entry, or the whole list before it is expanded */
  device: string;
  /** whether --device was given (--rerun-failed otherwise runs on the report's device) */
  deviceGiven?: boolean;
  /** --rerun-failed: the AAGUID of the device the report is of; another device is refused */
  expectAaguid?: string;
  /** more than one device runs at once: prompts name the device, and it winks before a touch */
  several?: boolean;
  suites?: string[];
  checks?: string[];
  /** --rerun-failed RUN.json: its failed and errored checks join `checks` */
  rerunFailed?: string;
  pin: string;
  /** whether a PIN was given (--pin, --pin-file, FIDO_HARNESS_PIN; else the default PIN is only ever set, never guessed) */
  pinGiven: boolean;
  /** --pin-file: `pin` is read from it with the other inputs */
  pinFile?: string;
  mds?: string;
  /** --at: the time the MDS BLOB is verified and judged at (default: now) */
  at?: Date;
  entraPolicy?: string;
  /** the parsed --entra-policy, read before any device is opened */
  policy?: EntraPolicy;
  /** --entra-user-groups: the ids of the groups the user is in; undefined: unknown ("depends on group") */
  userGroups?: string[];
  /** --entra-auth-strength FILE…, and the strengths read from them before any device is opened */
  entraAuthStrengths?: string[];
  authStrengths?: AuthStrengthInput[];
  /** --require microsoft,entra: those verdicts must be compatible / allowed, else the exit code is 1 */
  require?: RequiredVerdict[];
  /** where the reports go: --out, or a new run folder in `runsDir` (runs/<time>-<device>/) */
  out: string;
  /** without --out: the folder that keeps every run, and `latest` naming the newest (runFolder.ts) */
  runsDir?: string;
  formats: ReportFormat[];
  /** --dry-run: print the plan (touches, replugs, minutes) and exit */
  dryRun?: boolean;
  /** --max-touches N: refuse a run whose plan needs more touches */
  maxTouches?: number;
  /** --touch-command CMD: run for every wait for a touch (relay or robot rigs) */
  touchCommand?: string;
  /** --touch-timeout S, in ms: how long a touch may take before the wait is cancelled */
  touchTimeoutMs?: number;
  /** --sim-latency NAME: the in-process simulator answers as slowly as a real key */
  simLatency?: string;
  quirks: string[];
  allowReset: boolean;
  timeoutMs?: number;
  /** the --mds BLOB, verified before any device is opened */
  mdsStore?: LoadedMds;
  /** --sim-profile AAGUID: the simulator plays this model of the --mds BLOB (its authenticatorGetInfo) */
  simProfile?: string;
  /** the profile read from the BLOB before any device is opened; the run is then judged against the test MDS */
  profile?: DeviceProfile;
}

export const REQUIRED_VERDICTS = ['microsoft', 'entra'] as const;
export type RequiredVerdict = (typeof REQUIRED_VERDICTS)[number];

/** An MDS the run judges against, and what the report says about it. */
export interface LoadedMds {
  store: MdsStore;
  /** "file" = a BLOB given with --mds; "test" = the built-in test MDS that lists the simulator */
  source: 'file' | 'test';
  file?: string;
}

export interface RunIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** fires on Ctrl-C: the run ends after the current check with its report marked incomplete */
  interrupt?: AbortSignal;
}

/** Test and embedding seams of a run; the CLI passes none. */
export interface RunDeps {
  /** opens the device named by one `--device` entry (default: the simulator, hid, hid:PATH, udp:HOST:PORT, pcsc, pcsc:READER) */
  openDevice?: (device: string, opts: RunOptions, io: RunIo) => Promise<OpenedRunDevice>;
  /** the FIDO HID device paths `--device all` stands for (default: node-hid, usage page 0xF1D0) */
  listHidPaths?: () => Promise<string[]>;
  /** how long a device has to echo a PING after a check ended in a channel error (default 5 s) */
  probeMs?: number;
}

export interface OpenedRunDevice {
  device: OpenedDevice | OpenedNfcDevice;
  /** "sim" | "hid" | "udp" | "nfc" as the report's device.transport */
  kind: string;
  /** a card that is the simulator (`sim:nfc`, or `sim --pcsc` told by its ATR): resets need no --allow-reset, the test MDS lists it */
  isSimulator?: boolean;
  powerCycle?: () => Promise<void>;
  /** the product name a HID key reports (prompts name it) */
  product?: string;
  /** the in-process simulator's own count of the touches it approved */
  simulatorTouches?: () => number;
  /** the simulator's fingerprint sensor (in-process, or the UDP datagram of docs/simulator.md) */
  fingerprint?: FingerControl;
  /** the simulator's vendor-facilitated enterprise attestation RP IDs (CTAP 2.1 §7.1) */
  enterpriseRpIds?: readonly string[];
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

/** Something the user gave cannot be used (exit 2, one line, before any device is opened). */
export class RunInputError extends Error {
  override readonly name = 'RunInputError';
}

/** The tool's name and version in reports and indexes. */
export const TOOL = { name: 'fido-harness', version: '0.1.0' } as const;
