import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Hono } from 'hono';
import { RpError } from '../RpError.ts';
import type { RpEnv, RpState } from '../RpState.ts';

/** a run folder name: no path separators, no dot-only names */
const RUN_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}$/;
/** report.json files larger than this are not served (a run with thousands of checks is a few MB) */
const MAX_REPORT_BYTES = 20 * 1024 * 1024;

/**
 *   GET /api/reports → runs/<name>/report.json that exist: name, times, summary, verdicts
 *   GET /api/reports/:run → that report.json (the report model of DESIGN.md), for the page's viewer
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
    for (const name of names.sort().slice(0, 500)) {
      const report = await readReport(rp.config.runsDir, name).catch(() => undefined);
      if (!report) continue;
      const r = report as Record<string, any>;
      runs.push({
        run: name,
        startedAt: typeof r.startedAt === 'string' ? r.startedAt : undefined,
        finishedAt: typeof r.finishedAt === 'string' ? r.finishedAt : undefined,
        summary: r.summary && typeof r.summary === 'object' ? r.summary : undefined,
        transport: typeof r.device?.transport === 'string' ? r.device.transport : undefined,
        microsoft: typeof r.microsoft?.verdict === 'string' ? r.microsoft.verdict : undefined,
        entra: typeof r.entra?.verdict === 'string' ? r.entra.verdict : undefined,
      });
    }
    return c.json({ status: 'ok', errorMessage: '', runs });
  });
  app.get('/:run', async (c) => {
    const name = c.req.param('run');
    if (!RUN_NAME.test(name)) throw new RpError('BODY_INVALID', 'run: not a run folder name');
    const report = await readReport(rp.config.runsDir, name);
    return c.json({ status: 'ok', errorMessage: '', run: name, report });
  });
  return app;
}

async function readReport(runsDir: string, name: string): Promise<unknown> {
  const file = join(runsDir, name, 'report.json');
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    throw new RpError('NOT_FOUND', `no report.json in runs/${name}`, 404);
  }
  if (size > MAX_REPORT_BYTES) throw new RpError('LIMIT_REACHED', `runs/${name}/report.json is larger than ${MAX_REPORT_BYTES} bytes`, 422);
  try {
    const value: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value;
  } catch (e) {
    throw new RpError('BODY_INVALID', `runs/${name}/report.json is not a report: ${(e as Error).message}`, 422);
  }
}
