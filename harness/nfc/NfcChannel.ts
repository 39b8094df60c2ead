import {
  CtaphidCommand,
  encodeApdu,
  FIDO_AID,
  Iso7816Cla,
  Iso7816Ins,
  joinResponse,
  KeepaliveStatus,
  NFCCTAP_P1_GETRESPONSE,
  parseApdu,
  SELECT_BY_NAME,
  SHORT_MAX_DATA,
  splitResponse,
  Sw,
  type Apdu,
  type ResponseApdu,
} from '../protocol/index.ts';
import { PresenceWaits, TransportError, type ApduTransport } from '../transport/index.ts';
import { NfcError } from './NfcError.ts';

export interface NfcChannelOptions {
  /** a whole command's limit, status updates included (default 30 s: long enough for a person) */
  timeoutMs?: number;
  /**
   * extended-length APDUs (one APDU each way) instead of short APDUs with command and response chaining.
   * Default false: every reader carries short APDUs (some, like the ACR122U, nothing else).
   */
  extended?: boolean;
  /** called with each status update of NFCCTAP_GETRESPONSE (CTAP 2.1 §11.3.6.2): 1 PROCESSING, 2 UPNEEDED */
  onKeepalive?: (status: number) => void;
  /** the largest answer accepted (default 65536; the CTAP layer lowers it to maxMsgSize) */
  maxResponseSize?: number;
}

export interface NfcCallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  onKeepalive?: (status: number) => void;
}

/** An exchange as `exchange` returns it: the joined data, the final status word, and how many APDUs it took. */
export interface NfcExchange extends ResponseApdu {
  apdus: number;
}

/**
 * The host end of CTAP over ISO 7816-4 (CTAP 2.1 §11.3), beside CtaphidChannel under the CTAP layer:
 * SELECT of the FIDO applet, NFCCTAP_MSG with status updates polled by NFCCTAP_GETRESPONSE, CTAP1/U2F
 * APDUs, short APDUs with command chaining (CLA bit 0x10) and response chaining (61XX, GET RESPONSE), or
 * extended APDUs. One command at a time: a card is half-duplex.
 */
export class NfcChannel {
  /** the card's waits for a touch (status update UPNEEDED), counted across this channel's commands */
  readonly presence = new PresenceWaits();
  readonly kind = 'nfc' as const;
  maxResponseSize: number;
  /** the version string the applet answered to SELECT ("U2F_V2" or "FIDO_2_0") */
  version = '';
  private readonly timeoutMs: number;
  private busy: Promise<unknown> = Promise.resolve();
  /** set when a command was abandoned (timeout, cancel): the next one selects the applet first */
  private needsSelect = false;

  private constructor(
    readonly transport: ApduTransport,
    private readonly options: NfcChannelOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxResponseSize = options.maxResponseSize ?? 65_536;
  }

  get extended(): boolean {
    return this.options.extended ?? false;
  }

  /** Selects the FIDO applet (CTAP 2.1 §11.3.3); NFC_SELECT_FAILED when the card has none. */
  static async open(transport: ApduTransport, options: NfcChannelOptions = {}): Promise<NfcChannel> {
    const channel = new NfcChannel(transport, options);
    await channel.selectApplet();
    return channel;
  }

  /** SELECT of the FIDO AID; remembers and returns the version string. */
  selectApplet(): Promise<string> {
    return this.serial(() => this.select(), false);
  }

  private async select(): Promise<string> {
    const r = await this.exchangeNow({ cla: Iso7816Cla.INTERINDUSTRY, ins: Iso7816Ins.SELECT, p1: SELECT_BY_NAME, p2: 0, data: FIDO_AID, ne: 256 });
    if (r.sw !== Sw.SUCCESS) throw new NfcError('NFC_SELECT_FAILED', 'the card has no FIDO applet (SELECT A0000006472F0001)', r.sw);
    this.version = Buffer.from(r.data).toString('latin1');
    this.needsSelect = false;
    return this.version;
  }

  /**
   * Powers the card down and up (the key leaves the field and comes back), then selects the applet again
   * (unless `select` is false: a check that sends commands before SELECT on purpose).
   */
  powerCycle(options: { select?: boolean } = {}): Promise<void> {
    return this.serial(async () => {
      await this.transport.powerCycle();
      if (options.select !== false) await this.select();
      else this.needsSelect = false;
    }, false);
  }

  /** One APDU as given, its response split; no chaining, nothing added (for the NFC checks' malformed APDUs). */
  transmit(command: Uint8Array, timeoutMs = this.timeoutMs): Promise<ResponseApdu> {
    return this.serial(() => this.transmitNow(command, timeoutMs), false);
  }

  private async transmitNow(command: Uint8Array, timeoutMs: number): Promise<ResponseApdu> {
    const raw = await this.transport.transmit(command, timeoutMs);
    const r = splitResponse(raw);
    if (!r) throw new NfcError('NFC_MALFORMED_RESPONSE', `response APDU of ${raw.length} byte(s) has no status word`);
    return { data: new Uint8Array(r.data), sw: r.sw };
  }

  /**
   * One command: short APDUs with command chaining when the data does not fit one (ISO 7816-4 §5.3.3), or
   * one extended APDU; then GET RESPONSE while the card answers 61XX (§7.6.1), joining the data.
   */
  exchange(apdu: Apdu, options: { extended?: boolean; timeoutMs?: number } = {}): Promise<NfcExchange> {
    return this.serial(() => this.exchangeNow(apdu, options), false);
  }

  private async exchangeNow(apdu: Apdu, options: { extended?: boolean; timeoutMs?: number } = {}): Promise<NfcExchange> {
    const extended = options.extended ?? this.extended;
    const deadline = Date.now() + (options.timeoutMs ?? this.timeoutMs);
    const left = () => Math.max(1, deadline - Date.now());
    let apdus = 0;
    let r: ResponseApdu;
    if (extended || apdu.data.length <= SHORT_MAX_DATA) {
      const ne = apdu.ne === undefined ? undefined : Math.min(apdu.ne, extended ? 65_536 : 256);
      r = await this.transmitNow(encodeApdu({ ...apdu, ...(ne !== undefined ? { ne } : {}) }, extended), left());
      apdus++;
    } else {
      let offset = 0;
      for (;;) {
        const piece = apdu.data.subarray(offset, offset + SHORT_MAX_DATA);
        offset += piece.length;
        const last = offset >= apdu.data.length;
        const cla = last ? apdu.cla : apdu.cla | Iso7816Cla.CHAINING;
        const ne = last && apdu.ne !== undefined ? { ne: Math.min(apdu.ne, 256) } : {};
        r = await this.transmitNow(encodeApdu({ cla, ins: apdu.ins, p1: apdu.p1, p2: apdu.p2, data: piece, ...ne }), left());
        apdus++;
        if (last || r.sw !== Sw.SUCCESS) break;
      }
    }
    const parts = [r.data];
    let size = r.data.length;
    while ((r.sw & 0xff00) === Sw.BYTES_REMAINING) {
      r = await this.transmitNow(encodeApdu({ cla: Iso7816Cla.INTERINDUSTRY, ins: Iso7816Ins.GET_RESPONSE, p1: 0, p2: 0, data: new Uint8Array(0), ne: r.sw & 0xff || 256 }), left());
      apdus++;
      size += r.data.length;
      if (size > this.maxResponseSize) throw new NfcError('NFC_RESPONSE_TOO_LARGE', `response chaining passed ${this.maxResponseSize} bytes`);
      parts.push(r.data);
    }
    return { data: new Uint8Array(Buffer.concat(parts)), sw: r.sw, apdus };
  }

  /**
   * NFCCTAP_MSG (CTAP 2.1 §11.3.6.1) with P1 0x80: while the card answers 9100, its status update goes to
   * `onKeepalive` and NFCCTAP_GETRESPONSE (§11.3.6.2) asks again. Returns status byte + CBOR.
   */
  cbor(command: number, data: Uint8Array, options: NfcCallOptions = {}): Promise<Uint8Array> {
    return this.serial(async () => {
      const timeoutMs = options.timeoutMs ?? this.timeoutMs;
      const deadline = Date.now() + timeoutMs;
      const left = () => deadline - Date.now();
      const onKeepalive = options.onKeepalive ?? this.options.onKeepalive;
      // the first UPNEEDED status update starts one wait for a touch (counted as over CTAPHID, §11.3.6.2)
      let waited = false;
      let answer: Uint8Array | undefined;
      const message = new Uint8Array(1 + data.length);
      message[0] = command;
      message.set(data, 1);
      try {
        let r = await this.exchangeNow({ cla: Iso7816Cla.NFCCTAP, ins: Iso7816Ins.NFCCTAP_MSG, p1: NFCCTAP_P1_GETRESPONSE, p2: 0, data: message, ne: 65_536 }, { timeoutMs });
        while (r.sw === Sw.STATUS_UPDATE) {
          if (r.data.length < 1) throw new NfcError('NFC_MALFORMED_RESPONSE', 'status update (9100) without its status byte');
          if (r.data[0] === KeepaliveStatus.UPNEEDED && !waited) {
            waited = true;
            this.presence.started({ cmd: CtaphidCommand.CBOR, ctapCommand: command });
          }
          onKeepalive?.(r.data[0]!);
          if (options.signal?.aborted) {
            this.needsSelect = true;
            throw new NfcError('NFC_CANCELLED', 'cancelled while the card was working; the applet is selected again before the next command');
          }
          if (left() <= 0) {
            this.needsSelect = true;
            throw new NfcError('NFC_TIMEOUT', `the card was still working after ${timeoutMs} ms`);
          }
          r = await this.exchangeNow({ cla: Iso7816Cla.NFCCTAP, ins: Iso7816Ins.NFCCTAP_GETRESPONSE, p1: 0, p2: 0, data: new Uint8Array(0), ne: 65_536 }, { timeoutMs: left() });
        }
        if (r.sw !== Sw.SUCCESS) throw new NfcError('NFC_STATUS', `NFCCTAP_MSG (command 0x${command.toString(16).padStart(2, '0')}) ended`, r.sw);
        if (r.data.length === 0) throw new NfcError('NFC_MALFORMED_RESPONSE', 'NFCCTAP_MSG answered 9000 without a CTAP status byte');
        answer = r.data;
        return r.data;
      } finally {
        if (waited) this.presence.ended(CtaphidCommand.CBOR, answer);
      }
    });
  }

  /**
   * A CTAP1/U2F request APDU (FIDO U2F NFC protocol; CTAP 2.1 §11.3): re-encoded for this channel (short
   * with chaining, or extended) and answered data || status word. An APDU whose lengths do not add up is
   * sent exactly as given, so malformed-APDU checks reach the card.
   */
  msg(apdu: Uint8Array, options: NfcCallOptions = {}): Promise<Uint8Array> {
    return this.serial(async () => {
      const parsed = parseApdu(apdu);
      if (!parsed) {
        const r = await this.transmitNow(apdu, options.timeoutMs ?? this.timeoutMs);
        return joinResponse(r.data, r.sw);
      }
      const r = await this.exchangeNow(parsed, options.timeoutMs ? { timeoutMs: options.timeoutMs } : {});
      return joinResponse(r.data, r.sw);
    });
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  /**
   * Runs one command after the previous one (a card is half-duplex: a power cycle or a raw APDU must not
   * land between the APDUs of another command), selecting the applet first when one was abandoned.
   */
  private serial<T>(work: () => Promise<T>, reselect = true): Promise<T> {
    const run = this.busy.then(async () => {
      if (reselect && this.needsSelect) await this.select();
      try {
        return await work();
      } catch (err) {
        if (err instanceof TransportError && err.code === 'TRANSPORT_TIMEOUT') this.needsSelect = true;
        throw err;
      }
    });
    this.busy = run.catch(() => undefined);
    return run;
  }
}
