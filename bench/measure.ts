/** One benchmark figure (runs/bench.json): the value, a baseline measured in the same run, value/baseline. */
export interface BenchFigure {
  id: string;
  value: number;
  unit: string;
  baseline: number;
  ratio: number;
  /** what the baseline is, for the table */
  note?: string;
}

export function figure(id: string, value: number, unit: string, baseline: number, note?: string): BenchFigure {
  return { id, value: round(value), unit, baseline: round(baseline), ratio: round(value / baseline), ...(note ? { note } : {}) };
}

export const round = (x: number) => Math.round(x * 1000) / 1000;

/** Operations per second of `op`, run for about `ms` after a short warm-up; median of three windows. */
export async function opsPerSecond(op: () => unknown | Promise<unknown>, ms = 600): Promise<number> {
  for (let i = 0; i < 5; i++) await op();
  const rates: number[] = [];
  for (let w = 0; w < 3; w++) {
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < ms / 3) {
      await op();
      n++;
    }
    rates.push(n / ((performance.now() - start) / 1000));
  }
  return rates.sort((a, b) => a - b)[1]!;
}
