import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
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

/**
 * Persistent state in one file (`fido-harness sim --state FILE`). Every save is atomic and durable before
 * it returns: the text goes to a temporary file beside the target, which is fsynced, renamed over the
 * target, and the directory is fsynced so the rename itself survives a crash. A reader therefore sees
 * either the old or the new state, never a mix. `load` only reads: a corrupted file is refused by
 * `deserializeState` (StateFileError) in Authenticator.create, before anything could overwrite it.
 */
export class FileStorage implements StateStorage {
  private readonly tempPath: string;

  constructor(readonly path: string) {
    this.tempPath = join(dirname(path), `.${basename(path)}.tmp`);
  }

  load(): string | undefined {
    try {
      return readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StateStorageError('STATE_READ_FAILED', `cannot read state file ${this.path}: ${(err as Error).message}`);
    }
  }

  save(serialized: string): void {
    try {
      const fd = openSync(this.tempPath, 'w', 0o600);
      try {
        const bytes = Buffer.from(serialized, 'utf8');
        let written = 0;
        while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(this.tempPath, this.path);
      const dir = openSync(dirname(this.path), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch (err) {
      throw new StateStorageError('STATE_WRITE_FAILED', `cannot write state file ${this.path}: ${(err as Error).message}`);
    }
  }
}
