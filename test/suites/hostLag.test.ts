import { describe, expect, it } from 'vitest';
import { watchHostLag } from '../../harness/suites/ctaphid/hostLag.ts';

/** Blocks this thread for `ms`: the host's own stall, as a loaded machine or a GC pause makes one. */
const block = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('watchHostLag: how late this host’s own 10 ms timer ran while a timing check watched', () => {
  it('reports a stall of the host’s thread, measured up to stop(), less the 10 ms tick', async () => {
    const lag = watchHostLag();
    await new Promise((r) => setTimeout(r, 30));
    block(150);
    lag.stop();
    const worst = lag.worstMs();
    expect(worst).toBeGreaterThanOrEqual(140 - 10);
    expect(Number.isInteger(worst)).toBe(true);
    // stopped: a later stall is not counted
    block(300);
    await new Promise((r) => setTimeout(r, 30));
    expect(lag.worstMs()).toBe(worst);
  });

  it('keeps the worst delay, not the last', async () => {
    const lag = watchHostLag();
    block(200);
    await new Promise((r) => setTimeout(r, 40));
    block(20);
    lag.stop();
    expect(lag.worstMs()).toBeGreaterThanOrEqual(190 - 10);
  });
});
