import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { Hono } from 'hono';
import type { RpEnv } from '../RpState.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Serves the built page (web/dist): GET / is index.html; other paths must resolve inside the folder. */
export function pageRoutes(webRoot: string): Hono<RpEnv> {
  const root = resolve(webRoot);
  const app = new Hono<RpEnv>();
  app.get('*', async (c, next) => {
    let path: string;
    try {
      path = decodeURIComponent(c.req.path);
    } catch {
      return next();
    }
    const file = resolve(root, '.' + (path === '/' ? '/index.html' : path));
    if (file !== root && !file.startsWith(root + sep)) return next();
    const type = TYPES[extname(file)];
    if (!type) return next();
    try {
      if (!(await stat(file)).isFile()) return next();
      const body = await readFile(file);
      // hashed assets can be cached; index.html must not be, so a rebuilt page is picked up
      const cache = file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
      return c.body(new Uint8Array(body), 200, { 'Content-Type': type, 'Cache-Control': cache });
    } catch {
      return next();
    }
  });
  return app;
}
