/**
 * Fuzzing sizes: every fuzz file runs a CI-sized count inside `npm test` and the full size under
 * `npm run fuzz` (FUZZ_FULL=1). FUZZ_RUNS overrides the count of every file, FUZZ_SEED the seed;
 * FUZZ_VERBOSE (or the full size) prints what each file did, with its rate.
 */
export const FUZZ_FULL = process.env.FUZZ_FULL === '1';
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261127);

/** The number of property runs: FUZZ_RUNS if set, else the full or the CI size. */
export function fuzzRuns(ci: number, full: number): number {
  const forced = Number(process.env.FUZZ_RUNS);
  if (Number.isInteger(forced) && forced > 0) return forced;
  return FUZZ_FULL ? full : ci;
}

/**
 * The wall-clock limit of one fuzz test, ms. At full size it is the budget (`npm run fuzz` stops there). At
 * the CI size the count of runs is what bounds the work, and the limit is only a hang guard: a loaded
 * machine (1500 HTTP requests took over 25 s on the 2-core box at load 20) must not fail a test that found
 * nothing.
 */
export function fuzzBudgetMs(fullMs: number): number {
  return FUZZ_FULL ? fullMs : CI_HANG_GUARD_MS;
}

const CI_HANG_GUARD_MS = 600_000;

/** Prints a figure line (`npm run fuzz` output and the README's fuzz figures) when asked or at full size. */
export function reportFuzzFigure(what: string, count: number, unit: string, ms: number, extra = ''): void {
  if (!FUZZ_FULL && !process.env.FUZZ_VERBOSE) return;
  const rate = Math.round((count / ms) * 1000);
  console.log(`[fuzz] ${what}: ${count} ${unit} in ${(ms / 1000).toFixed(1)} s (${rate} ${unit}/s)${extra ? `; ${extra}` : ''}`);
}
