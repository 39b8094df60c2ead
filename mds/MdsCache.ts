import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { MdsError } from './MdsError.ts';
import { verifyMdsBlob, type VerifiedMdsBlob, type VerifyMdsBlobOptions } from './verifyMdsBlob.ts';

/** ~/.cache/fido-harness/mds (or $XDG_CACHE_HOME/fido-harness/mds), the default of `--cache DIR`. */
export function defaultMdsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'fido-harness', 'mds');
}

export interface MdsCacheMeta {
  no: number;
  nextUpdate: string;
  rootSubject: string;
  savedAt: string;
  source?: string;
}

export type MdsCacheUpdate =
  | { updated: true; blob: VerifiedMdsBlob; previousNo?: number }
  | { updated: false; blob: VerifiedMdsBlob; reason: string };

/**
 * The on-disk BLOB cache: `blob.jwt` (exactly as downloaded) and `meta.json` (its serial). `update()` is
 * the only writer and it verifies first: a BLOB that fails verification, or whose `no` is lower than the
 * cached one, never replaces the cache (MDS3 §3.2 step 5: a BLOB with a serial not greater than the last
 * one is ignored). Writes go to a temporary file renamed over the old one, so a crash leaves the old BLOB.
 */
export class MdsCache {
  constructor(readonly dir: string) {}

  get blobPath(): string {
    return join(this.dir, 'blob.jwt');
  }
  get metaPath(): string {
    return join(this.dir, 'meta.json');
  }

  meta(): MdsCacheMeta | undefined {
    // Stryker disable next-line ConditionalExpression: without the file, the read below throws and the catch answers the same
    if (!existsSync(this.metaPath)) return undefined;
    try {
      const m = JSON.parse(readFileSync(this.metaPath, 'utf8')) as MdsCacheMeta;
      return typeof m.no === 'number' ? m : undefined;
      // Stryker disable next-line BlockStatement: an empty catch returns undefined too
    } catch {
      return undefined;
    }
  }

  /** The cached BLOB text; MDS_CACHE_EMPTY when there is none. (Verify it again before use.) */
  readBlob(): string {
    if (!existsSync(this.blobPath)) throw new MdsError('MDS_CACHE_EMPTY', `no cached MDS BLOB in ${this.dir} (run \`fido-harness mds fetch\`)`);
    return readFileSync(this.blobPath, 'utf8');
  }

  /**
   * Verifies `jws` and stores it when its serial is higher than the cached one. Throws the verification
   * error (cache untouched), or MDS_SERIAL_NOT_NEWER for a lower serial; the same serial is a no-op.
   */
  async update(jws: string, options: VerifyMdsBlobOptions & { source?: string }): Promise<MdsCacheUpdate> {
    const blob = await verifyMdsBlob(jws, options);
    const current = this.meta();
    if (current && blob.no < current.no) {
      throw new MdsError('MDS_SERIAL_NOT_NEWER', `BLOB serial ${blob.no} is lower than the cached serial ${current.no}; cache kept`);
    }
    if (current && blob.no === current.no && existsSync(this.blobPath)) {
      return { updated: false, blob, reason: `serial ${blob.no} is already cached` };
    }
    mkdirSync(this.dir, { recursive: true });
    const meta: MdsCacheMeta = {
      no: blob.no,
      nextUpdate: blob.nextUpdate,
      rootSubject: blob.rootSubject,
      savedAt: new Date().toISOString(),
      ...(options.source ? { source: options.source } : {}),
    };
    const tmp = `${this.blobPath}.${process.pid}.tmp`;
    writeFileSync(tmp, jws);
    renameSync(tmp, this.blobPath);
    writeFileSync(`${this.metaPath}.tmp`, JSON.stringify(meta, null, 2) + '\n');
    renameSync(`${this.metaPath}.tmp`, this.metaPath);
    return current ? { updated: true, blob, previousNo: current.no } : { updated: true, blob };
  }
}
