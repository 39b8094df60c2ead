import type { MdsSummary } from '../../reports/model.ts';
import type { Facts } from './evidence.ts';

/** device.mds for report.json: the MDS entry for the device (found or not, status, level) and which BLOB. */
export function summarizeMds(f: Facts): MdsSummary | undefined {
  const mds = f.input.mds;
  if (!mds) return undefined;
  const s = f.status;
  const st = f.entry?.metadataStatement;
  return {
    found: !!f.entry,
    testMaterial: mds.testMaterial,
    ...(mds.source ? { source: mds.source } : {}),
    ...(mds.store.no !== undefined ? { blobNo: mds.store.no } : {}),
    ...(mds.store.nextUpdate !== undefined ? { nextUpdate: mds.store.nextUpdate } : {}),
    ...(st?.description !== undefined ? { description: st.description } : {}),
    ...(s?.latestStatus ? { latestStatus: s.latestStatus } : {}),
    ...(s?.certificationLevel ? { certificationLevel: s.certificationLevel } : {}),
    ...(s ? { statusVerdict: s.verdict, findings: s.findings.map((x) => `${x.severity}: ${x.message}`) } : {}),
    ...(st?.attestationTypes ? { attestationTypes: st.attestationTypes } : {}),
  };
}
