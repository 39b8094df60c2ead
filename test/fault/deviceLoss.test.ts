// Fault tests (docs/architecture.md "A device that goes away"): a device that disappears mid-run (its transport disconnects or is closed, it stalls,
// or it starts answering garbage), and Ctrl-C during a run. Each time the run ends early — not one time
// limit per remaining check — with its report written and marked incomplete, and exit code 2.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createSimulatorDevice } from '../../authenticator-sim/index.ts';
import { openDevice } from '../../harness/ctap/index.ts';
import { runRunCommand } from '../../harness/commands/run.ts';
import type { OpenedRunDevice, RunDeps as RunCommandDeps } from '../../harness/run/RunOptions.ts';
import type { InProcessDeviceFactory } from '../../harness/transport/index.ts';
import type { Report } from '../../reports/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'fido-fault-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Fault = 'disconnect' | 'close' | 'stall' | 'garbage' | 'none';
const SUITES = 'getinfo,make-credential,get-assertion,resident-key';

/**
 * The simulator behind the memory transport, healthy for its first `after` host reports, then faulty:
 * 'disconnect' (the device fails: TRANSPORT_DISCONNECTED), 'close' (the transport closes under the run),
 * 'stall' (no answer ever again), 'garbage' (every report answered with 64 random bytes on the same channel).
 */
function faultyDevice(fault: Fault, after: number, onReport?: (n: number) => void): { deps: RunCommandDeps; seen: () => number } {
  let seen = 0;
  const deps: RunCommandDeps = {
    probeMs: 300,
    async openDevice(): Promise<OpenedRunDevice> {
      const { device: sim } = await createSimulatorDevice({ allowResetAnytime: true });
      let opened: OpenedRunDevice | undefined;
      const connect: InProcessDeviceFactory = (emit) => {
        const off = sim.onReport((r) => {
          if (seen <= after || fault === 'none' || fault === 'disconnect' || fault === 'close') emit(r);
        });
        return {
          receiveReport(report) {
            seen++;
            onReport?.(seen);
            if (seen <= after || fault === 'none') return sim.receive(report);
            if (fault === 'disconnect') throw new Error('hidraw: device unplugged');
            if (fault === 'close') void opened?.device.transport.close();
            if (fault === 'garbage') {
              const g = new Uint8Array(randomBytes(64));
              g.set(report.subarray(0, 4)); // its channel, so the host reads it as the answer
              emit(g);
            }
          },
          disconnect: off,
        };
      };
      const device = await openDevice({ kind: 'memory', connect, name: 'memory:faulty' }, { ctaphid: { timeoutMs: 2_000 } });
      opened = { device, kind: 'sim' };
      return opened;
    },
  };
  return { deps, seen: () => seen };
}

function sink() {
  let text = '';
  return { stream: new Writable({ write(c, _e, done) { text += c.toString(); done(); } }), text: () => text };
}

async function run(name: string, deps: RunCommandDeps, extra: string[] = [], interrupt?: AbortSignal) {
  const out = join(dir, name);
  const stdout = sink();
  const stderr = sink();
  const t0 = performance.now();
  const code = await runRunCommand(['--suite', SUITES, '--timeout', '1500', '--out', out, '--format', 'json,html', ...extra], { stdout: stdout.stream, stderr: stderr.stream, env: { NO_COLOR: '1' }, ...(interrupt ? { interrupt } : {}) }, deps);
  const ms = performance.now() - t0;
  const file = join(out, 'report.json');
  const report: Report | undefined = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  return { code, report, ms, stdout: stdout.text(), stderr: stderr.text() };
}

describe('a device that disappears mid-run', () => {
  let total = 0;
  let reports = 0;
  it('the healthy baseline runs every selected check and exits 0', async () => {
    const healthy = faultyDevice('none', 0);
    const r = await run('healthy', healthy.deps);
    reports = healthy.seen();
    expect(reports).toBeGreaterThan(100);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.report!.incomplete).toBeUndefined();
    total = r.report!.checks.length;
    expect(total).toBeGreaterThan(50);
  });

  it.each<[Fault, RegExp, number]>([
    ['disconnect', /lost during .*TRANSPORT_DISCONNECTED/, 20_000],
    ['close', /lost during .*(TRANSPORT_CLOSED|transport is closed)/, 20_000],
    ['stall', /stopped working during .*did not answer a PING within 300 ms/, 20_000],
    ['garbage', /stopped working during .*(did not answer a PING|garbage)/, 20_000],
  ])('%s: the run stops, the report is written and marked incomplete, exit 2', async (fault, reason, limitMs) => {
    const r = await run(fault, faultyDevice(fault, Math.round(reports * 0.4)).deps);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.report, 'report.json written').toBeDefined();
    expect(existsSync(join(dir, fault, 'report.html'))).toBe(true);
    expect(r.report!.incomplete).toBe(true);
    expect(r.report!.incompleteReason).toMatch(reason);
    expect(r.stdout).toContain('INCOMPLETE: ');
    // it stopped at the check that met the fault: some ran, not all, and only the last one errored
    const checks = r.report!.checks;
    expect(checks.length).toBeGreaterThan(3);
    expect(checks.length).toBeLessThan(total);
    expect(checks.filter((c) => c.status === 'error').length).toBe(1);
    expect(checks.at(-1)!.status).toBe('error');
    // and ended within one check's limit plus the probe, not one limit per remaining check (a hang guard:
    // the ~200 remaining checks at even 300 ms each would take a minute)
    expect(r.ms).toBeLessThan(limitMs);
  });
});

describe('Ctrl-C during a run', () => {
  let reports = 0;
  it('(baseline: how many reports a whole run sends)', async () => {
    const healthy = faultyDevice('none', 0);
    expect((await run('ctrl-c-baseline', healthy.deps)).code).toBe(0);
    reports = healthy.seen();
  });

  it('an interrupt before the first check: the report is written, marked incomplete, exit 2', async () => {
    const controller = new AbortController();
    controller.abort('interrupted (Ctrl-C)');
    const r = await run('ctrl-c-early', faultyDevice('none', 0).deps, [], controller.signal);
    expect(r.code).toBe(2);
    expect(r.report!.incomplete).toBe(true);
    expect(r.report!.incompleteReason).toBe('interrupted (Ctrl-C)');
    expect(r.report!.checks).toEqual([]);
  });

  it('an interrupt mid-run: the current check finishes, the rest do not run, the report says why, exit 2', async () => {
    const controller = new AbortController();
    const { deps } = faultyDevice('none', 0, (n) => {
      if (n === Math.round(reports * 0.4)) controller.abort('interrupted (Ctrl-C)');
    });
    const r = await run('ctrl-c-mid', deps, [], controller.signal);
    expect(r.code).toBe(2);
    expect(r.report!.incomplete).toBe(true);
    expect(r.report!.incompleteReason).toBe('interrupted (Ctrl-C)');
    const checks = r.report!.checks;
    expect(checks.length).toBeGreaterThan(3);
    expect(checks.every((c) => c.status === 'pass' || c.status === 'skip')).toBe(true);
    expect(r.stdout).toContain('INCOMPLETE: interrupted (Ctrl-C)');
  });
});
