import { constants, realpathSync } from 'node:fs';
import { lstat, open, readlink } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { RpError } from '../RpError.ts';

/** a run folder name: no path separators, no dot-only names */
export const RUN_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,100}$/;

/** O_NONBLOCK: opening a FIFO swapped in after the checks returns at once (and fstat then refuses it) */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

function unreadable(run: string, file: string, why: string, status: 404 | 422 = 422): RpError {
  return new RpError(status === 404 ? 'NOT_FOUND' : 'REPORT_UNREADABLE', `runs/${run}/${file} ${why}`, status);
}

/**
 * Reads runs/<run>/<file> for the report viewer, refusing anything but a regular file inside runs/: the
 * run folder and the file are checked with lstat (a symlink is refused, wherever it points), the file is
 * opened with O_NOFOLLOW|O_NONBLOCK and checked again on the open descriptor (same inode, a regular file;
 * on Linux its real path is inside runs/), and at most `maxBytes` are read. A FIFO, a device or a socket
 * is never opened for a blocking read, so the server keeps answering.
 */
export async function readRunFile(runsDir: string, run: string, file: string, maxBytes: number): Promise<Buffer> {
  if (!RUN_NAME.test(run)) throw new RpError('BODY_INVALID', 'run: not a run folder name');
  const folder = join(runsDir, run);
  const path = join(folder, file);
  const folderStat = await lstat(folder).catch(() => undefined);
  if (!folderStat) throw unreadable(run, file, 'does not exist', 404);
  if (!folderStat.isDirectory()) throw unreadable(run, '', `is not a folder (${kindOf(folderStat)})`);
  const before = await lstat(path).catch(() => undefined);
  if (!before) throw unreadable(run, file, 'does not exist', 404);
  if (!before.isFile()) throw unreadable(run, file, `is not a regular file (${kindOf(before)})`);
  if (before.size > maxBytes) throw unreadable(run, file, `is larger than ${maxBytes} bytes`);
  let handle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (e) {
    throw unreadable(run, file, `cannot be opened: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const now = await handle.stat();
    if (!now.isFile() || now.ino !== before.ino || now.dev !== before.dev) throw unreadable(run, file, 'changed while it was opened');
    const real = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
    if (real !== undefined && !real.startsWith(realRunsDir(runsDir) + sep)) throw unreadable(run, file, 'is outside runs/');
    const buffer = Buffer.alloc(Math.min(now.size, maxBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) throw unreadable(run, file, `is larger than ${maxBytes} bytes`);
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

function realRunsDir(runsDir: string): string {
  try {
    return realpathSync(runsDir);
  } catch {
    return runsDir;
  }
}

function kindOf(s: { isSymbolicLink(): boolean; isFIFO(): boolean; isDirectory(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (s.isSymbolicLink()) return 'a symbolic link';
  if (s.isFIFO()) return 'a FIFO';
  if (s.isDirectory()) return 'a folder';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  return 'not a regular file';
}
