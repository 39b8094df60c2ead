import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseReport, ReportValidationError, validateReport, summarizeChecks, createReport } from '../../reports/index.ts';
import { sampleReport } from './sampleReport.ts';

function firstViolation(value: unknown) {
  const r = validateReport(value);
  if (r.valid) throw new Error('expected a violation');
  return { code: r.error.code, path: r.error.path, reason: r.error.reason };
}

const mutate = (f: (r: Record<string, any>) => void) => {
  const r = structuredClone(sampleReport()) as Record<string, any>;
  f(r);
  return r;
};

describe('report.json schema', () => {
  it('should accept a report built through the model', () => {
    const r = validateReport(JSON.parse(JSON.stringify(sampleReport())));
    expect(r.valid).toBe(true);
  });

  it('should count the summary from the checks', () => {
    expect(summarizeChecks(sampleReport().checks)).toEqual({ passed: 2, failed: 1, warned: 1, skipped: 1, errored: 1 });
  });

  it('should mark an incomplete run and keep it valid', () => {
    const r = createReport({ ...sampleReport(), incomplete: true, incompleteReason: 'interrupted (SIGINT)' });
    expect(r.incomplete).toBe(true);
    expect(validateReport(r).valid).toBe(true);
  });

  it.each([
    ['missing schemaVersion', (r: any) => delete r.schemaVersion, '/schemaVersion', /required/],
    ['other schemaVersion', (r: any) => (r.schemaVersion = 2), '/schemaVersion', /must be 1/],
    ['status not in the vocabulary', (r: any) => (r.checks[1].status = 'passed'), '/checks/1/status', /one of "pass"/],
    ['negative duration', (r: any) => (r.checks[0].durationMs = -1), '/checks/0/durationMs', />= 0/],
    ['bad check id', (r: any) => (r.checks[2].id = 'mc-1'), '/checks/2/id', /must match/],
    ['unknown top-level member', (r: any) => (r.extra = 1), '/extra', /not an allowed member/],
    ['aaguid not a UUID', (r: any) => (r.device.aaguid = 'BE7C888F'), '/device/aaguid', /must match/],
    ['odd hex in evidence', (r: any) => (r.checks[0].evidence.exchanges[0].requestHex = '0'), '/checks/0/evidence/exchanges/0/requestHex', /must match/],
    ['verdict out of vocabulary', (r: any) => (r.microsoft.verdict = 'ok'), '/microsoft/verdict', /compatible/],
    ['summary not an integer', (r: any) => (r.summary.passed = 1.5), '/summary/passed', /integer/],
    ['date not ISO 8601', (r: any) => (r.startedAt = 'yesterday'), '/startedAt', /must match/],
  ])('should refuse %s with the path and reason of the violation', (_name, f, path, reason) => {
    const v = firstViolation(mutate(f));
    expect(v.code).toBe('REPORT_SCHEMA_VIOLATION');
    expect(v.path).toBe(path);
    expect(v.reason).toMatch(reason);
  });

  it('should report the FIRST violation in document order when there are several', () => {
    const v = firstViolation(mutate((r) => {
      r.checks[3].status = 'bad';
      r.checks[4].suite = 7;
      r.entra.verdict = 'nope';
    }));
    expect(v.path).toBe('/checks/3/status');
  });

  it('should refuse a summary that does not equal the checks and duplicate ids', () => {
    expect(firstViolation(mutate((r) => (r.summary.failed = 5)))).toMatchObject({ code: 'REPORT_INCONSISTENT', path: '/summary/failed' });
    expect(firstViolation(mutate((r) => (r.checks[1].id = r.checks[0].id)))).toMatchObject({ code: 'REPORT_INCONSISTENT', path: '/checks/1/id' });
  });

  it('should refuse text that is not JSON with REPORT_NOT_JSON', () => {
    expect(() => parseReport('{"schemaVersion":')).toThrow(ReportValidationError);
    expect(() => parseReport('[]')).toThrow(/must be of type object/);
  });

  it('should ship a schema file that is the one the validator uses', () => {
    const file = JSON.parse(readFileSync(new URL('../../reports/report.schema.json', import.meta.url), 'utf8'));
    expect(file.properties.schemaVersion).toEqual({ const: 1 });
    expect(file.$defs.checkStatus.enum).toEqual(['pass', 'fail', 'warn', 'skip', 'error']);
  });
});
