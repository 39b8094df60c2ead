import type { CheckResult, Report } from './model.ts';
import { groupByArea } from './areas.ts';
import { cleanText, escapeXml } from './escapeText.ts';

/**
 * junit.xml in the shape CI dashboards read (the Ant/Jenkins JUnit XML convention, which has no formal
 * spec): one <testsuite> per area, one <testcase> per check; `fail` → <failure>, `error` → <error>,
 * `skip` → <skipped>, `warn` passes with the warning in <system-out>. The area suites' counts equal
 * report.json's (tests = all checks, failures = failed, errors = errored, skipped = skipped); a last suite,
 * "microsoft-entra", carries the verdicts, each MS-* requirement and each authentication strength as test
 * cases (not-compatible / blocked → failure; incomplete / depends-on-group → skipped), and the root totals
 * add them.
 */
function x(text: unknown, max = 4096): string {
  return escapeXml(cleanText(String(text ?? ''), { max }));
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function testcase(c: CheckResult, area: string): string {
  const attrs = `classname="${x(`fido-harness.${area}`, 300)}" name="${x(`${c.id} ${c.title}`, 400)}" time="${seconds(c.durationMs)}"`;
  const detail = x(`${c.message}\n${c.specRef}${c.evidence?.expected !== undefined ? `\nexpected: ${c.evidence.expected}` : ''}${c.evidence?.actual !== undefined ? `\nactual: ${c.evidence.actual}` : ''}`, 8192);
  switch (c.status) {
    case 'fail':
      return `    <testcase ${attrs}>\n      <failure message="${x(c.message, 1000)}" type="fail">${detail}</failure>\n    </testcase>`;
    case 'error':
      return `    <testcase ${attrs}>\n      <error message="${x(c.message, 1000)}" type="error">${detail}</error>\n    </testcase>`;
    case 'skip':
      return `    <testcase ${attrs}>\n      <skipped message="${x(c.message, 1000)}"/>\n    </testcase>`;
    case 'warn':
      return `    <testcase ${attrs}>\n      <system-out>WARN: ${detail}</system-out>\n    </testcase>`;
    default:
      return `    <testcase ${attrs}/>`;
  }
}

interface VerdictCase {
  classname: string;
  name: string;
  outcome: 'pass' | 'fail' | 'skip' | 'warn';
  message: string;
}

/** The Microsoft/Entra verdicts as test cases, so CI viewers show them next to the checks. */
function verdictCases(report: Report): VerdictCase[] {
  const out: VerdictCase[] = [];
  const ms = report.microsoft;
  if (ms) {
    const note = ms.mdsNote ? ` (${ms.mdsNote})` : '';
    out.push({ classname: 'fido-harness.microsoft', name: 'Microsoft-compatible verdict', outcome: ms.verdict === 'compatible' ? 'pass' : ms.verdict === 'not-compatible' ? 'fail' : 'skip', message: `${ms.verdict}${note}` });
    for (const r of ms.requirements) out.push({ classname: 'fido-harness.microsoft', name: `${r.id} ${r.title}`, outcome: r.status, message: `${r.evidence.join('\n')}\n${r.source}` });
  }
  const en = report.entra;
  if (en) {
    const failing = en.reasons.filter((r) => r.status !== 'pass' && r.status !== 'warn').map((r) => `${r.id} ${r.status}: ${r.message}`);
    const fix = en.fix ? `\n${en.fix.text}` : '';
    out.push({ classname: 'fido-harness.entra', name: 'Entra ID passkey verdict', outcome: en.verdict === 'allowed' ? 'pass' : en.verdict === 'blocked' ? 'fail' : 'skip', message: `${en.verdict}${failing.length ? `\n${failing.join('\n')}` : ''}${fix}` });
    for (const st of en.authStrengths ?? []) out.push({ classname: 'fido-harness.entra', name: `EN-AUTH-STRENGTH ${st.displayName}`, outcome: st.status, message: `${st.message}\n${st.fix.text}` });
  }
  return out;
}

function verdictTestcase(c: VerdictCase): string {
  const attrs = `classname="${x(c.classname, 300)}" name="${x(c.name, 400)}" time="0.000"`;
  const first = x(c.message.split('\n')[0], 1000);
  switch (c.outcome) {
    case 'fail':
      return `    <testcase ${attrs}>\n      <failure message="${first}" type="fail">${x(c.message, 8192)}</failure>\n    </testcase>`;
    case 'skip':
      return `    <testcase ${attrs}>\n      <skipped message="${first}"/>\n    </testcase>`;
    case 'warn':
      return `    <testcase ${attrs}>\n      <system-out>WARN: ${x(c.message, 8192)}</system-out>\n    </testcase>`;
    default:
      return `    <testcase ${attrs}/>`;
  }
}

export function renderJunit(report: Report): string {
  const areas = groupByArea(report.checks);
  const verdicts = verdictCases(report);
  const vFailed = verdicts.filter((c) => c.outcome === 'fail').length;
  const vSkipped = verdicts.filter((c) => c.outcome === 'skip').length;
  const total = report.checks.length + verdicts.length;
  const s = report.summary;
  const time = report.checks.reduce((t, c) => t + c.durationMs, 0);
  const props = [
    ['aaguid', report.device.aaguid],
    ['transport', report.device.transport],
    ...(report.microsoft ? [['microsoft.verdict', report.microsoft.verdict]] : []),
    ...(report.entra ? [['entra.verdict', report.entra.verdict]] : []),
    ...(report.incomplete ? [['incomplete', report.incompleteReason ?? 'true']] : []),
  ]
    .map(([k, v]) => `      <property name="${x(k)}" value="${x(v, 500)}"/>`)
    .join('\n');
  const suites = areas
    .map(
      (a) =>
        `  <testsuite name="${x(a.name, 300)}" tests="${a.checks.length}" failures="${a.summary.failed}" errors="${a.summary.errored}" skipped="${a.summary.skipped}" time="${seconds(a.durationMs)}" timestamp="${x(report.startedAt, 64)}">\n    <properties>\n${props}\n    </properties>\n${a.checks
          .map((c) => testcase(c, a.name))
          .join('\n')}\n  </testsuite>`,
    )
    .join('\n');
  const verdictSuite = verdicts.length
    ? `\n  <testsuite name="microsoft-entra" tests="${verdicts.length}" failures="${vFailed}" errors="0" skipped="${vSkipped}" time="0.000" timestamp="${x(report.startedAt, 64)}">\n    <properties>\n${props}\n    </properties>\n${verdicts.map(verdictTestcase).join('\n')}\n  </testsuite>`
    : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${x(`${report.tool.name} ${report.device.aaguid}`, 300)}" tests="${total}" failures="${s.failed + vFailed}" errors="${s.errored}" skipped="${s.skipped + vSkipped}" time="${seconds(time)}">\n${suites}${verdictSuite}\n</testsuites>\n`;
}
