import type { CheckEvidence, CheckResult, CheckStatus, EntraEvaluation, EntraFix, EvidenceExchange, MicrosoftEvaluation, Report, RunCost } from './model.ts';
import { CHECK_STATUSES, SOURCES_LEGEND } from './model.ts';
import { groupByArea } from './areas.ts';
import { cleanValue, html } from './escapeText.ts';
import { runHeader } from './runHeader.ts';
import { SUMMARY_KEY } from './summarizeChecks.ts';

/**
 * report.html: one self-contained file (inline CSS and JS; a Content-Security-Policy forbids every
 * external request). Scorecard first (Microsoft and Entra verdicts, counts by status with filters, one bar
 * per area), then Microsoft requirements, Entra, device and MDS, then the areas with their checks, each
 * expandable to its evidence. Every string from the report goes through `html()` (control characters made
 * visible, truncated, escaped); the script only toggles classes and reads data-* attributes.
 */

const STATUS_LABEL: Record<CheckStatus, string> = { pass: 'passed', fail: 'failed', warn: 'warned', skip: 'skipped', error: 'errored' };
/** hex is long by nature (a message may be 7609 bytes); other text is cut sooner */
const MAX_HEX = 16_384;
const MAX_TEXT = 4096;
const MAX_TITLE = 300;

const CSS = `
:root{--pass:#1a7f37;--fail:#cf222e;--warn:#9a6700;--skip:#6e7781;--error:#8250df;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1200px;padding:16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:24px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
.muted{color:var(--muted)}code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
pre{background:#f6f8fa;border:1px solid var(--line);border-radius:4px;padding:8px;white-space:pre-wrap;word-break:break-all;max-height:400px;overflow:auto;margin:4px 0}
.banner{background:#fff8c5;border:1px solid #d4a72c;padding:8px 12px;border-radius:4px;margin:8px 0}
.scorecard{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:12px;margin:12px 0}
.card{border:1px solid var(--line);border-radius:6px;padding:10px 12px}.card h3{margin:0 0 6px;font-size:13px;color:var(--muted);font-weight:600;text-transform:uppercase}
.verdict{font-size:20px;font-weight:700}.v-good{color:var(--pass)}.v-bad{color:var(--fail)}.v-unknown{color:var(--warn)}
.badge{display:inline-block;min-width:44px;text-align:center;border-radius:10px;padding:0 8px;color:#fff;font-size:12px;font-weight:600}
.s-pass{background:var(--pass)}.s-fail{background:var(--fail)}.s-warn{background:var(--warn)}.s-skip{background:var(--skip)}.s-error{background:var(--error)}
.counts{display:flex;flex-wrap:wrap;gap:6px}.counts label{cursor:pointer;border:1px solid var(--line);border-radius:14px;padding:2px 10px;user-select:none}
.counts input{margin:0 4px 0 0;vertical-align:middle}
.bars{display:grid;grid-template-columns:minmax(120px,200px) 1fr auto;gap:4px 10px;align-items:center;margin:8px 0}
.bar{display:flex;height:14px;border-radius:3px;overflow:hidden;background:#eee}.bar span{display:block;height:100%}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}th{font-size:12px;color:var(--muted)}
details.area{border:1px solid var(--line);border-radius:6px;margin:8px 0}details.area>summary{padding:8px 10px;cursor:pointer;font-weight:600}
details.check{border-top:1px solid var(--line)}details.check>summary{padding:5px 10px;cursor:pointer;display:flex;gap:8px;align-items:baseline}
details.check>summary .title{flex:1}.check-body{padding:4px 12px 10px 24px}
.hidden{display:none!important}.toolbar{display:flex;gap:8px;margin:8px 0}.toolbar button{font:inherit;padding:2px 10px}
.exchange{border-left:3px solid var(--line);padding-left:8px;margin:6px 0}.why{color:var(--fail)}.rerun code{user-select:all}
@media print{.toolbar,.filters-note{display:none}details>summary{list-style:none}pre{max-height:none;overflow:visible}body{max-width:none}.card,details.area{break-inside:avoid}}
`;

// Filters: a checkbox per status hides checks of that status (and areas left empty). Print opens everything.
const SCRIPT = `
(function(){
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[data-filter]'));
  function apply(){
    var shown = {};
    boxes.forEach(function(b){ shown[b.getAttribute('data-filter')] = b.checked; });
    var visible = 0;
    document.querySelectorAll('details.check').forEach(function(c){
      var on = shown[c.getAttribute('data-status')] !== false;
      c.classList.toggle('hidden', !on);
      if (on) visible++;
    });
    document.querySelectorAll('details.area').forEach(function(a){
      a.classList.toggle('hidden', a.querySelectorAll('details.check:not(.hidden)').length === 0);
    });
    var n = document.getElementById('visible-count');
    if (n) n.textContent = String(visible);
  }
  boxes.forEach(function(b){ b.addEventListener('change', apply); });
  function setAll(open){ document.querySelectorAll('details').forEach(function(d){ d.open = open; }); }
  var e = document.getElementById('expand-all'); if (e) e.addEventListener('click', function(){ setAll(true); });
  var c = document.getElementById('collapse-all'); if (c) c.addEventListener('click', function(){ setAll(false); });
  window.addEventListener('beforeprint', function(){ setAll(true); });
  apply();
})();
`;

function badge(status: string): string {
  return `<span class="badge s-${html(status, 16)}">${html(status, 16)}</span>`;
}

function verdictClass(v: string | undefined): string {
  if (v === 'compatible' || v === 'allowed') return 'v-good';
  if (v === 'not-compatible' || v === 'blocked') return 'v-bad';
  return 'v-unknown';
}

function anchor(id: string): string {
  return `check-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function jsonBlock(value: unknown, maxString = 512): string {
  return `<pre>${html(JSON.stringify(cleanValue(value, maxString), null, 2), 200_000)}</pre>`;
}

function renderScorecard(report: Report): string {
  const areas = groupByArea(report.checks);
  const total = report.checks.length;
  const ms = report.microsoft?.verdict;
  const en = report.entra?.verdict;
  const counts = CHECK_STATUSES.map(
    (s) =>
      `<label><input type="checkbox" data-filter="${s}" checked>${badge(s)} <span class="count" data-count="${s}">${report.summary[SUMMARY_KEY[s]]}</span> ${STATUS_LABEL[s]}</label>`,
  ).join('');
  const bars = areas
    .map((a) => {
      const n = a.checks.length || 1;
      const segs = CHECK_STATUSES.filter((s) => a.summary[SUMMARY_KEY[s]] > 0)
        .map((s) => `<span class="s-${s}" style="width:${((a.summary[SUMMARY_KEY[s]] / n) * 100).toFixed(2)}%" title="${a.summary[SUMMARY_KEY[s]]} ${STATUS_LABEL[s]}"></span>`)
        .join('');
      const text = CHECK_STATUSES.filter((s) => a.summary[SUMMARY_KEY[s]] > 0).map((s) => `${a.summary[SUMMARY_KEY[s]]} ${s}`).join(', ');
      return `<a href="#area-${html(a.name, 200)}" class="mono">${html(a.name, 200)}</a><div class="bar" data-area-bar="${html(a.name, 200)}">${segs}</div><span class="muted">${text}</span>`;
    })
    .join('');
  return `<section id="scorecard" aria-label="Scorecard">
<div class="scorecard">
  <div class="card" id="card-microsoft"><h3>Microsoft-compatible</h3><div class="verdict ${verdictClass(ms)}" data-verdict="microsoft">${html(ms ?? 'not evaluated', 40)}</div>
    ${report.microsoft ? `<div class="muted">${report.microsoft.requirements.filter((r) => r.status === 'pass').length}/${report.microsoft.requirements.length} requirements pass</div>` : ''}</div>
  <div class="card" id="card-entra"><h3>Entra ID passkeys</h3><div class="verdict ${verdictClass(en)}" data-verdict="entra">${html(en ?? 'not evaluated', 40)}</div>
    ${report.entra ? `<div class="muted">policy: ${report.entra.policySource === 'file' ? 'from file' : "Entra's defaults"}</div>` : ''}</div>
  <div class="card" id="card-checks"><h3>Checks</h3><div class="verdict">${total}</div><div class="muted"><span id="visible-count">${total}</span> shown</div></div>
${report.run ? renderRunCost(report.run) : ''}
</div>
<div class="counts filters" role="group" aria-label="Filter checks by status">${counts}</div>
<p class="filters-note muted">Untick a status to hide its checks.</p>
<div class="bars" id="area-bars">${bars}</div>
</section>`;
}

/** The touches and replugs the run cost (and what the plan said), for whoever sat at the key. */
function renderRunCost(run: RunCost): string {
  const planned = run.planned ? `planned ${run.planned.touches} touches, ${run.planned.replugs} replugs` : '';
  const sim = run.simulatorTouches !== undefined ? `simulator approved ${run.simulatorTouches}` : '';
  return `  <div class="card" id="card-touches"><h3>Touches</h3><div class="verdict" data-touches="${run.touches}">${run.touches}</div><div class="muted">${run.replugs} replugs · ${run.checksRun} checks run${
    planned ? ` · ${planned}` : ''
  }${sim ? ` · ${sim}` : ''}</div></div>`;
}

function renderMicrosoft(ms: MicrosoftEvaluation): string {
  const rows = ms.requirements
    .map(
      (r) =>
        `<tr data-requirement="${html(r.id, 64)}"><td class="mono">${html(r.id, 64)}</td><td>${badge(r.status)}</td><td>${html(r.title, MAX_TITLE)}</td><td>${r.evidence
          .map((e) => html(e, 1000))
          .join('<br>')}</td><td>${html(r.source, 100)}</td><td>${r.checkIds.map((id) => `<a class="mono" href="#${anchor(id)}">${html(id, 64)}</a>`).join(' ')}</td></tr>`,
    )
    .join('');
  const info = ms.information?.length
    ? `<h3>Information (not required by Microsoft)</h3><table><tr><th>item</th><th>value</th></tr>${ms.information
        .map((i) => `<tr><td>${html(i.title, MAX_TITLE)}</td><td>${html(i.value, 1000)}</td></tr>`)
        .join('')}</table>`
    : '';
  const note = ms.mdsNote ? `<p class="muted" id="mds-note"><b>${html(ms.mdsNote, 300)}</b></p>` : '';
  return `<section id="microsoft"><h2>Microsoft-compatible security key: <span class="${verdictClass(ms.verdict)}">${html(ms.verdict, 40)}</span></h2>${note}
<p class="muted">${html(SOURCES_LEGEND, 2000)}</p>
<table><tr><th>id</th><th>status</th><th>requirement</th><th>evidence</th><th>source</th><th>checks</th></tr>${rows}</table>${info}</section>`;
}

/** A fix: the Graph request to send, or the key's failing checks (no policy change helps). */
function renderFix(fix: EntraFix | undefined): string {
  if (!fix) return '<p class="muted">none</p>';
  if (fix.kind === 'policy') return `<p><span class="mono">${html(fix.method, 8)} ${html(fix.path, 500)}</span></p>${jsonBlock(fix.body)}`;
  return `<p${fix.kind === 'device' ? ' class="fail"' : ''}>${html(fix.text, 1000)}${fix.kind === 'device' ? ' (no policy change can help)' : ''}</p>`;
}

function renderEntra(en: EntraEvaluation): string {
  const reasons = (list: EntraEvaluation['reasons']) =>
    `<table><tr><th>id</th><th>status</th><th>reason</th><th>source</th></tr>${list
      .map((r) => `<tr><td class="mono">${html(r.id, 64)}</td><td>${badge(r.status)}</td><td>${html(r.message, 1000)}</td><td>${html(r.source, 100)}</td></tr>`)
      .join('')}</table>`;
  // the first scenario is the main table; the others list only what differs from it
  const scenarios = (en.scenarios ?? [])
    .slice(1)
    .map((s) => `<h3>Scenario ${html(s.name, 200)}: <span class="${verdictClass(s.verdict)}">${html(s.verdict, 40)}</span></h3>${reasons(s.reasons.filter((r) => !en.reasons.some((m) => m.id === r.id && m.status === r.status && m.message === r.message)))}`)
    .join('');
  const strengths = en.authStrengths?.length
    ? `<h3>Authentication strengths (EN-AUTH-STRENGTH)</h3><table><tr><th>strength</th><th>status</th><th>reason</th><th>from</th><th>fix</th></tr>${en.authStrengths
        .map((st) => `<tr><td>${html(st.displayName, MAX_TITLE)}</td><td>${badge(st.status)}</td><td>${html(st.message, 1000)}</td><td>${html(st.from, 300)}</td><td>${renderFix(st.fix)}</td></tr>`)
        .join('')}</table>`
    : '';
  const view = en.authenticationMethod
    ? `<h3>fido2AuthenticationMethod as Entra would show it</h3>${jsonBlock(en.authenticationMethod)}`
    : '';
  return `<section id="entra"><h2>Entra ID passkey (FIDO2) policy: <span class="${verdictClass(en.verdict)}">${html(en.verdict, 40)}</span></h2>
<p class="muted">Policy: ${en.policySource === 'file' ? 'as given' : "Entra's defaults (no policy given)"}</p>
${en.userGroups ? `<p class="muted">User's groups: ${html(en.userGroups.join(', '), 1000)}</p>` : ''}
${reasons(en.reasons)}<h3>What would allow the key</h3>${renderFix(en.fix)}${strengths}${scenarios}${view}
<details><summary>Policy evaluated</summary>${jsonBlock(en.policy)}</details></section>`;
}

function renderDevice(report: Report): string {
  const d = report.device;
  const mds = d.mds
    ? `<h3>MDS</h3><table>${Object.entries(cleanValue(d.mds, 1000) as Record<string, unknown>)
        .map(([k, v]) => `<tr><th>${html(k, 100)}</th><td>${html(typeof v === 'string' ? v : JSON.stringify(v), 4000)}</td></tr>`)
        .join('')}</table>`
    : '<p class="muted">No MDS information.</p>';
  return `<section id="device"><h2>Device</h2>
<table><tr><th>transport</th><td>${html(d.transport, 200)}</td></tr>${d.path !== undefined ? `<tr><th>path</th><td class="mono">${html(d.path, 500)}</td></tr>` : ''}
<tr><th>AAGUID</th><td class="mono">${html(d.aaguid, 64)}</td></tr></table>
<details><summary>getInfo</summary>${jsonBlock(d.getInfo)}</details>${mds}</section>`;
}

function renderExchange(x: EvidenceExchange): string {
  const part = (name: string, hex?: string, diag?: string) =>
    hex !== undefined || diag !== undefined
      ? `<div><b>${name}</b>${hex !== undefined ? `<pre class="hex">${html(hex, MAX_HEX)}</pre>` : ''}${diag !== undefined ? `<pre class="diag">${html(diag, MAX_HEX)}</pre>` : ''}</div>`
      : '';
  return `<div class="exchange"><div>${html(x.label ?? 'exchange', MAX_TITLE)}${x.status !== undefined ? ` → <span class="mono">${html(x.status, 200)}</span>` : ''}${
    x.durationMs !== undefined ? ` <span class="muted">${x.durationMs.toFixed(1)} ms</span>` : ''
  }</div>${part('request', x.requestHex, x.requestDiagnostic)}${part('response', x.responseHex, x.responseDiagnostic)}</div>`;
}

function renderEvidence(e: CheckEvidence): string {
  const { exchanges, trace, expected, actual, rerun, ...rest } = e;
  // the command that runs this check again comes first: it is what a vendor copies
  let out = typeof rerun === 'string' ? `<p class="rerun">run it again: <code>${html(rerun, 2000)}</code></p>` : '';
  if (expected !== undefined || actual !== undefined) {
    out += `<table>${expected !== undefined ? `<tr><th>expected</th><td>${html(expected, MAX_TEXT)}</td></tr>` : ''}${
      actual !== undefined ? `<tr><th>actual</th><td>${html(actual, MAX_TEXT)}</td></tr>` : ''
    }</table>`;
  }
  if (exchanges?.length) out += exchanges.slice(0, 100).map(renderExchange).join('') + (exchanges.length > 100 ? `<p class="muted">${exchanges.length - 100} more exchanges</p>` : '');
  if (trace?.length) out += `<pre class="trace">${html(trace.slice(0, 500).join('\n'), 50_000)}</pre>`;
  if (Object.keys(rest).length) out += jsonBlock(rest);
  return out;
}

function renderCheck(c: CheckResult): string {
  return `<details class="check" id="${anchor(c.id)}" data-status="${html(c.status, 16)}" data-check-id="${html(c.id, 64)}"><summary>${badge(c.status)}<span class="mono">${html(
    c.id,
    64,
  )}</span><span class="title">${html(c.title, MAX_TITLE)}${
    c.status === 'fail' || c.status === 'error' ? `<span class="why"> — ${html(c.message, MAX_TITLE)}</span>` : ''
  }</span><span class="muted">${c.touches ? `${c.touches} touch${c.touches > 1 ? 'es' : ''} · ` : ''}${c.durationMs.toFixed(1)} ms</span></summary>
<div class="check-body"><p>${html(c.message, MAX_TEXT)}</p><p class="muted">${html(c.specRef, MAX_TITLE)}</p>${c.evidence ? renderEvidence(c.evidence) : ''}</div></details>`;
}

function renderAreas(report: Report): string {
  return groupByArea(report.checks)
    .map((a) => {
      const bad = a.summary.failed + a.summary.errored > 0;
      const counts = CHECK_STATUSES.filter((s) => a.summary[SUMMARY_KEY[s]] > 0).map((s) => `${a.summary[SUMMARY_KEY[s]]} ${s}`).join(', ');
      return `<details class="area" id="area-${html(a.name, 200)}" data-area="${html(a.name, 200)}"${bad ? ' open' : ''}><summary>${html(a.name, 200)} <span class="muted">(${counts}; ${a.durationMs.toFixed(0)} ms)</span></summary>${a.checks
        .map(renderCheck)
        .join('')}</details>`;
    })
    .join('');
}

export function renderHtml(report: Report): string {
  const title = `fido-harness report: ${report.device.aaguid}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(title, 200)}</title><style>${CSS}</style></head>
<body>
<header><h1>FIDO2 conformance report</h1>
<div class="muted">${html(report.tool.name, 100)} ${html(report.tool.version, 100)} · ${html(report.startedAt, 64)} → ${html(report.finishedAt, 64)}</div>
<table id="run-header">${runHeader(report)
    .map(([k, v]) => `<tr><th>${k}</th><td>${html(v, 1000)}</td></tr>`)
    .join('')}</table>
${report.incomplete ? `<div class="banner" id="incomplete"><b>Incomplete run.</b> ${html(report.incompleteReason ?? 'The run was cut short.', 1000)}</div>` : ''}
</header>
${renderScorecard(report)}
${report.microsoft ? renderMicrosoft(report.microsoft) : ''}
${report.entra ? renderEntra(report.entra) : ''}
${renderDevice(report)}
<section id="checks"><h2>Checks by area</h2>
<div class="toolbar"><button type="button" id="expand-all">Expand all</button><button type="button" id="collapse-all">Collapse all</button></div>
${renderAreas(report)}</section>
<script>${SCRIPT}</script>
</body></html>
`;
}
