// Text from reports, files and arguments reaches the terminal escaped (control characters and bidi
// overrides as \uXXXX) in every command's lines; JSON output is a JSON document that parses to the same
// value; the commands' own line breaks stay line breaks. Against the real executable.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'fido-tsafe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EVIL = 'x\u001b]0;owned\u0007\u001b[31mRED\u202eevil\u0085';
/** raw characters a terminal acts on */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, 'bin/fido-harness.mjs'), ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let a = '';
let b = '';
beforeAll(() => {
  const out = join(dir, 'a');
  const r = cli(['run', '--check', 'INFO-VERSIONS-001,INFO-AAGUID-001', '--format', 'json', '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  a = join(out, 'report.json');
  const report = JSON.parse(readFileSync(a, 'utf8')) as { checks: Array<Record<string, unknown>>; summary: { passed: number; failed: number } };
  report.checks[0]!.status = 'fail';
  report.summary.passed -= 1;
  report.summary.failed += 1;
  report.checks[0]!.message = EVIL;
  report.checks[0]!.title = EVIL;
  mkdirSync(join(dir, 'b'));
  b = join(dir, 'b', 'report.json');
  writeFileSync(b, JSON.stringify(report));
}, 180_000);

describe('terminal-safe output', () => {
  it('report diff: the change and the verdicts, one per line, nothing raw', () => {
    const r = cli(['report', 'diff', a, b]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stdout).toMatch(/^worse +INFO-VERSIONS-001: pass -> fail$/m);
    expect(r.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(2);
  });

  it('report diff --json: one JSON document, no raw control or bidi characters, same values', () => {
    const r = cli(['report', 'diff', a, b, '--json']);
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stdout).toContain('\\u202e');
    const diff = JSON.parse(r.stdout) as { changes: Array<{ id: string; title: string }> };
    expect(diff.changes.find((c) => c.id === 'INFO-VERSIONS-001')?.title).toBe(EVIL);
  });

  it('report render of a report.json that does not validate: the error quotes it escaped', () => {
    const bad = JSON.parse(readFileSync(b, 'utf8')) as { checks: Array<Record<string, unknown>> };
    bad.checks[0]!.status = EVIL;
    const file = join(dir, `bad-${'\u001b[2J'}.json`);
    writeFileSync(file, JSON.stringify(bad));
    const r = cli(['report', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(RAW);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(2);
    expect(r.stderr).toContain('\\u001b[2J');
  });

  it('run --rerun-failed and --entra-policy: a file name or content with control characters is escaped', () => {
    const r1 = cli(['run', '--rerun-failed', join(dir, `no-${EVIL}.json`), '--out', join(dir, 'r1')]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).not.toMatch(RAW);
    expect(r1.stderr).toContain('\\u202e');
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ isAttestationEnforced: EVIL }));
    const r2 = cli(['run', '--entra-policy', policy, '--out', join(dir, 'r2')]);
    expect(r2.code).toBe(2);
    expect(r2.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r2.stderr).not.toMatch(RAW);
  });

  it('an unknown option with control characters is echoed escaped', () => {
    const r = cli(['run', `--${EVIL}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(RAW);
    expect(r.stderr).toContain('\\u001b[31mRED');
  });
});
