import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { StateStorage } from './env.ts';

/** A state file that could not be read or written; `code` is stable. */
export class StateStorageError extends Error {
  override readonly name = 'StateStorageError';
  constructor(
    readonly code: 'STATE_READ_FAILED' | 'STATE_WRITE_FAILED',
    message: string,
  ) {
    super(message);
  }
}

/** O_NOFOLLOW is POSIX; where the platform has none (Windows) the exclusive create still refuses an existing link */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/**
 * Persistent state in one file (`fido-harness sim --state FILE`). Every save is atomic and durable before
 * it returns: the text goes to a new temporary file beside the target, which is fsynced, renamed over the
 * target, and the directory is fsynced so the rename itself survives a crash. A reader therefore sees
 * either the old or the new state, never a mix. `load` only reads: a corrupted file is refused by
 * `deserializeState` (StateFileError) in Authenticator.create, before anything could overwrite it.
 *
 * The state holds the master key, and the folder may be shared (/tmp): the temporary file has a random
 * name and is created exclusively (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600), so a file or symlink planted
 * there makes the save fail instead of being followed and overwritten.
 */
export class FileStorage implements StateStorage {
  private readonly dir: string;
  private readonly prefix: string;

  constructor(
    readonly path: string,
    /** the random part of a temporary file's name; tests pass a fixed one to plant a file there */
    private readonly randomName: () => string = () => randomBytes(12).toString('base64url'),
  ) {
    this.dir = dirname(path);
    this.prefix = `.${basename(path)}.`;
  }

  load(): string | undefined {
    this.removeStaleTemporaries();
    try {
      return readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StateStorageError('STATE_READ_FAILED', `cannot read state file ${this.path}: ${(err as Error).message}`);
    }
  }

  save(serialized: string): void {
    const temp = join(this.dir, `${this.prefix}${this.randomName()}.tmp`);
    let created = false;
    try {
      const fd = openSync(temp, CREATE_NEW, 0o600);
      created = true;
      try {
        const bytes = Buffer.from(serialized, 'utf8');
        let written = 0;
        while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, this.path);
      created = false;
      const dir = openSync(this.dir, 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch (err) {
      if (created) unlinkQuietly(temp);
      throw new StateStorageError('STATE_WRITE_FAILED', `cannot write state file ${this.path}: ${(err as Error).message}`);
    }
  }

  /** temporaries a killed process left behind (unlink removes a link itself, never what it points to) */
  private removeStaleTemporaries(): void {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith(this.prefix) && name.endsWith('.tmp') && /^[A-Za-z0-9_-]{8,32}$/.test(name.slice(this.prefix.length, -4))) {
        unlinkQuietly(join(this.dir, name));
      }
    }
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
