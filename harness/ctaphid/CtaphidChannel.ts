import { randomBytes } from 'node:crypto';
import {
  BROADCAST_CID,
  CtaphidCommand,
  ctaphidCommandName,
  CtaphidErrorCode,
  encodeFrames,
  KeepaliveStatus,
  MAX_MESSAGE_SIZE,
  MessageAssembler,
  parsePacket,
} from '../protocol/index.ts';
import { TransportError, type PacketTransport } from '../transport/index.ts';
import { CtaphidError } from './CtaphidError.ts';
import { PresenceWaits } from '../transport/index.ts';

/** Per-call options of a CTAPHID transaction. */
export interface CtaphidCallOptions {
  /** the whole transaction's limit, from the first report written to the last read (default: channel's) */
  timeoutMs?: number;
  /** aborting sends CTAPHID_CANCEL (§11.2.9.1.5) and waits briefly for the device's answer */
  signal?: AbortSignal;
  /** called with each KEEPALIVE status (§11.2.9.2.1): 1 PROCESSING, 2 UPNEEDED */
  onKeepalive?: (status: number) => void;
}

export interface CtaphidChannelOptions {
  /** default transaction timeout, ms (default 30 s: long enough for a person to touch a key) */
  timeoutMs?: number;
  /** how long INIT may take (default 2 s) */
  initTimeoutMs?: number;
  /** after CANCEL, how long to wait for the cancelled command's answer (default 1.5 s) */
  cancelGraceMs?: number;
  /** the largest answer accepted (default 7609, the CTAPHID limit; the ctap layer lowers it to maxMsgSize) */
  maxResponseSize?: number;
  /** nonce source for INIT (default node:crypto) */
  randomBytes?: (n: number) => Uint8Array;
  onKeepalive?: (status: number) => void;
  /**
   * how long the device may wait for a touch (KEEPALIVE UPNEEDED) before the host gives up and sends
   * CTAPHID_CANCEL (§11.2.9.1.5); default: the transaction's own timeout
   */
  touchTimeoutMs?: number;
}

/** What INIT told us (CTAP 2.1 §11.2.9.1.3). */
export interface CtaphidDeviceInfo {
  cid: number;
  protocolVersion: number;
  deviceVersion: { major: number; minor: number; build: number };
  capabilities: number;
}

/** One message as read from the device, unfiltered (raw mode). */
export interface CtaphidMessage {
  cid: number;
  cmd: number;
  payload: Uint8Array;
}

/**
 * The host end of a CTAPHID channel (CTAP 2.1 §11.2): allocates a channel with INIT (nonce checked),
 * frames requests, reassembles answers, passes KEEPALIVE to a callback, turns CTAPHID_ERROR into
 * CtaphidError, cancels on AbortSignal, and bounds every transaction by a timeout. One transaction at a
 * time: CTAPHID is half-duplex per channel (§11.2.2).
 */
export class CtaphidChannel {
  private busy: Promise<unknown> = Promise.resolve();
  private readonly timeoutMs: number;
  private readonly cancelGraceMs: number;
  maxResponseSize: number;
  /** the device's waits for a touch (KEEPALIVE UPNEEDED), counted across this channel's transactions */
  readonly presence = new PresenceWaits();
  /**
   * Set when a transaction ended without its answer (timeout, truncation, cancel not answered): the device
   * may still answer it later, and that answer would pass for the next one's. The next transaction first
   * sends INIT on this channel, which aborts whatever the device is doing there (§11.2.9.1.3).
   */
  private needsResync = false;
  /** how often this channel met a busy bus: ERR_CHANNEL_BUSY retried, new channel after ERR_INVALID_CHANNEL */
  readonly busyRetries = { busy: 0, reopened: 0 };

  private constructor(
    readonly transport: PacketTransport,
    /** what the last INIT said; replaced by `reopen` */
    public info: CtaphidDeviceInfo,
    private readonly options: CtaphidChannelOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.cancelGraceMs = options.cancelGraceMs ?? 1_500;
    this.maxResponseSize = options.maxResponseSize ?? MAX_MESSAGE_SIZE;
  }

  get cid(): number {
    return this.info.cid;
  }

  /** Opens a channel: CTAPHID_INIT on the broadcast channel with an 8-byte nonce (§11.2.9.1.3). */
  static async open(transport: PacketTransport, options: CtaphidChannelOptions = {}): Promise<CtaphidChannel> {
    const info = await initChannel(transport, BROADCAST_CID, options);
    return new CtaphidChannel(transport, info, options);
  }

  /**
   * One transaction: sends `payload` as command `cmd` and returns the answer's payload. The answer must
   * carry the same command (§11.2.4); KEEPALIVE packets go to `onKeepalive`; CTAPHID_ERROR throws.
   */
  call(cmd: number, payload: Uint8Array, options: CtaphidCallOptions = {}): Promise<Uint8Array> {
    const run = this.busy.then(
      () => this.transact(cmd, payload, options),
      () => this.transact(cmd, payload, options),
    );
    this.busy = run.catch(() => undefined);
    return run;
  }

  /** CTAPHID_CBOR (§11.2.9.1.2): the CTAP2 command byte then the CBOR parameters. */
  cbor(command: number, data: Uint8Array, options?: CtaphidCallOptions): Promise<Uint8Array> {
    const req = new Uint8Array(1 + data.length);
    req[0] = command;
    req.set(data, 1);
    return this.call(CtaphidCommand.CBOR, req, options);
  }

  /** CTAPHID_MSG (§11.2.9.1.1): a CTAP1/U2F APDU; the answer is response data + status word. */
  msg(apdu: Uint8Array, options?: CtaphidCallOptions): Promise<Uint8Array> {
    return this.call(CtaphidCommand.MSG, apdu, options);
  }

  /** CTAPHID_PING (§11.2.9.1.4): the device echoes the data. */
  ping(data: Uint8Array, options?: CtaphidCallOptions): Promise<Uint8Array> {
    return this.call(CtaphidCommand.PING, data, options);
  }

  /** CTAPHID_WINK (§11.2.9.2.2), when the WINK capability is set. */
  async wink(options?: CtaphidCallOptions): Promise<void> {
    await this.call(CtaphidCommand.WINK, new Uint8Array(0), options);
  }

  /** CTAPHID_LOCK (§11.2.9.2.3): 0..10 seconds, 0 releases. */
  async lock(seconds: number, options?: CtaphidCallOptions): Promise<void> {
    await this.call(CtaphidCommand.LOCK, Uint8Array.of(seconds), options);
  }

  /** Sends CTAPHID_CANCEL on this channel (§11.2.9.1.5). It has no answer of its own. */
  async cancel(): Promise<void> {
    await this.transport.write(encodeFrames(this.cid, CtaphidCommand.CANCEL, new Uint8Array(0))[0]!);
  }

  /** Re-synchronises this channel with INIT on its own CID (§11.2.9.1.3: aborts any transaction). */
  async resync(): Promise<CtaphidDeviceInfo> {
    this.transport.discardPending();
    return initChannel(this.transport, this.cid, this.options);
  }

  /**
   * Allocates a new channel with INIT on the broadcast CID (§11.2.9.1.3), for a device that has forgotten
   * its channels (a power cycle); later transactions use the new CID.
   */
  async reopen(): Promise<CtaphidDeviceInfo> {
    this.transport.discardPending();
    this.info = await initChannel(this.transport, BROADCAST_CID, this.options);
    this.needsResync = false;
    return this.info;
  }

  /**
   * Raw mode, for suites that send deliberately broken frames: reports go out exactly as given and
   * messages come back unfiltered (ERROR and KEEPALIVE included, nothing thrown for them).
   */
  get raw(): RawCtaphid {
    return new RawCtaphid(this.transport, this.maxResponseSize);
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  private async transact(cmd: number, payload: Uint8Array, options: CtaphidCallOptions): Promise<Uint8Array> {
    if (payload.length > MAX_MESSAGE_SIZE) {
      throw new CtaphidError('CTAPHID_MESSAGE_TOO_LARGE', `${payload.length} bytes exceeds the CTAPHID limit of ${MAX_MESSAGE_SIZE}`);
    }
    if (this.needsResync) {
      await initChannel(this.transport, this.cid, this.options);
      this.needsResync = false;
    }
    let waited = false;
    let answer: Uint8Array | undefined;
    const touchTimeout = new AbortController();
    let touchTimer: ReturnType<typeof setTimeout> | undefined;
    const onKeepalive = (status: number) => {
      // The first UPNEEDED of a transaction starts one wait for the user (§11.2.9.2.1).
      if (status === KeepaliveStatus.UPNEEDED && !waited) {
        waited = true;
        this.presence.started({ cmd, ...(cmd === CtaphidCommand.CBOR ? { ctapCommand: payload[0]! } : {}) });
        if (this.options.touchTimeoutMs) touchTimer = setTimeout(() => touchTimeout.abort(), this.options.touchTimeoutMs);
      }
      (options.onKeepalive ?? this.options.onKeepalive)?.(status);
    };
    const signals = [options.signal, this.options.touchTimeoutMs ? touchTimeout.signal : undefined].filter((s) => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    try {
      answer = await this.exchangeOnBusyBus(cmd, payload, { ...options, onKeepalive, ...(signal ? { signal } : {}) });
      return answer;
    } finally {
      clearTimeout(touchTimer);
      if (waited) this.presence.ended(cmd, answer);
    }
  }

  /**
   * One exchange, as a host shares the device with others (browsers and password managers poll keys):
   * ERR_CHANNEL_BUSY (CTAP 2.1 §11.2.9.1.6, another channel's message or command in progress, §11.2.5) is
   * retried with growing back-off until the transaction's own time limit; ERR_INVALID_CHANNEL (the device
   * forgot this channel: evicted by another host's INITs, or power-cycled) leads to one new channel with
   * INIT on the broadcast CID (§11.2.9.1.3) and one retry there. INIT itself is never retried this way.
   */
  private async exchangeOnBusyBus(cmd: number, payload: Uint8Array, options: CtaphidCallOptions): Promise<Uint8Array> {
    if (cmd === CtaphidCommand.INIT) return this.exchange(cmd, payload, options);
    const deadline = Date.now() + (options.timeoutMs ?? this.timeoutMs);
    let reopened = false;
    let backoffMs = BUSY_BACKOFF_FIRST_MS;
    let lastBusy: CtaphidError | undefined;
    for (;;) {
      const left = deadline - Date.now();
      try {
        return await this.exchange(cmd, payload, { ...options, timeoutMs: Math.max(1, left) });
      } catch (err) {
        // The time limit ran out during a retry on a bus that kept answering busy: what the caller needs to
        // know is that the device stayed busy, not that the last retry's answer came late.
        if (lastBusy && err instanceof CtaphidError && err.code === 'CTAPHID_TIMEOUT' && Date.now() >= deadline) throw lastBusy;
        if (!(err instanceof CtaphidError) || err.code !== 'CTAPHID_DEVICE_ERROR' || options.signal?.aborted) throw err;
        if (err.hidError === CtaphidErrorCode.ERR_INVALID_CHANNEL && !reopened) {
          reopened = true;
          this.busyRetries.reopened++;
          await this.reopen();
          continue;
        }
        if (err.hidError !== CtaphidErrorCode.ERR_CHANNEL_BUSY) throw err;
        lastBusy = err;
        // Jittered, so two hosts backing off from each other do not collide again in step.
        const wait = Math.min(backoffMs * (0.5 + Math.random()), deadline - Date.now() - 1);
        if (wait <= 0) throw err;
        this.busyRetries.busy++;
        await abortableSleep(wait, options.signal);
        if (options.signal?.aborted) throw err;
        backoffMs = Math.min(backoffMs * 2, BUSY_BACKOFF_MAX_MS);
      }
    }
  }

  private async exchange(cmd: number, payload: Uint8Array, options: CtaphidCallOptions): Promise<Uint8Array> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const deadline = Date.now() + timeoutMs;
    // Answers of an abandoned earlier transaction must not be taken for this one's.
    this.transport.discardPending();
    for (const frame of encodeFrames(this.cid, cmd, payload)) await this.transport.write(frame);
    const { onKeepalive, signal } = options;
    try {
      return await readAnswer(this.transport, this.cid, cmd, deadline, this.maxResponseSize, { signal, onKeepalive });
    } catch (err) {
      if (!(err instanceof TransportError && err.code === 'TRANSPORT_ABORTED')) {
        if (err instanceof CtaphidError && UNFINISHED.has(err.code)) this.needsResync = true;
        throw err;
      }
    }
    // Aborted: CANCEL, then give the device a moment to answer the cancelled command (§11.2.9.1.5: it
    // answers CTAP2_ERR_KEEPALIVE_CANCEL); that answer is returned like any other.
    await this.cancel();
    const graceDeadline = Math.min(deadline, Date.now() + this.cancelGraceMs);
    try {
      return await readAnswer(this.transport, this.cid, cmd, graceDeadline, this.maxResponseSize, { onKeepalive });
    } catch (err) {
      if (err instanceof CtaphidError && UNFINISHED.has(err.code)) this.needsResync = true;
      if (err instanceof CtaphidError && (err.code === 'CTAPHID_TIMEOUT' || err.code === 'CTAPHID_WRONG_CHANNEL')) {
        throw new CtaphidError('CTAPHID_CANCELLED', `${ctaphidCommandName(cmd)} cancelled; the device did not answer the CANCEL within ${this.cancelGraceMs} ms`);
      }
      throw err;
    }
  }
}

/**
 * Back-off after ERR_CHANNEL_BUSY: 5 ms, doubling to 40 ms. Another host's message keeps the device busy for
 * up to its message timeout (500 ms on the simulator); a short cap takes the device as soon as it is free,
 * and a retry costs the device one packet.
 */
const BUSY_BACKOFF_FIRST_MS = 5;
const BUSY_BACKOFF_MAX_MS = 40;

/** Waits `ms`, ending early (without error: the exchange that follows sees the abort) when `signal` fires. */
function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Transaction endings after which the device may still be working on (or answering) the command. */
const UNFINISHED = new Set<string>(['CTAPHID_TIMEOUT', 'CTAPHID_TRUNCATED', 'CTAPHID_WRONG_CHANNEL', 'CTAPHID_INVALID_SEQ', 'CTAPHID_INVALID_LENGTH']);

async function initChannel(
  transport: PacketTransport,
  onCid: number,
  options: CtaphidChannelOptions,
): Promise<CtaphidDeviceInfo> {
  const nonce = (options.randomBytes ?? ((n: number) => new Uint8Array(randomBytes(n))))(8);
  const timeoutMs = options.initTimeoutMs ?? 2_000;
  const deadline = Date.now() + timeoutMs;
  transport.discardPending();
  await transport.write(encodeFrames(onCid, CtaphidCommand.INIT, nonce)[0]!);
  let otherNonces = 0;
  for (;;) {
    let answer: Uint8Array;
    try {
      answer = await readAnswer(transport, onCid, CtaphidCommand.INIT, deadline, MAX_MESSAGE_SIZE, {});
    } catch (err) {
      if (otherNonces > 0 && err instanceof CtaphidError && err.code === 'CTAPHID_TIMEOUT') {
        throw new CtaphidError('CTAPHID_NONCE_MISMATCH', `${otherNonces} INIT answer(s) carried another nonce than the one sent`);
      }
      throw err;
    }
    if (answer.length < 17) {
      throw new CtaphidError('CTAPHID_INIT_MALFORMED', `INIT answer of ${answer.length} bytes; §11.2.9.1.3 defines 17`);
    }
    // §11.2.9.1.3: the host checks the nonce and ignores answers to other hosts' INITs.
    if (!Buffer.from(answer.subarray(0, 8)).equals(Buffer.from(nonce))) {
      otherNonces++;
      continue;
    }
    const view = new DataView(answer.buffer, answer.byteOffset, answer.length);
    const cid = view.getUint32(8);
    if (cid === 0 || cid === BROADCAST_CID) {
      throw new CtaphidError('CTAPHID_INIT_MALFORMED', `INIT allocated reserved channel ID 0x${cid.toString(16).padStart(8, '0')}`);
    }
    return {
      cid,
      protocolVersion: answer[12]!,
      deviceVersion: { major: answer[13]!, minor: answer[14]!, build: answer[15]! },
      capabilities: answer[16]!,
    };
  }
}

/**
 * Reads one answer on `cid` for command `cmd` (§11.2.4, §11.2.9): packets for other channels are
 * skipped (§11.2.3), KEEPALIVE goes to the callback, ERROR throws, anything else out of place throws.
 */
async function readAnswer(
  transport: PacketTransport,
  cid: number,
  cmd: number,
  deadline: number,
  maxResponseSize: number,
  hooks: { signal?: AbortSignal | undefined; onKeepalive?: ((status: number) => void) | undefined },
): Promise<Uint8Array> {
  const assembler = new MessageAssembler();
  let foreign = 0;
  let firstForeign = 0;
  let expected = 0;
  let received = 0;
  for (;;) {
    const remaining = deadline - Date.now();
    let report: Uint8Array;
    try {
      if (remaining <= 0) throw new TransportError('TRANSPORT_TIMEOUT', 'deadline passed');
      report = await transport.read(remaining, hooks.signal);
    } catch (err) {
      if (err instanceof TransportError && err.code === 'TRANSPORT_TIMEOUT') {
        const what = ctaphidCommandName(cmd);
        if (assembler.inProgress) {
          throw new CtaphidError('CTAPHID_TRUNCATED', `${what} answer incomplete: ${received} of ${expected} bytes before the timeout`);
        }
        if (foreign > 0) {
          throw new CtaphidError('CTAPHID_WRONG_CHANNEL', `no ${what} answer on channel 0x${hex32(cid)}; ${foreign} packet(s) came on other channels (first 0x${hex32(firstForeign)})`);
        }
        throw new CtaphidError('CTAPHID_TIMEOUT', `no ${what} answer on channel 0x${hex32(cid)} within the timeout`);
      }
      throw err;
    }
    const packet = parsePacket(report);
    if (packet.cid !== cid) {
      if (foreign++ === 0) firstForeign = packet.cid;
      continue;
    }
    let result;
    if (packet.kind === 'init') {
      if (packet.cmd === CtaphidCommand.KEEPALIVE && !assembler.inProgress) {
        hooks.onKeepalive?.(packet.data[0]!);
        continue;
      }
      if (assembler.inProgress) {
        throw new CtaphidError('CTAPHID_INVALID_SEQ', `new ${ctaphidCommandName(packet.cmd)} initialization packet while ${received} of ${expected} bytes of the answer were read`);
      }
      if (packet.cmd === CtaphidCommand.ERROR) {
        throw new CtaphidError('CTAPHID_DEVICE_ERROR', `device answered ${ctaphidCommandName(cmd)} with CTAPHID_ERROR`, packet.data[0]!);
      }
      if (packet.cmd !== cmd) {
        throw new CtaphidError('CTAPHID_UNEXPECTED_COMMAND', `answer to ${ctaphidCommandName(cmd)} came as ${ctaphidCommandName(packet.cmd)}`);
      }
      if (packet.bcnt > maxResponseSize) {
        throw new CtaphidError('CTAPHID_INVALID_LENGTH', `answer declares ${packet.bcnt} bytes; at most ${maxResponseSize} are allowed`);
      }
      expected = packet.bcnt;
      result = assembler.start(packet);
      received = Math.min(expected, packet.data.length);
    } else {
      if (!assembler.inProgress) {
        throw new CtaphidError('CTAPHID_INVALID_SEQ', `continuation packet (SEQ ${packet.seq}) without an initialization packet`);
      }
      result = assembler.add(packet);
      received = Math.min(expected, received + packet.data.length);
    }
    if (result.state === 'error') {
      throw new CtaphidError('CTAPHID_INVALID_SEQ', `continuation packets out of order in the ${ctaphidCommandName(cmd)} answer`);
    }
    if (result.state === 'done') return result.payload;
  }
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** Raw access to the reports, for malformed-frame checks (suites' CTAPHID tests). */
export class RawCtaphid {
  constructor(
    readonly transport: PacketTransport,
    private readonly maxResponseSize: number,
  ) {}

  /** Writes reports exactly as given (each must be 64 bytes). */
  async sendReports(reports: Uint8Array[]): Promise<void> {
    for (const r of reports) await this.transport.write(r);
  }

  /** Frames a message correctly (for a valid first step of a broken sequence). */
  frames(cid: number, cmd: number, payload: Uint8Array): Uint8Array[] {
    return encodeFrames(cid, cmd, payload);
  }

  readReport(timeoutMs: number): Promise<Uint8Array> {
    return this.transport.read(timeoutMs);
  }

  discardPending(): number {
    return this.transport.discardPending();
  }

  /**
   * Reads the next whole message on `cid`, whatever its command (ERROR, KEEPALIVE included). Throws
   * CtaphidError for framing faults and timeouts as the normal path does.
   */
  async readMessage(cid: number, timeoutMs: number): Promise<CtaphidMessage> {
    const deadline = Date.now() + timeoutMs;
    const assembler = new MessageAssembler();
    for (;;) {
      const remaining = deadline - Date.now();
      let report: Uint8Array;
      try {
        if (remaining <= 0) throw new TransportError('TRANSPORT_TIMEOUT', 'deadline passed');
        report = await this.transport.read(remaining);
      } catch (err) {
        if (err instanceof TransportError && err.code === 'TRANSPORT_TIMEOUT') {
          throw new CtaphidError(assembler.inProgress ? 'CTAPHID_TRUNCATED' : 'CTAPHID_TIMEOUT', `no complete message on channel 0x${hex32(cid)} within ${timeoutMs} ms`);
        }
        throw err;
      }
      const packet = parsePacket(report);
      if (packet.cid !== cid) continue;
      const result =
        packet.kind === 'init'
          ? packet.bcnt > this.maxResponseSize
            ? ({ state: 'error', reason: 'INVALID_LEN' } as const)
            : assembler.start(packet)
          : assembler.inProgress
            ? assembler.add(packet)
            : ({ state: 'error', reason: 'INVALID_SEQ' } as const);
      if (result.state === 'error') {
        throw new CtaphidError(result.reason === 'INVALID_LEN' ? 'CTAPHID_INVALID_LENGTH' : 'CTAPHID_INVALID_SEQ', `malformed message on channel 0x${hex32(cid)}`);
      }
      if (result.state === 'done') return { cid: result.cid, cmd: result.cmd, payload: result.payload };
    }
  }

  /** INIT on a given channel with a given nonce, answer returned raw (for INIT checks). */
  async init(cid: number, nonce: Uint8Array, timeoutMs: number): Promise<CtaphidMessage> {
    await this.transport.write(encodeFrames(cid, CtaphidCommand.INIT, nonce)[0]!);
    return this.readMessage(cid, timeoutMs);
  }
}
