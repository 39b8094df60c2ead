import type { CheckResult, Report } from './model.ts';
import { groupByArea } from './areas.ts';
import { cleanText, escapeXml } from './escapeText.ts';

/**
 * junit.xml in the shape CI dashboards read (the Ant/Jenkins JUnit XML convention, which has no formal
 * spec): one <testsuite> per area, one <testcase> per check; `fail` → <failure>, `error` → <error>,
 * `skip` → <skipped>, `warn` passes with the warning in <system-out>. The counts equal report.json's:
 * tests = all checks, failures = failed, errors = errored, skipped = skipped.
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

export function renderJunit(report: Report): string {
  const areas = groupByArea(report.checks);
  const total = report.checks.length;
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
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${x(`${report.tool.name} ${report.device.aaguid}`, 300)}" tests="${total}" failures="${s.failed}" errors="${s.errored}" skipped="${s.skipped}" time="${seconds(time)}">\n${suites}\n</testsuites>\n`;
}
