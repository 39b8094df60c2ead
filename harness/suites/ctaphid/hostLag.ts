/**
 * How late this host's own timers ran while a timing check watched the device. A gap the host measured
 * includes its own scheduling delay (a busy machine, a GC pause); a timing verdict holds the device to
 * account only for what is left after that delay.
 */
export interface HostLag {
  /** stops watching; the worst lateness of the 10 ms timer since the start, in whole ms */
  stop(): number;
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
  timer.unref();
  return {
    stop: () => {
      sample();
      clearInterval(timer);
      return Math.round(worst);
    },
  };
}
