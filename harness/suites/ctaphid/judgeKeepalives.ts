import { CheckFailed, CheckWarning } from '../../runner/Check.ts';

/**
 * KEEPALIVE cadence: §11.2.9.2.1 has the authenticator send KEEPALIVE at least every 100 ms while it
 * processes. Measured on the host, gaps include scheduling and transport delay, so the verdict is: every
 * gap within 100 ms + 50 ms slack passes; a median within 100 ms with a few longer gaps (up to 300 ms) is a
 * warning (host jitter or a device running late); a median over 150 ms, or any gap over 300 ms, fails.
 * The host's own timer delay while watching (a loaded machine) is taken off before a gap can fail: what
 * only the host's lateness explains is a warning, never a failure.
 */
export const KEEPALIVE_PERIOD_MS = 100;
const KEEPALIVE_SLACK_MS = 50;
const KEEPALIVE_WORST_MS = 300;
/** the longest gap that passes outright */
const KEEPALIVE_GAP_MS = KEEPALIVE_PERIOD_MS + KEEPALIVE_SLACK_MS;
/** how many keepalives a watch of `ms` must see */
const keepalivesIn = (ms: number) => Math.floor(ms / KEEPALIVE_GAP_MS);
/** how long keepalives are watched after the first UPNEEDED (the simulator holds its touch wait 1.5 s) */
export const OBSERVE_MS = 700;

/** What CTAPHID-KEEPALIVE-001 saw while the device waited for a touch (times from performance.now()). */
export interface KeepaliveWatch {
  /** the command waiting for the touch, for the messages */
  what: string;
  /** when the request's last report was written */
  sentAt: number;
  /** when each KEEPALIVE was read, in order (at least one: the first UPNEEDED) */
  times: number[];
  /** when the watch ended */
  endedAt: number;
  /** the host's own worst timer delay during the watch (hostLag.ts) */
  hostLagMs: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/** The verdict on a keepalive watch: its summary when it passes; CheckFailed or CheckWarning otherwise. */
export function judgeKeepalives(w: KeepaliveWatch): string {
  const times = [w.sentAt, ...w.times];
  const gaps = times.slice(1).map((t, i) => Math.round(t - times[i]!));
  const last = w.times.at(-1)!;
  const observedFor = Math.round(last - w.sentAt);
  // the silence from the last keepalive to the end of the watch counts as a gap too
  const worst = Math.max(...gaps, Math.round(w.endedAt - last));
  const med = median(gaps);
  const summary = `${w.times.length} keepalives in ${observedFor} ms; gaps median ${med} ms, worst ${worst} ms`;
  const evidence = { actual: `gaps (ms): ${gaps.join(', ')}; host timer delay up to ${w.hostLagMs} ms` };
  // a gap the host's own lateness explains is not the device's: a failure must hold with the host's
  // delay added to every limit (and taken off the watch)
  if (w.times.length < keepalivesIn(OBSERVE_MS - w.hostLagMs)) {
    throw new CheckFailed(`${w.what}: only ${w.times.length} keepalives while waiting ${OBSERVE_MS} ms and more for a touch (${summary})`, evidence);
  }
  if (med > KEEPALIVE_GAP_MS + w.hostLagMs || worst > KEEPALIVE_WORST_MS + w.hostLagMs) {
    throw new CheckFailed(`${w.what}: keepalives too far apart (${summary}); §11.2.9.2.1 asks for at least one every ${KEEPALIVE_PERIOD_MS} ms`, evidence);
  }
  if (w.times.length < keepalivesIn(OBSERVE_MS) || med > KEEPALIVE_GAP_MS || worst > KEEPALIVE_WORST_MS) {
    throw new CheckWarning(`${w.what}: keepalives late by no more than this host's own timer delay (${w.hostLagMs} ms; ${summary}); re-run on a quieter host to judge`, evidence);
  }
  if (worst > KEEPALIVE_GAP_MS) {
    throw new CheckWarning(`${w.what}: some keepalive gaps over ${KEEPALIVE_GAP_MS} ms (${summary}); host jitter or a late device`, evidence);
  }
  return summary;
}
