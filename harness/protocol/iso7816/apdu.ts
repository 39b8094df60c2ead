/**
 * ISO 7816-4 §5.1 command and response APDUs, in short and extended length encodings (the four cases:
 * no data/no Le, Le only, data only, data and Le). Used by both ends of NFC (CTAP 2.1 §11.3.4).
 */

/** A command APDU. `ne` is the number of response bytes expected (Le decoded: short 00 = 256, extended 0000 = 65536). */
export interface Apdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Uint8Array;
  /** absent: no Le field */
  ne?: number;
}

export interface ParsedApdu extends Apdu {
  /** whether Lc/Le used the extended encoding */
  extended: boolean;
}

export const SHORT_MAX_DATA = 255;
export const SHORT_MAX_NE = 256;
export const EXTENDED_MAX_DATA = 65_535;
export const EXTENDED_MAX_NE = 65_536;

export class ApduEncodingError extends Error {
  override readonly name = 'ApduEncodingError';
}

/** Encodes a command APDU; `extended` chooses the length encoding (ISO 7816-4 §5.1, tables 1-2). */
export function encodeApdu(apdu: Apdu, extended = false): Uint8Array {
  const { data, ne } = apdu;
  const maxData = extended ? EXTENDED_MAX_DATA : SHORT_MAX_DATA;
  const maxNe = extended ? EXTENDED_MAX_NE : SHORT_MAX_NE;
  if (data.length > maxData) throw new ApduEncodingError(`${data.length} data bytes do not fit a ${extended ? 'extended' : 'short'} APDU (at most ${maxData})`);
  if (ne !== undefined && !(ne >= 1 && ne <= maxNe)) throw new ApduEncodingError(`Ne ${ne} does not fit a ${extended ? 'extended' : 'short'} APDU (1..${maxNe})`);
  const out: number[] = [apdu.cla, apdu.ins, apdu.p1, apdu.p2];
  if (!extended) {
    if (data.length > 0) out.push(data.length, ...data);
    if (ne !== undefined) out.push(ne & 0xff);
    return Uint8Array.from(out);
  }
  if (data.length > 0) out.push(0, data.length >> 8, data.length & 0xff, ...data);
  // Le: 3 bytes (00 Le1 Le2) without data, 2 bytes after data; 0000 stands for 65536.
  if (ne !== undefined) out.push(...(data.length > 0 ? [] : [0]), (ne >> 8) & 0xff, ne & 0xff);
  return Uint8Array.from(out);
}

/**
 * Parses a command APDU in either encoding, or returns null when the length fields do not add up with the
 * bytes received (the card answers 6700 WRONG_LENGTH, ISO 7816-4 §5.1.3).
 */
export function parseApdu(bytes: Uint8Array): ParsedApdu | null {
  if (bytes.length < 4) return null;
  const [cla, ins, p1, p2] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  const body = bytes.subarray(4);
  const empty = new Uint8Array(0);
  const head = { cla, ins, p1, p2 };
  if (body.length === 0) return { ...head, data: empty, extended: false }; // case 1
  if (body.length === 1) return { ...head, data: empty, ne: body[0]! || 256, extended: false }; // case 2S
  // Stryker disable next-line ConditionalExpression: a 2-byte body starting 00 is refused by the short reading too (Lc 00)
  if (body[0] === 0 && body.length >= 3) {
    const n = (body[1]! << 8) | body[2]!;
    if (body.length === 3) return { ...head, data: empty, ne: n || 65_536, extended: true }; // case 2E
    if (n === 0) return null; // Lc 000000 is not a valid extended Lc
    if (body.length === 3 + n) return { ...head, data: body.slice(3), extended: true }; // case 3E
    if (body.length === 5 + n) {
      const le = (body[3 + n]! << 8) | body[4 + n]!;
      return { ...head, data: body.slice(3, 3 + n), ne: le || 65_536, extended: true }; // case 4E
    }
    // not extended after all: fall through to a short reading (Lc 00 is not a valid short Lc either)
  }
  const lc = body[0]!;
  if (lc === 0) return null;
  if (body.length === 1 + lc) return { ...head, data: body.slice(1), extended: false }; // case 3S
  if (body.length === 2 + lc) return { ...head, data: body.slice(1, 1 + lc), ne: body[1 + lc]! || 256, extended: false }; // case 4S
  return null;
}

/** A response APDU: data then SW1 SW2 (ISO 7816-4 §5.1). */
export interface ResponseApdu {
  data: Uint8Array;
  sw: number;
}

export function splitResponse(bytes: Uint8Array): ResponseApdu | null {
  if (bytes.length < 2) return null;
  return { data: bytes.subarray(0, bytes.length - 2), sw: (bytes[bytes.length - 2]! << 8) | bytes[bytes.length - 1]! };
}

export function joinResponse(data: Uint8Array, sw: number): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data, 0);
  out[data.length] = sw >> 8;
  out[data.length + 1] = sw & 0xff;
  return out;
}
