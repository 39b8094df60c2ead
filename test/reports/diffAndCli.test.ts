import { mkdtemp, readFile, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createReport, diffReports, type Report } from '../../reports/index.ts';
import { runReportCommand } from '../../harness/commands/report.ts';
import { check, sampleReport } from './sampleReport.ts';

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: { write: (t: string) => (out.stdout += t) }, stderr: { write: (t: string) => (out.stderr += t) } } };
}

const withChecks = (checks: Report['checks'], extra: Partial<Report> = {}) => createReport({ ...sampleReport(), ...extra, checks });

describe('diffReports', () => {
  it('should list checks that changed status and call pass → fail worse', () => {
    const a = withChecks([check('A-B-001', 'x', 'pass'), check('A-B-002', 'x', 'fail'), check('A-B-003', 'x', 'pass')]);
    const b = withChecks([check('A-B-001', 'x', 'fail'), check('A-B-002', 'x', 'pass'), check('A-B-003', 'x', 'pass'), check('A-B-004', 'x', 'pass')]);
    const d = diffReports(a, b);
    expect(d.changes.map((c) => [c.id, c.from, c.to, c.direction])).toEqual([
      ['A-B-001', 'pass', 'fail', 'worse'],
      ['A-B-002', 'fail', 'pass', 'better'],
      ['A-B-004', 'absent', 'pass', 'added'],
    ]);
    expect(d.unchanged).toBe(1);
    expect(d.worse).toBe(true);
  });

  it('should not call improvements, removals or fail ↔ error worse, but should a pass turned skip', () => {
    const a = withChecks([check('A-B-001', 'x', 'fail'), check('A-B-002', 'x', 'warn'), check('A-B-003', 'x', 'pass')]);
    const b = withChecks([check('A-B-001', 'x', 'error'), check('A-B-002', 'x', 'pass')]);
    const d = diffReports(a, b);
    expect(d.worse).toBe(false);
    expect(d.changes.find((c) => c.id === 'A-B-003')?.direction).toBe('removed');
    expect(diffReports(withChecks([check('A-B-001', 'x', 'pass')]), withChecks([check('A-B-001', 'x', 'skip')])).worse).toBe(true);
  });

  it('should call a verdict drop or a run cut short worse', () => {
    const checks = [check('A-B-001', 'x', 'pass')];
    const good = withChecks(checks, { microsoft: { verdict: 'compatible', requirements: [] } });
    const bad = withChecks(checks, { microsoft: { verdict: 'not-compatible', requirements: [] } });
    expect(diffReports(good, bad).verdictChanges).toEqual([{ what: 'microsoft', from: 'compatible', to: 'not-compatible', direction: 'worse' }]);
    expect(diffReports(bad, good).worse).toBe(false);
    expect(diffReports(good, { ...good, incomplete: true }).worse).toBe(true);
  });
});

describe('fido-harness report', () => {
  it('should re-render a report.json into html, junit and md and exit 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fh-report-'));
    await writeFile(join(dir, 'report.json'), JSON.stringify(sampleReport()));
    const { io, out } = capture();
    expect(await runReportCommand([join(dir, 'report.json'), '--out', join(dir, 'out')], io)).toBe(0);
    expect((await readdir(join(dir, 'out'))).sort()).toEqual(['junit.xml', 'report.html', 'summary.md']);
    expect(out.stdout).toContain('report.html');
    expect(await runReportCommand([join(dir, 'report.json'), '--format', 'json,md', '--out', join(dir, 'o2')], io)).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'o2', 'report.json'), 'utf8'))).toEqual(sampleReport());
  });

  it('should refuse an invalid report.json with exit 2 and the first violation', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fh-report-'));
    const bad = sampleReport() as unknown as Record<string, any>;
    bad.checks[2].status = 'broken';
    await writeFile(join(dir, 'bad.json'), JSON.stringify(bad));
    const { io, out } = capture();
    expect(await runReportCommand([join(dir, 'bad.json')], io)).toBe(2);
    expect(out.stderr).toMatch(/REPORT_SCHEMA_VIOLATION\): \/checks\/2\/status must be one of/);
    expect(await runReportCommand([join(dir, 'missing.json')], io)).toBe(2);
    expect(await runReportCommand(['--format', 'pdf', 'x.json'], io)).toBe(2);
    expect(out.stderr).toMatch(/unknown format 'pdf'/);
    expect(await runReportCommand([], io)).toBe(2);
  });

  it('should exit 1 from diff when something got worse and 0 otherwise', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fh-diff-'));
    const a = withChecks([check('A-B-001', 'x', 'pass')]);
    const b = withChecks([check('A-B-001', 'x', 'fail')]);
    await writeFile(join(dir, 'a.json'), JSON.stringify(a));
    await writeFile(join(dir, 'b.json'), JSON.stringify(b));
    const { io, out } = capture();
    expect(await runReportCommand(['diff', join(dir, 'a.json'), join(dir, 'b.json')], io)).toBe(1);
    expect(out.stdout).toMatch(/worse\s+A-B-001: pass -> fail/);
    expect(await runReportCommand(['diff', join(dir, 'b.json'), join(dir, 'a.json')], io)).toBe(0);
    expect(await runReportCommand(['diff', join(dir, 'a.json')], io)).toBe(2);
  });
});
