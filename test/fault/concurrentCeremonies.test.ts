// Fault test: 200 browser sessions run registration and sign-in ceremonies against the RP over
// loopback HTTP all at once (each with its own simulator), while each session also tries to finish another
// session's ceremony. Nothing may cross: every verification names its own user and credential, every
// foreign ceremony is refused as another session's, and the store ends with one credential per user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRpServer, type RunningRpServer } from '../../harness/rp/startRpServer.ts';
import { newSimulator, simAuthenticate, simRegister } from '../rp/simCeremony.ts';

const SESSIONS = 200;
let server: RunningRpServer;
let base: string;

beforeAll(async () => {
  server = await startRpServer({ host: '127.0.0.1', port: 0, config: { runsDir: '/nonexistent-runs-dir' } });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => {
  await server?.close();
});

/** one browser: its own cookie jar */
class HttpSession {
  private cookie = '';
  async post(path: string, body: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(this.cookie ? { Cookie: this.cookie } : {}) }, body: JSON.stringify(body) });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!;
    return { status: res.status, json: await res.json() };
  }
  async get(path: string): Promise<{ status: number; json: any }> {
    const res = await fetch(base + path, { headers: this.cookie ? { Cookie: this.cookie } : {} });
    return { status: res.status, json: await res.json() };
  }
}

describe(`${SESSIONS} concurrent ceremonies on the RP`, () => {
  it('keeps every session, ceremony, user and credential apart', async () => {
    const origin = server.url;
    const sessions = Array.from({ length: SESSIONS }, () => new HttpSession());
    const sims = await Promise.all(sessions.map(() => newSimulator()));
    const user = (i: number) => `user-${i}`;

    // every session asks for registration options at once
    const regOptions = await Promise.all(sessions.map((s, i) => s.post('/api/registration/options', { username: user(i), attestation: 'direct' })));
    expect(regOptions.map((o) => o.status)).toEqual(Array(SESSIONS).fill(200));
    expect(new Set(regOptions.map((o) => o.json.ceremonyId)).size).toBe(SESSIONS);
    expect(new Set(regOptions.map((o) => o.json.options.challenge)).size).toBe(SESSIONS);
    const responses = await Promise.all(regOptions.map((o, i) => simRegister(sims[i]!, o.json.options, origin)));

    // first every session tries its neighbour's ceremony: refused as another session's, and not consumed
    const foreign = await Promise.all(sessions.map((s, i) => {
      const j = (i + 1) % SESSIONS;
      return s.post('/api/registration/verify', { ceremonyId: regOptions[j]!.json.ceremonyId, response: responses[j] });
    }));
    for (const f of foreign) {
      expect(f.status, JSON.stringify(f.json)).toBe(403);
      expect(f.json.code).toBe('CEREMONY_SESSION_MISMATCH');
    }
    // then each finishes its own, while trying another's once more (before or after its owner: refused either way)
    const [own, late] = await Promise.all([
      Promise.all(sessions.map((s, i) => s.post('/api/registration/verify', { ceremonyId: regOptions[i]!.json.ceremonyId, response: responses[i] }))),
      Promise.all(sessions.map((s, i) => {
        const j = (i + 3) % SESSIONS;
        return s.post('/api/registration/verify', { ceremonyId: regOptions[j]!.json.ceremonyId, response: responses[j] });
      })),
    ]);
    const refusals = new Map<string, number>();
    for (const f of late) {
      expect(['CEREMONY_SESSION_MISMATCH', 'CEREMONY_UNKNOWN'], JSON.stringify(f.json)).toContain(f.json.code);
      refusals.set(f.json.code, (refusals.get(f.json.code) ?? 0) + 1);
    }
    own.forEach((v, i) => {
      expect(v.status, JSON.stringify(v.json)).toBe(200);
      expect(v.json.username).toBe(user(i));
    });
    const credentialIds = responses.map((r) => r.id as string);
    expect(new Set(credentialIds).size).toBe(SESSIONS);

    // sign-in, all at once, with a second round of cross attempts
    const authOptions = await Promise.all(sessions.map((s, i) => s.post('/api/authentication/options', { username: user(i) })));
    expect(authOptions.map((o) => o.status)).toEqual(Array(SESSIONS).fill(200));
    authOptions.forEach((o, i) => expect(o.json.options.allowCredentials.map((c: { id: string }) => c.id)).toEqual([credentialIds[i]]));
    const assertions = await Promise.all(authOptions.map((o, i) => simAuthenticate(sims[i]!, o.json.options, origin)));
    const [signIns, crossSignIns] = await Promise.all([
      Promise.all(sessions.map((s, i) => s.post('/api/authentication/verify', { ceremonyId: authOptions[i]!.json.ceremonyId, response: assertions[i] }))),
      Promise.all(sessions.map((s, i) => {
        const j = (i + 7) % SESSIONS;
        return s.post('/api/authentication/verify', { ceremonyId: authOptions[j]!.json.ceremonyId, response: assertions[j] });
      })),
    ]);
    for (const f of crossSignIns) expect(['CEREMONY_SESSION_MISMATCH', 'CEREMONY_UNKNOWN']).toContain(f.json.code);
    signIns.forEach((v, i) => {
      expect(v.status, JSON.stringify(v.json)).toBe(200);
      expect(v.json.username).toBe(user(i));
      expect(JSON.stringify(v.json)).toContain(credentialIds[i]);
    });

    // the store: one credential per user, the one its own session registered, signed in once
    expect(server.rp.state.credentials.userCount).toBe(SESSIONS);
    expect(server.rp.state.credentials.credentialCount).toBe(SESSIONS);
    for (let i = 0; i < SESSIONS; i++) {
      const creds = server.rp.state.credentials.credentialsOf(user(i));
      expect(creds.map((c) => c.id)).toEqual([credentialIds[i]]);
      expect(creds[0]!.signIns).toBe(1);
    }
    const listed = await Promise.all(sessions.map((s, i) => s.get(`/api/credentials?username=${user(i)}`)));
    if (process.env.FUZZ_VERBOSE || process.env.FUZZ_FULL) console.log(`[fault] ${SESSIONS} concurrent sessions: ${SESSIONS} registrations and ${SESSIONS} sign-ins verified, foreign attempts refused: ${foreign.length} as CEREMONY_SESSION_MISMATCH before their owners, ${JSON.stringify([...refusals])} alongside them`);
    listed.forEach((l, i) => expect(l.json.credentials.map((c: { id: string }) => c.id)).toEqual([credentialIds[i]]));
  }, 60_000);
});
