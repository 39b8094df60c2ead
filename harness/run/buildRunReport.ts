import { createReport, type Report } from '../../reports/index.ts';
import type { AuthenticatorInfo } from '../protocol/index.ts';
import type { CheckResult } from '../../reports/model.ts';
import type { AttestationResult } from '../../mds/attestation/verifyAttestation.ts';
import { evaluateCompat, mdsUsed, type CompatInput } from '../compat/index.ts';
import { formatAaguid, namedInfo } from '../ctap/index.ts';
import type { RunSuitesResult } from '../suites/runSuites.ts';
import type { RunPlan } from '../suites/planRun.ts';
import { TOOL, type LoadedMds, type OpenedRunDevice, type RunOptions } from './RunOptions.ts';

/** What a run gives the Microsoft/Entra evaluator: getInfo, every result, the attestation its suite verified. */
export function compatInputForRun(run: { info?: AuthenticatorInfo; results?: CheckResult[]; attestation?: AttestationResult }, mds: LoadedMds | undefined, at: Date): CompatInput {
  return {
    ...(run.info ? { info: run.info } : {}),
    ...(run.results ? { checks: run.results } : {}),
    ...(run.attestation ? { attestation: run.attestation } : {}),
    ...(mds ? { mds: mdsUsed(mds.store, mds.source === 'test' ? "the simulator's test MDS" : mds.file) } : {}),
    at,
  };
}

/** The report of one device's run: the checks, the Microsoft and Entra evaluations, what was run against what. */
export function buildRunReport(opts: RunOptions, opened: OpenedRunDevice, run: RunSuitesResult, mds: LoadedMds | undefined, at: Date, startedAt: Date, plan?: RunPlan): Report {
  const attestation = run.ctx.artifacts.attestation?.result;
  const { microsoft, entra, mds: mdsSummary } = evaluateCompat({
    ...compatInputForRun({ info: run.ctx.info, results: run.results, ...(attestation ? { attestation } : {}) }, mds, at),
    transport: opened.kind,
    ...(opts.policy ? { policy: opts.policy } : {}),
    ...(opts.userGroups ? { userGroups: opts.userGroups } : {}),
    ...(opts.authStrengths ? { authStrengths: opts.authStrengths } : {}),
  });
  return createReport({
    tool: { ...TOOL },
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    ...(run.incompleteReason ? { incomplete: true, incompleteReason: run.incompleteReason } : {}),
    device: {
      transport: opened.kind,
      path: opened.device.transport.path,
      // the --device text: --rerun-failed goes back to this device
      spec: opts.device,
      aaguid: formatAaguid(run.ctx.info.aaguid),
      getInfo: namedInfo(run.ctx.info),
      // the BLOB was verified and its statuses judged as of `at` (--at, or the run's start)
      ...(mdsSummary ? { mds: { ...mdsSummary, verifiedAt: at.toISOString() } } : {}),
      ...(opts.quirks.length ? { simulatorQuirks: opts.quirks } : {}),
      ...(opts.profile ? { simulatorProfile: { aaguid: formatAaguid(opts.profile.aaguid), ...(opts.profile.description ? { description: opts.profile.description } : {}), findings: opts.profile.findings } } : {}),
    },
    checks: run.results,
    run: {
      touches: ('hid' in opened.device ? opened.device.hid : opened.device.nfc).presence.touches,
      replugs: run.ctx.replugs,
      checksRun: run.results.filter((r) => r.status !== 'skip').length,
      ...(opened.simulatorTouches ? { simulatorTouches: opened.simulatorTouches() } : {}),
      ...(plan ? { planned: { touches: plan.touches, replugs: plan.replugs, seconds: plan.seconds } } : {}),
    },
    microsoft,
    entra,
  });
}
