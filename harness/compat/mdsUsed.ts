import { loadBundledMdsRoots } from '../../mds/bundledRoots.ts';
import type { MdsStore } from '../../mds/MdsStore.ts';
import type { MdsUsed } from './evidence.ts';

let bundledSubjects: Set<string> | undefined;

/**
 * An MDS store as the evaluations see it: test material unless its BLOB chains to one of the bundled FIDO
 * Alliance roots (GlobalSign, mds/roots/): the simulator's test MDS and BLOBs under a test root are not
 * Microsoft's view of any key.
 */
export function mdsUsed(store: MdsStore, source?: string): MdsUsed {
  bundledSubjects ??= new Set(loadBundledMdsRoots().map((c) => c.subject));
  return { store, testMaterial: !bundledSubjects.has(store.rootSubject), ...(source ? { source } : {}) };
}
