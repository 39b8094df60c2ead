import { describe, expect, it } from 'vitest';
import { ApduEncodingError, encodeApdu, formatSw, parseApdu, splitResponse } from '../../harness/protocol/index.ts';
import { thrown } from './thrown.ts';

const un = (s: string) => new Uint8Array(Buffer.from(s.replace(/ /g, ''), 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('ISO 7816-4 §5.1 command APDUs: the header and each case, read back exactly', () => {
  it('should read CLA INS P1 P2 and the case of each encoding', () => {
    expect(parseApdu(un('80 10 01 02'))).toStrictEqual({ cla: 0x80, ins: 0x10, p1: 1, p2: 2, data: new Uint8Array(0), extended: false });
    expect(parseApdu(un('00 a4 04 0c 07'))).toStrictEqual({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: new Uint8Array(0), ne: 7, extended: false });
    expect(parseApdu(un('00 a4 04 0c 00'))).toStrictEqual({ cla: 0, ins: 0xa4, p1: 4, p2: 0x0c, data: new Uint8Array(0), ne: 256, extended: false });
    expect(parseApdu(un('80 10 00 00 000102'))).toStrictEqual({ cla: 0x80, ins: 0x10, p1: 0, p2: 0, data: new Uint8Array(0), ne: 0x0102, extended: true });
    expect(parseApdu(un('80 10 00 00 000000'))).toStrictEqual({ cla: 0x80, ins: 0x10, p1: 0, p2: 0, data: new Uint8Array(0), ne: 65_536, extended: true });
    expect(parseApdu(un('80 10 00 00 000002 aabb'))).toStrictEqual({ cla: 0x80, ins: 0x10, p1: 0, p2: 0, data: un('aabb'), extended: true });
    expect(parseApdu(un('80 10 00 00 000002 aabb 0000'))).toStrictEqual({ cla: 0x80, ins: 0x10, p1: 0, p2: 0, data: un('aabb'), ne: 65_536, extended: true });
    expect(parseApdu(un('80 10 00 00 02 aabb'))).toStrictEqual({ cla: 0x80, ins: 0x10, p1: 0, p2: 0, data: un('aabb'), extended: false });
    expect(parseApdu(un('80 10 00 00 02 aabb 00'))).toStrictEqual({ cla: 0x80, ins: 0x10, p1: 0, p2: 0, data: un('aabb'), ne: 256, extended: false });
  });

  it('should refuse an extended Lc of 0000 even where the bytes after it would add up', () => {
    expect(parseApdu(un('80 10 00 00 000000 1234'))).toBeNull();
    expect(parseApdu(un('80 10 00 00 0005'))).toBeNull();
  });

  it('should refuse what does not fit, naming the encoding and the limit', () => {
    const err = (fn: () => unknown) => thrown(fn, ApduEncodingError);
    const head = { cla: 0, ins: 1, p1: 0, p2: 0 };
    const e = err(() => encodeApdu({ ...head, data: new Uint8Array(256) }));
    expect(e.name).toBe('ApduEncodingError');
    expect(e.message).toBe('256 data bytes do not fit a short APDU (at most 255)');
    expect(err(() => encodeApdu({ ...head, data: new Uint8Array(65_536) }, true)).message).toBe('65536 data bytes do not fit a extended APDU (at most 65535)');
    expect(err(() => encodeApdu({ ...head, data: new Uint8Array(0), ne: 0 })).message).toBe('Ne 0 does not fit a short APDU (1..256)');
    expect(err(() => encodeApdu({ ...head, data: new Uint8Array(0), ne: 65_537 }, true)).message).toBe('Ne 65537 does not fit a extended APDU (1..65536)');
    expect(hex(encodeApdu({ ...head, data: new Uint8Array(0), ne: 1 }))).toBe('0001000001');
    expect(hex(encodeApdu({ ...head, data: new Uint8Array(0) }))).toBe('00010000');
    expect(encodeApdu({ ...head, data: new Uint8Array(255) })).toHaveLength(4 + 1 + 255);
  });
});

describe('response APDUs and status words (ISO 7816-4 §5.1, §5.6)', () => {
  it('should split data from SW1 SW2, a lone status word included', () => {
    expect(splitResponse(un('6a82'))).toStrictEqual({ data: new Uint8Array(0), sw: 0x6a82 });
    const r = splitResponse(un('0102 6a82'))!;
    expect(hex(r.data)).toBe('0102');
    expect(r.sw).toBe(0x6a82);
    expect(splitResponse(new Uint8Array(0))).toBeNull();
  });

  it('should write a status word in four hex digits', () => {
    expect(formatSw(0x0000)).toBe('0x0000');
    expect(formatSw(0x0090)).toBe('0x0090');
    expect(formatSw(0x9000)).toBe('0x9000 SUCCESS');
  });
});
