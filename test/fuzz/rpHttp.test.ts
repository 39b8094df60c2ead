/**
 * Fuzz: hostile HTTP requests into every route of the relying party (createRpApp + app.request, no
 * port). Requests are random (method, path, headers, body), random JSON for the JSON routes, each route's
 * valid body with one member replaced or removed, and real ceremonies (options, then the simulator's
 * response) with one member of the response mutated — binary members decoded, bytes edited, re-encoded —
 * so that the decoders and verifiers behind the schemas see well-formed garbage. Property: never a 5xx,
 * never a throw; a refusal of the API routes is the failure shape {status: "failed", errorMessage} with a
 * reason.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { simulatorTestMds } from '../../harness/run/simulatorTestMds.ts';
import { rpFixture, ORIGIN } from '../rp/rpFixture.ts';
import { applyJsonEdit, jsonEdit, type JsonEdit } from './jsonEdit.ts';
import { fuzzBudgetMs, fuzzRuns, FUZZ_SEED, reportFuzzFigure } from './fuzzSize.ts';

const RUNS = fuzzRuns(1_500, 25_000);

const dir = mkdtempSync(join(tmpdir(), 'fido-rp-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** the routes of createRpApp (harness/rp/createRpApp.ts), with the method each takes */
const ROUTES: Array<[string, string]> = [
  ['POST', '/api/registration/options'],
  ['POST', '/api/registration/verify'],
  ['POST', '/api/authentication/options'],
  ['POST', '/api/authentication/verify'],
  ['GET', '/api/credentials?username=alice'],
  ['GET', '/api/mds'],
  ['GET', '/api/mds/be7c888f-f407-45b9-bab1-f1e15cedc047'],
  ['GET', '/api/reports'],
  ['GET', '/api/reports/run1'],
  ['GET', '/api/sim'],
  ['POST', '/api/sim/register'],
  ['POST', '/api/sim/authenticate'],
  ['GET', '/api/config'],
  ['POST', '/conformance/attestation/options'],
  ['POST', '/conformance/attestation/result'],
  ['POST', '/conformance/assertion/options'],
  ['POST', '/conformance/assertion/result'],
  ['POST', '/attestation/options'],
  ['POST', '/assertion/result'],
  ['GET', '/'],
  ['GET', '/index.html'],
];

/** a valid body per JSON route, for one-member edits */
const TEMPLATES: Record<string, unknown> = {
  '/api/registration/options': { username: 'fuzz', displayName: 'Fuzz', attestation: 'direct', residentKey: 'preferred', userVerification: 'preferred', profile: 'custom', algorithms: [-7, -257] },
  '/api/authentication/options': { username: 'alice', userVerification: 'preferred' },
  '/api/sim/register': { username: 'simfuzz', profile: 'custom', attestation: 'none' },
  '/api/sim/authenticate': { username: 'simfuzz' },
  '/conformance/attestation/options': { username: 'conf', displayName: 'Conf', authenticatorSelection: { requireResidentKey: false, userVerification: 'preferred' }, attestation: 'direct', extensions: { credProps: true } },
  '/conformance/assertion/options': { username: 'alice', userVerification: 'preferred', extensions: {} },
  '/attestation/options': { username: 'conf', attestation: 'none' },
};

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', '', 'application/JSON', '*/*'];


interface Request {
  kind: 'random' | 'json' | 'template' | 'ceremony';
  route: number;
  method: string;
  pathSuffix: string;
  contentType: string;
  cookie: 'none' | 'session' | 'garbage';
  garbageCookie: string;
  rawBody: string;
  json: unknown;
  edit: JsonEdit;
  ceremony: 'registration' | 'authentication' | 'conformance-registration' | 'conformance-authentication';
  /** a rebinding page's Host, a cross-site Origin, or neither */
  foreign: 'none' | 'host' | 'origin';
  foreignName: string;
}


const request: fc.Arbitrary<Request> = fc.record({
  kind: fc.constantFrom('random', 'json', 'template', 'template', 'ceremony', 'ceremony'),
  route: fc.nat(ROUTES.length - 1),
  method: fc.oneof({ weight: 5, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
  pathSuffix: fc.oneof(
    { weight: 8, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.constantFrom('/', '/..', '/../../etc/passwd', '%2e%2e%2f', '?username=', '?username=%00', '/x'.repeat(200), '//', '/%ff', '?a=1&a=2') },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((s) => encodeURIComponent(s)) },
  ),
  contentType: fc.oneof({ weight: 6, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
  cookie: fc.constantFrom('session', 'session', 'none', 'garbage'),
  garbageCookie: fc.string({ maxLength: 80 }).map((s) => `fh_session=${encodeURIComponent(s)}`),
  rawBody: fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom('', '{', '[', 'null', '{"__proto__":{"x":1}}', '[]'.repeat(5000), '{"a":'.repeat(3000), '\ufeff{}', 'x'.repeat(70_000))),
  json: fc.jsonValue({ maxDepth: 4 }),
  edit: jsonEdit,
  ceremony: fc.constantFrom('registration', 'authentication', 'conformance-registration', 'conformance-authentication'),
  foreign: fc.oneof({ weight: 18, arbitrary: fc.constant('none' as const) }, { weight: 1, arbitrary: fc.constantFrom('host' as const, 'origin' as const) }),
  foreignName: fc.oneof(fc.constantFrom('evil.example', 'localhost.evil.example:8080', '127.0.0.1.nip.io', 'null', '[::2]:8080', ''), fc.string({ maxLength: 40 })),
});

describe('hostile HTTP requests into every RP route', () => {
  it(`answers ${RUNS} requests without a 5xx, refusals in the failure shape`, async () => {
    mkdirSync(join(dir, 'runs', 'run1'), { recursive: true });
    mkdirSync(join(dir, 'runs', 'broken'), { recursive: true });
    mkdirSync(join(dir, 'web'), { recursive: true });
    writeFileSync(join(dir, 'runs', 'run1', 'report.json'), JSON.stringify({ schemaVersion: 1, startedAt: '<script>', summary: { passed: 1 }, device: { transport: 'sim' }, checks: [] }));
    writeFileSync(join(dir, 'runs', 'broken', 'report.json'), '{"schemaVersion":');
    writeFileSync(join(dir, 'web', 'index.html'), '<!doctype html><title>fuzz</title>');
    const { store } = await simulatorTestMds([], new Date());
    const f = await rpFixture({ runsDir: join(dir, 'runs'), webRoot: join(dir, 'web'), mds: store, conformanceAtRoot: true });
    await f.register('alice', { residentKey: 'required' });
    const cookie = (await f.app.request('/api/config')).headers.get('set-cookie')?.split(';')[0] ?? '';
    expect(cookie).toMatch(/=/);
    const statuses = new Map<number, number>();
    let requests = 0;
    const t0 = performance.now();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const [routeMethod, routePath] = ROUTES[r.route]!;
        let method = r.method || routeMethod;
        let path = routePath + r.pathSuffix;
        let body: string | undefined;
        if (r.kind === 'random') body = r.rawBody;
        else if (r.kind === 'json') body = JSON.stringify(r.json);
        else if (r.kind === 'template') body = JSON.stringify(applyJsonEdit(TEMPLATES[routePath] ?? { username: 'x' }, r.edit));
        else {
          const c = await ceremony(f, r.ceremony, `fuzzreg${requests}`);
          method = 'POST';
          path = c.path;
          body = JSON.stringify(applyJsonEdit(c.body, r.edit));
        }
        const headers: Record<string, string> = {};
        if (r.contentType) headers['Content-Type'] = r.contentType;
        if (r.cookie === 'garbage') headers.Cookie = r.garbageCookie;
        else if (r.cookie === 'session') headers.Cookie = cookie;
        // header values a Request refuses (control characters) are left out: they never reach a server
        const foreignValue = /^[\x20-\x7e]*$/.test(r.foreignName) ? r.foreignName : 'evil.example';
        if (r.foreign === 'host') headers.Host = foreignValue;
        else if (r.foreign === 'origin') headers.Origin = foreignValue.includes('//') || foreignValue === 'null' ? foreignValue : `http://${foreignValue}`;
        let res: { status: number; text: string };
        if (r.kind === 'ceremony' && path.startsWith('/api/') && r.foreign === 'none') {
          // the ceremony's own browser session, so the verify step gets past the session check
          const p = await f.session.post(path, undefined, { raw: body!, contentType: r.contentType });
          res = { status: p.status, text: typeof p.json === 'string' ? p.json : JSON.stringify(p.json) };
        } else {
          const response = await f.app.request(path, { method, headers, ...(method === 'GET' || method === 'HEAD' ? {} : { body }) });
          res = { status: response.status, text: await response.text() };
        }
        requests++;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status, `${method} ${path} → ${res.status} ${res.text.slice(0, 300)}`).toBeLessThan(500);
        if (res.status >= 400 && method !== 'HEAD' && (path.startsWith('/api') || path.startsWith('/conformance'))) {
          const json = JSON.parse(res.text);
          expect(json.status).toBe('failed');
          expect(typeof json.errorMessage === 'string' && json.errorMessage.length > 0).toBe(true);
        }
      }),
      { numRuns: RUNS, seed: FUZZ_SEED, timeout: 10_000, interruptAfterTimeLimit: fuzzBudgetMs(900_000), markInterruptAsFailure: true },
    );
    const ms = performance.now() - t0;
    reportFuzzFigure('hostile HTTP requests into the RP', requests, 'requests', ms, `statuses ${JSON.stringify([...statuses].sort((a, b) => a[0] - b[0]))}`);
    expect(requests).toBe(RUNS);
    // the requests reach past the schemas: successes, refusals of the decoders/verifiers, and 404s
    for (const s of [200, 400, 403, 404, 413, 421]) expect(statuses.get(s) ?? 0, `HTTP ${s}`).toBeGreaterThan(0);
  }, 1_000_000);
});

type Fixture = Awaited<ReturnType<typeof rpFixture>>;

/** a fresh ceremony's verify request (path and body), as the page or the conformance tools send it */
async function ceremony(f: Fixture, kind: Request['ceremony'], username: string): Promise<{ path: string; body: unknown }> {
  if (kind === 'registration' || kind === 'conformance-registration') {
    const a = await f.registrationAttempt({ username });
    return kind === 'registration' ? { path: '/api/registration/verify', body: { ceremonyId: a.ceremonyId, response: a.response } } : { path: '/conformance/attestation/result', body: a.response };
  }
  const a = await f.authenticationAttempt({ username: 'alice' });
  return kind === 'authentication' ? { path: '/api/authentication/verify', body: { ceremonyId: a.ceremonyId, response: a.response } } : { path: '/conformance/assertion/result', body: a.response };
}
