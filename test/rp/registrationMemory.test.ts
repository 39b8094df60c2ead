// Memory from unauthenticated registrations: 5,000 registrations with COSE keys padded to just under the
// 1 KB limit (stored) and 500 padded to 30 KB (refused), through the conformance API of a real
// `fido-harness serve`; the server's resident set must stay under 300 MB.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { craftRegistration } from './craftRegistration.ts';
import { startServeChild } from '../helpers/serveChild.ts';

const STORED = 5_000;
const REFUSED = 500;

let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGTERM');
});

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}

describe.skipIf(process.platform !== 'linux')('RSS after padded registrations', () => {
  it(`stays under 300 MB after ${STORED} stored and ${REFUSED} refused padded registrations`, async () => {
    const started = await startServeChild(['--no-page', '--runs', '/nonexistent-runs']);
    child = started.child;
    const origin = started.url;
    const port = Number(new URL(origin).port);
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const post = (path: string, body: unknown) =>
      new Promise<{ status: number; json: any }>((ok, fail) => {
        const text = JSON.stringify(body);
        const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { Host: `localhost:${port}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) } }, (res) => {
          let data = '';
          res.on('data', (d) => (data += d));
          res.on('end', () => ok({ status: res.statusCode!, json: JSON.parse(data) }));
        });
        req.on('error', fail);
        req.end(text);
      });
    const before = rssMb(child.pid!);
    const statuses = new Map<string, number>();
    const one = async (i: number, pad: number) => {
      const o = await post('/conformance/attestation/options', { username: `pad-${i}`, displayName: `Padded ${i}` });
      const r = o.status === 200 ? await post('/conformance/attestation/result', craftRegistration(o.json.challenge, origin, 'localhost', pad)) : o;
      const key = `${pad > 1024 ? 'big' : 'small'} ${r.status}`;
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    };
    // four at a time, the refused ones spread among the stored ones
    const jobs = Array.from({ length: STORED + REFUSED }, (_, i) => (i % 11 === 10 ? 30_000 : 900));
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < jobs.length) {
          const i = next++;
          await one(i, jobs[i]!);
        }
      }),
    );
    agent.destroy();
    const after = rssMb(child.pid!);
    console.log(`[rp] RSS ${before.toFixed(0)} MB before, ${after.toFixed(0)} MB after ${[...statuses].map(([k, v]) => `${v}× ${k}`).join(', ')}`);
    expect(statuses.get('small 200')).toBe(jobs.filter((p) => p === 900).length);
    expect(statuses.get('big 400')).toBe(jobs.filter((p) => p === 30_000).length);
    expect(after).toBeLessThan(300);
  }, 600_000);
});
