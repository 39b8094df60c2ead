import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { verifyMDSBlob } from '@simplewebauthn/server/helpers';
import { loadMdsStore, type MdsStore } from '../mds/MdsStore.ts';
import { loadBundledMdsRoots } from '../mds/bundledRoots.ts';

/**
 * MDS benchmarks (ids stable for bench/index.ts):
 * - `mds.verify`: verify + index blob-2023-no23 (2.2 MB, 148 entries) with our loadMdsStore, against
 *   @simplewebauthn/server 14's `verifyMDSBlob` (exported from '@simplewebauthn/server/helpers') on the
 *   same file. That function judges certificate validity at the current time and downloads CRLs, so for
 *   the baseline runs only the clock is pinned to 2023-01-15 (a Date subclass) and globalThis.fetch
 *   rejects at once (no network is used; its CRL step then skips, as it does offline). Both sides then
 *   do the same work: parse, chain to GlobalSign Root CA - R3, RS256 signature, collect entries.
 * - `mds.lookupMicros`: microseconds per AAGUID lookup in MdsStore, against a linear scan of the
 *   payload entries (what a caller without an index does).
 * Each figure is the median of several runs after one warm-up, ours and the baseline alternating;
 * ratio = value / baseline (lower is better).
 * Where the time of `mds.verify` goes (CPU profile, 60 runs of the 2.2 MB BLOB, ~23 ms each on this
 * machine): JSON.parse of the payload ~21%, base64url decode + re-encode check + signing-input bytes ~19%,
 * the nesting-depth scan ~13%, SHA-256 + RSA verify over the 2.9 MB signing input ~12%, garbage collection
 * ~15%, node:crypto certificate parsing ~5%, the rest (jose's structure check, chain, indexing) a few ms.
 * What made it fast: @peculiar/x509's parse of the x5c certificates (several ms each) replaced by
 * node:crypto's (mds/ChainCertificate.ts); jose stops after its structure and alg checks and the signature
 * is verified natively over Buffer bytes (mds/verifyMdsBlob.ts); the payload becomes one-byte text with
 * \u escapes for its few non-ASCII bytes instead of a full UTF-8 decode (mds/jsonLimits.ts).
 */
export async function benchMds(): Promise<Array<{ id: string; value: number; unit: string; baseline: number; ratio: number }>> {
  const file = new URL('../test/fixtures/mds/blob-2023-no23.jwt', import.meta.url);
  const jws = readFileSync(file, 'utf8');
  const at = new Date('2023-01-15T00:00:00Z');
  const roots = loadBundledMdsRoots();
  const runs = 7;

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const time = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };

  // baseline, with the clock pinned and the network refused for the duration of each call (restored after)
  const RealDate = globalThis.Date;
  const realFetch = globalThis.fetch;
  const pinned = at.getTime();
  class PinnedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(pinned);
      else super(...(args as [string]));
    }
    static override now(): number {
      return pinned;
    }
  }
  const baseline = async () => {
    try {
      globalThis.Date = PinnedDate as DateConstructor;
      globalThis.fetch = (() => Promise.reject(new TypeError('network disabled in benchmark'))) as typeof fetch;
      return await verifyMDSBlob(jws);
    } finally {
      globalThis.Date = RealDate;
      globalThis.fetch = realFetch;
    }
  };

  // one warm-up each, then the two alternate so that both see the same load on a shared machine
  let store: MdsStore | undefined;
  await loadMdsStore(jws, { roots, at });
  const check = await baseline();
  if (check.statements.length === 0) throw new Error('baseline verifyMDSBlob returned no statements');
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(await time(async () => (store = await loadMdsStore(jws, { roots, at }))));
    theirs.push(await time(baseline));
  }

  // lookups: every AAGUID of the BLOB, repeated
  const s = store!;
  const aaguids = s.entries.map((e) => e.aaguid).filter((a): a is string => !!a);
  const rounds = 2000;
  const lookups = aaguids.length * rounds;
  const lookupOurs: number[] = [];
  const lookupScan: number[] = [];
  let sink = 0;
  for (let r = 0; r < 5; r++) {
    let t = performance.now();
    for (let i = 0; i < rounds; i++) for (const a of aaguids) sink += s.byAaguid(a) ? 1 : 0;
    lookupOurs.push(((performance.now() - t) * 1000) / lookups);
    t = performance.now();
    for (let i = 0; i < rounds / 20; i++) for (const a of aaguids) sink += s.entries.find((e) => e.aaguid === a) ? 1 : 0;
    lookupScan.push(((performance.now() - t) * 1000) / (lookups / 20));
  }
  if (sink === 0) throw new Error('lookups found nothing');

  const v = median(ours);
  const b = median(theirs);
  const lv = median(lookupOurs);
  const lb = median(lookupScan);
  return [
    { id: 'mds.verify', value: round(v), unit: 'ms', baseline: round(b), ratio: round(v / b) },
    { id: 'mds.lookupMicros', value: round(lv, 4), unit: 'µs', baseline: round(lb, 4), ratio: round(lv / lb, 4) },
  ];
}

function round(x: number, digits = 3): number {
  return Number(x.toFixed(digits));
}
