// What `npm ci --omit=dev` leaves is enough to run: the compiled executable's `run` and `serve` load no
// devDependency, and neither Vite nor the TypeScript compiler (build tools only), checked by a module
// resolve hook that refuses them (docs/decisions/004-compiled-start-up.md).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'fido-deps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const BANNED = [...Object.keys(pkg.devDependencies), 'vite', 'typescript'];
writeFileSync(
  join(dir, 'hooks.mjs'),
  `const banned = ${JSON.stringify(BANNED)};
export async function resolve(specifier, context, next) {
  if (banned.some((b) => specifier === b || specifier.startsWith(b + '/'))) throw new Error('build-time package loaded at run time: ' + specifier);
  return next(specifier, context);
}
`,
);
writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
const node = ['--import', pathToFileURL(join(dir, 'register.mjs')).href, join(REPO, 'bin/fido-harness.mjs')];

describe('run time needs no build tool', () => {
  it('the hook refuses a banned package (the check can fail)', () => {
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, '-e', "await import('vite')", '--input-type=module'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('build-time package loaded at run time: vite');
  });

  it('run (the compiled build) loads none', () => {
    const r = spawnSync(process.execPath, [...node, 'run', '--suite', 'getinfo', '--format', 'json', '--out', join(dir, 'run')], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).not.toContain('build-time package');
    expect(r.status, r.stderr).toBe(0);
  });

  it('serve starts, serves the page, and loads none', async () => {
    const child = spawn(process.execPath, [...node, 'serve', '--port', '0', '--runs', dir], { cwd: dir });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.stderr.on('data', (c: Buffer) => (text += c.toString()));
    try {
      const url = await new Promise<string>((ok, fail) => {
        const t = setTimeout(() => fail(new Error(`serve did not start: ${text}`)), 60_000);
        child.stdout.on('data', () => {
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
          if (m) {
            clearTimeout(t);
            ok(m[1]!);
          }
        });
        child.once('exit', (code) => fail(new Error(`serve exited ${code}: ${text}`)));
      });
      const page = await fetch(`${url}/`, { headers: { host: new URL(url).host } });
      expect(page.status, text).toBe(200);
      expect(await page.text()).toMatch(/<!doctype html>/i);
      expect(text).not.toMatch(/build-time package|not built|older than web/);
    } finally {
      child.kill('SIGINT');
    }
  });
});
