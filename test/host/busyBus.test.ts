import { describe, expect, it } from 'vitest';
import { CtaphidChannel, CtaphidError } from '../../harness/ctaphid/index.ts';
import { BROADCAST_CID, CtaphidCommand, CtaphidErrorCode, encodeFrames, parsePacket } from '../../harness/protocol/index.ts';
import { MemoryTransport } from '../../harness/transport/index.ts';
import { initAnswer, scriptedDevice } from './scriptedDevice.ts';

// The host channel on a bus it shares (CTAP 2.1 §11.2.9.1.6): ERR_CHANNEL_BUSY is retried with back-off
// within the transaction's time limit; ERR_INVALID_CHANNEL leads to one new channel (INIT on the broadcast
// CID, §11.2.9.1.3) and one retry.

const error = (cid: number, code: number) => encodeFrames(cid, CtaphidCommand.ERROR, Uint8Array.of(code))[0]!;

/** A device that allocates CIDs 1, 2, 3… and answers the n-th PING with `answer(n, cid)` (an error code;
 * undefined echoes the PING, 'silent' leaves it unanswered). */
function device(answer: (n: number, cid: number) => number | 'silent' | undefined) {
  let nextCid = 1;
  let pings = 0;
  const d = scriptedDevice((report, emit) => {
    const p = parsePacket(report);
    if (p.kind !== 'init') return;
    if (p.cmd === CtaphidCommand.INIT && p.cid === BROADCAST_CID) return emit(initAnswer(report, nextCid++));
    if (p.cmd === CtaphidCommand.PING) {
      const code = answer(++pings, p.cid);
      if (code === 'silent') return;
      if (code !== undefined) return emit(error(p.cid, code));
      emit(encodeFrames(p.cid, CtaphidCommand.PING, p.data.subarray(0, p.bcnt))[0]!);
    }
  });
  return { ...d, pings: () => pings };
}

async function open(d: ReturnType<typeof device>, timeoutMs = 2_000) {
  return CtaphidChannel.open(new MemoryTransport(d.connect), { timeoutMs });
}

describe('CTAPHID host channel on a busy bus', () => {
  it('retries ERR_CHANNEL_BUSY until the device is free, then returns the answer', async () => {
    const d = device((n) => (n <= 5 ? CtaphidErrorCode.ERR_CHANNEL_BUSY : undefined));
    const ch = await open(d);
    expect([...(await ch.ping(Uint8Array.of(7, 8)))]).toEqual([7, 8]);
    expect(d.pings()).toBe(6);
    expect(ch.busyRetries).toEqual({ busy: 5, reopened: 0 });
  });

  it('gives up with CTAPHID_DEVICE_ERROR ERR_CHANNEL_BUSY at the transaction time limit', async () => {
    const d = device(() => CtaphidErrorCode.ERR_CHANNEL_BUSY);
    const ch = await open(d, 1_500);
    const t0 = Date.now();
    const err = await ch.ping(Uint8Array.of(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CtaphidError);
    expect((err as CtaphidError).code).toBe('CTAPHID_DEVICE_ERROR');
    expect((err as CtaphidError).hidError).toBe(CtaphidErrorCode.ERR_CHANNEL_BUSY);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200); // it kept trying (a hang guard, not a speed limit)
    expect(d.pings()).toBeGreaterThan(2);
  });

  it('reports the busy device, not a timeout, when the retry after ERR_CHANNEL_BUSY goes unanswered past the time limit', async () => {
    const d = device((n) => (n === 1 ? CtaphidErrorCode.ERR_CHANNEL_BUSY : 'silent'));
    const ch = await open(d, 400);
    const err = (await ch.ping(Uint8Array.of(1)).catch((e: unknown) => e)) as CtaphidError;
    expect(err.code).toBe('CTAPHID_DEVICE_ERROR');
    expect(err.hidError).toBe(CtaphidErrorCode.ERR_CHANNEL_BUSY);
    expect(d.pings()).toBe(2);
    expect(ch.busyRetries.busy).toBe(1);
  });

  it('a device silent from the start times out', async () => {
    const d = device(() => 'silent');
    const ch = await open(d, 200);
    const err = (await ch.ping(Uint8Array.of(1)).catch((e: unknown) => e)) as CtaphidError;
    expect(err.code).toBe('CTAPHID_TIMEOUT');
    expect(d.pings()).toBe(1);
  });

  it('after ERR_INVALID_CHANNEL allocates a new channel once and retries there', async () => {
    const d = device((n, cid) => (cid === 1 ? CtaphidErrorCode.ERR_INVALID_CHANNEL : undefined));
    const ch = await open(d);
    expect(ch.cid).toBe(1);
    expect([...(await ch.ping(Uint8Array.of(3)))]).toEqual([3]);
    expect(ch.cid).toBe(2);
    expect(ch.busyRetries.reopened).toBe(1);
  });

  it('re-INITs only once per transaction: a device that forgets every channel fails with ERR_INVALID_CHANNEL', async () => {
    const d = device(() => CtaphidErrorCode.ERR_INVALID_CHANNEL);
    const ch = await open(d);
    const err = (await ch.ping(Uint8Array.of(1)).catch((e: unknown) => e)) as CtaphidError;
    expect(err.hidError).toBe(CtaphidErrorCode.ERR_INVALID_CHANNEL);
    expect(d.pings()).toBe(2);
  });

  it('other CTAPHID errors are not retried', async () => {
    const d = device(() => CtaphidErrorCode.ERR_INVALID_LEN);
    const ch = await open(d);
    const err = (await ch.ping(Uint8Array.of(1)).catch((e: unknown) => e)) as CtaphidError;
    expect(err.hidError).toBe(CtaphidErrorCode.ERR_INVALID_LEN);
    expect(d.pings()).toBe(1);
  });
});
