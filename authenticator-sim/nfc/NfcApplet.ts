import {
  encodeApdu,
  FIDO_AID,
  Iso7816Cla,
  Iso7816Ins,
  joinResponse,
  KeepaliveStatus,
  NFC_VERSION_FIDO2,
  NFC_VERSION_U2F,
  NFCCTAP_P1_GETRESPONSE,
  parseApdu,
  SELECT_BY_NAME,
  splitResponse,
  Sw,
  U2fInstruction,
  type ParsedApdu,
} from '../../harness/protocol/index.ts';
import type { Authenticator } from '../Authenticator.ts';
import { buildInfo } from '../commands/getInfo.ts';
import { handleU2fMessage } from '../ctap1/handleU2fMessage.ts';
import { SimulatedFingerprintSensor } from '../bio/fingerprintSensor.ts';
import { parseFingerDatagram } from '../udp/fingerDatagram.ts';

/**
 * The simulator card's instruction (CLA 0x80) that puts a sample on its fingerprint sensor: the data is the
 * finger datagram of the UDP protocol. Chosen in the proprietary class outside CTAP's 0x10-0x12.
 */
export const SIM_FINGER_INS = 0x5f;

export interface NfcAppletOptions {
  authenticator: Authenticator;
  /**
   * whether a user-presence request is pending (status update 2 UPNEEDED instead of 1 PROCESSING); `onWait`,
   * when given, is called as a wait starts, so a client that asked for status updates hears UPNEEDED at
   * once (a wait approved at once, the simulator's automatic presence, is seen too)
   */
  presence?: { readonly waiting: boolean; onWait?(listener: () => void): () => void };
  /**
   * How long NFCCTAP_MSG / NFCCTAP_GETRESPONSE wait for the command before answering 9100 with a status
   * update, when the client asked for them (P1 0x80, CTAP 2.1 §11.3.6.1). Chosen, not from the spec: 100 ms.
   */
  statusUpdateMs?: number;
}

/** The largest command a chain may build up: an extended APDU's data field. */
const MAX_CHAIN = 65_535;
const U2F_INS = new Set<number>([U2fInstruction.U2F_REGISTER, U2fInstruction.U2F_AUTHENTICATE, U2fInstruction.U2F_VERSION]);
const sw = (status: number) => joinResponse(new Uint8Array(0), status);

interface Pending {
  work: Promise<Uint8Array>;
  abort: AbortController;
  /** the client asked for status updates (NFCCTAP_MSG P1 0x80) */
  updates: boolean;
  /** resolves when the command starts waiting for a touch; `told` once a status update said UPNEEDED */
  waitStarted: Promise<void>;
  told: boolean;
}

/**
 * The FIDO applet of the simulator as a contactless card (CTAP 2.1 §11.3, ISO 7816-4): command APDUs in,
 * response APDUs out, with the same authenticator core as CTAPHID. SELECT of the FIDO AID, NFCCTAP_MSG /
 * NFCCTAP_GETRESPONSE with status updates, CTAP1/U2F APDUs, command chaining (CLA bit 0x10), response
 * chaining (61XX / GET RESPONSE) for short APDUs and whole answers for extended ones. `transmit` never
 * throws: every fault is a status word. One command at a time (a card is half-duplex).
 */
export class NfcApplet {
  readonly authenticator: Authenticator;
  private readonly presence: NfcAppletOptions['presence'];
  /** the pending command's "a wait started" signal */
  private onWaitStarted: (() => void) | undefined;
  private readonly statusUpdateMs: number;
  private selected = false;
  private chain: { head: number[]; parts: Uint8Array[]; size: number } | undefined;
  /** response bytes still to be fetched with GET RESPONSE, and the status word that ends them */
  private remaining: { data: Uint8Array; sw: number } | undefined;
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: NfcAppletOptions) {
    this.authenticator = options.authenticator;
    this.presence = options.presence;
    this.statusUpdateMs = options.statusUpdateMs ?? 100;
    options.presence?.onWait?.(() => this.onWaitStarted?.());
  }

  private get behaviour() {
    return this.authenticator.behaviour;
  }

  /** One command APDU → its response APDU (data || SW1 SW2). */
  transmit(command: Uint8Array): Promise<Uint8Array> {
    const run = this.queue.then(() => this.process(Uint8Array.from(command)));
    this.queue = run.catch(() => undefined);
    return run.catch(() => sw(Sw.NO_PRECISE_DIAGNOSIS));
  }

  /** The field goes away (card removed, reader powers it down): volatile state is lost (CTAP 2.1 §6.5.2). */
  powerOff(): void {
    this.deselect();
    this.authenticator.powerCycle();
  }

  /** The field comes back: nothing is selected until SELECT. */
  powerOn(): void {
    this.deselect();
  }

  private deselect(): void {
    this.pending?.abort.abort();
    this.pending = undefined;
    this.chain = undefined;
    this.remaining = undefined;
    this.selected = false;
  }

  private async process(bytes: Uint8Array): Promise<Uint8Array> {
    const b = this.behaviour;
    const parsed = parseApdu(bytes);
    if (!parsed) {
      this.chain = undefined;
      // ISO 7816-4 §5.1.3: the length fields do not match the bytes received.
      return sw(b.nfcStrictApdus ? Sw.WRONG_LENGTH : Sw.SUCCESS);
    }
    if (parsed.cla === Iso7816Cla.INTERINDUSTRY && parsed.ins === Iso7816Ins.GET_RESPONSE) return this.getResponse(parsed);
    this.remaining = undefined; // any other command ends a response chain (ISO 7816-4 §7.6.1)

    const apdu = this.joinChain(parsed);
    if (apdu instanceof Uint8Array) return apdu;
    const { cla, ins } = apdu;
    if (cla !== Iso7816Cla.INTERINDUSTRY && cla !== Iso7816Cla.NFCCTAP) return sw(b.nfcStrictApdus ? Sw.CLA_NOT_SUPPORTED : Sw.SUCCESS);
    if (cla === Iso7816Cla.INTERINDUSTRY && ins === Iso7816Ins.SELECT) return this.select(apdu);
    // CTAP 2.1 §11.3.3: the client selects the applet before any other command; until then the card
    // knows no FIDO instruction.
    if (!this.selected && b.nfcRequireSelect) return sw(Sw.INS_NOT_SUPPORTED);
    // A U2F instruction in another class than 00: SW_CLA_NOT_SUPPORTED (U2F raw message formats §3.3).
    if (cla !== Iso7816Cla.INTERINDUSTRY && U2F_INS.has(ins)) return sw(b.nfcStrictApdus ? Sw.CLA_NOT_SUPPORTED : Sw.SUCCESS);
    if (cla === Iso7816Cla.NFCCTAP && ins === Iso7816Ins.NFCCTAP_MSG) return this.nfcctapMsg(apdu);
    if (cla === Iso7816Cla.NFCCTAP && ins === SIM_FINGER_INS) {
      // The simulator's own instruction (no FIDO meaning): a sample on its fingerprint sensor, as the UDP
      // finger datagram carries it (docs/simulator.md); anything else in it is an unknown instruction.
      const sample = parseFingerDatagram(apdu.data);
      const sensor = this.authenticator.fingerprint;
      if (sample && sensor instanceof SimulatedFingerprintSensor) {
        sensor.queue.push(sample);
        return sw(Sw.SUCCESS);
      }
    }
    if (cla === Iso7816Cla.NFCCTAP && ins === Iso7816Ins.NFCCTAP_GETRESPONSE) {
      if (b.nfcStrictApdus && (apdu.p1 !== 0 || apdu.p2 !== 0)) return sw(Sw.INCORRECT_P1P2);
      if (!this.pending) return sw(Sw.CONDITIONS_NOT_SATISFIED);
      return this.awaitPending(apdu);
    }
    if (cla === Iso7816Cla.INTERINDUSTRY && U2F_INS.has(ins)) {
      // CTAP1 over NFC: the U2F raw message is the APDU itself (FIDO U2F NFC protocol §3); no status updates.
      this.abortPending();
      const extended = apdu.extended || apdu.data.length > 255;
      const u2f = await handleU2fMessage(this.authenticator, encodeApdu({ ...apdu, ...(apdu.ne !== undefined ? { ne: Math.min(apdu.ne, extended ? 65_536 : 256) } : {}) }, extended));
      const r = splitResponse(u2f)!;
      return this.respond(r.data, r.sw, apdu);
    }
    return sw(b.nfcStrictApdus ? Sw.INS_NOT_SUPPORTED : Sw.SUCCESS);
  }

  /**
   * Command chaining (ISO 7816-4 §5.3.3, CTAP 2.1 §11.3.5): pieces with CLA bit 0x10 are kept and
   * answered 9000; the piece without it completes the command. A chain broken by another command is
   * dropped with 6883 (last command of the chain expected).
   */
  private joinChain(apdu: ParsedApdu): ParsedApdu | Uint8Array {
    const more = (apdu.cla & Iso7816Cla.CHAINING) !== 0 && (apdu.cla & 0x60) === 0;
    const cla = more ? apdu.cla & ~Iso7816Cla.CHAINING : apdu.cla;
    const head = [cla, apdu.ins, apdu.p1, apdu.p2];
    if (more && !this.behaviour.nfcCommandChaining) return { ...apdu, cla }; // the piece runs as if whole
    if (this.chain) {
      const same = this.chain.head.every((v, i) => v === head[i]);
      if (!same) {
        this.chain = undefined;
        return sw(Sw.LAST_COMMAND_EXPECTED);
      }
      this.chain.parts.push(apdu.data);
      this.chain.size += apdu.data.length;
      if (this.chain.size > MAX_CHAIN) {
        this.chain = undefined;
        return sw(Sw.WRONG_LENGTH);
      }
      if (more) return sw(Sw.SUCCESS);
      const data = new Uint8Array(Buffer.concat(this.chain.parts));
      this.chain = undefined;
      return { ...apdu, cla, data };
    }
    if (!more) return apdu;
    this.chain = { head, parts: [apdu.data], size: apdu.data.length };
    return sw(Sw.SUCCESS);
  }

  /** SELECT by AID (CTAP 2.1 §11.3.3): the FIDO AID answers the version string; another AID 6A82. */
  private select(apdu: ParsedApdu): Uint8Array {
    const b = this.behaviour;
    if (b.nfcStrictApdus && (apdu.p1 !== SELECT_BY_NAME || (apdu.p2 !== 0x00 && apdu.p2 !== 0x0c))) return sw(Sw.INCORRECT_P1P2);
    const fido = Buffer.from(apdu.data).equals(Buffer.from(FIDO_AID));
    if (!fido && b.nfcRejectOtherAids) return sw(Sw.FILE_NOT_FOUND); // the FIDO applet stays as it was
    this.abortPending();
    this.selected = true;
    const correct = buildInfo(this.authenticator).versions.includes(NFC_VERSION_U2F) ? NFC_VERSION_U2F : NFC_VERSION_FIDO2;
    return this.respond(new TextEncoder().encode(b.nfcSelectVersion(correct)), Sw.SUCCESS, apdu);
  }

  /** NFCCTAP_MSG (CTAP 2.1 §11.3.6.1): CTAP command byte + CBOR in, status byte + CBOR out. */
  private nfcctapMsg(apdu: ParsedApdu): Promise<Uint8Array> | Uint8Array {
    const b = this.behaviour;
    if (b.nfcStrictApdus && ((apdu.p1 !== 0 && apdu.p1 !== NFCCTAP_P1_GETRESPONSE) || apdu.p2 !== 0)) return sw(Sw.INCORRECT_P1P2);
    if (apdu.data.length === 0) return sw(Sw.WRONG_LENGTH);
    this.abortPending();
    const abort = new AbortController();
    // before the command runs: its wait for a touch may start at once
    const waitStarted = new Promise<void>((resolve) => (this.onWaitStarted = resolve));
    const payload = apdu.data;
    const work = this.authenticator.handleCbor(payload[0]!, payload.subarray(1), { signal: abort.signal }).then((r) => {
      const out = new Uint8Array(1 + r.payload.length);
      out[0] = r.status;
      out.set(r.payload, 1);
      return out;
    });
    this.pending = { work, abort, updates: (apdu.p1 & NFCCTAP_P1_GETRESPONSE) !== 0, waitStarted, told: false };
    return this.awaitPending(apdu);
  }

  /**
   * Waits for the pending command. A client that asked for status updates gets 9100 with 1 PROCESSING or
   * 2 UPNEEDED when the command is not done within `statusUpdateMs`, and polls with NFCCTAP_GETRESPONSE
   * (CTAP 2.1 §11.3.6.2); one that did not waits for the answer.
   */
  private async awaitPending(apdu: ParsedApdu): Promise<Uint8Array> {
    const p = this.pending!;
    const b = this.behaviour;
    if (p.updates || !b.nfcStatusUpdatesAsSpecified) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), this.statusUpdateMs)));
      const waiting = p.told ? [] : [p.waitStarted.then(() => 'wait' as const)];
      const done = await Promise.race([p.work.then((r) => ({ r })), late, ...waiting]);
      clearTimeout(timer);
      if (done === undefined || done === 'wait') {
        // a wait that started is told once, even when the touch came at once (CTAP 2.1 §11.3.6.2)
        const up = done === 'wait' || this.presence?.waiting === true;
        if (done === 'wait') p.told = true;
        const status = !b.nfcStatusUpdatesAsSpecified ? 0 : up ? KeepaliveStatus.UPNEEDED : KeepaliveStatus.PROCESSING;
        return joinResponse(Uint8Array.of(status), Sw.STATUS_UPDATE);
      }
      if (this.pending === p) this.pending = undefined;
      return this.respond(done.r, Sw.SUCCESS, apdu);
    }
    const r = await p.work;
    if (this.pending === p) this.pending = undefined;
    return this.respond(r, Sw.SUCCESS, apdu);
  }

  private abortPending(): void {
    this.pending?.abort.abort();
    this.pending = undefined;
  }

  /**
   * The answer to a command (CTAP 2.1 §11.3.5): whole for an extended command; for a short one, at most
   * Ne bytes, then 61XX and the rest through GET RESPONSE.
   */
  private respond(data: Uint8Array, finalSw: number, apdu: ParsedApdu): Uint8Array {
    const b = this.behaviour;
    if (apdu.extended && b.nfcExtendedResponses) return joinResponse(data, finalSw);
    if (!b.nfcResponseChaining) return joinResponse(data, finalSw);
    const ne = apdu.extended ? 256 : (apdu.ne ?? 256);
    return this.chunk(data, finalSw, ne);
  }

  private chunk(data: Uint8Array, finalSw: number, ne: number): Uint8Array {
    if (data.length <= ne) {
      this.remaining = undefined;
      return joinResponse(data, finalSw);
    }
    const rest = data.subarray(ne);
    this.remaining = { data: rest, sw: finalSw };
    return joinResponse(data.subarray(0, ne), Sw.BYTES_REMAINING | (Math.min(rest.length, 256) & 0xff));
  }

  /** GET RESPONSE (ISO 7816-4 §7.6.1): the next Ne bytes of the answer; P1-P2 must be 0000. */
  private getResponse(apdu: ParsedApdu): Uint8Array {
    if (this.behaviour.nfcStrictApdus && (apdu.p1 !== 0 || apdu.p2 !== 0)) return sw(Sw.INCORRECT_P1P2);
    const r = this.remaining;
    if (!r) return sw(Sw.CONDITIONS_NOT_SATISFIED);
    return this.chunk(r.data, r.sw, apdu.ne ?? 256);
  }
}
