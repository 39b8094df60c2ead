import { describe, expect, it } from 'vitest';
import {
  BROADCAST_CID,
  CtaphidCommand,
  ctaphidCommandName,
  ctaphidErrorName,
  encodeFrames,
  frameCount,
  MAX_MESSAGE_SIZE,
  MessageAssembler,
  parsePacket,
  type CtaphidPacket,
} from '../../harness/protocol/index.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (n: number, from = 0) => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);
const init = (p: CtaphidPacket) => p as Extract<CtaphidPacket, { kind: 'init' }>;
const cont = (p: CtaphidPacket) => p as Extract<CtaphidPacket, { kind: 'cont' }>;

describe('CTAPHID packets (CTAP 2.1 §11.2.4)', () => {
  it('should fit 57 bytes in one initialization packet: CID | 0x80|CMD | BCNTH BCNTL | data, zero padded', () => {
    const frames = encodeFrames(0x01020304, CtaphidCommand.CBOR, bytes(57, 1));
    expect(frames).toHaveLength(1);
    expect(frames[0]).toHaveLength(64);
    expect(hex(frames[0]!.subarray(0, 7))).toBe('01020304' + '90' + '0039');
    expect(hex(frames[0]!.subarray(7))).toBe(hex(bytes(57, 1)));
    const short = encodeFrames(0x01020304, CtaphidCommand.PING, Uint8Array.of(0xaa, 0xbb));
    expect(hex(short[0]!)).toBe('01020304' + '81' + '0002' + 'aabb' + '00'.repeat(55));
  });

  it('should continue with SEQ 0, 1, … carrying 59 bytes each, the last zero padded', () => {
    const payload = bytes(57 + 59 + 10, 0x40);
    const frames = encodeFrames(BROADCAST_CID, CtaphidCommand.MSG, payload);
    expect(frames).toHaveLength(3);
    expect(hex(frames[0]!.subarray(0, 7))).toBe('ffffffff' + '83' + '007e');
    expect(hex(frames[1]!.subarray(0, 5))).toBe('ffffffff' + '00');
    expect(hex(frames[1]!.subarray(5))).toBe(hex(payload.subarray(57, 116)));
    expect(hex(frames[2]!.subarray(0, 5))).toBe('ffffffff' + '01');
    expect(hex(frames[2]!.subarray(5))).toBe(hex(payload.subarray(116)) + '00'.repeat(49));
    for (const f of frames) expect(f).toHaveLength(64);
  });

  it('should keep only the low 7 bits of CMD under the TYPE_INIT bit', () => {
    expect(encodeFrames(1, 0x90, new Uint8Array(0))[0]![4]).toBe(0x90);
    expect(encodeFrames(1, 0x3f, new Uint8Array(0))[0]![4]).toBe(0xbf);
    expect(hex(encodeFrames(1, 0, new Uint8Array(0))[0]!.subarray(0, 7))).toBe('00000001' + '80' + '0000');
  });

  it('should take the largest message, 57 + 128 × 59 = 7609 bytes ending at SEQ 0x7F, and refuse one byte more', () => {
    expect(MAX_MESSAGE_SIZE).toBe(7609);
    const frames = encodeFrames(7, CtaphidCommand.CBOR, bytes(7609));
    expect(frames).toHaveLength(129);
    expect(frames[128]![4]).toBe(0x7f);
    expect(hex(frames[0]!.subarray(5, 7))).toBe('1db9');
    expect(() => encodeFrames(7, CtaphidCommand.CBOR, bytes(7610))).toThrow(RangeError);
    expect(() => encodeFrames(7, CtaphidCommand.CBOR, bytes(7610))).toThrow('CTAPHID message of 7610 bytes exceeds 7609');
  });

  it('should count the reports a message takes', () => {
    expect([0, 1, 57, 58, 116, 117, 175, 7609].map(frameCount)).toEqual([1, 1, 1, 2, 2, 3, 3, 129]);
    for (const n of [0, 57, 58, 116, 117, 1000, 7609]) expect(frameCount(n), String(n)).toBe(encodeFrames(1, 1, bytes(n)).length);
  });

  it('should read an initialization packet: CID, CMD without TYPE_INIT, BCNT, 57 data bytes', () => {
    const p = init(parsePacket(encodeFrames(0xcafebabe, CtaphidCommand.INIT, bytes(8, 0x11))[0]!));
    expect(p.kind).toBe('init');
    expect(p.cid).toBe(0xcafebabe);
    expect(p.cmd).toBe(0x06);
    expect(p.bcnt).toBe(8);
    expect(p.data).toHaveLength(57);
    expect(hex(p.data.subarray(0, 8))).toBe('1112131415161718');
  });

  it('should read a continuation packet: CID, SEQ, 59 data bytes', () => {
    const report = new Uint8Array(64);
    report.set([0x00, 0x00, 0x00, 0x09, 0x7f, 0xde, 0xad]);
    const p = cont(parsePacket(report));
    expect(p).toMatchObject({ kind: 'cont', cid: 9, seq: 0x7f });
    expect(p.data).toHaveLength(59);
    expect(hex(p.data.subarray(0, 2))).toBe('dead');
  });

  it('should read a report lying inside a larger buffer at an offset', () => {
    const buf = new Uint8Array(70);
    buf.set(encodeFrames(0x11223344, CtaphidCommand.WINK, Uint8Array.of(5))[0]!, 3);
    const p = init(parsePacket(buf.subarray(3, 67)));
    expect(p).toMatchObject({ kind: 'init', cid: 0x11223344, cmd: CtaphidCommand.WINK, bcnt: 1 });
    expect(p.data[0]).toBe(5);
  });

  it('should pad a short report with zeros and refuse one over 64 bytes', () => {
    const p = init(parsePacket(Uint8Array.of(0, 0, 0, 1, 0x90, 0x00, 0x03, 0xa1)));
    expect(p).toMatchObject({ kind: 'init', cid: 1, cmd: 0x10, bcnt: 3 });
    expect(p.data).toHaveLength(57);
    expect(hex(p.data.subarray(0, 3))).toBe('a10000');
    const empty = parsePacket(new Uint8Array(0));
    expect(empty).toMatchObject({ kind: 'cont', cid: 0, seq: 0 });
    expect(() => parsePacket(new Uint8Array(65))).toThrow(RangeError);
    expect(() => parsePacket(new Uint8Array(65))).toThrow('report of 65 bytes exceeds 64');
  });

  it('should name commands with or without TYPE_INIT, and errors (§11.2.9)', () => {
    expect(ctaphidCommandName(0x10)).toBe('CTAPHID_CBOR');
    expect(ctaphidCommandName(0x90)).toBe('CTAPHID_CBOR');
    expect(ctaphidCommandName(0x3b)).toBe('CTAPHID_KEEPALIVE');
    expect(ctaphidCommandName(0x55)).toBe('CTAPHID_0x55');
    expect(ctaphidErrorName(0x05)).toBe('ERR_MSG_TIMEOUT');
    expect(ctaphidErrorName(0x0b)).toBe('ERR_INVALID_CHANNEL');
    expect(ctaphidErrorName(0x07)).toBe('ERR_0x07');
    expect(ctaphidErrorName(0x7e)).toBe('ERR_0x7e');
  });
});

describe('CTAPHID message reassembly (CTAP 2.1 §11.2.4)', () => {
  const packets = (cid: number, cmd: number, payload: Uint8Array) => encodeFrames(cid, cmd, payload).map(parsePacket);

  it('should give back a message from its packets, and its channel and command', () => {
    const payload = bytes(200, 3);
    const [first, ...rest] = packets(0x0a0b0c0d, CtaphidCommand.CBOR, payload);
    const a = new MessageAssembler();
    expect(a.inProgress).toBe(false);
    expect(a.start(init(first!))).toEqual({ state: 'more' });
    expect(a.inProgress).toBe(true);
    expect(a.channel).toBe(0x0a0b0c0d);
    expect(a.add(cont(rest[0]!))).toEqual({ state: 'more' });
    expect(a.add(cont(rest[1]!))).toEqual({ state: 'more' });
    const done = a.add(cont(rest[2]!));
    expect(done).toEqual({ state: 'done', cid: 0x0a0b0c0d, cmd: CtaphidCommand.CBOR, payload });
    expect(a.inProgress).toBe(false);
  });

  it('should finish on the initialization packet when BCNT fits, including BCNT 0', () => {
    const a = new MessageAssembler();
    expect(a.start(init(packets(5, CtaphidCommand.PING, bytes(57))[0]!))).toEqual({ state: 'done', cid: 5, cmd: 1, payload: bytes(57) });
    expect(a.start(init(packets(5, CtaphidCommand.WINK, new Uint8Array(0))[0]!))).toEqual({ state: 'done', cid: 5, cmd: 8, payload: new Uint8Array(0) });
    expect(a.inProgress).toBe(false);
  });

  it('should take exactly BCNT bytes, not the padding or what follows in the last packet', () => {
    const a = new MessageAssembler();
    a.start({ kind: 'init', cid: 1, cmd: 0x10, bcnt: 60, data: bytes(57, 0x80) });
    const r = a.add({ kind: 'cont', cid: 1, seq: 0, data: bytes(59, 0x20) });
    expect(r.state).toBe('done');
    const payload = (r as { payload: Uint8Array }).payload;
    expect(hex(payload)).toBe(hex(bytes(57, 0x80)) + '202122');
    const b = new MessageAssembler();
    expect(b.start({ kind: 'init', cid: 1, cmd: 0x10, bcnt: 2, data: bytes(57, 0x80) })).toEqual({ state: 'done', cid: 1, cmd: 0x10, payload: Uint8Array.of(0x80, 0x81) });
  });

  it('should take the largest message and refuse BCNT 7610 as INVALID_LEN', () => {
    const a = new MessageAssembler();
    const [first, ...rest] = packets(3, 0x10, bytes(7609, 9));
    a.start(init(first!));
    let r = { state: 'more' } as ReturnType<MessageAssembler['add']>;
    for (const p of rest) r = a.add(cont(p));
    expect(r).toEqual({ state: 'done', cid: 3, cmd: 0x10, payload: bytes(7609, 9) });
    expect(a.start({ kind: 'init', cid: 3, cmd: 0x10, bcnt: 7610, data: new Uint8Array(57) })).toEqual({ state: 'error', reason: 'INVALID_LEN' });
    expect(a.inProgress).toBe(false);
  });

  it('should refuse a skipped, repeated or unexpected SEQ as INVALID_SEQ and drop the message', () => {
    const [first, c0, c1] = packets(3, 0x10, bytes(200));
    const a = new MessageAssembler();
    a.start(init(first!));
    expect(a.add(cont(c1!))).toEqual({ state: 'error', reason: 'INVALID_SEQ' });
    expect(a.inProgress).toBe(false);
    a.start(init(first!));
    a.add(cont(c0!));
    expect(a.add(cont(c0!))).toEqual({ state: 'error', reason: 'INVALID_SEQ' });
    // a continuation with no message begun
    expect(new MessageAssembler().add(cont(c0!))).toEqual({ state: 'error', reason: 'INVALID_SEQ' });
    // after a finished message, a stray continuation is refused too
    const b = new MessageAssembler();
    b.start(init(packets(3, 1, bytes(3))[0]!));
    expect(b.add(cont(c0!))).toEqual({ state: 'error', reason: 'INVALID_SEQ' });
  });

  it('should restart the sequence at 0 with each new message', () => {
    const [first, c0, c1, c2] = packets(3, 0x10, bytes(200));
    const a = new MessageAssembler();
    a.start(init(first!));
    a.add(cont(c0!));
    a.add(cont(c1!));
    a.start(init(first!)); // a new INIT on the channel abandons the old message
    expect(a.add(cont(c0!))).toEqual({ state: 'more' });
    expect(a.add(cont(c1!))).toEqual({ state: 'more' });
    expect(a.add(cont(c2!)).state).toBe('done');
  });

  it('should forget a message on reset', () => {
    const [first, c0] = packets(3, 0x10, bytes(100));
    const a = new MessageAssembler();
    a.start(init(first!));
    a.reset();
    expect(a.inProgress).toBe(false);
    expect(a.add(cont(c0!))).toEqual({ state: 'error', reason: 'INVALID_SEQ' });
  });

  it('should append continuations whatever their SEQ only when sequence checking is off (fault injection)', () => {
    const payload = bytes(200, 1);
    const [first, c0, c1, c2] = packets(3, 0x10, payload);
    const loose = new MessageAssembler({ enforceSequence: false });
    loose.start(init(first!));
    loose.add(cont(c1!));
    loose.add(cont(c0!));
    const r = loose.add(cont(c2!));
    expect(r.state).toBe('done');
    const expected = Uint8Array.from([...payload.subarray(0, 57), ...payload.subarray(116, 175), ...payload.subarray(57, 116), ...payload.subarray(175)]);
    expect(hex((r as { payload: Uint8Array }).payload)).toBe(hex(expected));
    expect(new MessageAssembler({ enforceSequence: false }).add(cont(c0!))).toEqual({ state: 'error', reason: 'INVALID_SEQ' });
    const strict = new MessageAssembler({});
    strict.start(init(first!));
    expect(strict.add(cont(c1!))).toEqual({ state: 'error', reason: 'INVALID_SEQ' });
  });
});
