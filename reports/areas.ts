import type { CheckResult, Summary } from './model.ts';
import { summarizeChecks } from './summarizeChecks.ts';

export interface Area {
  /** the checks' `suite` */
  name: string;
  checks: CheckResult[];
  summary: Summary;
  durationMs: number;
}

/** Checks grouped by area (their suite), areas in order of first appearance, checks in report order. */
export function groupByArea(checks: readonly CheckResult[]): Area[] {
  const byName = new Map<string, CheckResult[]>();
  for (const c of checks) {
    const list = byName.get(c.suite);
    if (list) list.push(c);
    else byName.set(c.suite, [c]);
  }
  return [...byName].map(([name, list]) => ({
    name,
    checks: list,
    summary: summarizeChecks(list),
    durationMs: list.reduce((t, c) => t + c.durationMs, 0),
  }));
}
