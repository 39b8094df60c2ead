import { describe, expect, it } from 'vitest';
import { encodeApdu, formatSw, joinResponse, parseApdu, splitResponse, Sw } from '../../harness/protocol/index.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const data = (n: number) => new Uint8Array(n).map((_, i) => i & 0xff);

describe('ISO 7816-4 command APDUs (§5.1, cases 1 to 4, short and extended)', () => {
  it('should encode each case as the standard lays it out', () => {
    const head = { cla: 0x80, ins: 0x10, p1: 0x80, p2: 0x00 };
    expect(hex(encodeApdu({ ...head, data: new Uint8Array(0) }))).toBe('80108000'); // case 1
    expect(hex(encodeApdu({ ...head, data: new Uint8Array(0), ne: 256 }))).toBe('8010800000'); // 2S, Le 00 = 256
    expect(hex(encodeApdu({ ...head, data: bytes('04') }))).toBe('801080000104'); // 3S
    expect(hex(encodeApdu({ ...head, data: bytes('04'), ne: 256 }))).toBe('80108000010400'); // 4S
    expect(hex(encodeApdu({ ...head, data: new Uint8Array(0), ne: 65_536 }, true))).toBe('80108000000000'); // 2E, Le 0000 = 65536
    expect(hex(encodeApdu({ ...head, data: bytes('04') }, true))).toBe('8010800000000104'); // 3E
    expect(hex(encodeApdu({ ...head, data: bytes('04'), ne: 300 }, true))).toBe('80108000000001040' + '12c'); // 4E
  });

  it('should refuse what does not fit the encoding chosen', () => {
    expect(() => encodeApdu({ cla: 0, ins: 1, p1: 0, p2: 0, data: data(256) })).toThrow(/short/);
    expect(() => encodeApdu({ cla: 0, ins: 1, p1: 0, p2: 0, data: new Uint8Array(0), ne: 257 })).toThrow(/Ne 257/);
  });

  it('should parse back every case and size at the boundaries', () => {
    for (const extended of [false, true]) {
      for (const n of extended ? [0, 1, 255, 256, 4000, 65_535] : [0, 1, 254, 255]) {
        for (const ne of [undefined, 1, 256, ...(extended ? [257, 65_536] : [])]) {
          const apdu = { cla: 0x00, ins: 0x02, p1: 0x03, p2: 0x04, data: data(n), ...(ne !== undefined ? { ne } : {}) };
          const parsed = parseApdu(encodeApdu(apdu, extended))!;
          expect(parsed, `${extended ? 'extended' : 'short'} ${n} bytes, Ne ${ne}`).not.toBeNull();
          expect(hex(parsed.data)).toBe(hex(apdu.data));
          expect(parsed.ne).toBe(ne);
          // a case 1 APDU has no length field to tell the encodings apart
          if (n > 0 || ne !== undefined) expect(parsed.extended).toBe(extended);
        }
      }
    }
  });

  it('should return null where the length fields disagree with the bytes (the card answers 6700)', () => {
    expect(parseApdu(bytes('801080'))).toBeNull(); // no P2
    expect(parseApdu(bytes('80108000050401'))).toBeNull(); // Lc 5, 2 bytes follow
    expect(parseApdu(bytes('801080000004'))).toBeNull(); // Lc 00 is not a short Lc
    expect(parseApdu(bytes('8010800000000504'))).toBeNull(); // extended Lc 5, 1 byte follows
    expect(parseApdu(bytes('80108000000000' + '04'))).toBeNull(); // extended Lc 0000
  });

  it('should split and join response APDUs and name status words', () => {
    expect(splitResponse(bytes('0102' + '9000'))).toEqual({ data: bytes('0102'), sw: 0x9000 });
    expect(splitResponse(bytes('90'))).toBeNull();
    expect(hex(joinResponse(bytes('01'), Sw.STATUS_UPDATE))).toBe('019100');
    expect(formatSw(0x6a82)).toBe('0x6A82 FILE_NOT_FOUND');
    expect(formatSw(0x6110)).toBe('0x6110 BYTES_REMAINING (16)');
    expect(formatSw(0x6100)).toBe('0x6100 BYTES_REMAINING (256)');
    expect(formatSw(0x6a88)).toBe('0x6A88');
  });
});
