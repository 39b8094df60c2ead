import type { MdsSummary } from '../../reports/model.ts';
import { gatherFacts, type CompatInput } from './compatInput.ts';

/** device.mds for report.json: what the MDS says about the device (an entry found or not, status, level). */
export function summarizeMds(input: CompatInput): MdsSummary | undefined {
  if (!input.mds) return undefined;
  const f = gatherFacts(input);
  const s = f.mdsStatus;
  const st = f.mdsEntry?.metadataStatement;
  return {
    found: !!f.mdsEntry,
    ...(input.mds.no !== undefined ? { blobNo: input.mds.no } : {}),
    ...(st?.description !== undefined ? { description: st.description } : {}),
    ...(s?.latestStatus ? { latestStatus: s.latestStatus } : {}),
    ...(s?.certificationLevel ? { certificationLevel: s.certificationLevel } : {}),
    ...(s ? { statusVerdict: s.verdict, findings: s.findings.map((x) => `${x.severity}: ${x.message}`) } : {}),
    ...(st?.attestationTypes ? { attestationTypes: st.attestationTypes } : {}),
  };
}
