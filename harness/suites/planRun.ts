import { declaredTouches } from '../runner/runChecks.ts';
import { POOL_TOUCHES, type PoolName } from './credentialPool.ts';
import type { SuiteCheck, SuiteContext } from './SuiteContext.ts';

/** What a run will cost the person at the key, before anything is sent to it. */
export interface RunPlan {
  touches: number;
  /** authenticatorReset calls, the runner's set-up resets included */
  resets: number;
  /** resets that need the key unplugged and plugged back in (CTAP 2.1 §6.6: reset only within 10 s of power-up) */
  replugs: number;
  /** the checks that will run (not skipped for a capability or a missing --allow-reset) */
  checksRun: number;
  /** rough wall time, seconds (touchSeconds per touch, replugSeconds per replug, commandSeconds per check) */
  seconds: number;
  /** touches per check id, set-up included, for the checks that need any */
  perCheck: Map<string, number>;
}

export interface PlanOptions {
  /** whether each reset needs a replug (a real key) or the device allows it any time (the simulator) */
  replugForReset: boolean;
  /** how long a person takes per touch and per replug, and the device per check, seconds */
  touchSeconds?: number;
  replugSeconds?: number;
  checkSeconds?: number;
}

/**
 * The run plan (touches, resets, replugs, minutes) for `checks` on the device behind `ctx`, computed from
 * what each check declares and the set-up the runner does for it (runSuites.ts): a check that needs no PIN
 * while one is set costs a reset (a touch, CTAP 2.1 §6.6), one that needs a PIN on a key whose PIN we do
 * not know costs a reset when resets are allowed. Skipped checks cost nothing. Exact on a device that
 * behaves as specified; a misbehaving device may cost more (checks reset to recover).
 */
export function planRun(checks: readonly SuiteCheck[], ctx: SuiteContext, options: PlanOptions): RunPlan {
  const allow = ctx.options.allowDestructive;
  let pin = ctx.knownPinState;
  let touches = 0;
  let resets = 0;
  let checksRun = 0;
  const perCheck = new Map<string, number>();
  const pool = new Set<PoolName>();
  for (const check of checks) {
    if (check.requires?.(ctx) || (check.destructive && !allow)) continue;
    checksRun++;
    const wanted = check.needs?.pin;
    let setupResets = 0;
    if (wanted === 'unset' && pin !== 'unset') setupResets++;
    if (wanted === 'set' && pin === 'unknown' && ctx.options.pinGiven === false && allow) setupResets++;
    let setup = setupResets; // each reset is a touch (CTAP 2.1 §6.6)
    if (wanted) pin = wanted;
    if (setupResets > 0) pool.clear();
    for (const name of check.uses ?? []) {
      if (!pool.has(name)) setup += POOL_TOUCHES[name];
      pool.add(name);
    }
    const own = check.resets ?? 0;
    if (own > 0) pool.clear();
    if (check.leaves) pin = check.leaves.pin;
    else if (own > 0) pin = 'unset';
    const cost = setup + declaredTouches(check, ctx);
    resets += setupResets + own;
    touches += cost;
    if (cost > 0) perCheck.set(check.id, cost);
  }
  const replugs = options.replugForReset ? resets : 0;
  const seconds = touches * (options.touchSeconds ?? 3) + replugs * (options.replugSeconds ?? 15) + checksRun * (options.checkSeconds ?? 0.2);
  return { touches, resets, replugs, checksRun, seconds: Math.round(seconds), perCheck };
}

/** "about 64 touches and 2 replugs, about 5 minutes" */
export function describePlan(plan: RunPlan): string {
  const minutes = Math.max(1, Math.round(plan.seconds / 60));
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return `about ${plural(plan.touches, 'touch', 'touches')} and ${plural(plan.replugs, 'replug', 'replugs')}, about ${plural(minutes, 'minute', 'minutes')} (${plural(plan.checksRun, 'check', 'checks')})`;
}
