// Shared setup for the RP route tests: one app with a manual clock, one browser-like session, one simulator.
import { createRpApp, type RpConfigInput } from '../../harness/rp/index.ts';
import { newSimulator, simAuthenticate, simRegister, TestSession } from './simCeremony.ts';

export const ORIGIN = 'http://localhost:8080';

export class ManualRpClock {
  constructor(public t = Date.parse('2026-06-01T12:00:00Z')) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export async function rpFixture(config: RpConfigInput = {}) {
  const clock = new ManualRpClock();
  const { app, state } = createRpApp({ origin: ORIGIN, clock, runsDir: '/nonexistent-runs-dir', ...config });
  const session = new TestSession(app);
  const sim = await newSimulator();

  /** options → simulator → response, not yet verified */
  async function registrationAttempt(options: Record<string, unknown> = {}, who = session) {
    const o = await who.post('/api/registration/options', { username: 'dave', attestation: 'direct', ...options });
    if (o.status !== 200) throw new Error(`options failed: ${JSON.stringify(o.json)}`);
    const response = await simRegister(sim, o.json.options, ORIGIN);
    return { ceremonyId: o.json.ceremonyId as string, options: o.json.options, response };
  }

  /** a verified registration for `username` */
  async function register(username = 'alice', options: Record<string, unknown> = {}) {
    const a = await registrationAttempt({ username, ...options });
    const v = await session.post('/api/registration/verify', { ceremonyId: a.ceremonyId, response: a.response });
    if (v.status !== 200) throw new Error(`registration failed: ${JSON.stringify(v.json)}`);
    return { ...a, result: v.json };
  }

  async function authenticationAttempt(body: Record<string, unknown> = { username: 'alice' }, who = session) {
    const o = await who.post('/api/authentication/options', body);
    if (o.status !== 200) throw new Error(`options failed: ${JSON.stringify(o.json)}`);
    const response = await simAuthenticate(sim, o.json.options, ORIGIN);
    return { ceremonyId: o.json.ceremonyId as string, options: o.json.options, response };
  }

  return { app, state, clock, session, sim, registrationAttempt, register, authenticationAttempt };
}
