import { createSocket, type Socket } from 'node:dgram';
import {
  BROADCAST_CID,
  CtaphidCommand,
  encodeFrames,
  parsePacket,
  TYPE_INIT,
} from '../../../harness/protocol/index.ts';

export interface Received {
  report: Uint8Array;
  at: number;
}

export interface Answer {
  cmd: number;
  payload: Uint8Array;
  /** KEEPALIVE status bytes seen before the answer, with their arrival times (ms, performance.now) */
  keepalives: { status: number; at: number }[];
  at: number;
}

/** A host on a real UDP socket (127.0.0.1, ephemeral port) speaking raw 64-byte CTAPHID reports. */
export class UdpTestClient {
  private readonly queue: Received[] = [];
  private waiter: (() => void) | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly port: number,
  ) {
    socket.on('message', (msg) => {
      this.queue.push({ report: new Uint8Array(msg), at: performance.now() });
      this.waiter?.();
    });
  }

  static async open(port: number): Promise<UdpTestClient> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    return new UdpTestClient(socket, port);
  }

  sendRaw(bytes: Uint8Array): void {
    this.socket.send(bytes, this.port, '127.0.0.1');
  }

  sendMessage(cid: number, cmd: number, payload: Uint8Array = new Uint8Array(0)): void {
    for (const f of encodeFrames(cid, cmd, payload)) this.sendRaw(f);
  }

  /** The next datagram, or a rejection after `timeoutMs`. */
  async next(timeoutMs = 2000): Promise<Received> {
    const deadline = performance.now() + timeoutMs;
    while (this.queue.length === 0) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`no datagram within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.queue.shift()!;
  }

  /** Resolves true when nothing arrives within `ms`. */
  async silentFor(ms: number): Promise<boolean> {
    try {
      await this.next(ms);
      return false;
    } catch {
      return true;
    }
  }

  /** Reads one whole message on `cid` (skipping KEEPALIVE, recording them). */
  async answer(cid: number, timeoutMs = 3000): Promise<Answer> {
    const keepalives: Answer['keepalives'] = [];
    for (;;) {
      const { report, at } = await this.next(timeoutMs);
      const p = parsePacket(report);
      if (p.cid !== cid) throw new Error(`answer on CID ${p.cid.toString(16)}, expected ${cid.toString(16)}`);
      if (p.kind !== 'init') throw new Error('continuation packet where an initialization packet was due');
      if (p.cmd === CtaphidCommand.KEEPALIVE) {
        keepalives.push({ status: p.data[0]!, at });
        continue;
      }
      const payload = new Uint8Array(p.bcnt);
      payload.set(p.data.subarray(0, Math.min(p.bcnt, 57)));
      let filled = Math.min(p.bcnt, 57);
      for (let seq = 0; filled < p.bcnt; seq++) {
        const c = parsePacket((await this.next(timeoutMs)).report);
        if (c.kind !== 'cont' || c.cid !== cid || c.seq !== seq) throw new Error(`bad continuation packet (seq ${seq})`);
        const n = Math.min(p.bcnt - filled, 59);
        payload.set(c.data.subarray(0, n), filled);
        filled += n;
      }
      return { cmd: p.cmd, payload, keepalives, at };
    }
  }

  async transact(cid: number, cmd: number, payload: Uint8Array = new Uint8Array(0), timeoutMs = 3000): Promise<Answer> {
    this.sendMessage(cid, cmd, payload);
    return this.answer(cid, timeoutMs);
  }

  /** CTAPHID_INIT on the broadcast channel: the newly allocated CID. */
  async allocateChannel(): Promise<number> {
    const nonce = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const a = await this.transact(BROADCAST_CID, CtaphidCommand.INIT, nonce);
    if (a.cmd !== CtaphidCommand.INIT || Buffer.compare(a.payload.subarray(0, 8), nonce) !== 0) throw new Error('INIT failed');
    return new DataView(a.payload.buffer, a.payload.byteOffset).getUint32(8);
  }

  /** CTAPHID_CBOR: status byte and CBOR bytes. */
  async cbor(
    cid: number,
    command: number,
    params: Uint8Array = new Uint8Array(0),
    timeoutMs = 3000,
  ): Promise<{ status: number; body: Uint8Array }> {
    const a = await this.transact(cid, CtaphidCommand.CBOR, Uint8Array.from([command, ...params]), timeoutMs);
    if (a.cmd !== CtaphidCommand.CBOR) throw new Error(`expected CBOR answer, got 0x${a.cmd.toString(16)} ${Buffer.from(a.payload).toString('hex')}`);
    return { status: a.payload[0]!, body: a.payload.subarray(1) };
  }

  /** CTAPHID_MSG: response data and status word. */
  async msg(cid: number, apdu: Uint8Array): Promise<{ sw: number; data: Uint8Array }> {
    const a = await this.transact(cid, CtaphidCommand.MSG, apdu);
    if (a.cmd !== CtaphidCommand.MSG) throw new Error(`expected MSG answer, got 0x${a.cmd.toString(16)}`);
    const n = a.payload.length;
    return { sw: (a.payload[n - 2]! << 8) | a.payload[n - 1]!, data: a.payload.subarray(0, n - 2) };
  }

  close(): void {
    this.socket.close();
  }
}

/** A 64-byte initialization packet by hand. */
export function initPacket(cid: number, cmd: number, bcnt: number, data: ArrayLike<number> = []): Uint8Array {
  const r = new Uint8Array(64);
  const v = new DataView(r.buffer);
  v.setUint32(0, cid >>> 0);
  r[4] = TYPE_INIT | cmd;
  v.setUint16(5, bcnt);
  r.set(Array.from(data).slice(0, 57), 7);
  return r;
}

/** A 64-byte continuation packet by hand. */
export function contPacket(cid: number, seq: number, data: ArrayLike<number> = []): Uint8Array {
  const r = new Uint8Array(64);
  new DataView(r.buffer).setUint32(0, cid >>> 0);
  r[4] = seq;
  r.set(Array.from(data).slice(0, 59), 5);
  return r;
}
