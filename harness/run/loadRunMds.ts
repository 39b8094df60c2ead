import { readFile } from 'node:fs/promises';
import { loadBundledMdsRoots, loadMdsStore, MdsError } from '../../mds/index.ts';
import { simulatorTestMds } from './simulatorTestMds.ts';
import { RunInputError, type LoadedMds, type OpenedRunDevice, type RunOptions } from './RunOptions.ts';

/** BLOB verification failures that mean "this BLOB is from the past", which `--at` answers. */
const OUT_OF_DATE = new Set(['MDS_CERT_EXPIRED', 'MDS_CERT_NOT_YET_VALID']);

/**
 * `--mds FILE`: the BLOB verified (MDS3 §3.1.4 steps: signature, chain to the bundled FIDO roots or `roots`)
 * at `--at` or now, before any device is opened (`run`) or the server starts (`serve`). Unreadable or refused: a RunInputError saying what to do.
 */
export async function loadMdsFile(file: string, at: Date | undefined, roots = loadBundledMdsRoots()): Promise<LoadedMds> {
  const jws = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new RunInputError(`--mds ${file}: cannot read it (${err.code ?? err.message}); a URL? fetch it first with: fido-harness mds fetch`);
  });
  try {
    return { store: await loadMdsStore(jws.trim(), { roots, at: at ?? new Date() }), source: 'file', file };
  } catch (err) {
    if (!(err instanceof MdsError)) throw err;
    const why = err.message.startsWith(err.code) ? err.message : `${err.code}: ${err.message}`;
    const hint = OUT_OF_DATE.has(err.code) && !at ? `; an old BLOB? add --at ${suggestedDate(jws) ?? 'DATE'} (verify it as of its date)` : '';
    throw new RunInputError(`--mds ${file} does not verify: ${why}${hint}`);
  }
}

/** The MDS one device's run is judged against: the --mds BLOB, or the test MDS that lists the simulator. */
export async function mdsForDevice(opts: RunOptions, at: Date, opened: OpenedRunDevice): Promise<LoadedMds | undefined> {
  if (opts.mdsStore) return opts.mdsStore;
  if (opts.device === 'sim' || opts.device.startsWith('udp:') || opened.isSimulator) return { store: (await simulatorTestMds(opts.quirks, at, opts.profile)).store, source: 'test' };
  return undefined;
}

/** The day before the BLOB's own nextUpdate (read without trusting it, only to word the hint). */
function suggestedDate(jws: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(jws.trim().split('.')[1] ?? '', 'base64url').toString('utf8')) as { nextUpdate?: unknown };
    const next = typeof payload.nextUpdate === 'string' ? Date.parse(payload.nextUpdate) : NaN;
    return Number.isNaN(next) ? undefined : new Date(next - 86_400_000).toISOString().slice(0, 10);
  } catch {
    return undefined;
  }
}
