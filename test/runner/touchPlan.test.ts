import { describe, expect, it } from 'vitest';
import { planAndRun } from './touchPlanHarness.ts';

/** The run plan is computed from what checks declare; on the simulator it must equal the touches counted. */
describe('touch plan', () => {
  it('should plan exactly the touches the u2f area costs, check by check, with one pooled registration', async () => {
    const r = await planAndRun({ suites: ['u2f'] });
    expect(r.hostTouches).toBe(r.simulatorTouches);
    expect(Object.fromEntries(r.counted)).toEqual(Object.fromEntries(r.plan.perCheck));
    expect(r.plan.touches).toBe(r.hostTouches);
    // U2F-REG-001 registers the pool's key handle, U2F-AUTH-003 is the presence check
    expect(Object.fromEntries(r.counted)).toEqual({ 'U2F-REG-001': 1, 'U2F-AUTH-003': 1, 'U2F-INTEROP-001': 1 });
    expect(r.results.every((c) => c.status === 'pass')).toBe(true);
  }, 120_000);
});
