// The warning line when `serve --host` or `sim --udp` binds a non-loopback address, and the refusal of an
// origin whose RP ID cannot work, checked on the real command (spawned), as a user sees them.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');
const CLI = join(REPO, 'bin', 'fido-harness.mjs');

/** runs the command until `ready` matches its output (then SIGTERM) or it exits; answers its output and exit code */
function runUntil(args: string[], ready: RegExp): Promise<{ out: string; err: string; code: number | null }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`no ${ready} within 60 s:\n${out}\n${err}`));
    }, 60_000);
    const check = () => {
      // give a warning printed right after the ready line a moment to arrive
      if (ready.test(out + err)) setTimeout(() => child.kill('SIGTERM'), 300);
    };
    child.stdout.on('data', (d) => ((out += d), check()));
    child.stderr.on('data', (d) => ((err += d), check()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ out, err, code });
    });
  });
}

describe('binding a non-loopback address', () => {
  it('serve --host 0.0.0.0 prints one warning line; --host 127.0.0.1 prints none', async () => {
    const wide = await runUntil(['serve', '--host', '0.0.0.0', '--port', '0', '--no-page'], /listening on/);
    const lines = wide.err.split('\n').filter((l) => /warning/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^fido-harness serve: warning: 0\.0\.0\.0 is not a loopback address/);
    const local = await runUntil(['serve', '--host', '127.0.0.1', '--port', '0', '--no-page'], /listening on/);
    expect(local.out).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(local.err).not.toMatch(/warning/);
  }, 120_000);

  it('sim --udp 0.0.0.0:0 prints one warning line (amplification); 127.0.0.1 prints none', async () => {
    const wide = await runUntil(['sim', '--udp', '0.0.0.0:0'], /listening on udp/);
    const lines = wide.err.split('\n').filter((l) => /warning/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^fido-harness sim: warning: 0\.0\.0\.0 is not a loopback address: .*amplifier/);
    const local = await runUntil(['sim', '--udp', '127.0.0.1:0'], /listening on udp/);
    expect(local.err).not.toMatch(/warning/);
  }, 120_000);
});

describe('origin and RP ID', () => {
  it('serve --origin https://example.com runs with RP ID example.com, not localhost', async () => {
    const r = await runUntil(['serve', '--origin', 'https://example.com', '--port', '0', '--no-page'], /listening on/);
    expect(r.out).toMatch(/open https:\/\/example\.com \(RP ID example\.com\)/);
  }, 60_000);

  it.each([
    [['--origin', 'https://example.com', '--rp-id', 'localhost'], /RP ID localhost does not match origin https:\/\/example\.com/],
    [['--rp-id', 'example.com'], /RP ID example\.com does not match origin http:\/\/localhost/],
    [['--origin', 'http://127.0.0.1:8080'], /an IP address is not a valid RP ID/],
  ])('serve %j refuses with one line and exit 2', async (args, message) => {
    const r = await runUntil(['serve', ...args, '--port', '0', '--no-page'], /listening on/);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(message);
  }, 60_000);

  it('accepts a parent domain as RP ID', async () => {
    const r = await runUntil(['serve', '--origin', 'https://login.example.com', '--rp-id', 'example.com', '--port', '0', '--no-page'], /listening on/);
    expect(r.out).toMatch(/RP ID example\.com/);
  }, 60_000);
});
