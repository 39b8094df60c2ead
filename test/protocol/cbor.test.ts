import { describe, expect, it } from 'vitest';
import vectors from '../fixtures/cbor/rfc8949-appendix-a.json' with { type: 'json' };
import {
  CborError,
  cborDiagnostic,
  decodeCbor,
  encodeCanonicalCbor,
  encodeCborAsGiven,
} from '../../harness/protocol/index.ts';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function errorCode(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(CborError);
    return (err as CborError).code;
  }
}

describe('RFC 8949 Appendix A vectors', () => {
  for (const v of vectors.vectors) {
    it(`${v.hex} decodes as ${v.diag ?? v.error}`, () => {
      if ('error' in v && v.error) {
        expect(errorCode(() => decodeCbor(hex(v.hex), { canonical: 'report' }))).toBe(v.error);
        expect(errorCode(() => decodeCbor(hex(v.hex)))).toBe(v.error);
        return;
      }
      const lenient = decodeCbor(hex(v.hex), { canonical: 'report' });
      expect(cborDiagnostic(lenient.value)).toBe(v.diag);
      expect(lenient.length).toBe(v.hex.length / 2);
      if (v.strict === 'ok') {
        expect(cborDiagnostic(decodeCbor(hex(v.hex)).value)).toBe(v.diag);
      } else {
        expect(errorCode(() => decodeCbor(hex(v.hex)))).toBe(v.strict);
        expect(lenient.findings.map((f) => f.code)).toContain(v.strict);
      }
      if (v.roundTrip) expect(toHex(encodeCanonicalCbor(lenient.value))).toBe(v.hex);
    });
  }
});

describe('CTAP2 canonical form (CTAP 2.1 §8)', () => {
  it('should sort map keys by major type, then encoded length, then bytes', () => {
    // keys given out of order: "aa", -1, [-1], 100, "z", false, 10, h'00'
    const m = new Map<unknown, unknown>([
      ['aa', 1],
      [-1, 2],
      [[-1], 3],
      [100, 4],
      ['z', 5],
      [false, 6],
      [10, 7],
      [new Uint8Array([0]), 8],
    ]);
    // 0a(10) 1864(100) 20(-1) 4100(h'00') 617a("z") 626161("aa") 8120([-1]) f4(false)
    expect(toHex(encodeCanonicalCbor(m))).toBe('a80a0718640420024100086' + '17a0562616101812003f406');
  });

  it('should order the COSE key labels 1, 3, -1, -2, -3 as authenticators emit them', () => {
    const cose = new Map<number, unknown>([
      [-3, new Uint8Array(1)],
      [-2, new Uint8Array(1)],
      [-1, 1],
      [3, -7],
      [1, 2],
    ]);
    expect(toHex(encodeCanonicalCbor(cose))).toBe('a50102032620012141002241' + '00');
  });

  it('should write integers of 2^32 and above as integers, not floats', () => {
    expect(toHex(encodeCanonicalCbor(2 ** 32))).toBe('1b0000000100000000');
    expect(toHex(encodeCanonicalCbor(-(2 ** 40)))).toBe('3b000000ffffffffff');
    expect(toHex(encodeCanonicalCbor(new Map([[2 ** 33, 1]])))).toBe('a11b000000020000000001');
  });

  it('should encode byte strings without tag 64 and maps without tag 259', () => {
    expect(toHex(encodeCanonicalCbor(new Uint8Array([1, 2])))).toBe('420102');
    expect(toHex(encodeCanonicalCbor(Buffer.from([1, 2])))).toBe('420102');
    expect(toHex(encodeCanonicalCbor(new Map([[1, new Map()]])))).toBe('a101a0');
  });

  it('should refuse values it could only write with tags', () => {
    expect(() => encodeCanonicalCbor(-(2n ** 64n))).toThrow(RangeError);
    expect(() => encodeCanonicalCbor(2n ** 64n)).toThrow(RangeError);
    expect(() => encodeCanonicalCbor(new Date(0))).toThrow(TypeError);
    expect(() => encodeCanonicalCbor(new Set([1]))).toThrow(TypeError);
    expect(toHex(encodeCanonicalCbor(2n ** 64n - 1n))).toBe('1bffffffffffffffff');
    expect(toHex(encodeCanonicalCbor(-(2n ** 63n)))).toBe('3b7fffffffffffffff');
  });

  it('should leave undefined members of plain objects out', () => {
    expect(toHex(encodeCanonicalCbor({ id: 'a', name: undefined }))).toBe('a1626964616' + '1');
  });

  it('should report keys out of canonical order, and refuse them when strict', () => {
    const bytes = encodeCborAsGiven(new Map([[3, 1], [1, 2]]));
    expect(toHex(bytes)).toBe('a203010102');
    expect(errorCode(() => decodeCbor(bytes))).toBe('CBOR_MAP_KEY_ORDER');
    const lenient = decodeCbor(bytes, { canonical: 'report' });
    expect(lenient.findings).toEqual([{ code: 'CBOR_MAP_KEY_ORDER', message: expect.any(String), offset: 3 }]);
    expect((lenient.value as Map<number, number>).get(3)).toBe(1);
  });

  it('should treat longer keys after shorter ones as canonical even when bytewise larger first', () => {
    // 24 (1818) after 23 (17): same major type, longer encoding sorts later
    expect(decodeCbor(hex('a2170118180' + '2')).findings).toEqual([]);
    expect(errorCode(() => decodeCbor(hex('a21818021701')))).toBe('CBOR_MAP_KEY_ORDER');
  });

  it.each([
    ['1817', 'CBOR_NON_MINIMAL', 'uint 23 in two bytes'],
    ['190017', 'CBOR_NON_MINIMAL', 'uint 23 in three bytes'],
    ['1a000000ff', 'CBOR_NON_MINIMAL', 'uint 255 in five bytes'],
    ['1b00000000ffffffff', 'CBOR_NON_MINIMAL', 'uint 2^32-1 in nine bytes'],
    ['3800', 'CBOR_NON_MINIMAL', 'negative -1 in two bytes'],
    ['580101', 'CBOR_NON_MINIMAL', 'byte string length 1 in two bytes'],
    ['b8010101', 'CBOR_NON_MINIMAL', 'map length 1 in two bytes'],
  ])('should refuse %s (%s: %s)', (h, code) => {
    expect(errorCode(() => decodeCbor(hex(h)))).toBe(code);
    expect(decodeCbor(hex(h), { canonical: 'report' }).findings[0]?.code).toBe(code);
  });

  it.each([
    ['a2010201' + '03', 'CBOR_DUPLICATE_KEY', 'the same key twice'],
    ['0102', 'CBOR_TRAILING_BYTES', 'a byte after the item'],
    ['18', 'CBOR_TRUNCATED', 'a one-byte argument missing'],
    ['4401', 'CBOR_TRUNCATED', 'a byte string shorter than its length'],
    ['62c3', 'CBOR_TRUNCATED', 'a text string shorter than its length'],
    ['62c328', 'CBOR_INVALID_UTF8', 'text that is not UTF-8'],
    ['1c', 'CBOR_RESERVED', 'additional information 28'],
    ['ff', 'CBOR_RESERVED', 'a break outside an indefinite item'],
    ['5bffffffffffffffff', 'CBOR_TOO_LARGE', 'a 2^64-1 byte string'],
    ['9a7fffffff', 'CBOR_TRUNCATED', 'an array longer than the input'],
    ['9b0000000100000000', 'CBOR_TOO_LARGE', 'an array of 2^32 elements'],
  ])('should refuse %s with %s (%s) in every mode', (h, code) => {
    expect(errorCode(() => decodeCbor(hex(h)))).toBe(code);
    expect(errorCode(() => decodeCbor(hex(h), { canonical: 'report' }))).toBe(code);
  });

  it('should bound nesting depth', () => {
    const deep = (n: number) => hex('81'.repeat(n) + '00');
    expect(decodeCbor(deep(4), { maxDepth: 4 }).value).toEqual([[[[0]]]]);
    expect(errorCode(() => decodeCbor(deep(5), { maxDepth: 4 }))).toBe('CBOR_DEPTH_EXCEEDED');
    // a hostile 100,000-level nest is refused without exhausting the stack
    expect(errorCode(() => decodeCbor(deep(100_000)))).toBe('CBOR_DEPTH_EXCEEDED');
  });

  it('should round-trip CTAP-shaped values through encode and strict decode', () => {
    const value = new Map<unknown, unknown>([
      [1, 'packed'],
      [2, new Uint8Array(37).fill(9)],
      [3, new Map<unknown, unknown>([['alg', -7], ['sig', new Uint8Array(70)], ['x5c', [new Uint8Array(300)]]])],
    ]);
    const bytes = encodeCanonicalCbor(value);
    const back = decodeCbor(bytes);
    expect(back.findings).toEqual([]);
    expect(toHex(encodeCanonicalCbor(back.value))).toBe(toHex(bytes));
  });
});
