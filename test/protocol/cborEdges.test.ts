import { describe, expect, it } from 'vitest';
import {
  CborError,
  cborDiagnostic,
  CborTagged,
  compareCanonicalKeys,
  decodeCbor,
  decodeCborItem,
  encodeCanonicalCbor,
} from '../../harness/protocol/index.ts';
import { thrown } from './thrown.ts';

const un = (s: string) => new Uint8Array(Buffer.from(s.replace(/ /g, ''), 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const cborError = (fn: () => unknown) => thrown(fn, CborError);
const strict = (s: string) => cborError(() => decodeCbor(un(s)));
const lenient = (s: string) => cborError(() => decodeCbor(un(s), { canonical: 'report' }));
const nest = (n: number, inner: unknown = 0): unknown => (n === 0 ? inner : [nest(n - 1, inner)]);

describe('CBOR errors say what, where and why (RFC 8949 §3; CTAP 2.1 §8)', () => {
  it('should carry code, offset and a message naming both', () => {
    const e = strict('8118');
    expect(e.name).toBe('CborError');
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('CBOR_TRUNCATED');
    expect(e.offset).toBe(1);
    expect(e.message).toBe('CBOR_TRUNCATED at byte 1: needs 1 more byte(s)');
  });

  it.each([
    ['010203', 'CBOR_TRAILING_BYTES at byte 1: 2 byte(s) after the item'],
    ['1c', 'CBOR_RESERVED at byte 0: reserved additional information 28'],
    ['5a7fffffff00', 'CBOR_TRUNCATED at byte 0: length 2147483647 exceeds the 1 byte(s) left'],
    ['5a80000000', 'CBOR_TOO_LARGE at byte 0: length 2147483648 is beyond any message'],
    ['5b0020000000000000', 'CBOR_TOO_LARGE at byte 0: length 9007199254740992 is beyond any message'],
    ['62c328', 'CBOR_INVALID_UTF8 at byte 0: text string is not valid UTF-8'],
    ['a201000100', 'CBOR_DUPLICATE_KEY at byte 3: duplicate map key 01'],
    ['a2020001 00', 'CBOR_MAP_KEY_ORDER at byte 3: map key 01 out of canonical order'],
    ['1817', 'CBOR_NON_MINIMAL at byte 0: argument 23 encoded in 2 bytes'],
    ['c000', 'CBOR_TAG at byte 0: tag 0 (CTAP2 canonical CBOR has no tags)'],
    ['5f ff', 'CBOR_INDEFINITE_LENGTH at byte 0: indefinite-length string'],
    ['9f ff', 'CBOR_INDEFINITE_LENGTH at byte 0: indefinite-length array'],
    ['bf ff', 'CBOR_INDEFINITE_LENGTH at byte 0: indefinite-length map'],
    ['ff', 'CBOR_RESERVED at byte 0: unexpected break'],
    ['f820', 'CBOR_UNSUPPORTED_TYPE at byte 0: simple value 32'],
    ['f0', 'CBOR_UNSUPPORTED_TYPE at byte 0: simple value 16'],
  ])('should refuse %s: %s', (input, message) => {
    expect(strict(input).message).toBe(message);
  });

  it('should refuse depth with the limit in the message', () => {
    expect(cborError(() => decodeCbor(un('818100'), { maxDepth: 1 })).message).toBe('CBOR_DEPTH_EXCEEDED at byte 1: nesting deeper than 1');
  });

  it('should record departures in report mode with their messages', () => {
    expect(decodeCbor(un('1817'), { canonical: 'report' }).findings).toEqual([{ code: 'CBOR_NON_MINIMAL', message: 'argument 23 encoded in 2 bytes', offset: 0 }]);
    expect(decodeCbor(un('c16161'), { canonical: 'report' }).findings).toEqual([{ code: 'CBOR_TAG', message: 'tag 1 (CTAP2 canonical CBOR has no tags)', offset: 0 }]);
  });
});

describe('CBOR integers at the edges (RFC 8949 §3.1 major types 0 and 1)', () => {
  it('should give a number up to 2^53 - 1 and a bigint beyond, however it was written', () => {
    expect(decodeCbor(un('1b001fffffffffffff')).value).toBe(Number.MAX_SAFE_INTEGER);
    expect(decodeCbor(un('1b0020000000000000')).value).toBe(2n ** 53n);
    expect(decodeCbor(un('1b0000000100000000')).value).toBe(2 ** 32);
    expect(decodeCbor(un('1bffffffffffffffff')).value).toBe(2n ** 64n - 1n);
  });

  it('should give -1 - n, a bigint from -2^53 down', () => {
    expect(decodeCbor(un('20')).value).toBe(-1);
    expect(decodeCbor(un('3b001ffffffffffffd')).value).toBe(-(2 ** 53) + 2);
    expect(decodeCbor(un('3b001ffffffffffffe')).value).toBe(-Number.MAX_SAFE_INTEGER);
    expect(decodeCbor(un('3b001fffffffffffff')).value).toBe(-(2n ** 53n));
    expect(decodeCbor(un('3b0020000000000000')).value).toBe(-(2n ** 53n) - 1n);
    expect(decodeCbor(un('3bffffffffffffffff')).value).toBe(-(2n ** 64n));
  });

  it('should refuse indefinite integers and an indefinite tag as reserved, in every mode', () => {
    for (const s of ['1f', '3f']) {
      expect(strict(s).code).toBe('CBOR_RESERVED');
      expect(lenient(s).code).toBe('CBOR_RESERVED');
    }
    expect(lenient('df00').code).toBe('CBOR_RESERVED');
    expect(lenient('df00').message).toMatch(/indefinite tag$/);
    expect(lenient('1f').message).toMatch(/indefinite unsigned integer$/);
    expect(lenient('3f').message).toMatch(/indefinite negative integer$/);
  });
});

describe('CBOR simple values and structure (RFC 8949 §3.3, §3.2)', () => {
  it('should refuse reserved simple values 28-31 as reserved and a truncated one-byte simple value as truncated', () => {
    for (const s of ['fc', 'fd', 'fe']) expect(strict(s).code, s).toBe('CBOR_RESERVED');
    expect(strict('fc').message).toBe('CBOR_RESERVED at byte 0: reserved additional information 28');
    expect(strict('fb').code).toBe('CBOR_TRUNCATED');
    expect(strict('f8').code).toBe('CBOR_TRUNCATED');
    expect(strict('f8').offset).toBe(0);
    expect(strict('f3').code).toBe('CBOR_UNSUPPORTED_TYPE');
    expect(decodeCbor(un('f7')).value).toBeUndefined();
  });

  it('should read the simple values CTAP uses and half, single and double floats', () => {
    expect(decodeCbor(un('f4')).value).toBe(false);
    expect(decodeCbor(un('f5')).value).toBe(true);
    expect(decodeCbor(un('f6')).value).toBe(null);
    expect(decodeCbor(un('f93e00')).value).toBe(1.5);
    expect(decodeCbor(un('fa47c35000')).value).toBe(100000);
    expect(decodeCbor(un('fb3ff199999999999a')).value).toBe(1.1);
  });

  it('should refuse a break where a map key belongs in a definite map', () => {
    expect(strict('a1ff').code).toBe('CBOR_RESERVED');
    expect(lenient('a1ff00').code).toBe('CBOR_RESERVED');
  });

  it('should read indefinite strings, arrays and maps in report mode', () => {
    const s = decodeCbor(un('7f 6161 6162 ff'), { canonical: 'report' });
    expect(s.value).toBe('ab');
    expect(s.findings.map((f) => f.code)).toEqual(['CBOR_INDEFINITE_LENGTH']);
    expect(hex(decodeCbor(un('5f 4101 420203 ff'), { canonical: 'report' }).value as Uint8Array)).toBe('010203');
    expect(decodeCbor(un('9f 01 02 ff'), { canonical: 'report' }).value).toEqual([1, 2]);
    expect(decodeCbor(un('bf 01 02 ff'), { canonical: 'report' }).value).toEqual(new Map([[1, 2]]));
  });

  it('should refuse a chunk of the wrong type or an indefinite chunk inside an indefinite string', () => {
    expect(lenient('5f 6161 ff').code).toBe('CBOR_RESERVED');
    expect(lenient('5f 6161 ff').message).toMatch(/chunk of an indefinite string has the wrong type$/);
    expect(lenient('5f 6161 ff').offset).toBe(1);
    expect(lenient('5f 5f ff ff').code).toBe('CBOR_RESERVED');
    expect(lenient('7f 4161 ff').code).toBe('CBOR_RESERVED');
    expect(lenient('7f 6161').code).toBe('CBOR_TRUNCATED');
  });

  it('should count every level of nesting: indefinite arrays, map keys and map values', () => {
    expect(cborError(() => decodeCbor(un('9f9f9f00ffffff'), { canonical: 'report', maxDepth: 2 })).code).toBe('CBOR_DEPTH_EXCEEDED');
    expect(decodeCbor(un('9f9f00ffff'), { canonical: 'report', maxDepth: 2 }).value).toEqual([[0]]);
    expect(cborError(() => decodeCbor(un('a1 8100 00'), { maxDepth: 1 })).code).toBe('CBOR_DEPTH_EXCEEDED');
    expect(cborError(() => decodeCbor(un('a1 00 8100'), { maxDepth: 1 })).code).toBe('CBOR_DEPTH_EXCEEDED');
    expect(decodeCbor(un('a1 00 8100'), { maxDepth: 2 }).value).toEqual(new Map([[0, [0]]]));
    expect(cborError(() => decodeCbor(un('a1 00 a1 00 00'), { maxDepth: 1 })).code).toBe('CBOR_DEPTH_EXCEEDED');
  });

  it('should decode one item inside a longer input and say how long it was', () => {
    const input = un('ff ff a1 01 02 ee');
    const item = decodeCborItem(input, 2);
    expect(item.value).toEqual(new Map([[1, 2]]));
    expect(item.length).toBe(3);
    // inside a larger buffer at an offset, multi-byte arguments and floats are read from the right bytes
    const buf = un('00 00 00 1a 00 01 00 00 fa 3f c0 00 00');
    expect(decodeCborItem(buf.subarray(3)).value).toBe(0x10000);
    expect(decodeCborItem(buf.subarray(8)).value).toBe(1.5);
  });
});

describe('CTAP2 canonical key order (CTAP 2.1 §8)', () => {
  it('should put the shorter encoding first even where its first byte is larger', () => {
    const short = un('820000'); // [0, 0]
    const long = un('811903e8'); // [1000]
    expect(compareCanonicalKeys(short, long)).toBeLessThan(0);
    expect(compareCanonicalKeys(long, short)).toBeGreaterThan(0);
    expect(hex(encodeCanonicalCbor(new Map<unknown, unknown>([[[1000], 1], [[0, 0], 2]])))).toBe('a2' + '820000' + '02' + '811903e8' + '01');
    expect(strict('a2 811903e8 01 820000 02').code).toBe('CBOR_MAP_KEY_ORDER');
  });

  it('should order keys of the same length by every byte, not only the first', () => {
    expect(compareCanonicalKeys(un('626161'), un('626162'))).toBeLessThan(0);
    expect(compareCanonicalKeys(un('626162'), un('626161'))).toBeGreaterThan(0);
    expect(compareCanonicalKeys(un('626161'), un('626161'))).toBe(0);
    expect(hex(encodeCanonicalCbor(new Map([['ab', 1], ['aa', 2]])))).toBe('a2' + '6261610' + '2' + '62616201');
    expect(strict('a2 626162 01 626161 02').code).toBe('CBOR_MAP_KEY_ORDER');
    expect(decodeCbor(un('a2 626161 01 626162 02')).findings).toEqual([]);
  });
});

describe('CTAP2 canonical encoding refusals', () => {
  it('should encode 64 levels of nesting and refuse 65, in arrays, map values and map keys', () => {
    expect(encodeCanonicalCbor(nest(64))).toHaveLength(65);
    expect(() => encodeCanonicalCbor(nest(65))).toThrow(RangeError);
    expect(() => encodeCanonicalCbor(nest(65))).toThrow('value nested too deeply to encode');
    const mapNest = (n: number): unknown => (n === 0 ? 0 : new Map([[1, mapNest(n - 1)]]));
    expect(() => encodeCanonicalCbor(mapNest(65))).toThrow(RangeError);
    expect(encodeCanonicalCbor(mapNest(64))).toHaveLength(129);
    const keyNest = (n: number): unknown => (n === 0 ? 0 : new Map([[keyNest(n - 1), 1]]));
    expect(() => encodeCanonicalCbor(keyNest(65))).toThrow(RangeError);
    const objNest = (n: number): unknown => (n === 0 ? 0 : { a: objNest(n - 1) });
    expect(() => encodeCanonicalCbor(objNest(65))).toThrow(RangeError);
  });

  it('should encode an object without a prototype as a map, and name the class it refuses', () => {
    const bare = Object.assign(Object.create(null) as object, { b: 2, a: 1 });
    expect(hex(encodeCanonicalCbor(bare))).toBe('a2' + '616101' + '616202');
    expect(() => encodeCanonicalCbor(new Date(0))).toThrow('cannot encode Date as CTAP2 canonical CBOR');
    class Thing {}
    expect(() => encodeCanonicalCbor(new Thing())).toThrow('cannot encode Thing as CTAP2 canonical CBOR');
    const orphan = Object.create(Object.create(null) as object) as object;
    expect(() => encodeCanonicalCbor(orphan)).toThrow('cannot encode object as CTAP2 canonical CBOR');
  });

  it('should refuse functions and symbols', () => {
    expect(() => encodeCanonicalCbor(() => 1)).toThrow(TypeError);
    expect(() => encodeCanonicalCbor(() => 1)).toThrow('cannot encode a function as CBOR');
    expect(() => encodeCanonicalCbor(Symbol('s'))).toThrow('cannot encode a symbol as CBOR');
    expect(() => encodeCanonicalCbor([Symbol('s')])).toThrow(TypeError);
  });

  it('should refuse integers it could only write as tagged bignums, numbers as well as bigints (RFC 8949 §3.4.3)', () => {
    expect(() => encodeCanonicalCbor(2n ** 64n)).toThrow('integer 18446744073709551616 is outside what CTAP2 canonical CBOR encodes here');
    expect(() => encodeCanonicalCbor(2 ** 64)).toThrow(RangeError);
    expect(() => encodeCanonicalCbor(1e300)).toThrow(RangeError);
    expect(() => encodeCanonicalCbor(-(2 ** 64))).toThrow(RangeError);
    expect(() => encodeCanonicalCbor(-(2n ** 63n) - 1n)).toThrow(RangeError);
    expect(hex(encodeCanonicalCbor(2 ** 63))).toBe('1b8000000000000000');
    expect(hex(encodeCanonicalCbor(-(2 ** 63)))).toBe('3b7fffffffffffffff');
  });

  it('should write every integer, number or bigint, in its shortest form (CTAP 2.1 §8; RFC 8949 §4.2.1)', () => {
    const cases: [number | bigint, string][] = [
      [5n, '05'],
      [-5n, '24'],
      [0n, '00'],
      [2n ** 32n - 1n, '1affffffff'],
      [2n ** 32n, '1b0000000100000000'],
      [-(2n ** 32n), '3affffffff'],
      [-(2n ** 32n) - 1n, '3b0000000100000000'],
      [2 ** 32, '1b0000000100000000'],
      [-(2 ** 32), '3affffffff'],
      [2n ** 64n - 1n, '1bffffffffffffffff'],
    ];
    for (const [v, h] of cases) expect(hex(encodeCanonicalCbor(v)), String(v)).toBe(h);
    expect(hex(encodeCanonicalCbor(new Map([[1n, [300n]]])))).toBe('a101' + '8119012c');
    // and reads back the same
    for (const [v, h] of cases) expect(BigInt(decodeCbor(un(h)).value as number | bigint)).toBe(BigInt(v));
  });

  it('should write integers from 2^32 as integers and other numbers as they are', () => {
    expect(hex(encodeCanonicalCbor(2 ** 32 - 1))).toBe('1affffffff');
    expect(hex(encodeCanonicalCbor(-(2 ** 32)))).toBe('3affffffff');
    expect(hex(encodeCanonicalCbor(-(2 ** 32) - 1))).toBe('3b0000000100000000');
    expect(hex(encodeCanonicalCbor(2 ** 40 + 0.5))).toBe('fb4270000000000800');
    expect(hex(encodeCanonicalCbor('text'))).toBe('6474657874');
    expect(hex(encodeCanonicalCbor(true))).toBe('f5');
  });
});

describe('RFC 8949 §8 diagnostic notation', () => {
  it('should write each kind of value', () => {
    expect(cborDiagnostic(undefined)).toBe('undefined');
    expect(cborDiagnostic(null)).toBe('null');
    expect(cborDiagnostic(false)).toBe('false');
    expect(cborDiagnostic(true)).toBe('true');
    expect(cborDiagnostic(-7)).toBe('-7');
    expect(cborDiagnostic(1.5)).toBe('1.5');
    expect(cborDiagnostic(NaN)).toBe('NaN');
    expect(cborDiagnostic(Infinity)).toBe('Infinity');
    expect(cborDiagnostic(-Infinity)).toBe('-Infinity');
    expect(cborDiagnostic(2n ** 64n)).toBe('18446744073709551616');
    expect(cborDiagnostic('a"b')).toBe('"a\\"b"');
    expect(cborDiagnostic(Uint8Array.of(0, 0xff))).toBe("h'00ff'");
    expect(cborDiagnostic([1, 'a', [NaN]])).toBe('[1, "a", [NaN]]');
    expect(cborDiagnostic(new Map<unknown, unknown>([[1, 'a'], ['k', [2n ** 64n]]]))).toBe('{1: "a", "k": [18446744073709551616]}');
    expect(cborDiagnostic(new CborTagged(1, 1363896240))).toBe('1(1363896240)');
    expect(cborDiagnostic({ a: 1 })).toBe('{"a":1}');
    expect(cborDiagnostic(Symbol.for('s'))).toBe('Symbol(s)');
  });
});
