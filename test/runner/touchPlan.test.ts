import { describe, expect, it } from 'vitest';
import { planAndRun } from './touchPlanHarness.ts';

/** The run plan is computed from what checks declare; on the simulator it must equal the touches counted. */
describe('touch plan', () => {
  it('should plan exactly the touches the webauthn area costs, check by check, each shared account paid once', async () => {
    const r = await planAndRun({ suites: ['webauthn'] });
    expect(r.hostTouches).toBe(r.simulatorTouches);
    expect(Object.fromEntries(r.counted)).toEqual(Object.fromEntries(r.plan.perCheck));
    expect(r.plan.touches).toBe(r.hostTouches);
    // the first check of each shared account pays for it: 2 (register, sign in) and 1 (register)
    expect(Object.fromEntries(r.counted)).toEqual({ 'WEBAUTHN-REG-001': 2, 'WEBAUTHN-ENTRA-001': 1, 'WEBAUTHN-ENTRA-002': 1, 'WEBAUTHN-ENTRA-003': 4, 'WEBAUTHN-COUNTER-001': 1 });
    expect(r.results.map((c) => c.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
  }, 120_000);

  it('should charge a shared account to the check that needs it first, whatever the selection', async () => {
    const r = await planAndRun({ checks: ['WEBAUTHN-COUNTER-001'] });
    expect(Object.fromEntries(r.counted)).toEqual({ 'WEBAUTHN-COUNTER-001': 3 });
    expect(Object.fromEntries(r.plan.perCheck)).toEqual({ 'WEBAUTHN-COUNTER-001': 3 });
  }, 120_000);
});
