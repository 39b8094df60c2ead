import { randomBytes } from 'node:crypto';
import {
  CtapCommand,
  CtapStatus,
  encodeApdu,
  encodeCanonicalCbor,
  encodeGetAssertionRequest,
  formatCtapStatus,
  formatSw,
  Iso7816Cla,
  Iso7816Ins,
  Sw,
  type Apdu,
  type ResponseApdu,
} from '../../protocol/index.ts';
import type { NfcChannel } from '../../nfc/index.ts';
import type { EvidenceExchange } from '../../../reports/model.ts';
import { CheckFailed } from '../../runner/Check.ts';
import type { SuiteContext } from '../SuiteContext.ts';

export const suite = 'nfc';

/** Every nfc check needs a card reached over ISO 7816-4 (PC/SC, or the in-process simulator card). */
export const needsNfc = (ctx: SuiteContext): string | undefined =>
  ctx.device.nfc ? undefined : 'the device is not reached over NFC (ISO 7816-4 APDUs through PC/SC)';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * Raw APDUs for the nfc checks, each recorded as evidence (the CTAP trace sees none of them). `close`
 * selects the applet again, so whatever a check left behind (a chain, a selection gone) does not reach
 * the next check.
 */
export class NfcSession {
  readonly exchanges: EvidenceExchange[] = [];

  constructor(readonly nfc: NfcChannel) {}

  static async with<T>(ctx: SuiteContext, fn: (s: NfcSession) => Promise<T>): Promise<T> {
    const s = new NfcSession(ctx.device.nfc!);
    try {
      return await fn(s);
    } finally {
      await s.nfc.selectApplet().catch(() => undefined);
    }
  }

  /** Sends exact bytes. */
  async send(label: string, command: Uint8Array): Promise<ResponseApdu> {
    const t0 = performance.now();
    const r = await this.nfc.transmit(command);
    this.exchanges.push({
      label,
      requestHex: hex(command),
      // Stryker disable next-line StringLiteral: a status word is 0x1000 or more (ISO 7816-4 §5.1.3: SW1 is 6X or 9X), always 4 hex digits
      responseHex: hex(r.data) + r.sw.toString(16).padStart(4, '0'),
      status: formatSw(r.sw),
      durationMs: Math.round((performance.now() - t0) * 1000) / 1000,
    });
    // a bound on memory only: a failure shows the last 12 (fail), so where the window starts is not seen
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the evidence is the last 12 whatever is kept beyond them
    if (this.exchanges.length > 40) this.exchanges.shift();
    return r;
  }

  apdu(label: string, apdu: Apdu, extended = false): Promise<ResponseApdu> {
    return this.send(label, encodeApdu(apdu, extended));
  }

  getResponse(ne: number): Promise<ResponseApdu> {
    return this.apdu(`GET RESPONSE Le ${ne}`, { cla: Iso7816Cla.INTERINDUSTRY, ins: Iso7816Ins.GET_RESPONSE, p1: 0, p2: 0, data: new Uint8Array(0), ne });
  }

  /**
   * NFCCTAP_MSG in one APDU (CTAP 2.1 §11.3.6.1). P1 is 0x00 unless given: the card then answers when done,
   * never with a status update, so checks of framing are not about status updates.
   */
  msg(message: Uint8Array, options: { p1?: number; extended?: boolean; ne?: number } = {}): Promise<ResponseApdu> {
    const extended = options.extended ?? false;
    return this.apdu(
      `NFCCTAP_MSG ${message.length} bytes${extended ? ', extended' : ''}`,
      { cla: Iso7816Cla.NFCCTAP, ins: Iso7816Ins.NFCCTAP_MSG, p1: options.p1 ?? 0, p2: 0, data: message, ne: options.ne ?? (extended ? 65_536 : 256) },
      extended,
    );
  }

  /** Fails with this session's exchanges as evidence. */
  fail(message: string, detail: { expected?: string; actual?: string } = {}): never {
    throw new CheckFailed(message, { ...detail, exchanges: this.exchanges.slice(-12) });
  }

  expectSw(r: ResponseApdu, expected: number | number[], what: string): void {
    const list = Array.isArray(expected) ? expected : [expected];
    if (!list.includes(r.sw)) this.fail(`${what}: expected ${list.map(formatSw).join(' or ')}, got ${formatSw(r.sw)}`, { expected: list.map(formatSw).join(' or '), actual: formatSw(r.sw) });
  }

  /** Follows 61XX with GET RESPONSE (Le = XX), failing when a piece is not what 61XX announced. */
  async drain(first: ResponseApdu, what: string): Promise<ResponseApdu> {
    const parts = [first.data];
    let r = first;
    for (let i = 0; (r.sw & 0xff00) === Sw.BYTES_REMAINING; i++) {
      if (i > 300) this.fail(`${what}: more than 300 GET RESPONSE rounds`);
      const announced = r.sw & 0xff || 256;
      r = await this.getResponse(announced);
      if (r.data.length !== announced && (r.sw === Sw.SUCCESS || (r.sw & 0xff00) === Sw.BYTES_REMAINING)) {
        this.fail(`${what}: 61XX announced ${announced} more bytes, GET RESPONSE with Le ${announced} returned ${r.data.length}`);
      }
      parts.push(r.data);
    }
    return { data: new Uint8Array(Buffer.concat(parts)), sw: r.sw };
  }
}

/** authenticatorGetInfo as an NFCCTAP_MSG payload. */
export const GET_INFO = Uint8Array.of(CtapCommand.authenticatorGetInfo);

/**
 * An authenticatorGetAssertion message (command byte + CBOR) of exactly `size` bytes: one unknown
 * credential, up false (no touch), and an unknown extension as padding (CTAP 2.1 §6.2.2: unknown
 * extensions are ignored). Any authenticator answers it CTAP2_ERR_NO_CREDENTIALS; a message that arrived
 * cut short does not decode (CTAP2_ERR_INVALID_CBOR).
 */
export function getAssertionOfSize(size: number, rpId: string): Uint8Array {
  const credential = new Uint8Array(randomBytes(32));
  const clientDataHash = new Uint8Array(randomBytes(32));
  for (const key of ['fido-harness-pad', 'fido-harness-padd']) {
    // Stryker disable next-line EqualityOperator: a padding of n characters makes a message longer than n, so n = size is never the one
    for (let n = 0; n <= size; n++) {
      const cbor = encodeCanonicalCbor(
        encodeGetAssertionRequest({
          rpId,
          clientDataHash,
          allowList: [{ type: 'public-key', id: credential }],
          extensions: new Map([[key, 'x'.repeat(n)]]),
          options: new Map([['up', false]]),
        }),
      );
      if (1 + cbor.length === size) return Uint8Array.from([CtapCommand.authenticatorGetAssertion, ...cbor]);
      // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: the break only saves time (longer padding never gives a shorter message)
      if (1 + cbor.length > size) break;
    }
  }
  throw new Error(`no getAssertion message of exactly ${size} bytes`);
}

/** Fails unless a CTAP answer (status byte first) has the status `expected`. */
export function expectCtapStatus(s: NfcSession, answer: Uint8Array, expected: number, what: string): void {
  const status = answer[0];
  if (status !== expected) {
    s.fail(`${what}: expected ${formatCtapStatus(expected)}, got ${status === undefined ? 'no status byte' : formatCtapStatus(status)}`, {
      expected: formatCtapStatus(expected),
      actual: status === undefined ? '(empty)' : formatCtapStatus(status),
    });
  }
}

export const NO_CREDENTIALS = CtapStatus.CTAP2_ERR_NO_CREDENTIALS;
