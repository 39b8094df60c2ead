import { describe, expect, it } from 'vitest';
import { CtaphidChannel, CtaphidError } from '../../harness/ctaphid/index.ts';
import {
  CtaphidCommand,
  CtaphidErrorCode,
  encodeFrames,
  KeepaliveStatus,
  parsePacket,
} from '../../harness/protocol/index.ts';
import { MemoryTransport, TransportError } from '../../harness/transport/index.ts';
import { cborDevice, initAnswer, scriptedDevice } from './scriptedDevice.ts';

const CID = 0xcafe0001;
const fixedNonce = () => Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);

/** A device that answers INIT properly and hands every later report to `after`. */
function deviceWith(after: (report: Uint8Array, emit: (r: Uint8Array) => void) => void | Promise<void>) {
  return scriptedDevice((report, emit) => {
    const p = parsePacket(report);
    if (p.kind === 'init' && p.cmd === CtaphidCommand.INIT) emit(initAnswer(report, CID));
    else return after(report, emit);
  });
}

async function open(after: Parameters<typeof deviceWith>[0], timeoutMs = 300) {
  const dev = deviceWith(after);
  const transport = new MemoryTransport(dev.connect);
  const channel = await CtaphidChannel.open(transport, { timeoutMs, randomBytes: fixedNonce, cancelGraceMs: 100 });
  return { dev, transport, channel };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('CTAPHID host channel: INIT', () => {
  it('should send INIT on the broadcast channel with the nonce and take the allocated CID', async () => {
    const { dev, channel } = await open(() => undefined);
    expect(Buffer.from(dev.received[0]!).toString('hex')).toBe(
      'ffffffff860008' + '0102030405060708' + '00'.repeat(64 - 15),
    );
    expect(channel.cid).toBe(CID);
    expect(channel.info).toEqual({ cid: CID, protocolVersion: 2, deviceVersion: { major: 1, minor: 2, build: 3 }, capabilities: 0x0c });
  });

  it('should refuse INIT answers that carry another nonce (CTAPHID_NONCE_MISMATCH)', async () => {
    const dev = scriptedDevice((report, emit) => emit(initAnswer(report, CID, new Uint8Array(8).fill(9))));
    const err = await rejection(CtaphidChannel.open(new MemoryTransport(dev.connect), { initTimeoutMs: 150, randomBytes: fixedNonce }));
    expect(err).toBeInstanceOf(CtaphidError);
    expect((err as CtaphidError).code).toBe('CTAPHID_NONCE_MISMATCH');
  });

  it('should skip an answer with another nonce when the right one follows', async () => {
    const dev = scriptedDevice((report, emit) => {
      emit(initAnswer(report, 0x11111111, new Uint8Array(8).fill(9)));
      emit(initAnswer(report, CID));
    });
    const ch = await CtaphidChannel.open(new MemoryTransport(dev.connect), { randomBytes: fixedNonce });
    expect(ch.cid).toBe(CID);
  });

  it('should refuse an INIT answer allocating the broadcast channel, and a short one', async () => {
    const bad = scriptedDevice((report, emit) => emit(initAnswer(report, 0xffffffff)));
    expect(((await rejection(CtaphidChannel.open(new MemoryTransport(bad.connect), { randomBytes: fixedNonce }))) as CtaphidError).code).toBe('CTAPHID_INIT_MALFORMED');
    const short = scriptedDevice((report, emit) => emit(encodeFrames(0xffffffff, CtaphidCommand.INIT, fixedNonce())[0]!));
    expect(((await rejection(CtaphidChannel.open(new MemoryTransport(short.connect), { randomBytes: fixedNonce }))) as CtaphidError).code).toBe('CTAPHID_INIT_MALFORMED');
  });

  it('should time out when the device is silent', async () => {
    const silent = scriptedDevice(() => undefined);
    const t0 = Date.now();
    const err = await rejection(CtaphidChannel.open(new MemoryTransport(silent.connect), { initTimeoutMs: 120 }));
    expect((err as CtaphidError).code).toBe('CTAPHID_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('CTAPHID host channel: framing', () => {
  it('should fragment a long request into byte-exact init and continuation packets and reassemble the echo', async () => {
    const { dev, channel } = await open((report, emit) => {
      // echo each packet back: a PING device at the packet level
      emit(report);
    });
    const data = Uint8Array.from({ length: 200 }, (_, i) => i);
    const echoed = await channel.ping(data);
    expect(Buffer.from(echoed)).toEqual(Buffer.from(data));
    const sent = dev.received.slice(1);
    expect(sent).toHaveLength(4); // 57 + 59 + 59 + 25
    expect(Buffer.from(sent[0]!.subarray(0, 7)).toString('hex')).toBe('cafe0001' + '81' + '00c8');
    expect(Buffer.from(sent[1]!.subarray(0, 5)).toString('hex')).toBe('cafe0001' + '00');
    expect(Buffer.from(sent[3]!.subarray(0, 5)).toString('hex')).toBe('cafe0001' + '02');
    expect(sent[3]![5 + 25 - 1]).toBe(199);
    expect(sent[3]!.subarray(5 + 25).every((b) => b === 0)).toBe(true);
  });

  it('should pass KEEPALIVE statuses to onKeepalive and then return the answer', async () => {
    const { channel } = await open((report, emit) => {
      emit(encodeFrames(CID, CtaphidCommand.KEEPALIVE, Uint8Array.of(KeepaliveStatus.PROCESSING))[0]!);
      emit(encodeFrames(CID, CtaphidCommand.KEEPALIVE, Uint8Array.of(KeepaliveStatus.UPNEEDED))[0]!);
      emit(encodeFrames(CID, CtaphidCommand.CBOR, Uint8Array.of(0))[0]!);
    });
    const seen: number[] = [];
    const res = await channel.cbor(0x04, new Uint8Array(0), { onKeepalive: (s) => seen.push(s) });
    expect(seen).toEqual([1, 2]);
    expect([...res]).toEqual([0]);
  });

  it('should send CTAPHID_CANCEL when the signal aborts and return the device\'s answer to it', async () => {
    const { dev, channel } = await open((report, emit) => {
      const p = parsePacket(report);
      if (p.kind === 'init' && p.cmd === CtaphidCommand.CBOR) {
        emit(encodeFrames(CID, CtaphidCommand.KEEPALIVE, Uint8Array.of(KeepaliveStatus.UPNEEDED))[0]!);
      } else if (p.kind === 'init' && p.cmd === CtaphidCommand.CANCEL) {
        emit(encodeFrames(CID, CtaphidCommand.CBOR, Uint8Array.of(0x2d))[0]!); // CTAP2_ERR_KEEPALIVE_CANCEL
      }
    }, 5_000);
    const ac = new AbortController();
    const res = channel.cbor(0x01, Uint8Array.of(0xa0), { signal: ac.signal, onKeepalive: () => ac.abort() });
    expect([...(await res)]).toEqual([0x2d]);
    const cancel = dev.received.at(-1)!;
    expect(Buffer.from(cancel.subarray(0, 7)).toString('hex')).toBe('cafe0001' + '91' + '0000');
  });

  it('should end with CTAPHID_CANCELLED when the device ignores CANCEL', async () => {
    const { channel } = await open(() => undefined, 5_000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const t0 = Date.now();
    const err = await rejection(channel.cbor(0x01, Uint8Array.of(0xa0), { signal: ac.signal }));
    expect((err as CtaphidError).code).toBe('CTAPHID_CANCELLED');
    expect(Date.now() - t0).toBeLessThan(1_000);
  });
});

describe('CTAPHID host channel: hostile device answers become typed errors within the timeout', () => {
  const cases: { name: string; code: string; reply: (report: Uint8Array, emit: (r: Uint8Array) => void) => void }[] = [
    { name: 'silence', code: 'CTAPHID_TIMEOUT', reply: () => undefined },
    {
      name: 'garbage on other channels',
      code: 'CTAPHID_WRONG_CHANNEL',
      reply: (_r, emit) => emit(Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff)),
    },
    {
      name: 'the answer on the wrong CID',
      code: 'CTAPHID_WRONG_CHANNEL',
      reply: (_r, emit) => emit(encodeFrames(CID + 1, CtaphidCommand.CBOR, Uint8Array.of(0))[0]!),
    },
    {
      name: 'a truncated answer (init packet only)',
      code: 'CTAPHID_TRUNCATED',
      reply: (_r, emit) => emit(encodeFrames(CID, CtaphidCommand.CBOR, new Uint8Array(300))[0]!),
    },
    {
      name: 'continuation packets out of order',
      code: 'CTAPHID_INVALID_SEQ',
      reply: (_r, emit) => {
        const f = encodeFrames(CID, CtaphidCommand.CBOR, new Uint8Array(200));
        emit(f[0]!);
        emit(f[2]!);
      },
    },
    {
      name: 'a continuation packet with no initialization packet',
      code: 'CTAPHID_INVALID_SEQ',
      reply: (_r, emit) => emit(encodeFrames(CID, CtaphidCommand.CBOR, new Uint8Array(100))[1]!),
    },
    {
      name: 'an answer declaring more than 7609 bytes',
      code: 'CTAPHID_INVALID_LENGTH',
      reply: (_r, emit) => {
        const f = new Uint8Array(64);
        f.set([0xca, 0xfe, 0x00, 0x01, 0x90, 0xff, 0xff]);
        emit(f);
      },
    },
    {
      name: 'an answer with another command',
      code: 'CTAPHID_UNEXPECTED_COMMAND',
      reply: (_r, emit) => emit(encodeFrames(CID, CtaphidCommand.MSG, Uint8Array.of(0x90, 0))[0]!),
    },
    {
      // (ERR_CHANNEL_BUSY is retried within the time limit first: busyBus.test.ts)
      name: 'CTAPHID_ERROR',
      code: 'CTAPHID_DEVICE_ERROR',
      reply: (_r, emit) => emit(encodeFrames(CID, CtaphidCommand.ERROR, Uint8Array.of(CtaphidErrorCode.ERR_INVALID_LEN))[0]!),
    },
  ];
  for (const c of cases) {
    it(`should turn ${c.name} into ${c.code}`, async () => {
      const { channel } = await open(c.reply, 200);
      const t0 = Date.now();
      const err = await rejection(channel.cbor(0x04, new Uint8Array(0)));
      expect(err).toBeInstanceOf(CtaphidError);
      expect((err as CtaphidError).code).toBe(c.code);
      expect(Date.now() - t0).toBeLessThan(1_000);
    });
  }

  it('should carry the CTAPHID_ERROR code', async () => {
    const { channel } = await open((_r, emit) => emit(encodeFrames(CID, CtaphidCommand.ERROR, Uint8Array.of(0x04))[0]!));
    const err = (await rejection(channel.ping(Uint8Array.of(1)))) as CtaphidError;
    expect(err.hidError).toBe(CtaphidErrorCode.ERR_INVALID_SEQ);
    expect(err.message).toContain('ERR_INVALID_SEQ');
  });

  it('should honour a lower maxResponseSize (maxMsgSize)', async () => {
    const { channel } = await open((_r, emit) => encodeFrames(CID, CtaphidCommand.CBOR, new Uint8Array(1500)).forEach(emit));
    channel.maxResponseSize = 1024;
    expect(((await rejection(channel.cbor(0x04, new Uint8Array(0)))) as CtaphidError).code).toBe('CTAPHID_INVALID_LENGTH');
  });

  it('should leave the channel usable after a hostile answer: stale packets are dropped', async () => {
    let n = 0;
    const { channel } = await open((report, emit) => {
      if (n++ === 0) {
        // oversize declared, then the rest of the junk arrives
        const f = encodeFrames(CID, CtaphidCommand.PING, new Uint8Array(7609));
        emit(f[0]!.map((b, i) => (i === 5 ? 0xff : b)));
        emit(f[1]!);
        emit(f[2]!);
      } else {
        emit(report);
      }
    });
    expect(((await rejection(channel.ping(Uint8Array.of(1)))) as CtaphidError).code).toBe('CTAPHID_INVALID_LENGTH');
    const echoed = await channel.ping(Uint8Array.of(7, 7, 7));
    expect([...echoed]).toEqual([7, 7, 7]);
  });

  it('should resynchronise with INIT on its own channel after an unanswered command', async () => {
    let n = 0;
    const { dev, channel } = await open((report, emit) => {
      if (n++ === 0) return; // the first command gets no answer
      emit(report);
    }, 150);
    expect(((await rejection(channel.ping(Uint8Array.of(1)))) as CtaphidError).code).toBe('CTAPHID_TIMEOUT');
    expect([...(await channel.ping(Uint8Array.of(2)))]).toEqual([2]);
    const init = dev.received.at(-2)!;
    expect(Buffer.from(init.subarray(0, 7)).toString('hex')).toBe('cafe0001' + '86' + '0008');
  });

  it('should report a closed transport as TRANSPORT_CLOSED', async () => {
    const { channel, transport } = await open(() => undefined);
    await transport.close();
    const err = await rejection(channel.ping(Uint8Array.of(1)));
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('TRANSPORT_CLOSED');
  });
});

describe('CTAPHID raw mode', () => {
  it('should send frames exactly as given and return ERROR answers as messages', async () => {
    const { dev, channel } = await open((report, emit) => {
      const p = parsePacket(report);
      if (p.kind === 'cont') emit(encodeFrames(CID, CtaphidCommand.ERROR, Uint8Array.of(CtaphidErrorCode.ERR_INVALID_SEQ))[0]!);
    });
    const broken = encodeFrames(CID, CtaphidCommand.PING, new Uint8Array(100))[1]!;
    await channel.raw.sendReports([broken]);
    const msg = await channel.raw.readMessage(CID, 200);
    expect(msg).toEqual({ cid: CID, cmd: CtaphidCommand.ERROR, payload: Uint8Array.of(CtaphidErrorCode.ERR_INVALID_SEQ) });
    expect(dev.received.at(-1)).toEqual(broken);
  });
});

describe('CTAPHID over the thin CBOR device', () => {
  it('should carry a CTAP2 command and its answer', async () => {
    const transport = new MemoryTransport(cborDevice(async (cmd, payload) => ({ status: 0, payload: Uint8Array.of(cmd, payload.length) })));
    const channel = await CtaphidChannel.open(transport);
    expect([...(await channel.cbor(0x04, new Uint8Array(100)))]).toEqual([0, 4, 100]);
  });
});
