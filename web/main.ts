// The fido-harness page: WebAuthn ceremonies against harness/rp with @simplewebauthn/browser, the decoded
// registration, the signed-in user's credentials and a viewer for runs/*/report.json (the server renders
// it as report.html, with the same renderer as `fido-harness run`).
import { startAuthentication, startRegistration, WebAuthnError } from '@simplewebauthn/browser';
import { api, ApiError } from './api.ts';
import { el, replace, table } from './dom.ts';
import { renderRegistration } from './renderRegistration.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const result = $('result');
const detail = $('result-detail');
const profile = $<HTMLSelectElement>('profile');
const choiceIds = ['attestation', 'residentKey', 'userVerification'] as const;
/** Entra ID's passkey registration request: the server enforces the profile; the page mirrors it */
const ENTRA = { attestation: 'direct', residentKey: 'required', userVerification: 'required' } as const;

let simulatorUsesTestMds = false;

function simulatorMode(): boolean {
  return document.querySelector<HTMLInputElement>('input[name="mode"]:checked')?.value === 'simulator';
}

function value(id: string): string {
  return $<HTMLInputElement | HTMLSelectElement>(id).value;
}

function show(ok: boolean, text: string, more = ''): void {
  result.textContent = text;
  result.className = ok ? 'ok' : 'error';
  detail.textContent = more;
}

function describeError(e: unknown): string {
  if (e instanceof ApiError) return `error: ${e.message}${e.code ? ` (${e.code})` : ''}`;
  if (e instanceof WebAuthnError) return `error: ${e.message} (${e.code})`;
  if (e instanceof Error) return `error: ${e.name === 'NotAllowedError' ? 'the ceremony was cancelled or timed out' : e.message}`;
  return `error: ${String(e)}`;
}

function applyProfile(): void {
  const entra = profile.value === 'entra';
  for (const id of choiceIds) {
    const select = $<HTMLSelectElement>(id);
    if (entra) select.value = ENTRA[id];
    select.disabled = entra;
  }
}

async function register(): Promise<void> {
  show(true, 'Registering… follow your authenticator\'s prompt.');
  try {
    const username = value('username').trim();
    const attachment = value('attachment');
    const request = {
      username,
      ...(value('displayName').trim() ? { displayName: value('displayName').trim() } : {}),
      profile: profile.value,
      ...(profile.value === 'custom'
        ? { attestation: value('attestation'), residentKey: value('residentKey'), userVerification: value('userVerification') }
        : {}),
      ...(attachment ? { authenticatorAttachment: attachment } : {}),
    };
    let verified;
    if (simulatorMode()) {
      // the server runs the authenticator step with the harness client against its simulator
      verified = await api('/api/sim/register', request);
    } else {
      const started = await api('/api/registration/options', request);
      const response = await startRegistration({ optionsJSON: started.options });
      verified = await api('/api/registration/verify', { ceremonyId: started.ceremonyId, response });
    }
    show(
      true,
      'verified',
      `Registered a credential for ${verified.username}: ${verified.registration.model ?? `AAGUID ${verified.registration.aaguid}`}, ${verified.registration.fmt} attestation${simulatorMode() ? ` (built-in simulator${simulatorUsesTestMds ? ", judged against its test MDS" : ''})` : ''}.`,
    );
    replace($('decoded'), renderRegistration(verified.registration));
    await loadCredentials();
  } catch (e) {
    show(false, describeError(e));
  }
}

async function signIn(): Promise<void> {
  show(true, 'Signing in… follow your authenticator\'s prompt.');
  try {
    const discoverable = $<HTMLInputElement>('discoverable').checked;
    const uv = profile.value === 'entra' ? 'required' : value('userVerification');
    const request = { ...(discoverable ? {} : { username: value('username').trim() }), userVerification: uv };
    let verified;
    if (simulatorMode()) {
      verified = await api('/api/sim/authenticate', request);
    } else {
      const started = await api('/api/authentication/options', request);
      const response = await startAuthentication({ optionsJSON: started.options });
      verified = await api('/api/authentication/verify', { ceremonyId: started.ceremonyId, response });
    }
    show(true, 'verified', `Signed in as ${verified.username}${verified.discoverable ? ' (discoverable)' : ''}; counter ${verified.counter}; user verified: ${verified.userVerified ? 'yes' : 'no'}.`);
    await loadCredentials();
  } catch (e) {
    show(false, describeError(e));
  }
}

async function loadCredentials(): Promise<void> {
  try {
    // the server answers the credentials of the user this session registered or signed in as
    const list = await api('/api/credentials');
    if (list.credentials.length === 0) {
      replace($('credentials'), el('p', {}, `No credentials for ${list.username}.`));
      return;
    }
    replace(
      $('credentials'),
      table(
        `Signed in as ${list.username}`,
        ['Credential ID', 'AAGUID', 'Model', 'Format', 'Algorithm', 'UV at registration', 'Counter', 'Sign-ins', 'Registered', 'Last used'],
        list.credentials.map((c: any) => [el('code', { title: c.id }, c.id.slice(0, 16) + '…'), el('code', {}, c.aaguid), c.model ?? '—', c.fmt, c.algorithm, c.userVerified ? 'yes' : 'no', c.counter, c.signIns, shortTime(c.createdAt), c.lastUsedAt ? shortTime(c.lastUsedAt) : '—']),
      ),
    );
  } catch (e) {
    if (e instanceof ApiError && e.httpStatus === 401) return;
    replace($('credentials'), el('p', {}, describeError(e)));
  }
}

/** 2026-06-01T10:00:05.000Z → 2026-06-01 10:00:05 */
function shortTime(iso: string): string {
  return String(iso).replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

let reportHtml = false;

async function loadReports(): Promise<void> {
  const select = $<HTMLSelectElement>('report-select');
  try {
    const list = await api('/api/reports');
    reportHtml = !!list.html;
    const runs: any[] = list.runs;
    select.replaceChildren(
      ...runs.map((r) => el('option', { value: r.run }, `${r.run}${r.finishedAt ? ` (${shortTime(r.finishedAt)})` : ''}${r.summary ? `: ${r.summary.failed ?? 0} failed, ${r.summary.passed ?? 0} passed` : ''}`)),
    );
    $<HTMLButtonElement>('report-open').disabled = runs.length === 0;
    if (runs.length === 0) replace($('report'), el('p', { class: 'muted' }, 'No runs/*/report.json found. Run `fido-harness run` to make one.'));
  } catch (e) {
    replace($('report'), el('p', {}, describeError(e)));
  }
}

/**
 * Opens a run's report as report.html in a frame: the server renders it with the renderer `fido-harness
 * run` writes report.html with (scorecard, areas, filters, evidence), sandboxed under its own policy.
 */
async function openReport(ev: Event): Promise<void> {
  ev.preventDefault();
  const run = value('report-select');
  if (!run) return;
  const base = `/api/reports/${encodeURIComponent(run)}`;
  if (!reportHtml) {
    replace($('report'), el('p', {}, 'This server does not render report.html; '), el('a', { href: base }, 'open report.json'));
    return;
  }
  try {
    // a report that does not validate is explained here instead of an error page inside the frame
    const res = await fetch(`${base}/report.html`, { method: 'HEAD', credentials: 'same-origin' });
    if (!res.ok) await api(`${base}/report.html`);
    const frame = el('iframe', { src: `${base}/report.html`, title: `Report ${run}`, sandbox: 'allow-scripts allow-popups' });
    replace($('report'), frame);
    replace($('report-links'), el('a', { href: `${base}/report.html`, target: '_blank', rel: 'noopener' }, 'open in a new tab'), ' · ', el('a', { href: base, target: '_blank', rel: 'noopener' }, 'report.json'));
  } catch (e) {
    replace($('report'), el('p', {}, describeError(e)));
  }
}

async function loadServerInfo(): Promise<void> {
  try {
    const cfg = await api('/api/config');
    $('server-info').textContent = `RP ID ${cfg.rpId}, origin ${cfg.origin}${cfg.origin !== location.origin ? ` (this page is ${location.origin}: ceremonies will fail the origin check)` : ''}.`;
    const mds = await api('/api/mds');
    $('mds-info').textContent = mds.loaded
      ? `Browser ceremonies are judged against MDS BLOB no ${mds.no} (${mds.entries} entries, next update ${mds.nextUpdate}).`
      : `Browser ceremonies: ${mds.message}; start serve with --mds FILE to judge them.`;
    const sim = await api('/api/sim');
    simulatorUsesTestMds = !!sim.testMds;
    $<HTMLInputElement>('mode-simulator').disabled = !sim.available;
    $('simulator-note').textContent = sim.available ? `Simulator mode: ${sim.reason}.` : `Simulator mode unavailable: ${sim.reason}`;
  } catch (e) {
    $('server-info').textContent = describeError(e);
  }
}

profile.addEventListener('change', applyProfile);
$('register').addEventListener('click', () => void register());
$('signin').addEventListener('click', () => void signIn());
$('reports-form').addEventListener('submit', (ev) => void openReport(ev));
$('report-refresh').addEventListener('click', () => void loadReports());
applyProfile();
void loadServerInfo();
void loadReports();
void loadCredentials();
