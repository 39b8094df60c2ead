import { describe, expect, it } from 'vitest';
import { describePlan, planRun, type RunPlan } from '../../harness/suites/planRun.ts';
import type { SuiteCheck, SuiteContext } from '../../harness/suites/SuiteContext.ts';

// The run plan from what checks declare (harness/suites/planRun.ts), on a context that is only what the plan
// reads: the PIN state the run starts from, whether resets are allowed and whether the PIN was given. The
// whole-run agreement of plan and count on the simulator is test/runner/touchPlan.test.ts.

type PinState = 'set' | 'unset' | 'unknown';

function contextOf(o: { pin?: PinState; allow?: boolean; pinGiven?: boolean; uv?: boolean } = {}): SuiteContext {
  return {
    knownPinState: o.pin ?? 'unset',
    options: { allowDestructive: o.allow ?? true, pin: '1234', ...(o.pinGiven !== undefined ? { pinGiven: o.pinGiven } : {}) },
    info: { versions: ['FIDO_2_1'], options: { uv: o.uv ?? false } },
  } as unknown as SuiteContext;
}

let n = 0;
const check = (c: Partial<SuiteCheck> = {}): SuiteCheck => ({ id: `T-${++n}`, suite: 't', title: 't', specRef: 'x', touches: 0, run: async () => undefined, ...c });
const plan = (checks: SuiteCheck[], ctx = contextOf(), replugForReset = false, times = {}) => planRun(checks, ctx, { replugForReset, ...times });
const per = (p: RunPlan) => Object.fromEntries(p.perCheck);

describe('planRun', () => {
  it('counts declared touches, numbers and functions of the context, per check that needs any', () => {
    const a = check({ touches: 2 });
    const b = check({ touches: 0 });
    const c = check({ touches: (ctx) => (ctx.info.options?.uv ? 5 : 1) });
    const p = plan([a, b, c]);
    expect(p).toMatchObject({ touches: 3, resets: 0, replugs: 0, checksRun: 3 });
    expect(per(p)).toEqual({ [a.id]: 2, [c.id]: 1 });
    expect(plan([c], contextOf({ uv: true })).touches).toBe(5);
  });

  it('leaves out checks that will be skipped: a capability missing, or destructive without --allow-reset', () => {
    const skipped = check({ touches: 4, requires: () => 'no such feature' });
    const destructive = check({ touches: 1, destructive: true });
    const runs = check({ touches: 1, requires: () => undefined });
    expect(plan([skipped, destructive, runs], contextOf({ allow: false }))).toMatchObject({ touches: 1, checksRun: 1 });
    expect(per(plan([skipped, destructive, runs], contextOf({ allow: false })))).toEqual({ [runs.id]: 1 });
    expect(plan([skipped, destructive, runs], contextOf({ allow: true }))).toMatchObject({ touches: 2, checksRun: 2 });
  });

  it('charges a reset (a touch) to a check that needs no PIN while one is set or may be', () => {
    for (const pin of ['set', 'unknown'] as const) {
      const c = check({ needs: { pin: 'unset' }, touches: 1 });
      const p = plan([c], contextOf({ pin }));
      expect(p, pin).toMatchObject({ touches: 2, resets: 1 });
      expect(per(p)).toEqual({ [c.id]: 2 });
    }
    expect(plan([check({ needs: { pin: 'unset' } })], contextOf({ pin: 'unset' }))).toMatchObject({ touches: 0, resets: 0 });
    // after one reset the state is known: the next PIN-less check costs nothing more
    expect(plan([check({ needs: { pin: 'unset' } }), check({ needs: { pin: 'unset' } })], contextOf({ pin: 'set' }))).toMatchObject({ touches: 1, resets: 1 });
  });

  it('charges a reset to a check that needs a PIN on a key whose PIN we do not know, only when resets are allowed and no PIN was given', () => {
    const needsPin = () => check({ needs: { pin: 'set' } });
    expect(plan([needsPin()], contextOf({ pin: 'unknown', pinGiven: false }))).toMatchObject({ touches: 1, resets: 1 });
    expect(plan([needsPin()], contextOf({ pin: 'unknown', pinGiven: true }))).toMatchObject({ touches: 0, resets: 0 });
    expect(plan([needsPin()], contextOf({ pin: 'unknown' }))).toMatchObject({ touches: 0, resets: 0 });
    expect(plan([needsPin()], contextOf({ pin: 'unknown', pinGiven: false, allow: false }))).toMatchObject({ touches: 0, resets: 0 });
    expect(plan([needsPin()], contextOf({ pin: 'unset', pinGiven: false }))).toMatchObject({ touches: 0, resets: 0 });
    expect(plan([needsPin()], contextOf({ pin: 'set', pinGiven: false }))).toMatchObject({ touches: 0, resets: 0 });
    // once a check set it, the PIN is known: a second one costs nothing, a PIN-less one after it a reset
    expect(plan([needsPin(), needsPin(), check({ needs: { pin: 'unset' } })], contextOf({ pin: 'unknown', pinGiven: false }))).toMatchObject({ touches: 2, resets: 2 });
  });

  it('costs nothing for a check that needs no PIN state, whatever the key is in', () => {
    expect(plan([check()], contextOf({ pin: 'unknown', pinGiven: false }))).toMatchObject({ resets: 0, touches: 0 });
    expect(plan([check({ needs: { pin: 'unset' } })], contextOf({ pin: 'unknown', pinGiven: false }))).toMatchObject({ resets: 1, touches: 1 });
    // a check without needs leaves the state as it was: a PIN-less check after it costs nothing on a PIN-less key
    expect(plan([check(), check({ needs: { pin: 'unset' } })], contextOf({ pin: 'unset' }))).toMatchObject({ resets: 0, touches: 0 });
    expect(plan([check({ needs: {} }), check({ needs: { pin: 'unset' } })], contextOf({ pin: 'unset' }))).toMatchObject({ resets: 0, touches: 0 });
  });

  it('follows the PIN state a check leaves: declared, or unset after its own resets', () => {
    const setsPin = check({ leaves: { pin: 'set' } });
    const pinLess = () => check({ needs: { pin: 'unset' } });
    expect(plan([setsPin, pinLess()])).toMatchObject({ resets: 1, touches: 1 });
    const resetsOnce = check({ resets: 1, touches: 1 });
    expect(plan([resetsOnce, pinLess()], contextOf({ pin: 'set' }))).toMatchObject({ resets: 1, touches: 1 });
    // a check that resets and then sets a PIN leaves it set
    const resetsThenSets = check({ resets: 2, touches: 2, leaves: { pin: 'set' } });
    expect(plan([resetsThenSets, pinLess()])).toMatchObject({ resets: 3, touches: 3 });
    // a check that needs a PIN and leaves it: the next needs a reset
    expect(plan([check({ needs: { pin: 'set' } }), pinLess()], contextOf({ pin: 'set' }))).toMatchObject({ resets: 1, touches: 1 });
  });

  it('charges a shared credential to the first check that uses it, again after any reset', () => {
    const first = check({ uses: ['plain', 'credProtect'] });
    const second = check({ uses: ['plain'] });
    const p = plan([first, second]);
    expect(per(p)).toEqual({ [first.id]: 4 });
    expect(p.touches).toBe(4);
    const ownReset = check({ resets: 1, touches: 1 });
    const third = check({ uses: ['plain'] });
    expect(per(plan([first, ownReset, third]))).toEqual({ [first.id]: 4, [ownReset.id]: 1, [third.id]: 1 });
    // a set-up reset (a PIN-less check while a PIN is set) loses the pool too, and the check pays again
    const afterSetup = check({ needs: { pin: 'unset' }, uses: ['plain'] });
    expect(per(plan([check({ uses: ['plain'] }), check({ leaves: { pin: 'set' } }), afterSetup]))).toMatchObject({ [afterSetup.id]: 2 });
  });

  it('counts a replug per reset on a real key, none on the simulator, and the time from touches, replugs and checks', () => {
    const checks = [check({ resets: 1, touches: 1 }), check({ touches: 2 }), check()];
    expect(plan(checks, contextOf(), true)).toMatchObject({ resets: 1, replugs: 1, touches: 3, checksRun: 3, seconds: Math.round(3 * 3 + 15 + 3 * 0.2) });
    expect(plan(checks, contextOf(), false)).toMatchObject({ resets: 1, replugs: 0, seconds: Math.round(3 * 3 + 3 * 0.2) });
    expect(plan(checks, contextOf(), true, { touchSeconds: 10, replugSeconds: 100, checkSeconds: 2 }).seconds).toBe(30 + 100 + 6);
    expect(plan(Array.from({ length: 10 }, () => check()), contextOf(), false).seconds).toBe(2);
  });
});

describe('describePlan', () => {
  const p = (touches: number, replugs: number, seconds: number, checksRun: number): RunPlan => ({ touches, resets: replugs, replugs, checksRun, seconds, perCheck: new Map() });
  it('says touches, replugs, minutes and checks, singular and plural, at least one minute', () => {
    expect(describePlan(p(64, 2, 300, 120))).toBe('about 64 touches and 2 replugs, about 5 minutes (120 checks)');
    expect(describePlan(p(1, 1, 60, 1))).toBe('about 1 touch and 1 replug, about 1 minute (1 check)');
    expect(describePlan(p(0, 0, 0, 0))).toBe('about 0 touches and 0 replugs, about 1 minute (0 checks)');
    expect(describePlan(p(0, 0, 89, 3))).toBe('about 0 touches and 0 replugs, about 1 minute (3 checks)');
    expect(describePlan(p(0, 0, 91, 3))).toBe('about 0 touches and 0 replugs, about 2 minutes (3 checks)');
  });
});
