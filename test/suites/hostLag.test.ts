import { afterEach, describe, expect, it, vi } from 'vitest';
import { watchHostLag } from '../../harness/suites/ctaphid/hostLag.ts';

/** Blocks this thread for `ms`: the host's own stall, as a loaded machine or a GC pause makes one. */
const block = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watchHostLag: how late this host’s own 10 ms timer ran while a timing check watched', () => {
  afterEach(() => void vi.restoreAllMocks());

  it('reports a stall of the host’s thread, measured up to stop(), less the 10 ms tick', async () => {
    const lag = watchHostLag();
    await tick(30);
    block(150);
    const worst = lag.stop();
    expect(worst).toBeGreaterThanOrEqual(140 - 10);
    expect(Number.isInteger(worst)).toBe(true);
  });

  it('keeps the worst delay, not the last', async () => {
    const lag = watchHostLag();
    block(200);
    await tick(40);
    block(20);
    expect(lag.stop()).toBeGreaterThanOrEqual(190 - 10);
  });

  it('is the time past each 10 ms tick, by the host’s clock', async () => {
    let clock = 1_000;
    vi.spyOn(performance, 'now').mockImplementation(() => clock);
    const lag = watchHostLag();
    clock += 150.4;
    expect(lag.stop()).toBe(140);
    // the worst of the ticks, not the last: a 200 ms stall, then ticks on time, then 20 ms
    const again = watchHostLag();
    clock += 200;
    await tick(40);
    clock += 20;
    expect(again.stop()).toBe(190);
  });

  it('leaves no timer behind, and its timer never keeps the process alive', async () => {
    const setSpy = vi.spyOn(globalThis, 'setInterval');
    const clearSpy = vi.spyOn(globalThis, 'clearInterval');
    const lag = watchHostLag();
    const timer = setSpy.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    await tick(20);
    lag.stop();
    expect(clearSpy).toHaveBeenCalledWith(timer);
  });
});
