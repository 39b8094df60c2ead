import type { Report } from './model.ts';

/**
 * What a report was run against, as label/value lines for the top of every rendering: the device, the
 * transport, the simulator quirks, and which MDS judged it (a real BLOB with its serial and date, or the
 * built-in test material). Values are raw report text: each renderer escapes them.
 */
export function runHeader(report: Report): Array<[string, string]> {
  const d = report.device;
  const quirks = Array.isArray(d.simulatorQuirks) ? d.simulatorQuirks.filter((q): q is string => typeof q === 'string') : [];
  const lines: Array<[string, string]> = [
    ['device', `${d.aaguid}${d.mds?.description ? ` (${d.mds.description})` : ''}`],
    ['transport', `${d.transport}${d.path !== undefined ? ` ${d.path}` : ''}`],
  ];
  if (d.transport === 'sim' || d.transport === 'udp' || quirks.length) lines.push(['simulator quirks', quirks.length ? quirks.join(', ') : 'none']);
  lines.push(['MDS', mdsLine(report)]);
  return lines;
}

function mdsLine(report: Report): string {
  const m = report.device.mds;
  if (!m) return 'none (no MDS BLOB given: the verdicts that need metadata are not judged)';
  const blob = `BLOB serial ${m.blobNo ?? '?'}${m.nextUpdate ? `, nextUpdate ${m.nextUpdate}` : ''}${m.verifiedAt ? `, judged as of ${m.verifiedAt}` : ''}`;
  const entry = m.found ? `entry found${m.latestStatus ? `, ${m.latestStatus}` : ''}` : 'no entry for this AAGUID';
  if (m.testMaterial) return `test material: ${m.source ?? 'a test BLOB'} (${blob}; not the FIDO Alliance's MDS); ${entry}`;
  return `real BLOB ${m.source ?? ''} (${blob}); ${entry}`.replace('BLOB  (', 'BLOB (');
}
