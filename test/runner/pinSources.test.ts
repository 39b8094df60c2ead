// The PIN of `fido-harness run` from --pin, --pin-file or FIDO_HARNESS_PIN: precedence and checks on the
// options, and the real command (spawned) reading the file and the variable without ever printing the PIN.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../harness/commands/args.ts';
import { RUN_SPEC, runOptions } from '../../harness/commands/run.ts';
import { readPinFile } from '../../harness/run/readPin.ts';

const REPO = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'fh-pin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = (args: string[], env: Record<string, string> = {}) => runOptions(parseCommandArgs(RUN_SPEC, args).values, env);

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/fido-harness.mjs'), 'run', ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => done({ code, out }));
  });
}

describe('where the PIN comes from', () => {
  it('takes --pin over FIDO_HARNESS_PIN, the variable over the default, and --pin-file as a file to read', () => {
    expect(options([], {})).toMatchObject({ pin: '1234', pinGiven: false });
    expect(options([], { FIDO_HARNESS_PIN: '246810' })).toMatchObject({ pin: '246810', pinGiven: true });
    expect(options(['--pin', '135790'], { FIDO_HARNESS_PIN: '246810' })).toMatchObject({ pin: '135790', pinGiven: true });
    expect(options(['--pin-file', 'p.txt'], { FIDO_HARNESS_PIN: '246810' })).toMatchObject({ pinGiven: true, pinFile: 'p.txt' });
    expect(() => options(['--pin', '1234', '--pin-file', 'p.txt'])).toThrow(/give the PIN one way/);
    expect(() => options([], { FIDO_HARNESS_PIN: 'abc' })).toThrow(/^FIDO_HARNESS_PIN: a PIN has at least 4 characters/);
    expect(() => options(['--pin', 'x'.repeat(64)])).toThrow(/at most 63 bytes/);
  });

  it('reads the first line of a PIN file, and refuses a missing, huge or short one without quoting it', async () => {
    writeFileSync(join(dir, 'pin.txt'), 'Tr0ub4dor\n');
    expect(await readPinFile(join(dir, 'pin.txt'))).toBe('Tr0ub4dor');
    writeFileSync(join(dir, 'crlf.txt'), 'Tr0ub4dor\r\nsecond line\r\n');
    expect(await readPinFile(join(dir, 'crlf.txt'))).toBe('Tr0ub4dor');
    writeFileSync(join(dir, 'short.txt'), 'ab9\n');
    await expect(readPinFile(join(dir, 'short.txt'))).rejects.toThrow(/at least 4 characters/);
    await expect(readPinFile(join(dir, 'short.txt'))).rejects.not.toThrow(/ab9/);
    writeFileSync(join(dir, 'big.txt'), 'x'.repeat(5000));
    await expect(readPinFile(join(dir, 'big.txt'))).rejects.toThrow(/not a PIN file/);
    await expect(readPinFile(join(dir, 'missing.txt'))).rejects.toThrow(/--pin-file .*missing\.txt: ENOENT/);
    await expect(readPinFile(dir)).rejects.toThrow(/not a regular file/);
  });

  it('the real command reads FIDO_HARNESS_PIN and --pin-file, and the PIN appears in no output or report', async () => {
    const secret = 'Zq7Pw9Lk';
    writeFileSync(join(dir, 'secret.txt'), `${secret}\n`);
    for (const [args, env] of [
      [['--pin-file', join(dir, 'secret.txt')], {}],
      [[], { FIDO_HARNESS_PIN: secret }],
    ] as const) {
      const out = mkdtempSync(join(dir, 'out-'));
      const r = await run(['--device', 'sim', '--check', 'CLIENTPIN-SUBCMD-001', '--out', out, ...args], env);
      expect(r.code, r.out).toBe(0);
      expect(r.out).not.toContain(secret);
      for (const f of readdirSync(out)) expect(readFileSync(join(out, f), 'utf8')).not.toContain(secret);
    }
    const bad = await run(['--device', 'sim', '--check', 'CLIENTPIN-SUBCMD-001', '--out', join(dir, 'never')], { FIDO_HARNESS_PIN: 'Zq7' });
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/FIDO_HARNESS_PIN: a PIN has at least 4 characters/);
    expect(bad.out).not.toContain('Zq7');
    const missing = await run(['--device', 'sim', '--pin-file', join(dir, 'nope.txt'), '--out', join(dir, 'never')], {});
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/--pin-file .*nope\.txt: ENOENT/);
  }, 180_000);
});
