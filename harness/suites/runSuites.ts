import { selectChecks, SuiteContext, type SuiteCheck, type SuiteContextOptions, type SuiteDevice } from './index.ts';
import type { CheckResult } from '../../reports/model.ts';
import { declaredTouches, runChecks } from '../runner/runChecks.ts';
import { deviceLostReason } from './deviceLostReason.ts';
import { planRun, type PlanOptions, type RunPlan } from './planRun.ts';

export interface RunSuitesOptions {
  device: SuiteDevice;
  context: SuiteContextOptions;
  suites?: string[];
  checks?: string[];
  timeoutMs?: number;
  /** how long a person has per touch: checks that declare touches get that much longer */
  touchTimeoutMs?: number;
  signal?: AbortSignal;
  onPlan?: (checks: readonly SuiteCheck[]) => void;
  onStart?: (check: SuiteCheck, index: number, total: number) => void;
  onResult?: (result: CheckResult, index: number, total: number) => void;
  rerunCommand?: (check: SuiteCheck) => string;
  /** how long the device has to echo a PING after a check ended in a channel error (default 5 s) */
  probeMs?: number;
  /** called before each check that will ask for a touch (several keys: the one about to ask blinks) */
  beforeTouch?: () => Promise<void>;
}

export interface RunSuitesResult {
  ctx: SuiteContext;
  results: CheckResult[];
  incompleteReason?: string;
}

/** The selected checks, the context they will run in, and what they will cost (nothing sent yet). */
export interface PreparedRun {
  ctx: SuiteContext;
  checks: SuiteCheck[];
  plan: RunPlan;
}

/** Below this many free discoverable slots the device is reset before a check that makes more. */
const LOW_SLOTS = 8;

/** Selects the checks and plans their touches and replugs on this device (getInfo already read). */
export function prepareRun(options: Pick<RunSuitesOptions, 'device' | 'context' | 'suites' | 'checks'>, plan: PlanOptions): PreparedRun {
  const checks = selectChecks({ suites: options.suites, checks: options.checks });
  const ctx = new SuiteContext(options.device, options.context);
  return { ctx, checks, plan: planRun(checks, ctx, plan) };
}

/**
 * Runs the selected checks against one device, each after the state it needs is set up (one
 * failure must not cascade). The PIN is set with PIN/UV auth protocol the device prefers. Each result
 * carries the touches its check cost, counted by the host (KEEPALIVE UPNEEDED waits, CTAP 2.1 §11.2.9.2.1).
 */
export async function runSuites(options: RunSuitesOptions, prepared?: PreparedRun): Promise<RunSuitesResult> {
  const checks = prepared?.checks ?? selectChecks({ suites: options.suites, checks: options.checks });
  options.onPlan?.(checks);
  const ctx = prepared?.ctx ?? new SuiteContext(options.device, options.context);
  const presence = (options.device.hid ?? options.device.nfc)?.presence;
  const { results, incompleteReason } = await runChecks(checks, ctx, {
    allowDestructive: options.context.allowDestructive,
    destructiveSkipReason: 'resets the key or sets its PIN: run with --allow-reset to allow (the key will be wiped)',
    timeoutMs: options.timeoutMs,
    ...(options.touchTimeoutMs ? { touchTimeoutMs: options.touchTimeoutMs } : {}),
    ...(presence ? { touchCount: () => presence.touches } : {}),
    signal: options.signal,
    onStart: options.onStart,
    onResult: options.onResult,
    rerunCommand: options.rerunCommand,
    collectEvidence: (c) => c.evidence(),
    // a device that is gone, stalled or answers garbage ends the run (marked incomplete), instead of
    // every remaining check erroring one time limit after the other
    stopAfterError: (c, err, check) => deviceLostReason(c.device, err, check.id, options.probeMs),
    async beforeEach(c, check) {
      const wanted = (check as SuiteCheck).needs?.pin;
      const remaining = c.info.remainingDiscoverableCredentials;
      if (c.options.allowDestructive && remaining !== undefined && remaining < LOW_SLOTS) await c.reset();
      if (wanted) await c.ensurePin(wanted);
      // the plan knows which checks ask for a touch, set-up and shared credentials included
      const asks = prepared ? (prepared.plan.perCheck.get(check.id) ?? 0) > 0 : declaredTouches(check, c) > 0;
      if (options.beforeTouch && asks) await options.beforeTouch();
      c.markTrace();
    },
  });
  return { ctx, results, ...(incompleteReason ? { incompleteReason } : {}) };
}
