/**
 * Opens report.html in headless Chromium (playwright-core driving Debian's /usr/bin/chromium, flags from
 * docs/architecture.md "Libraries"): the scorecard renders, the status filters hide and show checks, device text runs no
 * script (no dialog opens), and a screenshot is saved under runs/screenshots/ for review. Required when CI is
 * set; elsewhere skipped with the reason when Chromium is not installed.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../../reports/index.ts';
import { evilReport, sampleReport } from './sampleReport.ts';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const run = available || !!process.env.CI;
const reason = run ? '' : ` (skipped: ${CHROMIUM} not installed and CI not set)`;

describe.skipIf(!run)(`report.html in headless Chromium${reason}`, () => {
  let browser: BrowserContext;
  let userDataDir: string;
  const outDir = resolve('runs/report-html-test');

  beforeAll(async () => {
    userDataDir = await mkdtemp(join(tmpdir(), 'fh-chromium-'));
    // a fresh user-data dir per run (docs/architecture.md "Libraries")
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1200, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await rm(userDataDir, { recursive: true, force: true });
  });

  it('should render the scorecard, filter by status and save a screenshot', async () => {
    const written = await writeReports(sampleReport(), outDir, ['html']);
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(written.html!).href);
    await expect(page.locator('[data-verdict="microsoft"]').textContent()).resolves.toBe('not-compatible');
    await expect(page.locator('[data-verdict="entra"]').textContent()).resolves.toBe('allowed');
    expect(await page.locator('#area-bars .bar').count()).toBe(3);
    // filtered out = class hidden (checks inside a closed area are not "visible" to the layout either way)
    expect(await page.locator('details.check:not(.hidden)').count()).toBe(6);
    await expect(page.locator('#visible-count').textContent()).resolves.toBe('6');
    // untick pass: the two passing checks disappear; untick everything but fail: one left, other areas hidden
    await page.locator('input[data-filter="pass"]').uncheck();
    expect(await page.locator('details.check[data-status="pass"]:not(.hidden)').count()).toBe(0);
    expect(await page.locator('details.check[data-status="pass"]').count()).toBe(2);
    await expect(page.locator('#visible-count').textContent()).resolves.toBe('4');
    for (const s of ['warn', 'skip', 'error']) await page.locator(`input[data-filter="${s}"]`).uncheck();
    await expect(page.locator('#visible-count').textContent()).resolves.toBe('1');
    expect(await page.locator('details.area:not(.hidden)').count()).toBe(1);
    expect(await page.locator('details.area.hidden').count()).toBe(2);
    await page.locator('input[data-filter="pass"]').check();
    await expect(page.locator('#visible-count').textContent()).resolves.toBe('3');
    // evidence expands
    await page.locator('#expand-all').click();
    expect(await page.locator('pre.hex:visible').allTextContents()).toEqual(['04', '00a10181684649444f5f325f30']);
    await mkdir('runs/screenshots', { recursive: true });
    await page.locator('input[data-filter="warn"]').check();
    await page.screenshot({ path: 'runs/screenshots/report-scorecard.png', fullPage: false });
    expect(existsSync('runs/screenshots/report-scorecard.png')).toBe(true);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    await page.close();
  });

  it('should run no script from evil device strings', async () => {
    const written = await writeReports(evilReport({ extensions: ['<script>alert(1)</script>'] }), outDir, ['html']);
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    await page.goto(pathToFileURL(written.html!).href);
    await page.locator('#expand-all').click();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('details.check[data-status="fail"] .title').textContent()).toContain('<script>alert("fido")</script>');
    await page.screenshot({ path: 'runs/screenshots/report-evil-strings.png' });
    expect(dialogs).toEqual([]);
    await page.close();
  });
});
