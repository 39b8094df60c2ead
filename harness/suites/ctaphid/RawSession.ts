import { randomBytes } from 'node:crypto';
import {
  BROADCAST_CID,
  CtaphidCommand,
  ctaphidCommandName,
  CtaphidErrorCode,
  ctaphidErrorName,
  encodeFrames,
  MAX_MESSAGE_SIZE,
  MessageAssembler,
  parsePacket,
} from '../../protocol/index.ts';
import type { RawCtaphid } from '../../ctaphid/index.ts';
import { TransportError } from '../../transport/index.ts';
import { CheckFailed } from '../../runner/Check.ts';

/** One message the device sent, stamped with when its last packet was read (performance.now()). */
export interface ReceivedMessage {
  cid: number;
  cmd: number;
  payload: Uint8Array;
  at: number;
}

/** What INIT answered (CTAP 2.1 §11.2.9.1.3), raw bytes kept. */
export interface InitAnswer {
  raw: Uint8Array;
  nonce: Uint8Array;
  cid: number;
  protocolVersion: number;
  capabilities: number;
}

const hex32 = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/**
 * The ctaphid suite's view of the device below the host channel: it allocates channels of its own, sends
 * reports exactly as built (broken ones on purpose), and reads every device message on the channels it
 * watches, however they interleave (CHANNEL_BUSY needs two channels at once, which RawCtaphid.readMessage
 * cannot: it drops other channels' packets). `close()` resynchronises every channel it used with INIT
 * (§11.2.9.1.3), so a half-sent message or a pending command never reaches the next check.
 */
export class RawSession {
  private readonly watched = new Set<number>();
  private readonly allocated: number[] = [];
  private readonly assemblers = new Map<number, MessageAssembler>();
  private readonly queued: ReceivedMessage[] = [];
  /** ERR_CHANNEL_BUSY answers read on this session's channels that no check asked for (another host's message or command, §11.2.5) */
  busyAnswers = 0;

  constructor(
    readonly raw: RawCtaphid,
    private readonly signal?: AbortSignal,
  ) {
    raw.discardPending();
  }

  /** Reads (and keeps) messages on `cid` too, e.g. CID 0 or the broadcast CID for an error answer. */
  watch(cid: number): void {
    this.watched.add(cid >>> 0);
  }

  /** INIT on the broadcast CID with a fresh nonce; the answer with that nonce (§11.2.9.1.3). */
  async initBroadcast(timeoutMs = 2_000): Promise<InitAnswer> {
    const nonce = new Uint8Array(randomBytes(8));
    return this.init(BROADCAST_CID, nonce, timeoutMs);
  }

  /** INIT on `cid` with `nonce`; returns the answer carrying that nonce (answers to other nonces are skipped). */
  async init(cid: number, nonce: Uint8Array, timeoutMs = 2_000): Promise<InitAnswer> {
    this.watch(cid);
    await this.send(encodeFrames(cid, CtaphidCommand.INIT, nonce));
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const m = await this.next(cid, deadline - performance.now());
      if (!m) throw new CheckFailed(`no INIT answer on ${hex32(cid)} within ${timeoutMs} ms`);
      if (m.cmd === CtaphidCommand.KEEPALIVE) continue;
      if (m.cmd !== CtaphidCommand.INIT) {
        throw new CheckFailed(`INIT on ${hex32(cid)} answered with ${describe(m)}`, { actual: describe(m) });
      }
      if (m.payload.length < 17) {
        throw new CheckFailed(`INIT answer of ${m.payload.length} bytes; §11.2.9.1.3 defines 17`, { actual: Buffer.from(m.payload).toString('hex') });
      }
      if (!Buffer.from(m.payload.subarray(0, 8)).equals(Buffer.from(nonce))) continue;
      const answer: InitAnswer = {
        raw: m.payload,
        nonce: m.payload.subarray(0, 8),
        cid: new DataView(m.payload.buffer, m.payload.byteOffset + 8, 4).getUint32(0),
        protocolVersion: m.payload[12]!,
        capabilities: m.payload[16]!,
      };
      return answer;
    }
  }

  /** A channel of this session's own: INIT on the broadcast CID, the allocated CID watched and remembered. */
  async allocate(): Promise<number> {
    const a = await this.initBroadcast();
    if (a.cid === 0 || a.cid === BROADCAST_CID) throw new CheckFailed(`INIT allocated the reserved channel ID ${hex32(a.cid)}`);
    this.watch(a.cid);
    this.allocated.push(a.cid);
    return a.cid;
  }

  /** Writes reports exactly as given. */
  async send(reports: Uint8Array[]): Promise<void> {
    await this.raw.sendReports(reports);
  }

  /** Frames and writes a whole message. */
  sendMessage(cid: number, cmd: number, payload: Uint8Array): Promise<void> {
    return this.send(encodeFrames(cid, cmd, payload));
  }

  /** The next whole message on `cid` within `timeoutMs`, or undefined. Other watched channels' messages wait in a queue. */
  async next(cid: number, timeoutMs: number): Promise<ReceivedMessage | undefined> {
    cid >>>= 0;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const i = this.queued.findIndex((m) => m.cid === cid);
      if (i >= 0) return this.queued.splice(i, 1)[0];
      if (this.signal?.aborted) throw new Error('check aborted');
      const remaining = deadline - performance.now();
      // Stryker disable next-line EqualityOperator: exactly 0 only when no time at all passed since the deadline was set
      if (remaining <= 0) return undefined;
      let report: Uint8Array;
      try {
        report = await this.raw.readReport(remaining);
      } catch (err) {
        if (err instanceof TransportError && err.code === 'TRANSPORT_TIMEOUT') return undefined;
        throw err;
      }
      this.take(report, performance.now());
    }
  }

  /** The next message on `cid` that is not a KEEPALIVE (those are counted), or undefined on timeout. */
  async nextAnswer(cid: number, timeoutMs: number): Promise<{ message: ReceivedMessage | undefined; keepalives: ReceivedMessage[] }> {
    const deadline = performance.now() + timeoutMs;
    const keepalives: ReceivedMessage[] = [];
    for (;;) {
      const m = await this.next(cid, deadline - performance.now());
      if (!m || m.cmd !== CtaphidCommand.KEEPALIVE) return { message: m, keepalives };
      keepalives.push(m);
    }
  }

  /** Fails unless the next answer on `cid` is CTAPHID_ERROR with `code` (§11.2.9.1.6). */
  async expectError(cid: number, code: number, timeoutMs: number, what: string): Promise<ReceivedMessage> {
    const { message } = await this.nextAnswer(cid, timeoutMs);
    const expected = `CTAPHID_ERROR ${ctaphidErrorName(code)}`;
    if (!message) throw new CheckFailed(`${what}: no answer on ${hex32(cid)} within ${timeoutMs} ms; expected ${expected}`, { expected, actual: 'no answer' });
    if (message.cmd !== CtaphidCommand.ERROR || message.payload[0] !== code) {
      throw new CheckFailed(`${what}: expected ${expected}, got ${describe(message)}`, { expected, actual: describe(message) });
    }
    // an ERR_CHANNEL_BUSY the check provoked is the device's right answer, not another host at work: a
    // failure after it is not tried again (withRaw), so a device failing now and then cannot pass on a retry
    if (code === CtaphidErrorCode.ERR_CHANNEL_BUSY) this.busyAnswers--;
    return message;
  }

  /** Resynchronises every channel this session allocated (INIT on it), then drops whatever is still queued. */
  async close(): Promise<void> {
    for (const cid of this.allocated) {
      try {
        await this.init(cid, new Uint8Array(randomBytes(8)), 1_000);
      } catch {
        // a device that does not resync is reported by the checks, not by the clean-up
      }
    }
    this.queued.length = 0;
    this.raw.discardPending();
  }

  private take(report: Uint8Array, at: number): void {
    const p = parsePacket(report);
    if (!this.watched.has(p.cid)) return;
    if (p.kind === 'init') {
      if (this.assemblers.get(p.cid)?.inProgress) {
        throw new CheckFailed(`device started a new ${ctaphidCommandName(p.cmd)} message on ${hex32(p.cid)} before finishing the previous one (§11.2.4)`);
      }
      if (p.bcnt > MAX_MESSAGE_SIZE) throw new CheckFailed(`device sent a message declaring ${p.bcnt} bytes (> ${MAX_MESSAGE_SIZE}, §11.2.4)`);
      const asm = new MessageAssembler();
      this.assemblers.set(p.cid, asm);
      const r = asm.start(p);
      if (r.state === 'done') this.keep({ cid: p.cid, cmd: r.cmd, payload: r.payload, at });
      return;
    }
    const asm = this.assemblers.get(p.cid);
    if (!asm?.inProgress) {
      throw new CheckFailed(`device sent a continuation packet (SEQ ${p.seq}) on ${hex32(p.cid)} without an initialization packet (§11.2.4)`);
    }
    const r = asm.add(p);
    if (r.state === 'error') throw new CheckFailed(`device's continuation packets on ${hex32(p.cid)} are out of sequence (§11.2.4)`);
    if (r.state === 'done') this.keep({ cid: p.cid, cmd: r.cmd, payload: r.payload, at });
  }

  private keep(m: ReceivedMessage): void {
    if (m.cmd === CtaphidCommand.ERROR && m.payload[0] === CtaphidErrorCode.ERR_CHANNEL_BUSY) this.busyAnswers++;
    this.queued.push(m);
  }
}

/** "CTAPHID_ERROR ERR_INVALID_SEQ", "CTAPHID_PING (3 bytes)"… for messages. */
export function describe(m: { cmd: number; payload: Uint8Array }): string {
  if (m.cmd === CtaphidCommand.ERROR) return `CTAPHID_ERROR ${ctaphidErrorName(m.payload[0] ?? 0)}`;
  if (m.cmd === CtaphidCommand.KEEPALIVE) return `CTAPHID_KEEPALIVE status ${m.payload[0]}`;
  if (m.cmd === CtaphidCommand.CBOR) return `CTAPHID_CBOR status 0x${(m.payload[0] ?? 0).toString(16).padStart(2, '0')} (${m.payload.length} bytes)`;
  return `${ctaphidCommandName(m.cmd)} (${m.payload.length} bytes)`;
}

/** An initialization packet with a given BCNT and first data bytes (for INVALID_LEN and similar). */
export function initPacket(cid: number, cmd: number, bcnt: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const r = new Uint8Array(64);
  new DataView(r.buffer).setUint32(0, cid >>> 0);
  r[4] = 0x80 | cmd;
  r[5] = (bcnt >> 8) & 0xff;
  r[6] = bcnt & 0xff;
  r.set(data.subarray(0, 57), 7);
  return r;
}
