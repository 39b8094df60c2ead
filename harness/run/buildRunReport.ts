import { createReport, type Report } from '../../reports/index.ts';
import { evaluateEntra, evaluateMicrosoft, summarizeMds, type CompatInput } from '../compat/index.ts';
import { formatAaguid, namedInfo } from '../ctap/index.ts';
import type { RunSuitesResult } from '../suites/runSuites.ts';
import { TOOL, type LoadedMds, type OpenedRunDevice, type RunOptions } from './RunOptions.ts';

/** The report of one device's run: the checks, the Microsoft and Entra evaluations, what was run against what. */
export function buildRunReport(opts: RunOptions, opened: OpenedRunDevice, run: RunSuitesResult, mds: LoadedMds | undefined, at: Date, startedAt: Date): Report {
  const compat: CompatInput = {
    info: run.ctx.info,
    checks: run.results,
    ...(run.ctx.artifacts.attestationObject ? { attestation: run.ctx.artifacts.attestationObject } : {}),
    ...(mds ? { mds: mds.store } : {}),
    at,
  };
  const microsoft = evaluateMicrosoft(compat);
  const entra = evaluateEntra({ ...compat, microsoft, ...(opts.policy ? { policy: opts.policy } : {}) });
  const mdsSummary = summarizeMds(compat);
  return createReport({
    tool: { ...TOOL },
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    ...(run.incompleteReason ? { incomplete: true, incompleteReason: run.incompleteReason } : {}),
    device: {
      transport: opened.kind,
      path: opened.device.transport.path,
      aaguid: formatAaguid(run.ctx.info.aaguid),
      getInfo: namedInfo(run.ctx.info),
      ...(mdsSummary ? { mds: mdsSummary } : {}),
      ...(opts.quirks.length ? { simulatorQuirks: opts.quirks } : {}),
    },
    checks: run.results,
    microsoft,
    entra,
  });
}
