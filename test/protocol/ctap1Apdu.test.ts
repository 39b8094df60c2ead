import { describe, expect, it } from 'vitest';
import { encodeCommandApdu, parseCommandApdu, U2F_CLA, U2fInstruction } from '../../harness/protocol/index.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const un = (s: string) => new Uint8Array(Buffer.from(s.replace(/ /g, ''), 'hex'));

describe('U2F request APDUs, extended length (U2F raw message formats §3.1.1, CTAP 2.1 §11.2.9.1.1)', () => {
  it('should encode U2F_VERSION with no data as CLA INS P1 P2 | 00 Le(2)', () => {
    expect(hex(encodeCommandApdu({ cla: U2F_CLA, ins: U2fInstruction.U2F_VERSION, p1: 0, p2: 0, data: new Uint8Array(0), le: 0 }))).toBe('00030000' + '000000');
    expect(hex(encodeCommandApdu({ cla: 0, ins: 3, p1: 0, p2: 0, data: new Uint8Array(0), le: 0x0102 }))).toBe('00030000' + '000102');
  });

  it('should encode a header alone when there is neither data nor Le', () => {
    expect(hex(encodeCommandApdu({ cla: 0x80, ins: 0x10, p1: 0x01, p2: 0x02, data: new Uint8Array(0) }))).toBe('80100102');
  });

  it('should encode data as 00 Lc(2) data, then Le(2) when given', () => {
    const data = Uint8Array.of(0xaa, 0xbb, 0xcc);
    expect(hex(encodeCommandApdu({ cla: 0, ins: 1, p1: 3, p2: 0, data }))).toBe('00010300' + '000003' + 'aabbcc');
    expect(hex(encodeCommandApdu({ cla: 0, ins: 1, p1: 3, p2: 0, data, le: 0 }))).toBe('00010300' + '000003' + 'aabbcc' + '0000');
    expect(hex(encodeCommandApdu({ cla: 0, ins: 2, p1: 7, p2: 0, data, le: 0x1234 }))).toBe('00020700' + '000003' + 'aabbcc' + '1234');
  });

  it('should write Lc over two bytes for data longer than 255 bytes (a REGISTER of 64 and an AUTHENTICATE of 65 + key handle)', () => {
    const data = new Uint8Array(0x12c).fill(0x5a);
    const apdu = encodeCommandApdu({ cla: 0, ins: 2, p1: 3, p2: 0, data, le: 0 });
    expect(hex(apdu.subarray(0, 7))).toBe('00020300' + '00012c');
    expect(apdu).toHaveLength(4 + 3 + 0x12c + 2);
    expect(hex(apdu.subarray(-2))).toBe('0000');
    const register = encodeCommandApdu({ cla: 0, ins: 1, p1: 0, p2: 0, data: new Uint8Array(64) });
    expect(hex(register.subarray(4, 7))).toBe('000040');
  });

  it('should read back what it encodes', () => {
    for (const apdu of [
      { cla: 0, ins: 1, p1: 3, p2: 0, data: Uint8Array.of(1, 2, 3), le: 0x100 },
      { cla: 0, ins: 2, p1: 7, p2: 0, data: new Uint8Array(300).fill(7) },
      { cla: 0, ins: 3, p1: 0, p2: 0, data: new Uint8Array(0), le: 0 },
      { cla: 0, ins: 3, p1: 0, p2: 0, data: new Uint8Array(0) },
    ]) {
      expect(parseCommandApdu(encodeCommandApdu(apdu))).toStrictEqual(apdu);
    }
  });
});

describe('parsing request APDUs, short and extended (ISO 7816-4 §5.1; U2F raw message formats §3.3)', () => {
  it('should refuse fewer than 4 bytes and read 4 as a header alone', () => {
    expect(parseCommandApdu(new Uint8Array(0))).toBeNull();
    expect(parseCommandApdu(un('000300'))).toBeNull();
    expect(parseCommandApdu(un('00030102'))).toStrictEqual({ cla: 0, ins: 3, p1: 1, p2: 2, data: new Uint8Array(0) });
  });

  it('should read extended Le alone, Lc data, and Lc data Le', () => {
    expect(parseCommandApdu(un('00030000 000000'))).toStrictEqual({ cla: 0, ins: 3, p1: 0, p2: 0, data: new Uint8Array(0), le: 0 });
    expect(parseCommandApdu(un('00030000 000100'))).toStrictEqual({ cla: 0, ins: 3, p1: 0, p2: 0, data: new Uint8Array(0), le: 0x100 });
    expect(parseCommandApdu(un('00010300 000002 aabb'))).toStrictEqual({ cla: 0, ins: 1, p1: 3, p2: 0, data: un('aabb') });
    expect(parseCommandApdu(un('00010300 000002 aabb 0105'))).toStrictEqual({ cla: 0, ins: 1, p1: 3, p2: 0, data: un('aabb'), le: 0x0105 });
    expect(parseCommandApdu(un('00010300 000001 aa 0300'))).toStrictEqual({ cla: 0, ins: 1, p1: 3, p2: 0, data: un('aa'), le: 0x0300 });
    const long = parseCommandApdu(un('00020300 000101' + '11'.repeat(0x101)));
    expect(long?.data).toHaveLength(0x101);
  });

  it('should refuse extended lengths that do not add up', () => {
    for (const s of ['00010300 000002 aa', '00010300 000002 aabbcc', '00010300 000002 aabb 01', '00010300 000002 aabb 010203', '00010300 000100 aa']) {
      expect(parseCommandApdu(un(s)), s).toBeNull();
    }
  });

  it('should read short Le alone, Lc data, and Lc data Le', () => {
    expect(parseCommandApdu(un('00a40400 05'))).toStrictEqual({ cla: 0, ins: 0xa4, p1: 4, p2: 0, data: new Uint8Array(0), le: 5 });
    expect(parseCommandApdu(un('00a40400 00'))).toStrictEqual({ cla: 0, ins: 0xa4, p1: 4, p2: 0, data: new Uint8Array(0), le: 0 });
    expect(parseCommandApdu(un('00a40400 02 a0b0'))).toStrictEqual({ cla: 0, ins: 0xa4, p1: 4, p2: 0, data: un('a0b0') });
    expect(parseCommandApdu(un('00a40400 02 a0b0 10'))).toStrictEqual({ cla: 0, ins: 0xa4, p1: 4, p2: 0, data: un('a0b0'), le: 0x10 });
    expect(parseCommandApdu(un('00a40400 01 a0 10'))).toStrictEqual({ cla: 0, ins: 0xa4, p1: 4, p2: 0, data: un('a0'), le: 0x10 });
    expect(parseCommandApdu(un('00a40400 03 a0b0c0 10'))).toStrictEqual({ cla: 0, ins: 0xa4, p1: 4, p2: 0, data: un('a0b0c0'), le: 0x10 });
    // two bytes starting 00 are too short for extended: Lc 0 and Le
    expect(parseCommandApdu(un('00a40400 0007'))).toStrictEqual({ cla: 0, ins: 0xa4, p1: 4, p2: 0, data: new Uint8Array(0), le: 7 });
  });

  it('should refuse short lengths that do not add up', () => {
    for (const s of ['00a40400 02 a0', '00a40400 02 a0b0c0d0', '00a40400 05 a0b0']) {
      expect(parseCommandApdu(un(s)), s).toBeNull();
    }
  });

  it('should give copies of the data, not views into the input', () => {
    const input = un('00010300 000002 aabb');
    const parsed = parseCommandApdu(input)!;
    input[7] = 0;
    expect(hex(parsed.data)).toBe('aabb');
  });
});
