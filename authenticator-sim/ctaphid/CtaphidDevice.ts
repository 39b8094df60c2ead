import {
  BROADCAST_CID,
  CTAPHID_PROTOCOL_VERSION,
  CtaphidCapability,
  CtaphidCommand,
  CtaphidErrorCode,
  CtapStatus,
  encodeFrames,
  HID_REPORT_SIZE,
  KeepaliveStatus,
  MAX_MESSAGE_SIZE,
  MessageAssembler,
  parsePacket,
  type CtaphidPacket,
} from '../../harness/protocol/index.ts';
import type { Authenticator } from '../Authenticator.ts';
import { handleU2fMessage } from '../ctap1/handleU2fMessage.ts';
import { speaksCtap2, type SimFeatures } from '../profile/SimFeatures.ts';

/** Receives every report the device sends, with the origin of the request it belongs to. */
export type ReportListener<Origin> = (report: Uint8Array, origin: Origin | undefined) => void;

export interface CtaphidDeviceOptions {
  authenticator: Authenticator;
  /**
   * whether a user-presence request is pending (KEEPALIVE UPNEEDED instead of PROCESSING); `onWait`, when
   * given, is called as a wait starts so the host hears UPNEEDED at once, not one keepalive period later
   */
  presence?: { readonly waiting: boolean; onWait?(listener: () => void): () => void };
  /**
   * How long each CBOR or MSG command takes before it is processed, ms (a real key's signing and storage
   * time; `sim --latency realistic`). Default: none.
   */
  processingDelayMs?: (cmd: number, payload: Uint8Array) => number;
  /**
   * How long an incomplete message may wait for its next packet before ERR_MSG_TIMEOUT. CTAP 2.1
   * §11.2.4 names the error but not the time; 500 ms (as deployed keys do) is measured from the last packet received.
   */
  messageTimeoutMs?: number;
  /** KEEPALIVE period while a command runs (§11.2.9.2.1: at least every 100 ms); default 75 ms */
  keepaliveIntervalMs?: number;
  /** major, minor, build reported by INIT; default from the authenticator's firmwareVersion */
  deviceVersion?: readonly [number, number, number];
  /** allocated channels kept before the least recently used is forgotten (bounded memory under INIT floods) */
  maxChannels?: number;
}

interface Assembly<Origin> {
  cid: number;
  assembler: MessageAssembler;
  origin: Origin | undefined;
  timer: ReturnType<typeof setTimeout>;
}

interface Transaction<Origin> {
  cid: number;
  origin: Origin | undefined;
  abort: AbortController;
  keepalive: ReturnType<typeof setInterval>;
  /** set when INIT resynchronised the channel or the device power-cycled: the answer is dropped */
  discarded: boolean;
}

/**
 * The capabilities INIT reports (§11.2.9.1.3): WINK; CBOR when the model speaks CTAP2; NMSG when it has no
 * CTAP1/U2F (getInfo versions without U2F_V2).
 */
function capabilities(f: SimFeatures): number {
  return CtaphidCapability.WINK | (speaksCtap2(f) ? CtaphidCapability.CBOR : 0) | (f.versions.includes('U2F_V2') ? 0 : CtaphidCapability.NMSG);
}

/**
 * The device side of CTAPHID (CTAP 2.1 §11.2), independent of any transport: 64-byte reports go in
 * through `receive(report, origin)` and come out through the listeners given to `onReport`, each with the
 * origin of the request it answers (the UDP listener uses it to answer the sender; an in-process transport
 * ignores it). One transaction runs at a time across all channels (§11.2.5: the device is busy for other
 * channels until it answers).
 */
export class CtaphidDevice<Origin = unknown> {
  readonly authenticator: Authenticator;
  /** how many WINK commands were honoured (the simulator has no LED to blink) */
  winks = 0;
  private readonly presence: { readonly waiting: boolean } | undefined;
  private readonly processingDelayMs: ((cmd: number, payload: Uint8Array) => number) | undefined;
  private readonly stopWaitListener: (() => void) | undefined;
  private readonly messageTimeoutMs: number;
  private readonly keepaliveIntervalMs: number;
  private readonly deviceVersion: readonly [number, number, number];
  private readonly maxChannels: number;
  private readonly listeners = new Set<ReportListener<Origin>>();
  /** allocated channels, least recently used first (a use moves a channel to the end) */
  private readonly channels = new Set<number>();
  private nextCid = 1;
  private assembly: Assembly<Origin> | undefined;
  private transaction: Transaction<Origin> | undefined;
  private lock: { cid: number; timer: ReturnType<typeof setTimeout> } | undefined;
  private closed = false;

  constructor(options: CtaphidDeviceOptions) {
    this.authenticator = options.authenticator;
    this.presence = options.presence;
    this.processingDelayMs = options.processingDelayMs;
    // §11.2.9.2.1: KEEPALIVE carries UPNEEDED while the device waits for the user. Sent as the wait starts,
    // so even a wait approved at once (the simulator's automatic presence) is seen by the host, which counts
    // touches from these episodes on real keys too.
    this.stopWaitListener = options.presence?.onWait?.(() => {
      if (this.transaction) this.sendKeepalive(this.transaction);
    });
    this.messageTimeoutMs = options.messageTimeoutMs ?? 500;
    this.keepaliveIntervalMs = options.keepaliveIntervalMs ?? 75;
    const fw = this.authenticator.firmwareVersion;
    this.deviceVersion = options.deviceVersion ?? [(fw >>> 16) & 0xff, (fw >>> 8) & 0xff, fw & 0xff];
    this.maxChannels = options.maxChannels ?? 1024;
  }

  /** Registers a listener for outgoing reports; returns a function that removes it. */
  onReport(listener: ReportListener<Origin>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** true while a command is being processed */
  get busy(): boolean {
    return this.transaction !== undefined;
  }

  /** Takes one report from the host. Never throws: every fault is answered with CTAPHID_ERROR or ignored. */
  receive(report: Uint8Array, origin?: Origin): void {
    if (this.closed) return;
    if (report.length !== HID_REPORT_SIZE) {
      // A report is exactly 64 bytes (§11.2.4); the spec names no error for another size. Where a CID can
      // be read, ERR_INVALID_LEN says what is wrong; shorter fragments are dropped.
      if (report.length >= 4) {
        const cid = new DataView(report.buffer, report.byteOffset, 4).getUint32(0);
        this.sendError(cid, CtaphidErrorCode.ERR_INVALID_LEN, origin);
      }
      return;
    }
    const packet = parsePacket(report);
    if (packet.cid === 0) {
      // §11.2.3: CID 0 is reserved.
      this.sendError(0, CtaphidErrorCode.ERR_INVALID_CHANNEL, origin);
      return;
    }
    this.touchChannel(packet.cid);
    if (packet.kind === 'init') this.onInitPacket(packet, origin);
    else this.onContinuationPacket(packet, origin);
  }

  /**
   * The power-cycle datagram: the lock, a message being received and a command being processed are gone
   * (its answer is never sent), and the authenticator's volatile state is cleared (CTAP 2.1 §6.5.2: the
   * pinUvAuthToken, the consecutive wrong-PIN count; §6.6: the reset window starts again). Channel
   * allocations are kept: a UDP link has no re-enumeration, so hosts keep using their channel ID across it
   * (docs/simulator.md "Power cycle").
   */
  powerCycle(): void {
    this.discardTransaction();
    this.dropAssembly();
    this.releaseLock();
    this.authenticator.powerCycle();
  }

  /** Stops timers and drops any work in progress; later reports are ignored. */
  close(): void {
    this.discardTransaction();
    this.dropAssembly();
    this.releaseLock();
    this.closed = true;
    this.listeners.clear();
    this.stopWaitListener?.();
  }

  private onInitPacket(p: Extract<CtaphidPacket, { kind: 'init' }>, origin: Origin | undefined): void {
    const { cid, cmd } = p;
    if (cmd === CtaphidCommand.INIT) {
      this.onInit(p, origin);
      return;
    }
    // §11.2.9.1.3: only INIT may use the broadcast channel; other channels must have been allocated.
    if (cid === BROADCAST_CID || !this.channels.has(cid)) {
      this.sendError(cid, CtaphidErrorCode.ERR_INVALID_CHANNEL, origin);
      return;
    }
    if (cmd === CtaphidCommand.CANCEL) {
      // §11.2.9.1.5: CANCEL aborts the channel's pending request and is itself never answered; one that
      // matches nothing is ignored.
      if (this.transaction?.cid === cid) this.transaction.abort.abort();
      return;
    }
    if (this.lock && this.lock.cid !== cid) {
      // The spec names ERR_LOCK_REQUIRED without saying when it is sent. Chosen: while one channel holds
      // the lock (§11.2.9.2.2), requests from every other channel get it (a transaction in progress is
      // ERR_CHANNEL_BUSY instead, which is brief).
      this.sendError(cid, CtaphidErrorCode.ERR_LOCK_REQUIRED, origin);
      return;
    }
    if (this.transaction) {
      this.sendError(cid, CtaphidErrorCode.ERR_CHANNEL_BUSY, origin);
      return;
    }
    if (this.assembly) {
      if (this.assembly.cid !== cid) {
        this.sendError(cid, CtaphidErrorCode.ERR_CHANNEL_BUSY, origin);
        return;
      }
      // A new initialization packet where a continuation packet was due: the spec does not say; the
      // message is out of sequence, so both are dropped with ERR_INVALID_SEQ.
      this.dropAssembly();
      this.sendError(cid, CtaphidErrorCode.ERR_INVALID_SEQ, origin);
      return;
    }
    if (p.bcnt > MAX_MESSAGE_SIZE) {
      this.sendError(cid, CtaphidErrorCode.ERR_INVALID_LEN, origin);
      return;
    }
    const assembler = new MessageAssembler({
      enforceSequence: this.authenticator.behaviour.enforceContinuationSequence,
    });
    const result = assembler.start(p);
    if (result.state === 'done') {
      this.dispatch(cid, cmd, result.payload, origin);
      return;
    }
    if (result.state === 'error') {
      this.sendError(cid, CtaphidErrorCode.ERR_INVALID_LEN, origin);
      return;
    }
    this.assembly = { cid, assembler, origin, timer: this.startMessageTimer() };
  }

  private onContinuationPacket(p: Extract<CtaphidPacket, { kind: 'cont' }>, origin: Origin | undefined): void {
    const { cid } = p;
    if (cid === BROADCAST_CID || !this.channels.has(cid)) {
      this.sendError(cid, CtaphidErrorCode.ERR_INVALID_CHANNEL, origin);
      return;
    }
    const asm = this.assembly;
    if (!asm) {
      if (this.transaction && this.transaction.cid !== cid) {
        this.sendError(cid, CtaphidErrorCode.ERR_CHANNEL_BUSY, origin);
      }
      // A continuation packet with no message started: the spec does not say; it is ignored (as a
      // stray packet of an aborted transaction would be).
      return;
    }
    if (asm.cid !== cid) {
      this.sendError(cid, CtaphidErrorCode.ERR_CHANNEL_BUSY, origin);
      return;
    }
    const result = asm.assembler.add(p);
    if (result.state === 'more') {
      clearTimeout(asm.timer);
      asm.timer = this.startMessageTimer();
      asm.origin = origin;
      return;
    }
    this.dropAssembly();
    if (result.state === 'error') {
      this.sendError(cid, CtaphidErrorCode.ERR_INVALID_SEQ, origin);
      return;
    }
    this.dispatch(cid, result.cmd, result.payload, origin);
  }

  /** CTAPHID_INIT, §11.2.9.1.3 */
  private onInit(p: Extract<CtaphidPacket, { kind: 'init' }>, origin: Origin | undefined): void {
    if (p.bcnt !== 8) {
      this.sendError(p.cid, CtaphidErrorCode.ERR_INVALID_LEN, origin);
      return;
    }
    let channel: number;
    if (p.cid === BROADCAST_CID) {
      channel = this.allocateChannel();
    } else if (this.channels.has(p.cid)) {
      // INIT on an allocated channel resynchronises it: its transaction is discarded, unanswered.
      channel = p.cid;
      if (this.transaction?.cid === channel) this.discardTransaction();
      if (this.assembly?.cid === channel) this.dropAssembly();
    } else {
      this.sendError(p.cid, CtaphidErrorCode.ERR_INVALID_CHANNEL, origin);
      return;
    }
    const response = new Uint8Array(17);
    response.set(p.data.subarray(0, 8), 0); // nonce echoed
    new DataView(response.buffer).setUint32(8, channel);
    response[12] = CTAPHID_PROTOCOL_VERSION;
    response.set(this.deviceVersion, 13);
    response[16] = capabilities(this.authenticator.features);
    this.send(p.cid, CtaphidCommand.INIT, response, origin);
  }

  private dispatch(cid: number, cmd: number, payload: Uint8Array, origin: Origin | undefined): void {
    switch (cmd) {
      case CtaphidCommand.PING: // §11.2.9.1.4: echoed
        this.send(cid, CtaphidCommand.PING, payload, origin);
        return;
      case CtaphidCommand.WINK: // §11.2.9.2.1: no data either way
        if (payload.length !== 0) {
          this.sendError(cid, CtaphidErrorCode.ERR_INVALID_LEN, origin);
          return;
        }
        this.winks++;
        this.send(cid, CtaphidCommand.WINK, new Uint8Array(0), origin);
        return;
      case CtaphidCommand.LOCK:
        this.onLock(cid, payload, origin);
        return;
      case CtaphidCommand.MSG: // §11.2.9.1.1: a U2F raw message (NMSG: not implemented, §11.2.9.1.3)
        if (!this.authenticator.features.versions.includes('U2F_V2')) {
          this.sendError(cid, CtaphidErrorCode.ERR_INVALID_CMD, origin);
          return;
        }
        if (payload.length === 0) {
          this.sendError(cid, CtaphidErrorCode.ERR_INVALID_LEN, origin);
          return;
        }
        void this.run(cid, cmd, payload, origin, (signal) => handleU2fMessage(this.authenticator, payload, { signal }));
        return;
      case CtaphidCommand.CBOR: // §11.2.9.1.2: command byte then CBOR parameters (a CTAP1-only key has none)
        if (!speaksCtap2(this.authenticator.features)) {
          this.sendError(cid, CtaphidErrorCode.ERR_INVALID_CMD, origin);
          return;
        }
        if (payload.length === 0) {
          this.sendError(cid, CtaphidErrorCode.ERR_INVALID_LEN, origin);
          return;
        }
        void this.run(cid, cmd, payload, origin, async (signal) => {
          const r = await this.authenticator.handleCbor(payload[0]!, payload.subarray(1), { signal });
          const out = new Uint8Array(1 + r.payload.length);
          out[0] = r.status;
          out.set(r.payload, 1);
          return out;
        });
        return;
      default:
        // KEEPALIVE and ERROR are device-to-host only; vendor commands are not implemented.
        this.sendError(cid, CtaphidErrorCode.ERR_INVALID_CMD, origin);
    }
  }

  /** CTAPHID_LOCK, §11.2.9.2.2: one byte, 0..10 seconds; 0 releases. */
  private onLock(cid: number, payload: Uint8Array, origin: Origin | undefined): void {
    if (payload.length !== 1) {
      this.sendError(cid, CtaphidErrorCode.ERR_INVALID_LEN, origin);
      return;
    }
    const seconds = payload[0]!;
    if (seconds > 10) {
      this.sendError(cid, CtaphidErrorCode.ERR_INVALID_PAR, origin);
      return;
    }
    this.releaseLock();
    if (seconds > 0) {
      const timer = setTimeout(() => this.releaseLock(), seconds * 1000);
      timer.unref?.();
      this.lock = { cid, timer };
    }
    this.send(cid, CtaphidCommand.LOCK, new Uint8Array(0), origin);
  }

  /** Runs an asynchronous command, sending KEEPALIVE while it lasts, then its answer (unless discarded). */
  private async run(
    cid: number,
    cmd: number,
    payload: Uint8Array,
    origin: Origin | undefined,
    work: (signal: AbortSignal) => Promise<Uint8Array>,
  ): Promise<void> {
    const tx: Transaction<Origin> = {
      cid,
      origin,
      abort: new AbortController(),
      discarded: false,
      keepalive: setInterval(() => this.sendKeepalive(tx), this.keepaliveIntervalMs),
    };
    tx.keepalive.unref?.();
    this.transaction = tx;
    let response: Uint8Array | undefined;
    try {
      const delay = this.processingDelayMs?.(cmd, payload) ?? 0;
      if (delay > 0) await abortableDelay(delay, tx.abort.signal);
      response = await work(tx.abort.signal);
    } catch {
      // Only the processing delay throws (handleCbor and the U2F handler never do): a CANCEL during it
      // ends a CBOR command with CTAP2_ERR_KEEPALIVE_CANCEL (§11.2.9.1.5), as a touch wait would.
      response = tx.abort.signal.aborted && cmd === CtaphidCommand.CBOR ? Uint8Array.of(CtapStatus.CTAP2_ERR_KEEPALIVE_CANCEL) : undefined;
    } finally {
      clearInterval(tx.keepalive);
    }
    if (tx.discarded) return;
    this.transaction = undefined;
    if (response === undefined || response.length > MAX_MESSAGE_SIZE) {
      // handleCbor and the U2F handler never throw; this is the last line of defence.
      this.sendError(cid, CtaphidErrorCode.ERR_OTHER, origin);
      return;
    }
    this.send(cid, cmd, response, origin);
  }

  /** KEEPALIVE, §11.2.9.2.1 */
  private sendKeepalive(tx: Transaction<Origin>): void {
    if (tx.discarded || this.transaction !== tx) return;
    const status = this.presence?.waiting ? KeepaliveStatus.UPNEEDED : KeepaliveStatus.PROCESSING;
    this.send(tx.cid, CtaphidCommand.KEEPALIVE, Uint8Array.of(status), tx.origin);
  }

  private startMessageTimer(): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      const asm = this.assembly;
      if (!asm) return;
      this.dropAssembly();
      this.sendError(asm.cid, CtaphidErrorCode.ERR_MSG_TIMEOUT, asm.origin);
    }, this.messageTimeoutMs);
    timer.unref?.();
    return timer;
  }

  private allocateChannel(): number {
    let cid = this.nextCid;
    while (cid === 0 || cid === BROADCAST_CID || this.channels.has(cid)) cid = (cid + 1) >>> 0;
    this.nextCid = (cid + 1) >>> 0;
    this.channels.add(cid);
    if (this.channels.size > this.maxChannels) {
      // The least recently used channel goes (§11.2.9.1.3 leaves eviction to the device), never the one
      // whose message or command is in progress: a host that keeps polling keeps its channel under an
      // INIT flood from another.
      for (const candidate of this.channels) {
        if (candidate !== cid && candidate !== this.transaction?.cid && candidate !== this.assembly?.cid) {
          this.channels.delete(candidate);
          break;
        }
      }
    }
    return cid;
  }

  /** A packet on an allocated channel makes it the most recently used. */
  private touchChannel(cid: number): void {
    if (!this.channels.delete(cid)) return;
    this.channels.add(cid);
  }

  private discardTransaction(): void {
    const tx = this.transaction;
    if (!tx) return;
    tx.discarded = true;
    clearInterval(tx.keepalive);
    tx.abort.abort();
    this.transaction = undefined;
  }

  private dropAssembly(): void {
    if (!this.assembly) return;
    clearTimeout(this.assembly.timer);
    this.assembly = undefined;
  }

  private releaseLock(): void {
    if (!this.lock) return;
    clearTimeout(this.lock.timer);
    this.lock = undefined;
  }

  private sendError(cid: number, code: number, origin: Origin | undefined): void {
    this.send(cid, CtaphidCommand.ERROR, Uint8Array.of(code), origin);
  }

  private send(cid: number, cmd: number, payload: Uint8Array, origin: Origin | undefined): void {
    if (this.closed) return;
    for (const report of encodeFrames(cid, cmd, payload)) {
      for (const listener of this.listeners) {
        try {
          listener(report, origin);
        } catch {
          // A failing listener (a client that vanished) must not stop the device.
        }
      }
    }
  }
}

/** Waits `ms`, or rejects as soon as `signal` aborts (a CANCEL or INIT during the wait). */
function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error('aborted'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
