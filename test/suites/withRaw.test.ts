import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RawCtaphid } from '../../harness/ctaphid/index.ts';
import { CheckFailed } from '../../harness/runner/Check.ts';
import { withRaw } from '../../harness/suites/ctaphid/common.ts';
import type { SuiteContext } from '../../harness/suites/SuiteContext.ts';

/** A raw transport no test writes to: withRaw's sessions only discard pending reports on it. */
function ctxWithRaw(): { ctx: SuiteContext; discarded: () => number } {
  let discards = 0;
  const raw = { discardPending: () => void discards++ } as unknown as RawCtaphid;
  return { ctx: { device: { hid: { raw } } } as unknown as SuiteContext, discarded: () => discards };
}

describe('withRaw: a raw ctaphid check run again when another host kept the device busy (CTAP 2.1 §11.2.5)', () => {
  it('tries again past six attempts while ERR_CHANNEL_BUSY keeps coming, and returns the first success', async () => {
    const { ctx, discarded } = ctxWithRaw();
    let attempts = 0;
    const result = await withRaw(ctx, new AbortController().signal, async (s) => {
      attempts++;
      if (attempts < 9) {
        s.busyAnswers = 1;
        throw new CheckFailed('WINK answered CTAPHID_ERROR ERR_CHANNEL_BUSY');
      }
      return 'winked';
    });
    expect(result).toBe('winked');
    expect(attempts).toBe(9);
    // a fresh session each attempt: it discards pending reports when it opens and when it closes
    expect(discarded()).toBe(18);
  }, 60_000);

  it('does not try again when the failure met no ERR_CHANNEL_BUSY: the device, not another host, failed', async () => {
    const { ctx } = ctxWithRaw();
    let attempts = 0;
    await expect(
      withRaw(ctx, new AbortController().signal, async () => {
        attempts++;
        throw new CheckFailed('WINK answered CTAPHID_ERROR ERR_INVALID_CMD');
      }),
    ).rejects.toThrow('ERR_INVALID_CMD');
    expect(attempts).toBe(1);
  });

  it('does not try again on an error that is not a check failure, busy or not', async () => {
    const { ctx } = ctxWithRaw();
    let attempts = 0;
    await expect(
      withRaw(ctx, new AbortController().signal, async (s) => {
        attempts++;
        s.busyAnswers = 2;
        throw new TypeError('bug in the check');
      }),
    ).rejects.toThrow(TypeError);
    expect(attempts).toBe(1);
  });

  it('stops trying once aborted, with the last failure', async () => {
    const { ctx } = ctxWithRaw();
    const ac = new AbortController();
    let attempts = 0;
    await expect(
      withRaw(ctx, ac.signal, async (s) => {
        attempts++;
        s.busyAnswers = 1;
        if (attempts === 2) ac.abort();
        throw new CheckFailed(`busy ${attempts}`);
      }),
    ).rejects.toThrow('busy 2');
    expect(attempts).toBe(2);
  });

  it('gives up with the last failure when the device stays busy past its budget', async () => {
    const { ctx } = ctxWithRaw();
    let attempts = 0;
    await expect(
      withRaw(ctx, new AbortController().signal, async (s) => {
        attempts++;
        s.busyAnswers = 1;
        throw new CheckFailed(`busy ${attempts}`);
      }),
    ).rejects.toThrow(/^busy \d+$/);
    // at least six tries, and a bounded number: the back-off is at least 50 ms × min(attempt, 5)
    expect(attempts).toBeGreaterThanOrEqual(6);
    expect(attempts).toBeLessThan(8_000 / 250 + 6);
  }, 60_000);

  describe('with the clock in the test’s hands', () => {
    afterEach(() => void vi.restoreAllMocks());
    /** performance.now() as the test sets it; each attempt moves it on by `msPerAttempt` */
    function clocked(msPerAttempt: number) {
      let clock = 1_000;
      vi.spyOn(performance, 'now').mockImplementation(() => clock);
      return async (s: { busyAnswers: number }) => {
        clock += msPerAttempt;
        s.busyAnswers = 1;
        throw new CheckFailed('busy');
      };
    }

    it('tries six times when each try outlasts the whole 8 s budget, backing off between tries', async () => {
      const { ctx } = ctxWithRaw();
      const fail = clocked(10_000);
      const delays: number[] = [];
      const realSetTimeout = globalThis.setTimeout;
      vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => (delays.push(ms ?? 0), realSetTimeout(fn, ms))) as typeof setTimeout);
      let attempts = 0;
      await expect(withRaw(ctx, new AbortController().signal, (s) => (attempts++, fail(s)))).rejects.toThrow('busy');
      expect(attempts).toBe(6);
      // a randomised back-off between tries: 100 ms × the try's number (at most 5), times 0.5 to 1.5
      expect(delays.length).toBe(5);
      delays.forEach((ms, i) => {
        const step = 100 * Math.min(i + 1, 5);
        expect(ms).toBeGreaterThanOrEqual(step * 0.5);
        expect(ms).toBeLessThanOrEqual(step * 1.5);
      });
    }, 60_000);

    it('backs off 100 ms × the try’s number, at most 5, scaled by 0.5 + a random fraction', async () => {
      const { ctx } = ctxWithRaw();
      const delays: number[] = [];
      const realSetTimeout = globalThis.setTimeout;
      vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => (delays.push(ms ?? 0), realSetTimeout(fn, 0))) as typeof setTimeout);
      vi.spyOn(Math, 'random').mockReturnValue(0.25);
      const fail = clocked(1_000);
      await expect(withRaw(ctx, new AbortController().signal, fail)).rejects.toThrow('busy');
      expect(delays).toEqual([75, 150, 225, 300, 375, 375, 375]);
    }, 60_000);

    it('tries until 8 s have passed since the first try, not a try more', async () => {
      const { ctx } = ctxWithRaw();
      const fail = clocked(1_000);
      let attempts = 0;
      await expect(withRaw(ctx, new AbortController().signal, (s) => (attempts++, fail(s)))).rejects.toThrow('busy');
      // after try k, k s have passed: tries 1..7 are inside the budget, try 8 ends it
      expect(attempts).toBe(8);
    }, 60_000);
  });
});
