import { readFile } from 'node:fs/promises';
import { loadBundledMdsRoots, loadMdsStore, MdsError } from '../../mds/index.ts';
import { simulatorTestMds } from './simulatorTestMds.ts';
import { RunInputError, type LoadedMds, type OpenedRunDevice, type RunOptions } from './RunOptions.ts';

/** BLOB verification failures that mean "this BLOB is from the past", which `--at` answers. */
const OUT_OF_DATE = new Set(['MDS_CERT_EXPIRED', 'MDS_CERT_NOT_YET_VALID']);

/**
 * `--mds FILE`: the BLOB verified (MDS3 §3.1.4 steps: signature, chain to the bundled FIDO roots) at `--at`
 * or now, before any device is opened. Unreadable or refused: a RunInputError saying what to do.
 */
export async function loadMdsFile(file: string, at: Date | undefined): Promise<LoadedMds> {
  const jws = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new RunInputError(`--mds ${file}: cannot read it (${err.code ?? err.message}); a URL? fetch it first with: fido-harness mds fetch`);
  });
  try {
    return { store: await loadMdsStore(jws.trim(), { roots: loadBundledMdsRoots(), at: at ?? new Date() }), source: 'file', file };
  } catch (err) {
    if (!(err instanceof MdsError)) throw err;
    const why = err.message.startsWith(err.code) ? err.message : `${err.code}: ${err.message}`;
    const hint = OUT_OF_DATE.has(err.code) && !at ? '; an old BLOB? judge the run as of its date with --at DATE (e.g. --at 2023-06-01)' : '';
    throw new RunInputError(`--mds ${file} does not verify: ${why}${hint}`);
  }
}

/** The MDS one device's run is judged against: the --mds BLOB, or the test MDS that lists the simulator. */
export async function mdsForDevice(opts: RunOptions, at: Date, opened: OpenedRunDevice): Promise<LoadedMds | undefined> {
  if (opts.mdsStore) return opts.mdsStore;
  if (opts.device === 'sim' || opts.device.startsWith('udp:') || opened.isSimulator) return { store: (await simulatorTestMds(opts.quirks, at)).store, source: 'test' };
  return undefined;
}
