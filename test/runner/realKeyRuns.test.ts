import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import type { RemoteInfo } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSimulatorDevice, UdpSimulator } from '../../authenticator-sim/index.ts';
import { authenticatorOptionsForQuirks } from '../../authenticator-sim/quirks/index.ts';
import type { Report } from '../../reports/index.ts';

const cli = fileURLToPath(new URL('../../bin/fido-harness.mjs', import.meta.url));

/** Spawns the real CLI in `cwd` (runs/ is relative to it). */
function fido(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const readReport = (dir: string) => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
const planned = (stdout: string) => Number(/^plan: about (\d+) touch/m.exec(stdout)?.[1]);

/** Real-key runs: the plan, the touch hook, run history, and re-runs on the report's device. */
describe('fido-harness run for real keys', () => {
  it('should print a plan with --dry-run that equals the touches the run then counts, and write nothing', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'fido-harness-plan-'));
    const dry = await fido(['run', '--suite', 'webauthn,u2f', '--dry-run'], cwd);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^plan: about \d+ touches and 0 replugs, about \d+ minutes? \(\d+ checks\)$/m);
    expect(dry.stdout).toContain('  WEBAUTHN-ENTRA-003\t4');
    expect(existsSync(join(cwd, 'runs', 'latest'))).toBe(false);
    const real = await fido(['run', '--suite', 'webauthn,u2f'], cwd);
    const report = readReport(join(cwd, 'runs', 'latest'));
    expect(report.run?.touches).toBe(planned(dry.stdout));
    expect(report.run?.simulatorTouches).toBe(report.run?.touches);
    expect(report.run?.planned?.touches).toBe(report.run?.touches);
    expect(report.checks.reduce((n, c) => n + (c.touches ?? 0), 0)).toBe(report.run?.touches);
    expect(real.stdout).toContain(`${report.run?.touches} touches, 0 replugs for ${report.run?.checksRun} checks run`);
  }, 120_000);

  it('should refuse a run whose plan needs more than --max-touches, before any check', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'fido-harness-max-'));
    const r = await fido(['run', '--suite', 'webauthn', '--max-touches', '3', '--out', join(cwd, 'out')], cwd);
    expect(r.code).toBe(2);
    const m = /^fido-harness run: the selected checks need about (\d+) touches, more than --max-touches 3 \(--dry-run lists them; select fewer with --suite or --check\)\n$/.exec(r.stderr);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(3);
    expect(existsSync(join(cwd, 'out', 'report.json'))).toBe(false);
  }, 120_000);

  it('should run --touch-command once per wait for a touch, with the device in its environment', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'fido-harness-touch-'));
    const log = join(cwd, 'touches.log');
    const script = join(cwd, 'touch.sh');
    writeFileSync(script, `#!/bin/sh\necho "$FIDO_HARNESS_DEVICE $FIDO_HARNESS_COMMAND" >> "${log}"\n`, { mode: 0o755 });
    const r = await fido(['run', '--suite', 'webauthn,u2f', '--touch-command', script, '--out', join(cwd, 'out')], cwd);
    expect(r.code).toBe(0);
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    const report = readReport(join(cwd, 'out'));
    expect(calls.length).toBe(report.run?.touches);
    // makeCredential (01) and getAssertion (02) waits over CBOR, U2F_REGISTER/AUTHENTICATE waits over MSG (03)
    expect(new Set(calls)).toEqual(new Set(['memory:simulator 01', 'memory:simulator 02', 'memory:simulator 03']));
  }, 120_000);

  it('should keep every run in its own folder, name the newest runs/latest, and diff run folders', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'fido-harness-history-'));
    const first = await fido(['run', '--suite', 'getinfo'], cwd);
    const second = await fido(['run', '--suite', 'getinfo'], cwd);
    expect([first.code, second.code]).toEqual([0, 0]);
    const folders = readdirSync(join(cwd, 'runs')).filter((f) => /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-sim(-\d+)?$/.test(f)).sort();
    expect(folders).toHaveLength(2);
    expect(readFileSync(join(cwd, 'runs', 'LATEST'), 'utf8').trim()).toBe(folders[1]);
    expect(realpathSync(join(cwd, 'runs', 'latest'))).toBe(realpathSync(join(cwd, 'runs', folders[1]!)));
    expect(readReport(join(cwd, 'runs', 'latest')).startedAt).toBe(readReport(join(cwd, 'runs', folders[1]!)).startedAt);
    const diff = await fido(['report', 'diff', join('runs', folders[0]!), join('runs', 'latest')], cwd);
    expect(diff.code).toBe(0);
  }, 120_000);

  it('should re-run the failed checks of a UDP report on that device, and refuse a device of another AAGUID', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'fido-harness-udp-rerun-'));
    const { device } = await createSimulatorDevice<RemoteInfo>({ allowResetAnytime: true, ...authenticatorOptionsForQuirks(['wrong-rpid-hash']) });
    const server = await UdpSimulator.start(device, '127.0.0.1', 0);
    try {
      const udp = `udp:127.0.0.1:${server.endpoint.port}`;
      const first = await fido(['run', '--device', udp, '--sim-quirk', 'wrong-rpid-hash', '--suite', 'make-credential', '--out', join(cwd, 'a')], cwd);
      expect(first.code).toBe(1);
      const received = server.device.authenticator.state.signCount;
      const again = await fido(['run', '--rerun-failed', join(cwd, 'a'), '--out', join(cwd, 'b')], cwd);
      expect(again.stderr).toContain(`re-running 1 failed check(s) on the report's device ${udp} with --sim-quirk wrong-rpid-hash`);
      const report = readReport(join(cwd, 'b'));
      expect(report.device.transport).toBe('udp');
      expect(report.device.path).toBe(udp);
      expect(report.checks.map((c) => [c.id, c.status])).toEqual([['MC-RPID-001', 'fail']]);
      expect(server.device.authenticator.state.signCount).toBeGreaterThan(received); // it went to that simulator
      // a report of another key is refused with one line
      const other = readReport(join(cwd, 'a'));
      other.device.aaguid = '00000000-0000-4000-8000-000000000001';
      writeFileSync(join(cwd, 'other.json'), JSON.stringify(other));
      const refused = await fido(['run', '--rerun-failed', join(cwd, 'other.json'), '--out', join(cwd, 'c')], cwd);
      expect(refused.code).toBe(2);
      expect(refused.stderr.trim().split('\n').at(-1)).toMatch(/^fido-harness run: --rerun-failed: the report is of AAGUID 00000000-0000-4000-8000-000000000001, udp:127\.0\.0\.1:\d+ is [0-9a-f-]{36}: give --device for the key that made it$/);
    } finally {
      await server.close();
    }
  }, 180_000);
});
