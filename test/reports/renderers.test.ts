import { describe, expect, it } from 'vitest';
import { buildInfo } from '../../authenticator-sim/index.ts';
import { authenticatorOptionsForQuirks, EVIL_TEXT } from '../../authenticator-sim/quirks/index.ts';
import { authenticatorInfoToStatementJson } from '../../mds/testBlob.ts';
import { renderHtml, renderJunit, renderMarkdown, validateReport, type Report } from '../../reports/index.ts';
import { createTestSim } from '../helpers/sim.ts';
import { parseXml } from './parseXml.ts';
import { evilReport, HUGE, sampleReport } from './sampleReport.ts';

/** getInfo of the simulator running the evil-strings quirk, in report form (names, bytes as hex) */
async function evilGetInfo(): Promise<Record<string, unknown>> {
  const t = await createTestSim(authenticatorOptionsForQuirks(['evil-strings']));
  const info = buildInfo(t.sim);
  expect(info.extensions?.some((e) => e.includes('<script>'))).toBe(true);
  return authenticatorInfoToStatementJson(info);
}

describe('HTML report', () => {
  it('should contain no markup, control characters or bidi overrides from the device, and cut 100 KB strings', async () => {
    const report = evilReport(await evilGetInfo());
    expect(validateReport(JSON.parse(JSON.stringify(report))).valid).toBe(true);
    const html = renderHtml(report);
    // only our own one script element; no element from the device
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html).not.toContain('<img');
    // no event-handler attribute on any element (attribute values are quoted and cannot contain a quote)
    expect(html.replace(/="[^"]*"/g, '=""')).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
    expect(html).not.toContain('alert("fido")</script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;fido&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    // NUL, BEL, ESC and RLO made visible
    expect(html).not.toMatch(/[\u0000\u0007\u001b\u202e]/);
    expect(html).toContain('\\u{0000}\\u{0007}\\u{001b}[31m\\u{202e}');
    // 100 KB strings truncated with a note
    expect(html).not.toContain(HUGE.slice(0, 20_000));
    expect(html).toMatch(/… \[\d+ more characters\]/);
    expect(html.length).toBeLessThan(150_000);
    // self-contained: no external requests
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
    expect(html).toContain("default-src 'none'");
  });

  it('should render the scorecard, filters, areas and evidence', () => {
    const html = renderHtml(sampleReport());
    expect(html).toContain('data-verdict="microsoft">not-compatible<');
    expect(html).toContain('data-verdict="entra">allowed<');
    for (const s of ['pass', 'fail', 'warn', 'skip', 'error']) expect(html).toContain(`data-filter="${s}"`);
    expect(html).toContain('data-area-bar="makecredential"');
    expect(html).toContain('00a10181684649444f5f325f30');
    expect(html).toContain('{1: [&quot;FIDO_2_0&quot;]}');
    expect(html).toMatch(/<details class="area" id="area-makecredential" data-area="makecredential" open>/);
  });

  it('should show an incomplete run as such', () => {
    const html = renderHtml({ ...sampleReport(), incomplete: true, incompleteReason: 'device removed' });
    expect(html).toMatch(/id="incomplete"><b>Incomplete run.<\/b> device removed/);
  });
});

describe('JUnit XML', () => {
  const counts = (r: Report) => {
    const root = parseXml(renderJunit(r));
    expect(root.name).toBe('testsuites');
    const cases = root.children.flatMap((s) => s.children.filter((c) => c.name === 'testcase'));
    return {
      root: root.attrs,
      suites: root.children.map((s) => s.attrs.name),
      tests: cases.length,
      failures: cases.filter((c) => c.children.some((x) => x.name === 'failure')).length,
      errors: cases.filter((c) => c.children.some((x) => x.name === 'error')).length,
      skipped: cases.filter((c) => c.children.some((x) => x.name === 'skipped')).length,
      perSuite: root.children.map((s) => [s.attrs.tests, s.children.filter((c) => c.name === 'testcase').length]),
    };
  };

  it('should parse as XML with one testsuite per area and counts equal to report.json, then the verdicts', () => {
    const r = sampleReport();
    const c = counts(r);
    expect(c.suites).toEqual(['getinfo', 'makecredential', 'getassertion', 'microsoft-entra']);
    const verdicts = 1 + r.microsoft!.requirements.length + 1 + (r.entra!.authStrengths?.length ?? 0);
    expect(c.tests).toBe(r.checks.length + verdicts);
    const vFailed = (r.microsoft!.verdict === 'not-compatible' ? 1 : 0) + r.microsoft!.requirements.filter((x) => x.status === 'fail').length + (r.entra!.verdict === 'blocked' ? 1 : 0);
    const vSkipped = (r.microsoft!.verdict === 'incomplete' ? 1 : 0) + r.microsoft!.requirements.filter((x) => x.status === 'skip').length + (['incomplete', 'depends-on-group'].includes(r.entra!.verdict) ? 1 : 0);
    expect(c.failures).toBe(r.summary.failed + vFailed);
    expect(c.errors).toBe(r.summary.errored);
    expect(c.skipped).toBe(r.summary.skipped + vSkipped);
    expect(c.root).toMatchObject({ tests: String(6 + verdicts), failures: String(1 + vFailed), errors: '1', skipped: String(1 + vSkipped) });
    for (const [declared, actual] of c.perSuite) expect(Number(declared)).toBe(actual);
  });

  it('should carry a blocked Entra verdict and a failing requirement as failures CI viewers show', () => {
    const r = sampleReport();
    r.entra!.verdict = 'blocked';
    r.entra!.fix = { kind: 'device', text: 'fix the key: WEBAUTHN-ENTRA-002', checks: ['WEBAUTHN-ENTRA-002'] };
    r.microsoft!.requirements[0]!.status = 'fail';
    const suite = parseXml(renderJunit(r)).children.find((s) => s.attrs.name === 'microsoft-entra')!;
    const entra = suite.children.find((t) => t.attrs.name === 'Entra ID passkey verdict')!;
    expect(entra.children.find((x) => x.name === 'failure')!.attrs.message).toBe('blocked');
    expect(renderJunit(r)).toContain('fix the key: WEBAUTHN-ENTRA-002');
    const req = suite.children.find((t) => t.attrs.name?.startsWith(r.microsoft!.requirements[0]!.id))!;
    expect(req.children.some((x) => x.name === 'failure')).toBe(true);
  });

  it('should stay well-formed with evil strings, keeping the text', async () => {
    const r = evilReport(await evilGetInfo());
    const xml = renderJunit(r);
    const root = parseXml(xml);
    const failure = root.children[0]!.children.find((c) => c.name === 'testcase')!.children.find((c) => c.name === 'failure')!;
    expect(failure.attrs.message).toContain('<script>alert("fido")</script>');
    expect(xml.length).toBeLessThan(60_000);
    expect(counts(r).failures).toBe(r.summary.failed);
  });
});

describe('Markdown summary', () => {
  it('should escape device text: no HTML, no table breakouts, no line breaks', async () => {
    const md = renderMarkdown(evilReport(await evilGetInfo()));
    expect(md).not.toContain('<script');
    expect(md).not.toContain('<img');
    expect(md).not.toMatch(/[\u0000\u0007\u001b\u202e]/);
    // every table row has as many unescaped pipes as its header
    const tables = md.split('\n\n').map((b) => b.split('\n').filter((l) => l.startsWith('|')));
    for (const rows of tables.filter((t) => t.length)) {
      const pipes = (l: string) => (l.match(/(?<!\\)\|/g) ?? []).length;
      for (const row of rows) expect(pipes(row)).toBe(pipes(rows[0]!));
    }
    expect(md.length).toBeLessThan(20_000);
  });

  it('should list verdicts, counts and the checks not passed', () => {
    const md = renderMarkdown(sampleReport());
    expect(md).toContain('| not\\-compatible | allowed | 2 | 1 | 1 | 1 | 1 |');
    expect(md).toContain('| CTAP2\\-MC\\-001 | fail |');
    expect(md).not.toContain('| CTAP2\\-GA\\-002 |');
  });
});

it('uses the evil-strings quirk text', () => expect(EVIL_TEXT).toContain('<script>'));

describe('Microsoft/Entra in every format', () => {
  const entraReport = () =>
    sampleReport({
      microsoft: { verdict: 'incomplete', mdsNote: "test material, not Microsoft's view: the MDS consulted is not the FIDO Alliance's BLOB", requirements: [{ id: 'MS-RK', title: 'Discoverable credentials', status: 'skip', source: 'S1, S2', checkIds: ['RK-DISCOVER-001'], evidence: ['skip: RK-DISCOVER-001 was not run'] }] },
      entra: {
        verdict: 'blocked',
        policySource: 'file',
        policy: {},
        reasons: [
          { id: 'EN-KEY-RESTRICTIONS', status: 'fail', message: 'legacy policy: AAGUID x is not in the allow list (1 entries)', source: 'S3, S6' },
          { id: 'EN-AUTH-STRENGTH', status: 'fail', message: '"Keys only" (s.json): "fido2" is not among its allowedCombinations', source: 'S6' },
        ],
        suggestedPolicy: { keyRestrictions: { aaGuids: ['x'] } },
        fix: { kind: 'policy', text: 'PATCH …', method: 'PATCH', path: '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2', body: { '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration', keyRestrictions: { aaGuids: ['x'] } } },
        authStrengths: [{ id: 'c0ffee', displayName: 'Keys only', policyType: 'custom', status: 'fail', message: '"fido2" is not among its allowedCombinations', from: 's.json', fix: { kind: 'policy', text: 'POST …', method: 'POST', path: '/identity/conditionalAccess/authenticationStrength/policies/c0ffee/updateAllowedCombinations', body: { allowedCombinations: ['fido2'] } } }],
      },
    });

  it('should show the test-material note, the EN-AUTH-STRENGTH line and both fixes in HTML, Markdown and JUnit, and stay valid JSON', () => {
    const r = entraReport();
    expect(validateReport(JSON.parse(JSON.stringify(r))).valid).toBe(true);
    for (const [name, text] of [['html', renderHtml(r)], ['md', renderMarkdown(r)], ['junit', renderJunit(r)]] as const) {
      expect(text, name).toContain('test material, not Microsoft');
      expect(text, name).toContain('EN-AUTH-STRENGTH');
    }
    for (const [name, text] of [['html', renderHtml(r)], ['md', renderMarkdown(r)]] as const) {
      expect(text, name).toContain('/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2');
      expect(text, name).toContain('/identity/conditionalAccess/authenticationStrength/policies/c0ffee/updateAllowedCombinations');
      expect(text, name).toMatch(/S6 Microsoft Graph/);
    }
  });

  it('should say "fix the key" with no PATCH for a device defect', () => {
    const r = entraReport();
    r.entra!.fix = { kind: 'device', text: 'fix the key: WEBAUTHN-ENTRA-002', checks: ['WEBAUTHN-ENTRA-002'] };
    r.entra!.suggestedPolicy = {};
    r.entra!.authStrengths = [];
    // Markdown escapes its punctuation (WEBAUTHN\-ENTRA\-002), which renders as the id
    for (const text of [renderHtml(r), renderMarkdown(r).replace(/\\/g, '')]) {
      expect(text).toContain('fix the key: WEBAUTHN-ENTRA-002');
      expect(text).toContain('no policy change can help');
      expect(text).not.toContain('authenticationMethodConfigurations/fido2');
    }
  });
});
