/**
 * How late this host's own timers ran while a timing check watched the device. A gap the host measured
 * includes its own scheduling delay (a busy machine, a GC pause); a timing verdict holds the device to
 * account only for what is left after that delay.
 */
export interface HostLag {
  /** the worst lateness of a 10 ms timer since start (measured until stop), in whole ms */
  worstMs(): number;
  stop(): void;
}

const TICK_MS = 10;

/** Starts a 10 ms ticker and keeps the worst delay past its due time. */
export function watchHostLag(): HostLag {
  let last = performance.now();
  let worst = 0;
  const sample = () => {
    const now = performance.now();
    worst = Math.max(worst, now - last - TICK_MS);
    last = now;
  };
  const timer = setInterval(sample, TICK_MS);
  timer.unref?.();
  return {
    worstMs: () => Math.round(worst),
    stop: () => {
      sample();
      clearInterval(timer);
    },
  };
}
