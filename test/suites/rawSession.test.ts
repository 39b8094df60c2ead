import { describe as group, expect, it } from 'vitest';
import { BROADCAST_CID, CtaphidCommand, CtaphidErrorCode, encodeFrames, MAX_MESSAGE_SIZE, parsePacket } from '../../harness/protocol/index.ts';
import { CheckFailed } from '../../harness/runner/Check.ts';
import { describe, initPacket, RawSession } from '../../harness/suites/ctaphid/RawSession.ts';
import { initBody, initDevice, scripted } from './scriptedHid.ts';

async function failure(p: Promise<unknown>): Promise<CheckFailed> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CheckFailed);
  return err as CheckFailed;
}

const nonce = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);

group('RawSession.init (CTAP 2.1 §11.2.9.1.3)', () => {
  it('skips keepalives and answers to other nonces, and reads the answer with its nonce field by field', async () => {
    const d = scripted((r, emit) => {
      if (parsePacket(r).kind !== 'init') return;
      emit(encodeFrames(BROADCAST_CID, CtaphidCommand.KEEPALIVE, Uint8Array.of(1)));
      emit(encodeFrames(BROADCAST_CID, CtaphidCommand.INIT, initBody(Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9), 0x11)));
      emit(encodeFrames(BROADCAST_CID, CtaphidCommand.INIT, initBody(r.subarray(7, 15), 0x01020304, 2, 0x0d)));
    });
    const s = new RawSession(d.raw);
    const a = await s.init(BROADCAST_CID, nonce, 500);
    expect(a.cid).toBe(0x01020304);
    expect(a.protocolVersion).toBe(2);
    expect(a.capabilities).toBe(0x0d);
    expect([...a.nonce]).toEqual([...nonce]);
    expect(a.raw.length).toBe(17);
    // the request: one INIT packet on the broadcast CID carrying the nonce
    expect(d.written.length).toBe(1);
    expect([...d.written[0]!.subarray(0, 15)]).toEqual([0xff, 0xff, 0xff, 0xff, 0x86, 0, 8, ...nonce]);
  });

  it('fails on an answer that is not INIT, on a short answer, and on silence, each with its message', async () => {
    const err = scripted((r, emit) => emit(encodeFrames(BROADCAST_CID, CtaphidCommand.ERROR, Uint8Array.of(CtaphidErrorCode.ERR_OTHER))));
    const e1 = await failure(new RawSession(err.raw).init(BROADCAST_CID, nonce, 500));
    expect(e1.message).toBe('INIT on 0xffffffff answered with CTAPHID_ERROR ERR_OTHER');
    expect(e1.evidence?.actual).toBe('CTAPHID_ERROR ERR_OTHER');

    const short = scripted((r, emit) => emit(encodeFrames(BROADCAST_CID, CtaphidCommand.INIT, initBody(r.subarray(7, 15), 2, 2, 5, 16))));
    const e2 = await failure(new RawSession(short.raw).init(BROADCAST_CID, nonce, 500));
    expect(e2.message).toBe('INIT answer of 16 bytes; §11.2.9.1.3 defines 17');
    expect(e2.evidence?.actual).toBe('0102030405060708' + '00000002' + '02000000');

    const silent = scripted();
    const e3 = await failure(new RawSession(silent.raw).init(0x1234, nonce, 60));
    expect(e3.message).toBe('no INIT answer on 0x00001234 within 60 ms');
  });

  it('initBroadcast sends a fresh 8-byte nonce each time', async () => {
    const d = initDevice(7);
    const s = new RawSession(d.raw);
    await s.initBroadcast();
    await s.initBroadcast();
    const n1 = Buffer.from(d.written[0]!.subarray(7, 15)).toString('hex');
    const n2 = Buffer.from(d.written[1]!.subarray(7, 15)).toString('hex');
    expect(d.written[0]![6]).toBe(8);
    expect(n1).not.toBe(n2);
  });

  it('allocate refuses the reserved channel IDs 0 and 0xFFFFFFFF (§11.2.3)', async () => {
    for (const cid of [0, BROADCAST_CID]) {
      const e = await failure(new RawSession(initDevice(cid).raw).allocate());
      expect(e.message).toBe(`INIT allocated the reserved channel ID 0x${cid.toString(16).padStart(8, '0')}`);
    }
    expect(await new RawSession(initDevice(0x42).raw).allocate()).toBe(0x42);
  });
});

group('RawSession reading (CTAP 2.1 §11.2.4)', () => {
  it('keeps other watched channels’ messages for later, ignores unwatched ones, and times out with undefined', async () => {
    const d = scripted();
    const s = new RawSession(d.raw);
    s.watch(1);
    s.watch(2);
    d.emit(encodeFrames(3, CtaphidCommand.PING, Uint8Array.of(3)));
    d.emit(encodeFrames(2, CtaphidCommand.PING, Uint8Array.of(2)));
    d.emit(encodeFrames(1, CtaphidCommand.PING, Uint8Array.of(1)));
    const m1 = await s.next(1, 500);
    expect(m1 && [m1.cid, m1.cmd, ...m1.payload]).toEqual([1, CtaphidCommand.PING, 1]);
    const m2 = await s.next(2, 0);
    expect(m2 && [m2.cid, ...m2.payload]).toEqual([2, 2]);
    expect(m2!.at).toBeLessThanOrEqual(performance.now());
    expect(await s.next(3, 50)).toBeUndefined();
    expect(await s.next(1, 50)).toBeUndefined();
  });

  it('reads nothing more once its time is up, even a report already waiting', async () => {
    const d = scripted();
    const s = new RawSession(d.raw);
    s.watch(1);
    d.emit(encodeFrames(1, CtaphidCommand.PING, Uint8Array.of(1)));
    expect(await s.next(1, -1)).toBeUndefined();
    expect((await s.next(1, 500))?.payload).toEqual(Uint8Array.of(1));
  });

  it('a watched channel gets a multi-packet message reassembled', async () => {
    const d = scripted();
    const s = new RawSession(d.raw);
    s.watch(5);
    const data = Uint8Array.from({ length: 200 }, (_, i) => i);
    d.emit(encodeFrames(5, CtaphidCommand.CBOR, data));
    const m = await s.next(5, 500);
    expect(m?.payload).toEqual(data);
  });

  it('throws a transport failure other than a read timeout', async () => {
    const d = scripted();
    const s = new RawSession(d.raw);
    await d.raw.transport.close();
    await expect(s.next(1, 500)).rejects.toThrow(/^TRANSPORT_CLOSED: /);
  });

  it('allocate waits 2 s for the INIT answer by default', async () => {
    const e = await failure(new RawSession(scripted().raw).allocate());
    expect(e.message).toBe('no INIT answer on 0xffffffff within 2000 ms');
  });

  it('stops reading once aborted', async () => {
    const ac = new AbortController();
    const s = new RawSession(scripted().raw, ac.signal);
    ac.abort();
    await expect(s.next(1, 500)).rejects.toThrow('check aborted');
  });

  it('nextAnswer returns the first message that is not a keepalive, with the keepalives before it', async () => {
    const d = scripted();
    const s = new RawSession(d.raw);
    s.watch(1);
    d.emit(encodeFrames(1, CtaphidCommand.KEEPALIVE, Uint8Array.of(1)));
    d.emit(encodeFrames(1, CtaphidCommand.KEEPALIVE, Uint8Array.of(2)));
    d.emit(encodeFrames(1, CtaphidCommand.WINK, new Uint8Array(0)));
    const { message, keepalives } = await s.nextAnswer(1, 500);
    expect(message?.cmd).toBe(CtaphidCommand.WINK);
    expect(keepalives.map((k) => k.payload[0])).toEqual([1, 2]);
    const none = await s.nextAnswer(1, 30);
    expect(none.message).toBeUndefined();
    expect(none.keepalives).toEqual([]);
  });

  it('expectError: the error asked for passes; another answer or none fails with what came', async () => {
    const d = scripted();
    const s = new RawSession(d.raw);
    s.watch(1);
    d.emit(encodeFrames(1, CtaphidCommand.ERROR, Uint8Array.of(CtaphidErrorCode.ERR_INVALID_SEQ)));
    const m = await s.expectError(1, CtaphidErrorCode.ERR_INVALID_SEQ, 500, 'x');
    expect(m.payload[0]).toBe(CtaphidErrorCode.ERR_INVALID_SEQ);

    d.emit(encodeFrames(1, CtaphidCommand.ERROR, Uint8Array.of(CtaphidErrorCode.ERR_OTHER)));
    const wrong = await failure(s.expectError(1, CtaphidErrorCode.ERR_INVALID_SEQ, 500, 'PING y'));
    expect(wrong.message).toBe('PING y: expected CTAPHID_ERROR ERR_INVALID_SEQ, got CTAPHID_ERROR ERR_OTHER');
    expect(wrong.evidence).toMatchObject({ expected: 'CTAPHID_ERROR ERR_INVALID_SEQ', actual: 'CTAPHID_ERROR ERR_OTHER' });

    // the right code under another command is not the error
    d.emit(encodeFrames(1, CtaphidCommand.PING, Uint8Array.of(CtaphidErrorCode.ERR_INVALID_SEQ)));
    const ping = await failure(s.expectError(1, CtaphidErrorCode.ERR_INVALID_SEQ, 500, 'z'));
    expect(ping.message).toBe('z: expected CTAPHID_ERROR ERR_INVALID_SEQ, got CTAPHID_PING (1 bytes)');

    const silent = await failure(s.expectError(1, CtaphidErrorCode.ERR_MSG_TIMEOUT, 40, 'w'));
    expect(silent.message).toBe('w: no answer on 0x00000001 within 40 ms; expected CTAPHID_ERROR ERR_MSG_TIMEOUT');
    expect(silent.evidence).toMatchObject({ expected: 'CTAPHID_ERROR ERR_MSG_TIMEOUT', actual: 'no answer' });
  });

  it('counts ERR_CHANNEL_BUSY answers, and no other error (§11.2.5)', async () => {
    const d = scripted();
    const s = new RawSession(d.raw);
    s.watch(1);
    for (const code of [CtaphidErrorCode.ERR_CHANNEL_BUSY, CtaphidErrorCode.ERR_OTHER, CtaphidErrorCode.ERR_CHANNEL_BUSY]) {
      d.emit(encodeFrames(1, CtaphidCommand.ERROR, Uint8Array.of(code)));
    }
    d.emit(encodeFrames(1, CtaphidCommand.PING, Uint8Array.of(CtaphidErrorCode.ERR_CHANNEL_BUSY)));
    for (let i = 0; i < 4; i++) expect(await s.next(1, 500)).toBeDefined();
    expect(s.busyAnswers).toBe(2);
    // one the check provoked and expected is not another host's doing
    d.emit(encodeFrames(1, CtaphidCommand.ERROR, Uint8Array.of(CtaphidErrorCode.ERR_CHANNEL_BUSY)));
    await s.expectError(1, CtaphidErrorCode.ERR_CHANNEL_BUSY, 500, 'PING on a second channel');
    expect(s.busyAnswers).toBe(2);
    // another error the check expected leaves the count alone
    d.emit(encodeFrames(1, CtaphidCommand.ERROR, Uint8Array.of(CtaphidErrorCode.ERR_INVALID_SEQ)));
    await s.expectError(1, CtaphidErrorCode.ERR_INVALID_SEQ, 500, 'PING');
    expect(s.busyAnswers).toBe(2);
    // a busy answer where another error was expected is another host's doing
    d.emit(encodeFrames(1, CtaphidCommand.ERROR, Uint8Array.of(CtaphidErrorCode.ERR_CHANNEL_BUSY)));
    await expect(s.expectError(1, CtaphidErrorCode.ERR_LOCK_REQUIRED, 500, 'PING')).rejects.toThrow(CheckFailed);
    expect(s.busyAnswers).toBe(3);
  });

  it('fails on framing faults of the device: a new message before the last ended, an oversize BCNT, a stray or out-of-order continuation', async () => {
    const cases: Array<[Uint8Array[], string]> = [
      [[initPacket(1, CtaphidCommand.PING, 100), initPacket(1, CtaphidCommand.WINK, 0)], 'device started a new CTAPHID_WINK message on 0x00000001 before finishing the previous one (§11.2.4)'],
      [[initPacket(1, CtaphidCommand.PING, MAX_MESSAGE_SIZE + 1)], `device sent a message declaring ${MAX_MESSAGE_SIZE + 1} bytes (> ${MAX_MESSAGE_SIZE}, §11.2.4)`],
      [[encodeFrames(1, CtaphidCommand.PING, new Uint8Array(100))[1]!], 'device sent a continuation packet (SEQ 0) on 0x00000001 without an initialization packet (§11.2.4)'],
      [[encodeFrames(1, CtaphidCommand.PING, new Uint8Array(200))[0]!, encodeFrames(1, CtaphidCommand.PING, new Uint8Array(200))[2]!], "device's continuation packets on 0x00000001 are out of sequence (§11.2.4)"],
    ];
    for (const [reports, message] of cases) {
      const d = scripted();
      const s = new RawSession(d.raw);
      s.watch(1);
      d.emit(reports);
      expect((await failure(s.next(1, 500))).message).toBe(message);
    }
    // the largest message CTAPHID frames is read
    const d = scripted();
    const s = new RawSession(d.raw);
    s.watch(1);
    d.emit(encodeFrames(1, CtaphidCommand.PING, new Uint8Array(MAX_MESSAGE_SIZE)));
    expect((await s.next(1, 2_000))?.payload.length).toBe(MAX_MESSAGE_SIZE);
  });
});

group('RawSession.close', () => {
  it('resynchronises each channel it allocated with INIT on it, drops what is queued, and discards pending reports', async () => {
    const d = initDevice(0x77);
    const s = new RawSession(d.raw);
    expect(d.discards()).toBe(1);
    const cid = await s.allocate();
    d.emit(encodeFrames(cid, CtaphidCommand.PING, Uint8Array.of(1)));
    await s.next(BROADCAST_CID, 30); // reads the PING into the queue
    await s.close();
    expect(d.discards()).toBe(2);
    const last = parsePacket(d.written.at(-1)!);
    expect(last.kind === 'init' && [last.cid, last.cmd]).toEqual([0x77, CtaphidCommand.INIT]);
    expect(d.written.length).toBe(2);
    expect(await s.next(cid, 30)).toBeUndefined();
  });

  it('a device that does not answer the resync does not fail the clean-up', async () => {
    let allocated = false;
    const d = scripted((r, emit) => {
      if (allocated) return;
      allocated = true;
      emit(encodeFrames(BROADCAST_CID, CtaphidCommand.INIT, initBody(r.subarray(7, 15), 9)));
    });
    const s = new RawSession(d.raw);
    await s.allocate();
    await expect(s.close()).resolves.toBeUndefined();
    expect(d.written.length).toBe(2);
  });
});

group('describe and initPacket', () => {
  it('names each kind of message as the checks report it', () => {
    expect(describe({ cmd: CtaphidCommand.ERROR, payload: Uint8Array.of(CtaphidErrorCode.ERR_INVALID_LEN) })).toBe('CTAPHID_ERROR ERR_INVALID_LEN');
    expect(describe({ cmd: CtaphidCommand.ERROR, payload: new Uint8Array(0) })).toBe('CTAPHID_ERROR ERR_0x00');
    expect(describe({ cmd: CtaphidCommand.KEEPALIVE, payload: Uint8Array.of(2) })).toBe('CTAPHID_KEEPALIVE status 2');
    expect(describe({ cmd: CtaphidCommand.CBOR, payload: Uint8Array.of(0x2e) })).toBe('CTAPHID_CBOR status 0x2e (1 bytes)');
    expect(describe({ cmd: CtaphidCommand.CBOR, payload: Uint8Array.of(0x0a, 1, 2) })).toBe('CTAPHID_CBOR status 0x0a (3 bytes)');
    expect(describe({ cmd: CtaphidCommand.CBOR, payload: new Uint8Array(0) })).toBe('CTAPHID_CBOR status 0x00 (0 bytes)');
    expect(describe({ cmd: CtaphidCommand.WINK, payload: new Uint8Array(0) })).toBe('CTAPHID_WINK (0 bytes)');
  });

  it('initPacket builds one 64-byte initialization packet with the BCNT given, whatever the data', () => {
    const data = Uint8Array.from({ length: 60 }, (_, i) => i + 1);
    const r = initPacket(0x01020304, CtaphidCommand.PING, 0x1dba, data);
    expect(r.length).toBe(64);
    expect([...r.subarray(0, 7)]).toEqual([1, 2, 3, 4, 0x81, 0x1d, 0xba]);
    expect([...r.subarray(7)]).toEqual([...data.subarray(0, 57)]);
    const empty = initPacket(BROADCAST_CID, CtaphidCommand.CBOR, 1);
    expect([...empty.subarray(0, 7)]).toEqual([0xff, 0xff, 0xff, 0xff, 0x90, 0, 1]);
    expect(empty.subarray(7).every((b) => b === 0)).toBe(true);
  });
});
