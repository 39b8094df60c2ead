// Every rendering opens with what the run was against (device, transport, simulator quirks, MDS real or
// test material), and a failing check shows why in its row and how to run it again first in its evidence.
import { describe, expect, it } from 'vitest';
import { renderHtml, renderMarkdown } from '../../reports/index.ts';
import { runHeader } from '../../reports/runHeader.ts';
import { check, sampleReport } from './sampleReport.ts';

const RERUN = 'fido-harness run --device sim --check CTAP2-MC-001 --sim-quirk exclude-list-ignored';

function report(mds: Record<string, unknown> | undefined, quirks?: string[]) {
  return sampleReport({
    device: {
      transport: 'sim',
      path: 'memory:simulator',
      aaguid: 'be7c888f-f407-45b9-bab1-f1e15cedc047',
      getInfo: {},
      ...(mds ? { mds: { found: true, ...mds } } : {}),
      ...(quirks ? { simulatorQuirks: quirks } : {}),
    },
    checks: [
      check('CTAP2-MC-001', 'make-credential', 'fail', {
        message: 'a credential was made despite the excludeList',
        evidence: { exchanges: [{ label: 'authenticatorMakeCredential (0x01)', requestHex: '01a0' }], rerun: RERUN },
      }),
      check('CTAP2-MC-002', 'make-credential', 'pass'),
    ],
  });
}

describe('runHeader', () => {
  it('names the test MDS as test material, with its serial and judging date', () => {
    const lines = Object.fromEntries(runHeader(report({ testMaterial: true, source: "the simulator's test MDS", blobNo: 1, verifiedAt: '2026-11-30T10:00:00.000Z', description: 'sim' }, ['exclude-list-ignored'])));
    expect(lines.device).toBe('be7c888f-f407-45b9-bab1-f1e15cedc047 (sim)');
    expect(lines.transport).toBe('sim memory:simulator');
    expect(lines['simulator quirks']).toBe('exclude-list-ignored');
    expect(lines.MDS).toMatch(/^test material: the simulator's test MDS \(BLOB serial 1, judged as of 2026-11-30T10:00:00.000Z; not the FIDO Alliance's MDS\)/);
  });

  it('names a real BLOB by file, serial and date; says when there is none; quirks "none" for a simulator', () => {
    const real = Object.fromEntries(runHeader(report({ testMaterial: false, source: 'blob-2021-no9.jwt', blobNo: 9, nextUpdate: '2021-12-01', verifiedAt: '2021-11-15T00:00:00.000Z' })));
    expect(real.MDS).toBe('real BLOB blob-2021-no9.jwt (BLOB serial 9, nextUpdate 2021-12-01, judged as of 2021-11-15T00:00:00.000Z); entry found');
    expect(real['simulator quirks']).toBe('none');
    expect(Object.fromEntries(runHeader(report(undefined))).MDS).toMatch(/^none \(no MDS BLOB given/);
  });
});

describe('renderings', () => {
  const r = report({ testMaterial: true, blobNo: 1 }, ['exclude-list-ignored']);

  it('report.html: header table, the failure message in the row, the rerun command before the exchanges', () => {
    const html = renderHtml(r);
    expect(html).toMatch(/<table id="run-header">.*<th>simulator quirks<\/th><td>exclude-list-ignored<\/td>.*<th>MDS<\/th><td>test material/s);
    const row = /<details class="check" id="check-CTAP2-MC-001"[^]*?<\/summary>/.exec(html)![0];
    expect(row).toContain('a credential was made despite the excludeList');
    const body = html.slice(html.indexOf('id="check-CTAP2-MC-001"'));
    expect(body.indexOf(RERUN)).toBeGreaterThan(0);
    expect(body.indexOf(RERUN)).toBeLessThan(body.indexOf('authenticatorMakeCredential'));
    // a passing row carries no message in its summary
    expect(/<details class="check" id="check-CTAP2-MC-002"[^]*?<\/summary>/.exec(html)![0]).not.toContain('class="why"');
  });

  it('summary.md: the header lines and the rerun command beside the failing check', () => {
    const md = renderMarkdown(r);
    expect(md).toMatch(/^- simulator quirks: exclude\\-list\\-ignored$/m);
    expect(md).toMatch(/^- MDS: test material/m);
    expect(md).toMatch(/^\| CTAP2\\-MC\\-001 \| fail \|.*\| `fido-harness run --device sim --check CTAP2-MC-001 --sim-quirk exclude-list-ignored` \|$/m);
  });
});
