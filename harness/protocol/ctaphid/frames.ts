import {
  CONT_DATA_SIZE,
  HID_REPORT_SIZE,
  INIT_DATA_SIZE,
  MAX_MESSAGE_SIZE,
  TYPE_INIT,
} from './constants.ts';

export type CtaphidPacket =
  | { kind: 'init'; cid: number; cmd: number; bcnt: number; data: Uint8Array }
  | { kind: 'cont'; cid: number; seq: number; data: Uint8Array };

/**
 * Splits a message into 64-byte reports (CTAP 2.1 §11.2.4): one initialization packet then continuation
 * packets with SEQ 0, 1, …; unused bytes are zero. `cmd` is given without the TYPE_INIT bit.
 */
export function encodeFrames(cid: number, cmd: number, payload: Uint8Array): Uint8Array[] {
  if (payload.length > MAX_MESSAGE_SIZE) {
    throw new RangeError(`CTAPHID message of ${payload.length} bytes exceeds ${MAX_MESSAGE_SIZE}`);
  }
  const frames: Uint8Array[] = [];
  const init = new Uint8Array(HID_REPORT_SIZE);
  const view = new DataView(init.buffer);
  view.setUint32(0, cid >>> 0);
  init[4] = TYPE_INIT | (cmd & 0x7f);
  view.setUint16(5, payload.length);
  init.set(payload.subarray(0, INIT_DATA_SIZE), 7);
  frames.push(init);
  for (let offset = INIT_DATA_SIZE, seq = 0; offset < payload.length; offset += CONT_DATA_SIZE, seq++) {
    const cont = new Uint8Array(HID_REPORT_SIZE);
    new DataView(cont.buffer).setUint32(0, cid >>> 0);
    cont[4] = seq;
    cont.set(payload.subarray(offset, offset + CONT_DATA_SIZE), 5);
    frames.push(cont);
  }
  return frames;
}

/** Reads one report's header, from a copy padded with zeros to 64 bytes; a report longer than 64 bytes is refused. */
export function parsePacket(report: Uint8Array): CtaphidPacket {
  if (report.length > HID_REPORT_SIZE) throw new RangeError(`report of ${report.length} bytes exceeds 64`);
  const r = new Uint8Array(HID_REPORT_SIZE);
  r.set(report);
  const view = new DataView(r.buffer, r.byteOffset, HID_REPORT_SIZE);
  const cid = view.getUint32(0);
  const b4 = r[4]!;
  if (b4 & TYPE_INIT) {
    return { kind: 'init', cid, cmd: b4 & 0x7f, bcnt: view.getUint16(5), data: r.subarray(7) };
  }
  return { kind: 'cont', cid, seq: b4, data: r.subarray(5) };
}

/** Number of reports a message of `length` bytes takes. */
export function frameCount(length: number): number {
  // up to 57 bytes the quotient lies in (-1, 0], which Math.ceil makes 0
  return 1 + Math.ceil((length - INIT_DATA_SIZE) / CONT_DATA_SIZE);
}

export type AssemblyResult =
  | { state: 'more' }
  | { state: 'done'; cid: number; cmd: number; payload: Uint8Array }
  | { state: 'error'; reason: 'INVALID_SEQ' | 'INVALID_LEN' };

export interface MessageAssemblerOptions {
  /**
   * Whether continuation packets must come with SEQ 0, 1, 2… (CTAP 2.1 §11.2.4: they must). False only
   * for fault injection (the simulator's `ctaphid-ignore-seq` quirk): packets are then appended in the
   * order they arrive, whatever their SEQ.
   */
  enforceSequence?: boolean;
}

/**
 * Reassembles one message from its packets (CTAP 2.1 §11.2.4): continuation packets must come with SEQ
 * 0, 1, 2… in order; BCNT over 7609 is INVALID_LEN. Channel arbitration (busy, timeouts) is the caller's.
 */
export class MessageAssembler {
  private readonly enforceSequence: boolean;
  private buffer: Uint8Array | null = null;
  private filled = 0;
  private nextSeq = 0;
  private cid = 0;
  private cmd = 0;

  constructor(options: MessageAssemblerOptions = {}) {
    this.enforceSequence = options.enforceSequence ?? true;
  }

  get inProgress(): boolean {
    return this.buffer !== null;
  }

  get channel(): number {
    return this.cid;
  }

  reset(): void {
    this.buffer = null;
  }

  start(packet: Extract<CtaphidPacket, { kind: 'init' }>): AssemblyResult {
    if (packet.bcnt > MAX_MESSAGE_SIZE) {
      this.buffer = null;
      return { state: 'error', reason: 'INVALID_LEN' };
    }
    this.cid = packet.cid;
    this.cmd = packet.cmd;
    this.buffer = new Uint8Array(packet.bcnt);
    const n = Math.min(packet.bcnt, INIT_DATA_SIZE);
    this.buffer.set(packet.data.subarray(0, n));
    this.filled = n;
    this.nextSeq = 0;
    return this.finishIfComplete();
  }

  add(packet: Extract<CtaphidPacket, { kind: 'cont' }>): AssemblyResult {
    if (!this.buffer || (this.enforceSequence && packet.seq !== this.nextSeq)) {
      this.buffer = null;
      return { state: 'error', reason: 'INVALID_SEQ' };
    }
    const n = Math.min(this.buffer.length - this.filled, CONT_DATA_SIZE);
    this.buffer.set(packet.data.subarray(0, n), this.filled);
    this.filled += n;
    this.nextSeq++;
    return this.finishIfComplete();
  }

  private finishIfComplete(): AssemblyResult {
    if (this.buffer && this.filled >= this.buffer.length) {
      const payload = this.buffer;
      this.buffer = null;
      return { state: 'done', cid: this.cid, cmd: this.cmd, payload };
    }
    return { state: 'more' };
  }
}
