import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** newest modification time of the page's sources (web/ without dist), and vite.config.ts */
function newestSource(repoRoot: string): number {
  let newest = statSync(join(repoRoot, 'vite.config.ts'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const web = join(repoRoot, 'web');
  for (const name of readdirSync(web)) {
    if (name === 'dist') continue;
    const s = statSync(join(web, name));
    if (s.isFile()) newest = Math.max(newest, s.mtimeMs);
  }
  return newest;
}

/**
 * Builds web/ into web/dist with Vite's API when index.html is missing or older than a source file
 * (a checkout that changed the page must not serve the previous build); returns the folder.
 */
export async function ensurePageBuilt(repoRoot: string, log: (line: string) => void): Promise<string> {
  const dist = join(repoRoot, 'web', 'dist');
  const index = join(dist, 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource(repoRoot)) return dist;
  log(`fido-harness serve: building the page (web/dist is ${existsSync(index) ? 'older than web/' : 'missing'})…`);
  const { build } = await import('vite');
  await build({ configFile: join(repoRoot, 'vite.config.ts'), root: join(repoRoot, 'web'), logLevel: 'warn' });
  return dist;
}
