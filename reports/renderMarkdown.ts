import type { EntraFix, Report } from './model.ts';
import { CHECK_STATUSES, SOURCES_LEGEND } from './model.ts';
import { groupByArea } from './areas.ts';
import { cleanValue, escapeMarkdown as md } from './escapeText.ts';
import { SUMMARY_KEY } from './summarizeChecks.ts';
import { runHeader } from './runHeader.ts';

/**
 * summary.md: for a pull request or a vendor's submission notes. Verdicts, counts, one row per area, the
 * Microsoft requirements, the Entra reasons, then every check that did not pass. Device text is escaped
 * (no Markdown, no HTML, no line breaks) and truncated.
 */
const jsonFence = (value: unknown) => ['```json', JSON.stringify(cleanValue(value), null, 2).replace(/[`<>&]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`), '```'];

function fixLines(fix: EntraFix | undefined, title: string): string[] {
  if (!fix) return [];
  if (fix.kind === 'policy') return [`${title}: \`${md(fix.method)} ${md(fix.path, 500)}\``, '', ...jsonFence(fix.body), ''];
  return [`${title}: ${md(fix.text, 500)}${fix.kind === 'device' ? ' (no policy change can help)' : ''}`, ''];
}

export function renderMarkdown(report: Report): string {
  const s = report.summary;
  const lines: string[] = [];
  lines.push(`# FIDO2 conformance report: \`${report.device.aaguid.replace(/`/g, '')}\``, '');
  lines.push(`${md(report.tool.name)} ${md(report.tool.version)}, ${md(report.startedAt)} to ${md(report.finishedAt)}.`, '');
  for (const [k, v] of runHeader(report)) lines.push(`- ${k}: ${md(v, 1000)}`);
  lines.push('');
  if (report.incomplete) lines.push(`> **Incomplete run:** ${md(report.incompleteReason ?? 'the run was cut short', 500)}`, '');
  lines.push('| Microsoft-compatible | Entra ID passkeys | passed | failed | warned | skipped | errored |', '|---|---|---|---|---|---|---|');
  lines.push(`| ${md(report.microsoft?.verdict ?? 'not evaluated')} | ${md(report.entra?.verdict ?? 'not evaluated')} | ${s.passed} | ${s.failed} | ${s.warned} | ${s.skipped} | ${s.errored} |`, '');
  if (report.run) {
    const r = report.run;
    lines.push(`Touches: ${r.touches}, replugs: ${r.replugs}, checks run: ${r.checksRun}${r.planned ? ` (planned: ${r.planned.touches} touches, ${r.planned.replugs} replugs)` : ''}.`, '');
  }
  lines.push('## Areas', '', '| area | ' + CHECK_STATUSES.join(' | ') + ' |', '|---|' + CHECK_STATUSES.map(() => '---|').join(''));
  for (const a of groupByArea(report.checks)) lines.push(`| ${md(a.name)} | ${CHECK_STATUSES.map((st) => a.summary[SUMMARY_KEY[st]]).join(' | ')} |`);
  lines.push('');
  if (report.microsoft) {
    lines.push(`## Microsoft-compatible: ${md(report.microsoft.verdict)}`, '');
    if (report.microsoft.mdsNote) lines.push(`> **${md(report.microsoft.mdsNote)}**`, '');
    lines.push('| id | status | requirement | evidence | source |', '|---|---|---|---|---|');
    for (const r of report.microsoft.requirements) {
      lines.push(`| ${md(r.id)} | ${md(r.status)} | ${md(r.title)} | ${r.evidence.map((e) => md(e, 300)).join('; ')} | ${md(r.source)} |`);
    }
    lines.push('', md(SOURCES_LEGEND, 2000));
    if (report.microsoft.information?.length) {
      lines.push('', 'Information (not required by Microsoft):', '');
      for (const i of report.microsoft.information) lines.push(`- ${md(i.title)}: ${md(i.value)}`);
    }
    lines.push('');
  }
  if (report.entra) {
    const en = report.entra;
    lines.push(`## Entra ID passkeys: ${md(en.verdict)} (${en.policySource === 'file' ? 'policy as given' : "Entra's defaults"})`, '');
    if (en.userGroups) lines.push(`User's groups: ${md(en.userGroups.join(', '), 500)}`, '');
    for (const r of en.reasons) lines.push(`- **${md(r.id)}** ${md(r.status)}: ${md(r.message, 500)}`);
    for (const sc of (en.scenarios ?? []).slice(1)) lines.push(`- scenario ${md(sc.name)}: ${md(sc.verdict)}`);
    lines.push('', ...fixLines(en.fix, 'What would allow the key'));
    for (const st of en.authStrengths ?? []) {
      if (st.fix.kind !== 'none') lines.push(...fixLines(st.fix, `EN-AUTH-STRENGTH ${md(st.displayName)}`));
    }
  }
  const notPassed = report.checks.filter((c) => c.status !== 'pass');
  if (notPassed.length) {
    lines.push('## Checks not passed', '', '| id | status | title | message | run it again |', '|---|---|---|---|---|');
    for (const c of notPassed) {
      const rerun = typeof c.evidence?.rerun === 'string' ? `\`${c.evidence.rerun.replace(/`/g, '')}\`` : '';
      lines.push(`| ${md(c.id)} | ${md(c.status)} | ${md(c.title)} | ${md(c.message, 500)} | ${rerun.replace(/[|\r\n]/g, ' ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
