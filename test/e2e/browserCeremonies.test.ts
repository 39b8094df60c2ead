// Browser end-to-end: `fido-harness serve` on an ephemeral port, Debian chromium driven by playwright-core,
// the DevTools WebAuthn virtual authenticator standing in for a key (docs/architecture.md "Libraries"). Required when CI is
// set (a missing chromium fails); skipped with the reason otherwise.
import type { ChildProcess } from 'node:child_process';
import { startServeChild } from '../helpers/serveChild.ts';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { sampleReport, check } from '../reports/sampleReport.ts';

/** a run report with a few areas (and a title that is markup), made by the model's own createReport */
function demoReport() {
  const base = sampleReport();
  const suites = ['getinfo', 'makecredential', 'getassertion', 'clientpin', 'credman', 'webauthn'];
  const statuses = ['pass', 'pass', 'pass', 'fail', 'warn', 'skip'] as const;
  const extra = Array.from({ length: 48 }, (_, i) => check(`DEMO-${suites[i % 6]!.toUpperCase()}-${String(i).padStart(3, '0')}`, suites[i % 6]!, statuses[i % 6]!));
  return sampleReport({ checks: [...base.checks, check('ATT-PACKED-001', 'attestation', 'fail', { title: '<script>alert(1)</script>', message: 'bad sig' }), ...extra] });
}

/** the form and the result share the first screen: side by side, nothing wider than the window */
async function expectLaptopLayout(page: Page): Promise<void> {
  const form = (await page.locator('section[aria-labelledby="ceremony-heading"]').boundingBox())!;
  const result = (await page.locator('section[aria-labelledby="result-heading"]').boundingBox())!;
  expect(result.x).toBeGreaterThanOrEqual(form.x + form.width);
  expect(Math.abs(result.y - form.y)).toBeLessThan(2);
  expect(form.y + 200).toBeLessThan(VIEWPORT.height);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
}

const CHROMIUM = '/usr/bin/chromium';
const REQUIRED = !!process.env.CI;
const AVAILABLE = existsSync(CHROMIUM);
const SKIP_REASON = `skipped: ${CHROMIUM} not found (install Debian's chromium; the test is required when CI is set)`;
const REPO = resolve(import.meta.dirname, '..', '..');
const SCREENSHOTS = join(REPO, 'runs', 'screenshots');
/** a laptop screen */
const VIEWPORT = { width: 1366, height: 768 };
/** every wait on the page: a hang guard (a loaded 2-core machine renders slowly), never a speed limit */
const POLL_MS = 30_000;
/** each ceremony test: several page waits, on that same machine */
const TEST_MS = 180_000;
/** the AAGUID of Chromium's virtual authenticator (device/fido/virtual_fido_device.cc kDeviceAaguid) */
const CHROMIUM_VIRTUAL_AAGUID = '01020304-0506-0708-0102-030405060708';

if (REQUIRED) {
  it('chromium is installed (required in CI)', () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: .ci/run must install Debian's chromium`).toBe(true);
  });
}

/** starts the serve command as a child process and waits for its "open URL" line */
function startServe(runsDir: string): Promise<{ child: ChildProcess; url: string }> {
  return startServeChild(['--runs', runsDir], 30_000);
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
    await writeFile(join(runsDir, 'demo-run', 'report.json'), JSON.stringify(demoReport()));
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
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    await addVirtualAuthenticator(page, context);
    await page.goto(server.url);
    await expect.poll(() => page.locator('#server-info').textContent(), { timeout: POLL_MS }).toContain('RP ID localhost');
    await expect.poll(() => page.locator('#simulator-note').textContent(), { timeout: POLL_MS }).toMatch(/Simulator mode: the server runs the harness client/);
    expect(await page.getByRole('radio', { name: /This browser's authenticators/ }).isChecked()).toBe(true);

    await page.getByLabel('Attestation', { exact: true }).selectOption('direct');
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    const status = page.getByRole('status');
    await expect.poll(() => status.textContent(), { timeout: POLL_MS }).toBe('verified');
    const decoded = page.locator('#decoded');
    expect(await decoded.textContent()).toContain(CHROMIUM_VIRTUAL_AAGUID);
    expect(await decoded.textContent()).toContain('no trust verdict: MDS not loaded');
    await expect.poll(() => page.locator('#credentials').textContent(), { timeout: POLL_MS }).toContain(CHROMIUM_VIRTUAL_AAGUID);
    await expectLaptopLayout(page);

    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => status.textContent(), { timeout: POLL_MS }).toBe('verified');
    expect(await page.locator('#result-detail').textContent()).toMatch(/Signed in as alice; counter \d+/);

    // the report viewer shows report.html (the run command's renderer) for runs/<run>/report.json
    await expect.poll(() => page.locator('#report-select option').count(), { timeout: POLL_MS }).toBe(1);
    await page.getByRole('button', { name: 'Open report' }).click();
    const report = page.frameLocator('#report iframe');
    await expect.poll(() => report.locator('#scorecard').count(), { timeout: POLL_MS }).toBe(1);
    expect(await report.locator('[data-check-id="ATT-PACKED-001"] .title').textContent()).toContain('<script>alert(1)</script>');
    // one script: the renderer's own filter script; the title stayed text
    expect(await report.locator('script').count()).toBe(1);
    // the status filters work inside the page: hiding "pass" hides the passing checks
    const total = Number(await report.locator('#visible-count').textContent());
    await report.locator('input[data-filter="pass"]').uncheck();
    await expect.poll(async () => Number(await report.locator('#visible-count').textContent()), { timeout: POLL_MS }).toBeLessThan(total);
    await report.locator('input[data-filter="pass"]').check();
    await page.locator('#report').scrollIntoViewIfNeeded();
    await mkdir(SCREENSHOTS, { recursive: true });
    await page.locator('section[aria-labelledby="reports-heading"]').screenshot({ path: join(SCREENSHOTS, 'page-report-viewer.png') });
    expect(existsSync(join(SCREENSHOTS, 'page-report-viewer.png'))).toBe(true);
    await context.close();
  }, TEST_MS);

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
    await expect.poll(() => status.textContent(), { timeout: POLL_MS }).toBe('verified');
    const checks = await page.locator('#decoded table').first().textContent();
    expect(checks).toMatch(/EN-UV.*pass/);
    expect(checks).toMatch(/EN-RK.*pass/);
    expect(checks).toMatch(/EN-ES256.*pass/);

    await page.getByLabel(/Discoverable sign-in/).check();
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => status.textContent(), { timeout: POLL_MS }).toBe('verified');
    expect(await page.locator('#result-detail').textContent()).toMatch(/Signed in as entra-user \(discoverable\).*user verified: yes/);
    await context.close();
  }, TEST_MS);

  it('runs the built-in simulator mode (server-side harness client) with a trust verdict from its test MDS', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    await page.goto(server.url);
    const simRadio = page.getByRole('radio', { name: 'The built-in simulator' });
    await expect.poll(() => simRadio.isEnabled(), { timeout: POLL_MS }).toBe(true);
    await simRadio.check();
    await page.getByLabel('Username', { exact: true }).fill('sim-in-browser');
    await page.getByLabel('Profile', { exact: true }).selectOption('entra');
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    const status = page.getByRole('status');
    await expect.poll(() => status.textContent(), { timeout: POLL_MS }).toBe('verified');
    expect(await page.locator('#decoded').textContent()).toContain('be7c888f-f407-45b9-bab1-f1e15cedc047');
    expect(await page.locator('#decoded .fact').first().textContent()).toContain('fido-harness software authenticator (simulator)');
    expect(await page.locator('#trust-verdict').textContent()).toBe('status pass, chain valid');
    expect(await page.locator('#decoded').textContent()).not.toContain('MDS not loaded');
    await expectLaptopLayout(page);
    await mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'page-simulator-registration.png') });
    expect(existsSync(join(SCREENSHOTS, 'page-simulator-registration.png'))).toBe(true);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.locator('#result-detail').textContent(), { timeout: POLL_MS }).toMatch(/Signed in as sim-in-browser; .*user verified: yes/);
    expect(await status.textContent()).toBe('verified');
    await context.close();
  }, TEST_MS);

  it('reports a refused ceremony in the status area (no authenticator: the browser gives up)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByLabel('Username', { exact: true }).fill('nobody-here');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: POLL_MS }).toMatch(/^error: no credentials registered for "nobody-here"/);
    await context.close();
  }, TEST_MS);

  it("refuses a rebinding page: a foreign name resolved to 127.0.0.1 by Chromium's host-resolver rules gets 421", async () => {
    const { chromium } = await import('playwright-core');
    const port = new URL(server.url).port;
    const rebinding = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP rebind.evil.test 127.0.0.1'],
    });
    try {
      const page = await rebinding.newPage();
      for (const path of ['/', '/api/reports', '/api/reports/demo-run', '/api/credentials']) {
        const res = await page.goto(`http://rebind.evil.test:${port}${path}`);
        expect(res!.status(), path).toBe(421);
        expect(await page.content()).not.toContain('INFO-VERSIONS-001');
      }
      // the same browser reaches the page under its own name
      expect((await page.goto(`${server.url}/api/reports`))!.status()).toBe(200);
    } finally {
      await rebinding.close();
    }
  }, TEST_MS);
});
