import { cp, lstat, mkdir, readFile, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** The pointer file beside `latest`: the newest run folder's name, for tools that cannot follow links. */
export const LATEST_POINTER = 'LATEST';
/** Marks a `latest` folder that is a copy (where links cannot be made), so the next run may replace it. */
const COPY_MARKER = '.fido-harness-latest-copy';

/**
 * A run folder's name: `<UTC time>-<device>`, e.g. `2026-11-30T10-15-02Z-sim`,
 * `2026-11-30T10-15-02Z-udp-127.0.0.1-8111`. No colons (a Windows path cannot hold them), only the
 * characters a run name may have (letters, digits, `.`, `_`, `-`), sorted by time when sorted as text.
 */
export function runFolderName(at: Date, device: string): string {
  const time = at.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const dev =
    device
      .replace(/[^A-Za-z0-9.]+/g, '-')
      .replace(/\.{2,}/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 60) || 'device';
  return `${time}-${dev}`;
}

/** Makes a new run folder in `runsDir` (a suffix `-2`, `-3`… when two runs start in the same second). */
export async function createRunFolder(runsDir: string, at: Date, device: string): Promise<string> {
  await mkdir(runsDir, { recursive: true });
  const base = runFolderName(at, device);
  for (let n = 1; ; n++) {
    const dir = join(runsDir, n === 1 ? base : `${base}-${n}`);
    try {
      await mkdir(dir);
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/**
 * Points `runsDir/latest` at `folder` (a run folder inside runsDir): a relative symbolic link where the
 * system allows one (a junction on Windows), else a copy of the folder marked as such; and always the
 * pointer file `runsDir/LATEST` naming it. A `latest` that is a real folder from an older version is kept,
 * renamed `latest-<time>`, so no report is lost.
 */
export async function pointLatest(runsDir: string, folder: string): Promise<'link' | 'copy'> {
  const name = basename(folder);
  const latest = join(runsDir, 'latest');
  await writeFile(join(runsDir, LATEST_POINTER), `${name}\n`);
  const existing = await lstat(latest).catch(() => undefined);
  if (existing?.isSymbolicLink()) await rm(latest, { force: true });
  else if (existing?.isDirectory()) {
    const copy = await stat(join(latest, COPY_MARKER)).catch(() => undefined);
    if (copy) await rm(latest, { recursive: true, force: true });
    else await rename(latest, join(runsDir, `latest-${existing.mtime.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}`));
  } else if (existing) await rm(latest, { force: true });
  try {
    if (process.platform === 'win32') await symlink(resolve(folder), latest, 'junction');
    else await symlink(name, latest, 'dir');
    return 'link';
  } catch {
    await cp(folder, latest, { recursive: true });
    await writeFile(join(latest, COPY_MARKER), `a copy of ${name}: this system could not make a link\n`);
    return 'copy';
  }
}

/**
 * The report.json a command line names: the file itself, or a run folder holding one (`runs/latest`,
 * `runs/2026-11-30T10-15-02Z-sim`), or `runs/LATEST`'s folder when `latest` itself is missing.
 */
export async function resolveReportFile(arg: string): Promise<string> {
  const st = await stat(arg).catch(() => undefined);
  if (st?.isDirectory()) return join(arg, 'report.json');
  if (st) return arg;
  if (basename(arg) === 'latest') {
    const pointed = await readFile(join(dirname(arg), LATEST_POINTER), 'utf8').catch(() => undefined);
    if (pointed?.trim()) return join(dirname(arg), pointed.trim(), 'report.json');
  }
  return arg;
}

/** The run folder `runsDir/latest` names now (the link's target or the pointer file's name). */
export async function latestRunName(runsDir: string): Promise<string | undefined> {
  const link = await readlink(join(runsDir, 'latest')).catch(() => undefined);
  if (link) return basename(link);
  const pointed = await readFile(join(runsDir, LATEST_POINTER), 'utf8').catch(() => undefined);
  return pointed?.trim() || undefined;
}
