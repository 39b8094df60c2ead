import { readdir } from 'node:fs/promises';
import { Hono } from 'hono';
import { RpError } from '../RpError.ts';
import type { RpEnv, RpState } from '../RpState.ts';
import { readRunFile, RUN_NAME } from '../runs/readRunFile.ts';
import { measureJson } from '../middleware/measureJson.ts';

/** one report.json served or rendered: a run with thousands of checks and their evidence is a few MB */
const MAX_REPORT_BYTES = 16 * 1024 * 1024;
/** the listing reads each run's summary from reports up to this size, and this much in all */
const MAX_LISTED_REPORT_BYTES = 4 * 1024 * 1024;
const MAX_LISTING_BYTES = 64 * 1024 * 1024;
const MAX_LISTED_RUNS = 500;
/** report.html's own policy (as its meta tag), sandboxed: an opaque origin without cookies or API access */
const REPORT_PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox allow-scripts allow-popups";

/**
 *   GET /api/reports → the runs/<name>/report.json files: name, times, summary, verdicts
 *   GET /api/reports/:run → that report.json (the report model), parsed
 *   GET /api/reports/:run/report.html → the report rendered as the run command's report.html (the same
 *     renderer), for the page's viewer
 * Only regular files inside runs/ are read (readRunFile).
 */
export function reportRoutes(rp: RpState): Hono<RpEnv> {
  const app = new Hono<RpEnv>();
  app.get('/', async (c) => {
    let names: string[] = [];
    try {
      names = (await readdir(rp.config.runsDir, { withFileTypes: true })).filter((d) => d.isDirectory() && RUN_NAME.test(d.name)).map((d) => d.name);
    } catch {
      names = [];
    }
    const runs = [];
    let budget = MAX_LISTING_BYTES;
    for (const name of names.sort().slice(0, MAX_LISTED_RUNS)) {
      if (budget <= 0) break;
      const bytes = await readRunFile(rp.config.runsDir, name, 'report.json', Math.min(MAX_LISTED_REPORT_BYTES, budget)).catch(() => undefined);
      if (!bytes) continue;
      budget -= bytes.length;
      const r = parseObject(bytes) as Record<string, any> | undefined;
      if (!r) continue;
      runs.push({
        run: name,
        startedAt: typeof r.startedAt === 'string' ? r.startedAt : undefined,
        finishedAt: typeof r.finishedAt === 'string' ? r.finishedAt : undefined,
        summary: r.summary && typeof r.summary === 'object' && measureJson(r.summary, 3).depth <= 2 ? r.summary : undefined,
        transport: typeof r.device?.transport === 'string' ? r.device.transport : undefined,
        microsoft: typeof r.microsoft?.verdict === 'string' ? r.microsoft.verdict : undefined,
        entra: typeof r.entra?.verdict === 'string' ? r.entra.verdict : undefined,
      });
    }
    return c.json({ status: 'ok', errorMessage: '', runs, html: !!rp.config.renderReportHtml });
  });
  app.get('/:run', async (c) => {
    const run = c.req.param('run');
    const report = await readReport(rp, run);
    return c.json({ status: 'ok', errorMessage: '', run, report });
  });
  app.get('/:run/report.html', async (c) => {
    const render = rp.config.renderReportHtml;
    if (!render) throw new RpError('NOT_FOUND', 'this server renders no report.html (open report.json instead)', 404);
    const run = c.req.param('run');
    const report = await readReport(rp, run);
    let page: string;
    try {
      page = render(report);
    } catch (e) {
      throw new RpError('REPORT_UNREADABLE', `runs/${run}/report.json is not a report: ${(e as Error).message.slice(0, 500)}`, 422);
    }
    c.set('documentPolicy', REPORT_PAGE_POLICY);
    return c.html(page);
  });
  return app;
}

function parseObject(bytes: Buffer): object | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    // the model nests about 8 deep; anything far deeper is not a report and must not reach a recursive walker
    if (!value || typeof value !== 'object' || Array.isArray(value) || measureJson(value, 64).depth > 64) return undefined;
    return value;
  } catch {
    return undefined;
  }
}

async function readReport(rp: RpState, run: string): Promise<object> {
  const bytes = await readRunFile(rp.config.runsDir, run, 'report.json', MAX_REPORT_BYTES);
  const value = parseObject(bytes);
  if (!value) throw new RpError('REPORT_UNREADABLE', `runs/${run}/report.json is not a JSON object of a report`, 422);
  return value;
}
