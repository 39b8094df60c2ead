import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { comparableStatuses, runHarness } from './runHarness.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `fido-harness run --device udp:…` against a separately started `fido-harness sim` gives the
 * verdicts of the in-process run, check by check (the power cycle travels as docs/simulator.md's datagram).
 */
describe('a run over UDP against `fido-harness sim`', () => {
  const child = spawn(process.execPath, ['bin/fido-harness.mjs', 'sim', '--udp', '127.0.0.1:0'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
      const m = /listening on udp 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`fido-harness sim exited ${code}: ${out}`)));
  });
  afterAll(() => {
    child.kill('SIGTERM');
  });

  it("should give the in-process run's status for every check, and the same verdicts", async () => {
    const udp = await runHarness(['--device', `udp:127.0.0.1:${await port}`]);
    const local = await runHarness([]);
    const statuses = (r: typeof udp) => comparableStatuses(r.report.checks);
    expect(statuses(udp)).toEqual(statuses(local));
    expect(udp.report.incomplete).toBeUndefined();
    expect([udp.code, local.code]).toEqual([0, 0]);
    expect(udp.report.microsoft?.verdict).toBe(local.report.microsoft?.verdict);
    expect(udp.report.entra?.verdict).toBe(local.report.entra?.verdict);
    expect(udp.report.device.transport).toBe('udp');
  }, 120_000);
});
