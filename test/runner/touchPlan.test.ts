import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { comparableStatuses } from './runHarness.ts';
import { planAndRun } from './touchPlanHarness.ts';

/**
 * The statuses of the default run before the touch reduction (every check of that time, on the clean
 * simulator): the reduction must keep every one of them, with the same status.
 */
const before = JSON.parse(readFileSync(new URL('./fixtures/defaultRunStatuses.json', import.meta.url), 'utf8')) as Record<string, string>;

/** The run plan is computed from what checks declare; on the simulator it must equal the touches counted. */
describe('touch plan', () => {
  it('should need at most 70 touches for the full run, planned exactly check by check, with no check lost', async () => {
    const r = await planAndRun({});
    // the host (KEEPALIVE UPNEEDED) and the simulator (approved requests) count the same touches
    expect(r.hostTouches).toBe(r.simulatorTouches);
    expect(r.plan.touches).toBe(r.hostTouches);
    expect(Object.fromEntries(r.counted)).toEqual(Object.fromEntries(r.plan.perCheck));
    expect(r.hostTouches).toBeLessThanOrEqual(70);
    const now = comparableStatuses(r.results);
    expect(Object.fromEntries(Object.keys(before).map((id) => [id, now[id]]))).toEqual(before);
  }, 300_000);

  it('should plan exactly the touches the webauthn area costs, check by check, each shared account paid once', async () => {
    const r = await planAndRun({ suites: ['webauthn'] });
    expect(r.hostTouches).toBe(r.simulatorTouches);
    expect(Object.fromEntries(r.counted)).toEqual(Object.fromEntries(r.plan.perCheck));
    // the first check of each shared account pays for it: 2 (register, sign in) and 1 (register)
    expect(Object.fromEntries(r.counted)).toEqual({ 'WEBAUTHN-REG-001': 2, 'WEBAUTHN-ENTRA-001': 1, 'WEBAUTHN-ENTRA-002': 1, 'WEBAUTHN-ENTRA-003': 4 });
    expect(r.results.map((c) => c.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
  }, 120_000);

  it('should charge a shared credential to the check that needs it first, whatever the selection', async () => {
    const r = await planAndRun({ checks: ['WEBAUTHN-COUNTER-001', 'GA-SIGNATURE-001', 'MC-COUNTER-001'] });
    // MC-COUNTER-001 runs first: it pays for the plain and the tolerant credentials; the assertion is silent;
    // the webauthn counter check pays for the shared account (a registration and a sign-in)
    expect(Object.fromEntries(r.counted)).toEqual({ 'MC-COUNTER-001': 2, 'WEBAUTHN-COUNTER-001': 2 });
    expect(Object.fromEntries(r.plan.perCheck)).toEqual(Object.fromEntries(r.counted));
  }, 120_000);

  it('should plan the resets a PIN-less check needs after one that set a PIN', async () => {
    const r = await planAndRun({ checks: ['CLIENTPIN-V2-SETPIN-001', 'CLIENTPIN-V1-POLICY-001', 'CLIENTPIN-V1-SETPIN-001'] });
    // checks run in definition order: the refused setPIN (POLICY-001) first, while no PIN is set; V2
    // SETPIN-001 leaves a PIN, so V1 SETPIN-001, which needs none, costs a reset (a touch)
    expect(r.results.map((c) => c.id)).toEqual(['CLIENTPIN-V1-POLICY-001', 'CLIENTPIN-V2-SETPIN-001', 'CLIENTPIN-V1-SETPIN-001']);
    expect(Object.fromEntries(r.counted)).toEqual({ 'CLIENTPIN-V1-SETPIN-001': 1 });
    expect(Object.fromEntries(r.plan.perCheck)).toEqual(Object.fromEntries(r.counted));
    expect(r.plan.resets).toBe(1);
  }, 120_000);
});
