import { describe, expect, it } from 'vitest';
import { CheckFailed, CheckWarning } from '../../harness/runner/Check.ts';
import { judgeKeepalives, type KeepaliveWatch } from '../../harness/suites/ctaphid/judgeKeepalives.ts';

/** A watch from gaps (ms): the request at 1000, each keepalive `gap` after the one before; the watch ends `tail` after the last. */
function watch(gaps: number[], tail: number, hostLagMs = 0): KeepaliveWatch {
  const times: number[] = [];
  let t = 1000;
  for (const g of gaps) times.push((t += g));
  return { what: 'authenticatorSelection', sentAt: 1000, times, endedAt: t + tail, hostLagMs };
}

function verdict(w: KeepaliveWatch): { kind: string; message: string; actual?: string } {
  try {
    return { kind: 'pass', message: judgeKeepalives(w) };
  } catch (err) {
    if (err instanceof CheckFailed) return { kind: 'fail', message: err.message, actual: err.evidence?.actual };
    if (err instanceof CheckWarning) return { kind: 'warn', message: err.message, actual: err.evidence?.actual };
    throw err;
  }
}

describe('judgeKeepalives: KEEPALIVE at least every 100 ms (CTAP 2.1 §11.2.9.2.1), 50 ms host slack, the host’s own delay forgiven', () => {
  it('passes keepalives 75 ms apart with the summary', () => {
    expect(verdict(watch([5, 75, 75, 75, 75, 75, 75, 75, 75, 75], 70))).toEqual({
      kind: 'pass',
      message: '10 keepalives in 680 ms; gaps median 75 ms, worst 75 ms',
    });
  });

  it('passes gaps of exactly 150 ms; a 151 ms gap is a warning, a 301 ms gap a failure', () => {
    expect(verdict(watch([150, 150, 150, 150, 150], 150)).kind).toBe('pass');
    const jitter = verdict(watch([75, 75, 151, 75, 75, 75], 10));
    expect(jitter).toEqual({
      kind: 'warn',
      message: 'authenticatorSelection: some keepalive gaps over 150 ms (6 keepalives in 526 ms; gaps median 75 ms, worst 151 ms); host jitter or a late device',
      actual: 'gaps (ms): 75, 75, 151, 75, 75, 75; host timer delay up to 0 ms',
    });
    // 300 ms is the last gap that is a warning, and the jitter one (the host's delay is not in question)
    expect(verdict(watch([75, 75, 300, 75, 75, 75], 10)).message).toBe(
      'authenticatorSelection: some keepalive gaps over 150 ms (6 keepalives in 675 ms; gaps median 75 ms, worst 300 ms); host jitter or a late device',
    );
    expect(verdict(watch([75, 75, 301, 75, 75, 75], 10))).toEqual({
      kind: 'fail',
      message: 'authenticatorSelection: keepalives too far apart (6 keepalives in 676 ms; gaps median 75 ms, worst 301 ms); §11.2.9.2.1 asks for at least one every 100 ms',
      actual: 'gaps (ms): 75, 75, 301, 75, 75, 75; host timer delay up to 0 ms',
    });
  });

  it('fails a median gap over 150 ms even when no gap passes 300 ms', () => {
    expect(verdict(watch([150, 150, 150, 150, 150], 10)).kind).toBe('pass');
    expect(verdict(watch([151, 151, 151, 151, 151], 10))).toMatchObject({ kind: 'fail', message: expect.stringMatching(/^authenticatorSelection: keepalives too far apart \(5 keepalives in 755 ms; gaps median 151 ms, worst 151 ms\)/) });
  });

  it('counts the silence after the last keepalive as a gap', () => {
    expect(verdict(watch([75, 75, 75, 75, 75], 301))).toMatchObject({ kind: 'fail', message: expect.stringContaining('worst 301 ms') });
    expect(verdict(watch([75, 75, 75, 75, 75], 151))).toMatchObject({ kind: 'warn', message: expect.stringContaining('worst 151 ms') });
  });

  it('fails fewer than four keepalives over a 700 ms watch (one per 150 ms)', () => {
    expect(verdict(watch([100, 100, 100, 100], 100)).kind).toBe('pass');
    expect(verdict(watch([100, 100, 100], 100))).toEqual({
      kind: 'fail',
      message: 'authenticatorSelection: only 3 keepalives while waiting 700 ms and more for a touch (3 keepalives in 300 ms; gaps median 100 ms, worst 100 ms)',
      actual: 'gaps (ms): 100, 100, 100; host timer delay up to 0 ms',
    });
  });

  it('takes the median of the gaps, not their mean or the first', () => {
    expect(verdict(watch([10, 160, 160, 160, 10, 10, 10], 10)).message).toContain('gaps median 10 ms');
    expect(verdict(watch([160, 10, 10], 10)).message).toContain('gaps median 10 ms');
    expect(verdict(watch([10, 10, 160, 160], 10)).message).toContain('gaps median 160 ms');
  });

  it('what only the host’s own timer delay explains is a warning, never a failure', () => {
    const lateHost = verdict(watch([75, 75, 400, 75, 75], 10, 120));
    expect(lateHost).toEqual({
      kind: 'warn',
      message: "authenticatorSelection: keepalives late by no more than this host's own timer delay (120 ms; 5 keepalives in 700 ms; gaps median 75 ms, worst 400 ms); re-run on a quieter host to judge",
      actual: 'gaps (ms): 75, 75, 400, 75, 75; host timer delay up to 120 ms',
    });
    // the same gap beyond what the delay explains fails
    expect(verdict(watch([75, 75, 421, 75, 75], 10, 120)).kind).toBe('fail');
    expect(verdict(watch([75, 75, 420, 75, 75], 10, 120)).kind).toBe('warn');
    // a median over 150 ms within the host's delay
    expect(verdict(watch([200, 200, 200, 200], 10, 50)).message).toBe(
      "authenticatorSelection: keepalives late by no more than this host's own timer delay (50 ms; 4 keepalives in 800 ms; gaps median 200 ms, worst 200 ms); re-run on a quieter host to judge",
    );
    expect(verdict(watch([201, 201, 201, 201], 10, 50)).kind).toBe('fail');
    // three keepalives: too few in 600 ms of watch (the host lost 100 ms of it), enough in under 600
    expect(verdict(watch([100, 100, 100], 100, 100)).kind).toBe('fail');
    expect(verdict(watch([100, 100, 100], 100, 101)).kind).toBe('warn');
    expect(verdict(watch([100, 100, 100], 100, 101)).message).toMatch(/^authenticatorSelection: keepalives late by no more than this host's own timer delay \(101 ms;/);
  });
});
