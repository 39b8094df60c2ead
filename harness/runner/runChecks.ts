import type { CheckEvidence, CheckResult, CheckStatus } from '../../reports/model.ts';
import { CheckFailed, CheckSkipped, CheckWarning, type Check } from './Check.ts';
import { CheckTimeout, withTimeout } from './withTimeout.ts';

export interface RunChecksOptions<Ctx> {
  /** default per-check time limit, ms */
  timeoutMs?: number;
  /** whether destructive checks may run (always on the simulator; --allow-reset on a real key) */
  allowDestructive: boolean;
  /** why destructive checks are skipped when they are not allowed */
  destructiveSkipReason?: string;
  /** Ctrl-C or a lost device: the run stops after the current check and is marked incomplete */
  signal?: AbortSignal;
  /** called before each check (progress) and after it */
  onStart?: (check: Check<Ctx>, index: number, total: number) => void;
  onResult?: (result: CheckResult, index: number, total: number) => void;
  /** evidence collected by the context for the check that just ran (CTAP trace…) */
  collectEvidence?: (ctx: Ctx) => CheckEvidence | undefined;
  /** called before each check so it starts from a known state (e.g. clears the trace mark) */
  beforeEach?: (ctx: Ctx, check: Check<Ctx>) => Promise<void> | void;
  /**
   * Asked after a check ended in `error` (with what it threw): a reason to stop the run (the device is
   * gone, stalled or answers garbage), or undefined to go on. The run then ends with that incompleteReason.
   */
  stopAfterError?: (ctx: Ctx, error: unknown, check: Check<Ctx>) => Promise<string | undefined>;
  /** the device's touches so far (the host's count): each result gets the touches its check cost */
  touchCount?: () => number;
  /**
   * how long a person has for each touch (--touch-timeout): a check's time limit grows by this much for
   * every touch it declares, so a slow finger is not a check error
   */
  touchTimeoutMs?: number;
  /** a command line that re-runs one check, added to failing checks' evidence */
  rerunCommand?: (check: Check<Ctx>) => string;
  now?: () => number;
}

export interface RunChecksResult {
  results: CheckResult[];
  /** set when the run stopped before every check ran */
  incompleteReason?: string;
}

/**
 * Runs checks in order. A check that throws is `error`, a check past its limit is `error` with the limit,
 * and neither ends the run unless `stopAfterError` says the device is gone; an aborted run stops after the
 * current check and says so.
 */
export async function runChecks<Ctx>(
  checks: readonly Check<Ctx>[],
  ctx: Ctx,
  options: RunChecksOptions<Ctx>,
): Promise<RunChecksResult> {
  const now = options.now ?? (() => performance.now());
  const results: CheckResult[] = [];
  for (const [index, check] of checks.entries()) {
    if (options.signal?.aborted) {
      return { results, incompleteReason: String(options.signal.reason ?? 'run aborted') };
    }
    options.onStart?.(check, index, checks.length);
    const started = now();
    const touchesBefore = options.touchCount?.() ?? 0;
    const finish = (status: CheckStatus, message: string, evidence?: CheckEvidence) => {
      const result: CheckResult = {
        id: check.id,
        suite: check.suite,
        title: check.title,
        specRef: check.specRef,
        status,
        message,
        durationMs: Math.round((now() - started) * 100) / 100,
      };
      const touches = (options.touchCount?.() ?? 0) - touchesBefore;
      if (touches > 0) result.touches = touches;
      const collected = status === 'skip' ? undefined : options.collectEvidence?.(ctx);
      const merged = collected || evidence ? { ...collected, ...evidence } : undefined;
      if ((status === 'fail' || status === 'error') && options.rerunCommand) {
        (result.evidence = merged ?? {}).rerun = options.rerunCommand(check);
      } else if (merged) {
        result.evidence = merged;
      }
      results.push(result);
      options.onResult?.(result, index, checks.length);
    };
    const skipReason = check.requires?.(ctx);
    if (skipReason) {
      finish('skip', skipReason);
      continue;
    }
    if (check.destructive && !options.allowDestructive) {
      finish('skip', options.destructiveSkipReason ?? 'destructive check: needs --allow-reset');
      continue;
    }
    try {
      await options.beforeEach?.(ctx, check);
      const limit = (check.timeoutMs ?? options.timeoutMs ?? 15_000) + declaredTouches(check, ctx) * (options.touchTimeoutMs ?? 0);
      const detail = await withTimeout(limit, options.signal, (signal) =>
        check.run(ctx, signal),
      );
      finish('pass', detail?.message ?? 'as specified', detail?.evidence);
    } catch (err) {
      if (err instanceof CheckFailed) finish('fail', err.message, err.evidence);
      else if (err instanceof CheckWarning) finish('warn', err.message, err.evidence);
      else if (err instanceof CheckSkipped) finish('skip', err.message, err.evidence);
      else {
        finish('error', err instanceof CheckTimeout ? err.message : `${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)}`);
        const stop = await options.stopAfterError?.(ctx, err, check);
        if (stop) return { results, incompleteReason: stop };
      }
    }
  }
  return { results };
}

/** The touches a check declares for this device (0 when it declares none). */
export function declaredTouches<Ctx>(check: Check<Ctx>, ctx: Ctx): number {
  const t = check.touches;
  return typeof t === 'function' ? t(ctx) : (t ?? 0);
}
