export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Uint8Array;
  /** expected response length; 0 means "up to 65536" for extended encoding */
  le?: number;
}

/**
 * Encodes a U2F request APDU with ISO 7816-4 extended length (U2F raw message formats §3.1.1 and CTAP 2.1
 * §11.2.9.1.1): CLA INS P1 P2 | 00 Lc(2) data | Le(2). Le is omitted when undefined.
 */
export function encodeCommandApdu(apdu: CommandApdu): Uint8Array {
  const header = [apdu.cla, apdu.ins, apdu.p1, apdu.p2];
  const parts: number[] = [...header];
  if (apdu.data.length > 0) {
    parts.push(0, apdu.data.length >> 8, apdu.data.length & 0xff, ...apdu.data);
    if (apdu.le !== undefined) parts.push(apdu.le >> 8, apdu.le & 0xff);
  } else if (apdu.le !== undefined) {
    parts.push(0, apdu.le >> 8, apdu.le & 0xff);
  }
  return Uint8Array.from(parts);
}

/**
 * Parses a request APDU in short or extended encoding. Returns null where the lengths do not add up
 * (the authenticator answers SW_WRONG_LENGTH, U2F raw message formats §3.3).
 */
export function parseCommandApdu(bytes: Uint8Array): CommandApdu | null {
  if (bytes.length < 4) return null;
  const [cla, ins, p1, p2] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  const body = bytes.subarray(4);
  if (body.length === 0) return { cla, ins, p1, p2, data: new Uint8Array(0) };
  if (body[0] === 0 && body.length >= 3) {
    // extended: 00 Lc1 Lc2 data [Le1 Le2] or 00 Le1 Le2
    const lc = (body[1]! << 8) | body[2]!;
    if (body.length === 3) return { cla, ins, p1, p2, data: new Uint8Array(0), le: lc };
    if (body.length === 3 + lc) return { cla, ins, p1, p2, data: body.slice(3) };
    if (body.length === 5 + lc) {
      return { cla, ins, p1, p2, data: body.slice(3, 3 + lc), le: (body[3 + lc]! << 8) | body[4 + lc]! };
    }
    return null;
  }
  // short: Lc data [Le] or Le
  if (body.length === 1) return { cla, ins, p1, p2, data: new Uint8Array(0), le: body[0]! };
  const lc = body[0]!;
  if (body.length === 1 + lc) return { cla, ins, p1, p2, data: body.slice(1) };
  if (body.length === 2 + lc) return { cla, ins, p1, p2, data: body.slice(1, 1 + lc), le: body[1 + lc]! };
  return null;
}
