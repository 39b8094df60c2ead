// Browser end-to-end: `fido-harness serve` on an ephemeral port, Debian chromium driven by playwright-core,
// the DevTools WebAuthn virtual authenticator standing in for a key (STACK-NOTES.md). Required when CI is
// set (a missing chromium fails); skipped with the reason otherwise.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const REQUIRED = !!process.env.CI;
const AVAILABLE = existsSync(CHROMIUM);
const SKIP_REASON = `skipped: ${CHROMIUM} not found (install Debian's chromium; the test is required when CI is set)`;
const REPO = resolve(import.meta.dirname, '..', '..');
const SCREENSHOT = join(REPO, 'runs', 'screenshots', 'page-after-registration.png');
/** the AAGUID of Chromium's virtual authenticator (device/fido/virtual_fido_device.cc kDeviceAaguid) */
const CHROMIUM_VIRTUAL_AAGUID = '01020304-0506-0708-0102-030405060708';

if (REQUIRED) {
  it('chromium is installed (required in CI)', () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: .ci/run must install Debian's chromium`).toBe(true);
  });
}

/** starts the serve command as a child process and waits for its "open URL" line */
async function startServe(runsDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(REPO, 'bin/fido-harness.mjs'), 'serve', '--port', '0', '--runs', runsDir], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`serve did not start within 30 s:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /open (http:\/\/localhost:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => fail(new Error(`serve exited with ${code}:\n${out}`)));
  });
  return { child, url };
}

async function addVirtualAuthenticator(page: Page, context: BrowserContext): Promise<CDPSession> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      ctap2Version: 'ctap2_1',
      transport: 'usb',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return cdp;
}

describe.skipIf(!AVAILABLE)(AVAILABLE ? 'browser ceremonies (chromium + virtual authenticator)' : `browser ceremonies (${SKIP_REASON})`, () => {
  let browser: Browser;
  let server: { child: ChildProcess; url: string };
  let runsDir: string;

  beforeAll(async () => {
    runsDir = await mkdtemp(join(tmpdir(), 'fh-e2e-runs-'));
    await mkdir(join(runsDir, 'demo-run'));
    await writeFile(
      join(runsDir, 'demo-run', 'report.json'),
      JSON.stringify({
        schemaVersion: 1,
        tool: { name: 'fido-harness', version: '0.1.0' },
        startedAt: '2026-06-01T10:00:00Z',
        finishedAt: '2026-06-01T10:00:05Z',
        device: { transport: 'sim', aaguid: 'be7c888f-f407-45b9-bab1-f1e15cedc047', getInfo: {} },
        summary: { passed: 1, failed: 1, warned: 0, skipped: 0, errored: 0 },
        checks: [
          { id: 'INFO-VERSIONS-001', suite: 'info', title: 'versions', specRef: 'CTAP 2.1 §6.4', status: 'pass', message: 'FIDO_2_1', durationMs: 3 },
          { id: 'ATT-PACKED-001', suite: 'attestation', title: '<script>alert(1)</script>', specRef: 'WebAuthn §8.2', status: 'fail', message: 'bad sig', durationMs: 4 },
        ],
      }),
    );
    const { chromium } = await import('playwright-core');
    [server, browser] = await Promise.all([
      startServe(runsDir),
      chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    if (runsDir) await rm(runsDir, { recursive: true, force: true });
  });

  it('registers with attestation direct (AAGUID shown), signs in, and shows a report', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await addVirtualAuthenticator(page, context);
    await page.goto(server.url);
    await expect.poll(() => page.locator('#server-info').textContent()).toContain('RP ID localhost');
    await expect.poll(() => page.locator('#simulator-note').textContent()).toMatch(/Simulator mode: the server runs the harness client/);
    expect(await page.getByRole('radio', { name: /This browser's authenticators/ }).isChecked()).toBe(true);

    await page.getByLabel('Attestation', { exact: true }).selectOption('direct');
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    const status = page.getByRole('status');
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe('verified');
    const decoded = page.locator('#decoded');
    expect(await decoded.textContent()).toContain(CHROMIUM_VIRTUAL_AAGUID);
    expect(await decoded.textContent()).toContain('no trust verdict: MDS not loaded');
    expect(await page.locator('#credentials').textContent()).toContain(CHROMIUM_VIRTUAL_AAGUID);
    await mkdir(join(REPO, 'runs', 'screenshots'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);

    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe('verified');
    expect(await page.locator('#result-detail').textContent()).toMatch(/Signed in as alice; counter \d+/);

    // the report viewer reads runs/<run>/report.json through the server and escapes what it shows
    await expect.poll(() => page.locator('#report-select option').count()).toBe(1);
    await page.getByRole('button', { name: 'Open report' }).click();
    await expect.poll(() => page.locator('#report').textContent()).toContain('ATT-PACKED-001');
    expect(await page.locator('#report').textContent()).toContain('<script>alert(1)</script>');
    expect(await page.locator('#report script').count()).toBe(0);
    await context.close();
  });

  it('registers with the Entra profile (UV, discoverable, ES256) and signs in without a username', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await addVirtualAuthenticator(page, context);
    await page.goto(server.url);
    await page.getByLabel('Username', { exact: true }).fill('entra-user');
    await page.getByLabel('Profile', { exact: true }).selectOption('entra');
    expect(await page.getByLabel('User verification', { exact: true }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    const status = page.getByRole('status');
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe('verified');
    const checks = await page.locator('#decoded table').last().textContent();
    expect(checks).toMatch(/EN-UV.*pass/);
    expect(checks).toMatch(/EN-RK.*pass/);
    expect(checks).toMatch(/EN-ES256.*pass/);

    await page.getByLabel(/Discoverable sign-in/).check();
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe('verified');
    expect(await page.locator('#result-detail').textContent()).toMatch(/Signed in as entra-user \(discoverable\).*user verified: yes/);
    await context.close();
  });

  it('runs the built-in simulator mode (server-side harness client) and shows the same decoded result', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    const simRadio = page.getByRole('radio', { name: 'The built-in simulator' });
    await expect.poll(() => simRadio.isEnabled()).toBe(true);
    await simRadio.check();
    await page.getByLabel('Username', { exact: true }).fill('sim-in-browser');
    await page.getByLabel('Profile', { exact: true }).selectOption('entra');
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    const status = page.getByRole('status');
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe('verified');
    expect(await page.locator('#decoded').textContent()).toContain('be7c888f-f407-45b9-bab1-f1e15cedc047');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.locator('#result-detail').textContent(), { timeout: 15_000 }).toMatch(/Signed in as sim-in-browser; .*user verified: yes/);
    expect(await status.textContent()).toBe('verified');
    await context.close();
  });

  it('reports a refused ceremony in the status area (no authenticator: the browser gives up)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByLabel('Username', { exact: true }).fill('nobody-here');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/^error: no credentials registered for "nobody-here"/);
    await context.close();
  });
});
