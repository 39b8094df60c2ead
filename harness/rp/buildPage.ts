import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Builds web/ into web/dist with Vite's API when index.html is missing; returns the folder. */
export async function ensurePageBuilt(repoRoot: string, log: (line: string) => void): Promise<string> {
  const dist = join(repoRoot, 'web', 'dist');
  if (existsSync(join(dist, 'index.html'))) return dist;
  log('fido-harness serve: building the page (web/dist is missing)…');
  const { build } = await import('vite');
  await build({ configFile: join(repoRoot, 'vite.config.ts'), root: join(repoRoot, 'web'), logLevel: 'warn' });
  return dist;
}
