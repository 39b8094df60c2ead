// What a new user tries first, against the real executable (node bin/fido-harness.mjs): help for every
// command, --version, one-line usage errors with the next step, inputs refused before a device is touched,
// case-insensitive check ids, report.json whatever --format, and an old MDS BLOB with --at.
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');
const OLD_BLOB = join(REPO, 'test/fixtures/mds/blob-2021-no9.jwt');
const dir = mkdtempSync(join(tmpdir(), 'fido-newuser-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, 'bin/fido-harness.mjs'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** a UDP port nobody listens on (bound, then released) */
async function deadUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const lines = (text: string) => text.split('\n').filter(Boolean);

describe('help and version', () => {
  it.each([
    [[]],
    [['run']],
    [['devices']],
    [['sim']],
    [['serve']],
    [['mds']],
    [['mds', 'fetch']],
    [['mds', 'verify']],
    [['mds', 'lookup']],
    [['attestation']],
    [['attestation', 'verify']],
    [['report']],
    [['report', 'render']],
    [['report', 'diff']],
  ])('fido-harness %j --help: usage on stdout, exit 0', (words) => {
    const r = cli([...words, '--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: fido-harness ${words.join(' ')}`.trimEnd()));
    expect(r.stderr).toBe('');
  });

  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(cli(['--version'])).toEqual({ code: 0, stdout: `fido-harness ${version}\n`, stderr: '' });
  });

  it('no command, or an unknown one: the command list on stderr, exit 2', () => {
    const none = cli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^usage: fido-harness <command> \[options\]\n/);
    const unknown = cli(['rnu']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('fido-harness: unknown command "rnu" (run, devices, sim, serve, mds, attestation, report; fido-harness --help)\n');
  });

  it('an unknown option is one line and the usage line, exit 2', () => {
    const r = cli(['run', '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual(['fido-harness run: unknown option --no-such-flag', 'usage: fido-harness run [options] (fido-harness run --help lists the options)']);
    expect(r.stdout).toBe('');
  });
});

describe('inputs refused before any device is touched', () => {
  it('udp: with nothing listening: one line, the code once, and how to start a simulator', async () => {
    const port = await deadUdpPort();
    const r = cli(['run', '--device', `udp:127.0.0.1:${port}`, '--out', join(dir, 'dead')]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain(`start one with: fido-harness sim --udp 127.0.0.1:${port}`);
    expect(r.stderr).not.toMatch(/\b([A-Z][A-Z0-9_]{3,}): \1:/);
  });

  it('an --out that cannot hold files is refused first (the dead device is never tried)', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const r = cli(['run', '--device', `udp:127.0.0.1:${await deadUdpPort()}`, '--out', join(file, 'x')]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([`fido-harness run: --out ${join(file, 'x')} cannot hold the reports (ENOTDIR): give a directory you can write, e.g. --out runs/latest`]);
  });

  it('a suite and a check with nothing in common are refused, naming where the check is', () => {
    const r = cli(['run', '--suite', 'getinfo', '--check', 'MC-COUNTER-001', '--out', join(dir, 'conflict')]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/--suite getinfo and --check select no check in common \(MC-COUNTER-001 is in suite make-credential\)/);
    expect(existsSync(join(dir, 'conflict', 'report.json'))).toBe(false);
  });

  it('an old real BLOB without --at: one line suggesting --at with a date', () => {
    const r = cli(['run', '--mds', OLD_BLOB, '--out', join(dir, 'old')]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/does not verify: MDS_CERT_EXPIRED: .*; an old BLOB\? add --at 2021-11-30 /);
  });

  it('an unknown --sim-quirk is refused as an input, not as a device that could not be used', () => {
    const r = cli(['run', '--sim-quirk', 'no-such-quirk', '--out', join(dir, 'quirk')]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^fido-harness run: --sim-quirk: unknown quirk "no-such-quirk"; known: counter-stuck, .* \(fido-harness sim --list-quirks\)$/m);
    expect(r.stderr).not.toContain('could not be used');
  });

  it('--at without --mds is a usage error', () => {
    const r = cli(['run', '--at', '2021-11-30']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^fido-harness run: --at dates an MDS BLOB: give it with --mds FILE\n/);
  });
});

describe('runs', () => {
  it('lowercase check ids run; --format md still writes report.json (so report, diff and --rerun-failed work)', () => {
    const out = join(dir, 'md');
    const r = cli(['run', '--check', 'info-versions-001,Info-Aaguid-001', '--format', 'md', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { checks: Array<{ id: string }> };
    expect(report.checks.map((c) => c.id).sort()).toEqual(['INFO-AAGUID-001', 'INFO-VERSIONS-001']);
    expect(existsSync(join(out, 'summary.md'))).toBe(true);
    expect(existsSync(join(out, 'report.html'))).toBe(false);
    expect(cli(['report', 'diff', join(out, 'report.json'), join(out, 'report.json')]).code).toBe(0);
  });

  it('run --mds OLD --at DATE judges against the real BLOB as of that date', () => {
    const out = join(dir, 'at');
    const r = cli(['run', '--suite', 'getinfo', '--mds', OLD_BLOB, '--at', '2021-11-15', '--format', 'json', '--out', out]);
    expect([0, 1], r.stderr).toContain(r.code);
    expect(r.stderr).not.toMatch(/does not verify/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { device: { mds?: Record<string, unknown> } };
    expect(report.device.mds).toMatchObject({ testMaterial: false, source: OLD_BLOB, blobNo: 9, verifiedAt: '2021-11-15T00:00:00.000Z' });
  });

  it('serve --mds OLD --at DATE loads the BLOB (and without --at says to add it)', async () => {
    expect(cli(['serve', '--mds', OLD_BLOB, '--port', '0', '--no-page']).stderr).toMatch(/add --at 2021-11-30/);
    const child = spawn(process.execPath, [join(REPO, 'bin/fido-harness.mjs'), 'serve', '--mds', OLD_BLOB, '--at', '2021-11-15', '--port', '0', '--no-page'], { cwd: dir });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.stderr.on('data', (c: Buffer) => (text += c.toString()));
    await new Promise<void>((ok, fail) => {
      const t = setTimeout(() => fail(new Error(`serve did not start: ${text}`)), 60_000);
      child.stdout.on('data', () => {
        if (/MDS: BLOB no 9, 98 entries/.test(text)) {
          clearTimeout(t);
          ok();
        }
      });
      child.once('exit', (code) => fail(new Error(`serve exited ${code}: ${text}`)));
    });
    child.kill('SIGINT');
  });
});
