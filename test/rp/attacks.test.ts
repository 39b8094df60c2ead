// The relying party under attack from this machine: DNS rebinding (foreign Host), cross-origin writes,
// padded keys, deep JSON, one client flooding the others, a 413 under a keep-alive client, symlinks and
// FIFOs in runs/. In-process (app.request) where the socket does not matter, a real server where it does.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRpApp, type RpConfigInput } from '../../harness/rp/index.ts';
import { startRpServer } from '../../harness/rp/startRpServer.ts';
import { renderHtml, validateReport } from '../../reports/index.ts';
import { sampleReport } from '../reports/sampleReport.ts';
import { craftRegistration } from './craftRegistration.ts';
import { rpFixture, ORIGIN } from './rpFixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'fh-rp-attacks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const json = (body: unknown, headers: Record<string, string> = {}) => ({ method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
const renderReportHtml = (v: unknown) => {
  const r = validateReport(v);
  if (!r.valid) throw r.error;
  return renderHtml(r.report);
};

describe('Host allow-list (DNS rebinding) and Origin check', () => {
  it('answers 421 to a foreign Host on every route: reports, credentials, simulator, conformance, the page', async () => {
    const { app } = createRpApp({ origin: ORIGIN, runsDir: dir, webRoot: dir });
    for (const host of ['evil.example:8080', 'evil.example', 'localhost.evil.example:8080', '127.0.0.1.nip.io:8080', '10.0.0.5:8080']) {
      for (const [path, init] of [
        ['/api/reports', {}],
        ['/api/reports/run1/report.html', {}],
        ['/api/credentials', {}],
        ['/api/sim/register', json({ username: 'x' })],
        ['/conformance/attestation/options', json({ username: 'x', displayName: 'x' })],
        ['/', {}],
      ] as const) {
        const res = await app.request(path, { ...init, headers: { ...('headers' in init ? init.headers : {}), Host: host } });
        expect(res.status, `${host} ${path}`).toBe(421);
        const body = await res.json();
        expect(body.status).toBe('failed');
        // the page's API names the code in the body, the conformance API in a header
        expect(body.code ?? res.headers.get('x-error-code')).toBe('HOST_NOT_ALLOWED');
      }
    }
  });

  it("accepts the origin's host, localhost, 127.0.0.1 and [::1] (any port)", async () => {
    const { app } = createRpApp({ origin: 'https://rp.example.com', runsDir: dir });
    for (const host of ['rp.example.com', 'rp.example.com:443', 'localhost:8080', '127.0.0.1:9', '[::1]:8080', 'LOCALHOST']) {
      const res = await app.request('/api/config', { headers: { Host: host } });
      expect(res.status, host).toBe(200);
    }
    expect((await app.request('/api/config', { headers: { Host: 'example.com' } })).status).toBe(421);
  });

  it('refuses a state-changing request from another Origin (403) and takes one from this origin or from a program without Origin', async () => {
    const { app } = createRpApp({ origin: ORIGIN, runsDir: dir });
    const body = { username: 'x', displayName: 'x' };
    for (const origin of ['http://evil.example', 'null', 'http://localhost:9999', 'http://127.0.0.1:8080']) {
      const res = await app.request('/conformance/attestation/options', json(body, { Origin: origin }));
      expect(res.status, origin).toBe(403);
      // the conformance API's failure shape: exactly {status, errorMessage}, the code in a header
      expect(Object.keys(await res.json()).sort()).toEqual(['errorMessage', 'status']);
      expect(res.headers.get('x-error-code')).toBe('ORIGIN_NOT_ALLOWED');
      const page = await app.request('/api/registration/options', json(body, { Origin: origin }));
      expect(page.status).toBe(403);
    }
    expect((await app.request('/conformance/attestation/options', json(body, { Origin: ORIGIN }))).status).toBe(200);
    expect((await app.request('/conformance/attestation/options', json(body))).status).toBe(200);
    // reads are not state-changing: a GET with a foreign Origin is left to CORS (no Access-Control headers)
    const read = await app.request('/api/config', { headers: { Origin: 'http://evil.example' } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 421 over a real socket for a rebinding Host, and serves localhost', async () => {
    const server = await startRpServer({ host: '127.0.0.1', port: 0, config: { runsDir: dir } });
    try {
      const evil = await rawGet(server.port, '/api/reports', { Host: `rebind.evil.example:${server.port}` });
      expect(evil.status).toBe(421);
      expect(JSON.parse(evil.body).code).toBe('HOST_NOT_ALLOWED');
      expect((await rawGet(server.port, '/api/reports', { Host: `localhost:${server.port}` })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('memory from unauthenticated registrations', () => {
  it('refuses a COSE key padded over 1 KB and stores nothing; a key under it is stored without diagnostic text', async () => {
    const { app, state } = createRpApp({ origin: ORIGIN, runsDir: dir });
    const register = async (username: string, pad: number) => {
      const o = await (await app.request('/conformance/attestation/options', json({ username, displayName: username }))).json();
      return app.request('/conformance/attestation/result', json(craftRegistration(o.challenge, ORIGIN, 'localhost', pad)));
    };
    const padded = await register('mallory', 100 * 1024 - 4096);
    expect(padded.status).toBeLessThan(500);
    expect(padded.status).toBeGreaterThanOrEqual(400);
    const big = await register('mallory', 30_000);
    expect(big.status).toBe(400);
    expect(big.headers.get('x-error-code')).toBe('PUBLIC_KEY_TOO_LARGE');
    expect(state.credentials.credentialCount).toBe(0);
    expect((await register('carol', 800)).status).toBe(200);
    expect(state.credentials.credentialCount).toBe(1);
    const stored = state.credentials.credentialsOf('carol')[0]!;
    expect(stored.publicKey.length).toBeLessThanOrEqual(1024);
    expect(JSON.stringify({ ...stored, publicKey: undefined }).length).toBeLessThan(1024);
    expect(Object.keys(stored)).not.toContain('summary');
  });

  it('keeps a byte budget per peer and in total: registrations past it are refused with 429, the others stay', async () => {
    const { app, state } = createRpApp({ origin: ORIGIN, runsDir: dir, maxCredentialBytesPerPeer: 20_000, maxCredentialBytes: 40_000 });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const o = await (await app.request('/conformance/attestation/options', json({ username: `u${i}`, displayName: 'u' }))).json();
      if (o.status !== 'ok') {
        statuses.push(429);
        continue;
      }
      statuses.push((await app.request('/conformance/attestation/result', json(craftRegistration(o.challenge, ORIGIN, 'localhost', 900)))).status);
    }
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(3);
    expect(statuses.slice(-5)).toEqual([429, 429, 429, 429, 429]);
    expect(state.credentials.bytes).toBeLessThanOrEqual(20_000);
  });
});

describe('bodies', () => {
  it('answers 400 (not 500) to a 5,000-deep array inside extensions, and to oversized extensions', async () => {
    const { app } = createRpApp({ origin: ORIGIN, runsDir: dir });
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    for (const path of ['/conformance/attestation/options', '/conformance/assertion/options']) {
      const res = await app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: `{"username":"x","displayName":"x","extensions":{"a":${deep}}}` });
      expect(res.status, path).toBe(400);
      expect((await res.json()).errorMessage).toMatch(/nested deeper than/);
    }
    const wide = await app.request('/conformance/attestation/options', json({ username: 'x', displayName: 'x', extensions: { a: 'x'.repeat(5000) } }));
    expect(wide.status).toBe(400);
    expect((await wide.json()).errorMessage).toMatch(/extensions: larger than 4096 bytes/);
    const fine = await app.request('/conformance/attestation/options', json({ username: 'x', displayName: 'x', extensions: { credProps: true, example: { a: [1, 2, { b: 'c' }] } } }));
    expect(fine.status).toBe(200);
    expect((await fine.json()).extensions.example).toEqual({ a: [1, 2, { b: 'c' }] });
  });

  it('answers a 413 with Connection: close, and a keep-alive client gets its next answer', async () => {
    const server = await startRpServer({ host: '127.0.0.1', port: 0, config: { runsDir: dir } });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const big = await agentRequest(agent, server.port, 'POST', '/conformance/attestation/options', 'x'.repeat(200 * 1024));
      expect(big.status).toBe(413);
      expect(big.headers.connection).toBe('close');
      const next = await agentRequest(agent, server.port, 'POST', '/conformance/attestation/options', JSON.stringify({ username: 'x', displayName: 'x' }));
      expect(next.status).toBe(200);
      const again = await agentRequest(agent, server.port, 'GET', '/api/config');
      expect(again.status).toBe(200);
    } finally {
      agent.destroy();
      await server.close();
    }
  });
});

describe('a flood from one client', () => {
  it("leaves another client's page and conformance ceremonies working", async () => {
    // small budgets so the flood passes them quickly: 60 per peer, 100 in all; two flooding addresses
    const f = await rpFixture({ maxCeremoniesPerPeer: 60, maxCeremonies: 100 });
    const server = await startRpServer({ host: '127.0.0.1', port: 0, config: { origin: ORIGIN, maxCeremoniesPerPeer: 60, maxCeremonies: 100, runsDir: dir } });
    try {
      const flood: Record<number, number> = {};
      for (const from of ['127.0.0.2', '127.0.0.3']) {
        for (let i = 0; i < 150; i++) {
          const r = await socketRequest(server.port, 'POST', '/conformance/attestation/options', JSON.stringify({ username: `flood${i}`, displayName: 'f' }), from);
          flood[r.status] = (flood[r.status] ?? 0) + 1;
        }
      }
      // the first address hits its own budget (429); the second fills the store and then loses its own oldest
      expect(flood[429], JSON.stringify(flood)).toBeGreaterThanOrEqual(90);
      expect(server.rp.state.ceremonies.size).toBeLessThanOrEqual(100);
      expect(Object.keys(flood).every((s) => Number(s) < 500)).toBe(true);
      // the victim on 127.0.0.1: a conformance registration from options to result, with the simulator
      const o = await socketRequest(server.port, 'POST', '/conformance/attestation/options', JSON.stringify({ username: 'victim', displayName: 'v', attestation: 'direct' }), '127.0.0.1');
      expect(o.status, o.body).toBe(200);
      const { simRegister } = await import('./simCeremony.ts');
      const options = JSON.parse(o.body);
      const response = await simRegister(f.sim, options, ORIGIN);
      const done = await socketRequest(server.port, 'POST', '/conformance/attestation/result', JSON.stringify(response), '127.0.0.1');
      expect(done.status, done.body).toBe(200);
      // and the page's options from the victim's address
      const page = await socketRequest(server.port, 'POST', '/api/registration/options', JSON.stringify({ username: 'victim2' }), '127.0.0.1');
      expect(page.status).toBe(200);
    } finally {
      await server.close();
    }
  }, 120_000);
});

describe('report viewer on runs/', () => {
  const runs = join(dir, 'runs');
  const outside = join(dir, 'outside');
  mkdirSync(join(runs, 'good'), { recursive: true });
  mkdirSync(join(runs, 'linkfile'), { recursive: true });
  mkdirSync(join(runs, 'fifo'), { recursive: true });
  mkdirSync(join(runs, 'bad'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'report.json'), JSON.stringify(sampleReport({ startedAt: 'SECRET-OUTSIDE' })));
  writeFileSync(join(runs, 'good', 'report.json'), JSON.stringify(sampleReport()));
  writeFileSync(join(runs, 'bad', 'report.json'), JSON.stringify({ schemaVersion: 1, checks: 'no' }));
  symlinkSync(join(outside, 'report.json'), join(runs, 'linkfile', 'report.json'));
  symlinkSync(outside, join(runs, 'linkdir'));
  execFileSync('mkfifo', [join(runs, 'fifo', 'report.json')]);
  const config: RpConfigInput = { origin: ORIGIN, runsDir: runs, renderReportHtml };

  it('refuses a symlinked report or run folder (even one pointing outside runs/) and does not list them', async () => {
    const { app } = createRpApp(config);
    for (const run of ['linkfile', 'linkdir']) {
      const res = await app.request(`/api/reports/${run}`);
      expect(res.status, run).toBe(422);
      const text = await res.text();
      expect(text).toMatch(/symbolic link|not a folder/);
      expect(text).not.toContain('SECRET-OUTSIDE');
    }
    const list = await (await app.request('/api/reports')).json();
    expect(list.runs.map((r: any) => r.run)).toEqual(['bad', 'good']);
  });

  it('refuses a FIFO at runs/x/report.json at once, and the server keeps answering', async () => {
    const server = await startRpServer({ host: '127.0.0.1', port: 0, config });
    try {
      // more requests than libuv's thread pool has threads: a blocking open would starve it
      const fifo = await Promise.all(Array.from({ length: 12 }, () => rawGet(server.port, '/api/reports/fifo', { Host: `localhost:${server.port}` })));
      for (const r of fifo) {
        expect(r.status).toBe(422);
        expect(JSON.parse(r.body).errorMessage).toMatch(/FIFO/);
      }
      expect((await rawGet(server.port, '/api/reports/good', { Host: `localhost:${server.port}` })).status).toBe(200);
      expect((await rawGet(server.port, '/api/reports', { Host: `localhost:${server.port}` })).status).toBe(200);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('renders report.html with the run command renderer, sandboxed; a report that does not validate is 422', async () => {
    const { app } = createRpApp(config);
    const res = await app.request('/api/reports/good/report.html');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain('sandbox allow-scripts');
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).not.toContain('allow-same-origin');
    const html = await res.text();
    expect(html).toBe(renderHtml(sampleReport()));
    expect(html).toContain('id="scorecard"');
    const bad = await app.request('/api/reports/bad/report.html');
    expect(bad.status).toBe(422);
    expect((await bad.json()).errorMessage).toMatch(/not a report/);
    // the page keeps its own strict policy
    expect((await app.request('/api/config')).headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});

/** one request on a fresh socket, with the Host header as given */
function rawGet(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function socketRequest(port: number, method: string, path: string, body: string, localAddress: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method, localAddress, agent: false, headers: { Host: `localhost:${port}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function agentRequest(agent: Agent, port: number, method: string, path: string, body?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path, method, agent, headers: { Host: `localhost:${port}`, ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
