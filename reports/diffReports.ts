import type { CheckStatus, Report } from './model.ts';

/**
 * What changed between two runs (a firmware regression hunt): every check whose status differs, checks
 * added or removed, and verdict changes. "Worse" is decided by severity rank: pass < skip < warn < fail =
 * error (a check that passed and is now skipped hides a lost feature, so that is worse too; fail ↔ error is
 * a change, not a regression). Also worse: a Microsoft or Entra verdict dropping, and a run that became
 * incomplete. A removed check is listed but not counted as worse (the runs may have chosen other suites).
 */
export type ChangeDirection = 'worse' | 'better' | 'changed' | 'added' | 'removed';

export interface CheckChange {
  id: string;
  suite: string;
  title: string;
  from: CheckStatus | 'absent';
  to: CheckStatus | 'absent';
  direction: ChangeDirection;
}

export interface VerdictChange {
  what: 'microsoft' | 'entra' | 'incomplete';
  from: string;
  to: string;
  direction: 'worse' | 'better' | 'changed';
}

export interface ReportDiff {
  changes: CheckChange[];
  verdictChanges: VerdictChange[];
  /** true when anything got worse */
  worse: boolean;
  unchanged: number;
}

const RANK: Record<CheckStatus, number> = { pass: 0, skip: 1, warn: 2, fail: 3, error: 3 };
const MS_RANK: Record<string, number> = { compatible: 0, incomplete: 1, 'not-compatible': 2 };
const EN_RANK: Record<string, number> = { allowed: 0, 'depends-on-group': 1, incomplete: 1, blocked: 2 };

function direction(rankFrom: number, rankTo: number): 'worse' | 'better' | 'changed' {
  return rankTo > rankFrom ? 'worse' : rankTo < rankFrom ? 'better' : 'changed';
}

export function diffReports(a: Report, b: Report): ReportDiff {
  const before = new Map(a.checks.map((c) => [c.id, c]));
  const after = new Map(b.checks.map((c) => [c.id, c]));
  const changes: CheckChange[] = [];
  let unchanged = 0;
  for (const c of b.checks) {
    const old = before.get(c.id);
    if (!old) changes.push({ id: c.id, suite: c.suite, title: c.title, from: 'absent', to: c.status, direction: 'added' });
    else if (old.status !== c.status) {
      changes.push({ id: c.id, suite: c.suite, title: c.title, from: old.status, to: c.status, direction: direction(RANK[old.status], RANK[c.status]) });
    } else unchanged++;
  }
  for (const c of a.checks) {
    if (!after.has(c.id)) changes.push({ id: c.id, suite: c.suite, title: c.title, from: c.status, to: 'absent', direction: 'removed' });
  }
  const verdictChanges: VerdictChange[] = [];
  const msA = a.microsoft?.verdict;
  const msB = b.microsoft?.verdict;
  if (msA && msB && msA !== msB) verdictChanges.push({ what: 'microsoft', from: msA, to: msB, direction: direction(MS_RANK[msA]!, MS_RANK[msB]!) });
  const enA = a.entra?.verdict;
  const enB = b.entra?.verdict;
  if (enA && enB && enA !== enB) verdictChanges.push({ what: 'entra', from: enA, to: enB, direction: direction(EN_RANK[enA]!, EN_RANK[enB]!) });
  if (!!a.incomplete !== !!b.incomplete) {
    verdictChanges.push({ what: 'incomplete', from: String(!!a.incomplete), to: String(!!b.incomplete), direction: b.incomplete ? 'worse' : 'better' });
  }
  const worse = changes.some((c) => c.direction === 'worse') || verdictChanges.some((v) => v.direction === 'worse');
  return { changes, verdictChanges, worse, unchanged };
}

/** Plain text, one line per change, worse first (for the terminal; ids and statuses only, no device text). */
export function formatReportDiff(diff: ReportDiff): string {
  const order: Record<ChangeDirection, number> = { worse: 0, changed: 1, removed: 2, added: 3, better: 4 };
  const lines = [...diff.changes]
    .sort((x, y) => order[x.direction] - order[y.direction] || x.id.localeCompare(y.id))
    .map((c) => `${c.direction.padEnd(7)} ${c.id}: ${c.from} -> ${c.to}`);
  for (const v of diff.verdictChanges) lines.push(`${v.direction.padEnd(7)} ${v.what} verdict: ${v.from} -> ${v.to}`);
  lines.push(
    `${diff.changes.length} check(s) changed, ${diff.unchanged} unchanged; ${diff.worse ? 'something got WORSE' : 'nothing got worse'}`,
  );
  return lines.join('\n');
}
