import { describe, expect, it } from 'vitest';
import { counterAcrossResets, type SeenCounter } from '../../harness/suites/signCountLog.ts';
import type { CborMap } from '../../harness/protocol/index.ts';
import { resetChecks } from '../../harness/suites/reset/resetChecks.ts';
import type { SuiteContext } from '../../harness/suites/SuiteContext.ts';
import { failed, outcomes, runAgainst, swallow, type Fault } from './faultyDevice.ts';

/**
 * The reset area. RESET-003 reads the signature counters of the run's own makeCredential / getAssertion
 * answers on both sides of the resets the run does anyway: this selection makes credentials (GA-COUNTER-001's
 * pooled one and CLIENTPIN-V2-UVFLAG-001's token one), then UV-FLAG-001 needs no PIN (a reset) and makes one.
 */
const ACROSS_A_RESET = ['GA-COUNTER-001', 'CLIENTPIN-V2-UVFLAG-001', 'UV-FLAG-001', 'RESET-003'];

const seen = (...c: [epoch: number, signCount: number, credential: string][]): SeenCounter[] =>
  c.map(([epoch, signCount, credential]) => ({ epoch, signCount, credential }));

describe('counterAcrossResets', () => {
  it('should take a counter that rises over several credentials for global, and report each reset crossed', () => {
    const r = counterAcrossResets(seen([0, 1, 'a'], [0, 2, 'a'], [0, 3, 'b'], [1, 4, 'c'], [1, 5, 'c'], [2, 1, 'd']));
    expect(r.global).toBe(true);
    expect(r.crossings).toEqual([
      { epoch: 1, before: 3, after: 4 },
      { epoch: 2, before: 5, after: 1 },
    ]);
  });

  it('should not take per-credential or constant counters for global', () => {
    // each new credential starts again (WebAuthn L3 §6.1.1 allows a counter per credential)
    expect(counterAcrossResets(seen([0, 0, 'a'], [0, 1, 'a'], [0, 0, 'b'], [0, 1, 'b'], [1, 0, 'c'])).global).toBe(false);
    expect(counterAcrossResets(seen([0, 0, 'a'], [0, 0, 'a'], [0, 0, 'b'], [1, 0, 'c'])).global).toBe(false);
    // rising, but one credential only: nothing says the counter is the device's
    expect(counterAcrossResets(seen([0, 1, 'a'], [0, 2, 'a'], [0, 3, 'a'])).global).toBe(false);
  });

  it('should see no crossing without counters on both sides of a reset', () => {
    expect(counterAcrossResets(seen([0, 1, 'a'], [0, 2, 'b'], [0, 3, 'b'])).crossings).toEqual([]);
    expect(counterAcrossResets(seen([1, 1, 'a'], [1, 2, 'b'], [3, 3, 'c'])).crossings).toEqual([{ epoch: 3, before: 2, after: 3 }]);
  });
});

/** After the first authenticatorReset, getInfo answers are changed by `change`. */
function infoAfterReset(change: (info: CborMap) => void): Fault {
  let reset = false;
  return async (cmd, params, next) => {
    const a = await next(params);
    if (cmd === 0x07 && a.status === 0) reset = true;
    if (cmd === 0x04 && reset && a.body) change(a.body);
    return a;
  };
}

describe('RESET-001 and RESET-002 (CTAP 2.1 §6.6)', () => {
  it('should pass on the simulator', async () => {
    expect(outcomes(await runAgainst({ checks: ['RESET-001', 'RESET-002'] }))).toEqual({ 'RESET-001': 'pass: as specified', 'RESET-002': 'pass: as specified' });
  });

  it('should fail RESET-001 when authenticatorReset answers CTAP2_OK but deletes nothing', async () => {
    const r = await runAgainst({ checks: ['RESET-001'], fault: swallow(0x07, () => true) });
    expect(outcomes(r)).toEqual({ 'RESET-001': 'fail: getAssertion with a credential made before reset: expected 0x2e CTAP2_ERR_NO_CREDENTIALS, got 0x00 CTAP2_OK' });
  });

  it('should make the credential and ask for it under the check\'s own RP ID', async () => {
    // a leading-dot or shared RP ID would be refused by a key, or meet another check's credentials
    const rpIds: string[] = [];
    const record: Fault = async (cmd, params, next) => {
      if (cmd === 0x01) rpIds.push(`mc ${String((params?.get(0x02) as CborMap | undefined)?.get('id'))}`);
      if (cmd === 0x02) rpIds.push(`ga ${String(params?.get(0x01))}`);
      return next(params);
    };
    const r = await runAgainst({ checks: ['RESET-001'], fault: record });
    expect(outcomes(r)).toEqual({ 'RESET-001': 'pass: as specified' });
    expect(rpIds).toEqual(['mc reset-001.fido-harness.test', 'ga reset-001.fido-harness.test']);
  });

  it('should pass RESET-002 when getInfo after the reset has no options member (defaults: no clientPin)', async () => {
    // CTAP 2.1 §6.4: options is optional; absent, clientPin is absent (no PIN capability), not true
    const r = await runAgainst({ checks: ['RESET-002'], fault: infoAfterReset((info) => info.delete(0x04)) });
    expect(outcomes(r)).toEqual({ 'RESET-002': 'pass: as specified' });
  });

  it('should fail RESET-002 when the PIN survives the reset, or the AAGUID changes with it', async () => {
    const pin = await runAgainst({ checks: ['RESET-002'], fault: infoAfterReset((info) => info.set(0x04, new Map([...(info.get(0x04) as CborMap), ['clientPin', true]]))) });
    expect(outcomes(pin)).toEqual({ 'RESET-002': 'fail: clientPin still true after reset' });
    const aaguid = await runAgainst({ checks: ['RESET-002'], fault: infoAfterReset((info) => info.set(0x03, new Uint8Array(16).fill(7))) });
    expect(outcomes(aaguid)).toEqual({ 'RESET-002': 'fail: aaguid changed across reset' });
  });
});

describe('RESET-003 (the signature counter across authenticatorReset)', () => {
  it('should pass on the simulator, whose counter keeps rising across reset', async () => {
    const r = await runAgainst({ checks: ACROSS_A_RESET });
    expect(failed(r)).toEqual([]);
    expect(r.get('RESET-003')).toEqual({ status: 'pass', message: 'the counter kept rising across 1 reset' });
  }, 60_000);

  it('should warn, not fail, when authenticatorReset sets the counter back (counter-reset-on-reset)', async () => {
    const r = await runAgainst({ checks: ACROSS_A_RESET, quirks: ['counter-reset-on-reset'] });
    expect(failed(r)).toEqual([]);
    expect(r.get('RESET-003')?.status).toBe('warn');
    expect(r.get('RESET-003')?.message).toMatch(/^the signature counter went back across authenticatorReset \(\d+ before, 1 after\)/);
  }, 60_000);

  it('should skip with its reason when the counter is per credential or constant, or no reset was crossed', async () => {
    const stuck = await runAgainst({ checks: ACROSS_A_RESET, quirks: ['counter-stuck'] });
    expect(stuck.get('RESET-003')).toEqual({ status: 'skip', message: 'the counters the run saw are per credential or constant: a reset leaves no credential whose counter could go back' });
    const alone = await runAgainst({ suites: ['reset'] });
    expect(alone.get('RESET-003')?.status).toBe('skip');
    expect(alone.get('RESET-003')?.message).toMatch(/^the run saw no signature counter on both sides of an authenticatorReset/);
  }, 60_000);

  it('should give its evidence: the counter on each side of the reset', async () => {
    const r = await runAgainst({ checks: ACROSS_A_RESET, evidence: true });
    const c = r.get('RESET-003')!;
    expect(c.status).toBe('pass');
    expect(c.expected).toBe('after each reset, a counter above the highest before it');
    const [, before, after] = /^reset 1: (\d+) then (\d+)$/.exec(c.actual ?? '') ?? [];
    expect(Number(after)).toBeGreaterThan(Number(before));
  }, 60_000);

  it('should say "resets" when the run crossed more than one, with each crossing in its evidence', async () => {
    // the check reads only the counters the run saw (ctx.signCounts): two resets crossed, as a longer run would
    const check = resetChecks.find((c) => c.id === 'RESET-003')!;
    const ctx = { signCounts: { seen: seen([0, 1, 'a'], [0, 2, 'b'], [0, 3, 'b'], [1, 4, 'c'], [1, 5, 'c'], [2, 6, 'd']) } } as unknown as SuiteContext;
    expect(await check.run(ctx, new AbortController().signal)).toEqual({
      message: 'the counter kept rising across 2 resets',
      evidence: { expected: 'after each reset, a counter above the highest before it', actual: 'reset 1: 3 then 4; reset 2: 5 then 6' },
    });
  });

  it('should warn when the counter after the reset only equals the highest before it (not above)', async () => {
    let resets = 0;
    let highest = 0;
    let after = false;
    const r = await runAgainst({
      checks: ACROSS_A_RESET,
      evidence: true,
      fault: async (cmd, params, next) => {
        if (cmd === 0x07) resets++;
        const answer = await next(params);
        if ((cmd === 0x01 || cmd === 0x02) && answer.body) {
          if (resets === 0) highest = Math.max(highest, signCountOf(answer.body));
          else if (!after) {
            after = true;
            setSignCount(answer.body, highest);
          }
        }
        return answer;
      },
    });
    const c = r.get('RESET-003')!;
    expect(`${c.status}: ${c.message}`).toBe(`warn: the signature counter went back across authenticatorReset (${highest} before, ${highest} after): allowed, as the reset deleted every credential, but a host cannot tell it from a lost counter`);
    expect(c.expected).toBe('after each reset, a counter above the highest before it');
    expect(c.actual).toBe(`reset 1: ${highest} then ${highest}`);
  }, 60_000);

  it('should warn when a device answers a lower counter after the reset than before it', async () => {
    // a fault in place of the quirk: every makeCredential after the first reset reports counter 1
    let resets = 0;
    const r = await runAgainst({
      checks: ACROSS_A_RESET,
      fault: async (cmd, params, next) => {
        if (cmd === 0x07) resets++;
        const answer = await next(params);
        if (resets > 0 && cmd === 0x01 && answer.body) setSignCount(answer.body, 1);
        return answer;
      },
    });
    expect(r.get('RESET-003')?.status).toBe('warn');
  }, 60_000);
});

/** The signCount of an answer's authenticatorData (member 0x02). */
function signCountOf(body: Map<unknown, unknown>): number {
  const authData = body.get(0x02) as Uint8Array;
  return new DataView(authData.buffer, authData.byteOffset, authData.byteLength).getUint32(33);
}

/** authenticatorData (member 0x02): signCount is the 4 bytes after rpIdHash and flags (WebAuthn L3 §6.1). */
function setSignCount(body: Map<unknown, unknown>, n: number): void {
  const authData = Uint8Array.from(body.get(0x02) as Uint8Array);
  new DataView(authData.buffer).setUint32(33, n);
  body.set(0x02, authData);
}
