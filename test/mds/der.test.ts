import { describe, expect, it } from 'vitest';
import { DerClass, DerError, derChildren, derInteger, readDer, readDerExact } from '../../mds/der.ts';

// ITU-T X.690 §8.1 identifier and length octets, read from crafted bytes: every refusal is a DerError
// (code DER_MALFORMED), never a read past the end.
const b = (...bytes: number[]) => Uint8Array.from(bytes);
const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(DerError);
    expect((err as DerError).code).toBe('DER_MALFORMED');
    expect((err as DerError).name).toBe('DerError');
    return (err as Error).message;
  }
  throw new Error('expected a DerError');
};

describe('readDer (X.690 §8.1)', () => {
  it('reads class, constructed bit, tag number, contents and total length', () => {
    const seq = readDer(b(0x30, 0x03, 0x02, 0x01, 0x07));
    expect(seq).toMatchObject({ tagClass: DerClass.UNIVERSAL, constructed: true, tagNumber: 16, length: 5 });
    expect([...seq.value]).toEqual([0x02, 0x01, 0x07]);
    expect(readDer(b(0xa3, 0x00))).toMatchObject({ tagClass: DerClass.CONTEXT, constructed: true, tagNumber: 3, length: 2 });
    expect(readDer(b(0x86, 0x01, 0x41))).toMatchObject({ tagClass: DerClass.CONTEXT, constructed: false, tagNumber: 6 });
    expect(readDer(b(0x41, 0x00))).toMatchObject({ tagClass: DerClass.APPLICATION, constructed: false, tagNumber: 1 });
    expect(readDer(b(0xdf, 0x05, 0x00))).toMatchObject({ tagClass: DerClass.PRIVATE, constructed: false, tagNumber: 5 });
    // the smallest element: NULL, two octets
    expect(readDer(b(0x05, 0x00))).toMatchObject({ tagNumber: 5, length: 2, value: new Uint8Array(0) });
  });

  it('reads from an offset; the length counts from there', () => {
    const node = readDer(b(0xff, 0xff, 0x04, 0x02, 0xaa, 0xbb, 0xff), 2);
    expect(node).toMatchObject({ tagNumber: 4, length: 4 });
    expect([...node.value]).toEqual([0xaa, 0xbb]);
  });

  it('high tag numbers (§8.1.2.4): base 128 over up to five octets, a sixth refused', () => {
    expect(readDer(b(0x9f, 0x81, 0x01, 0x00)).tagNumber).toBe(129);
    expect(readDer(b(0xbf, 0x85, 0x3d, 0x00))).toMatchObject({ tagClass: DerClass.CONTEXT, constructed: true, tagNumber: 701 });
    expect(readDer(b(0x1f, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00)).tagNumber).toBe(((((1 * 128 + 1) * 128 + 1) * 128 + 1) * 128 + 1));
    expect(refusal(() => readDer(b(0x1f, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00)))).toBe('DER tag number too long');
    expect(refusal(() => readDer(b(0x1f, 0x81)))).toBe('DER truncated at offset 2');
  });

  it('long-form lengths (§8.1.3.5) of one to four octets; indefinite (§8.1.3.6) and longer forms refused', () => {
    const body = new Uint8Array(200).fill(0x61);
    const long = readDer(Uint8Array.from([0x04, 0x81, 200, ...body]));
    expect(long.value.length).toBe(200);
    expect(long.length).toBe(203);
    const two = readDer(Uint8Array.from([0x04, 0x82, 0x01, 0x00, ...new Uint8Array(256)]));
    expect(two.value.length).toBe(256);
    expect(readDer(b(0x04, 0x84, 0x00, 0x00, 0x00, 0x01, 0x7a)).value).toEqual(b(0x7a));
    expect(refusal(() => readDer(b(0x30, 0x80, 0x00, 0x00)))).toBe('DER length form 0 not supported (indefinite or too long)');
    expect(refusal(() => readDer(b(0x04, 0x85, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00)))).toBe('DER length form 5 not supported (indefinite or too long)');
  });

  it('never reads past the end', () => {
    expect(refusal(() => readDer(b()))).toBe('DER truncated at offset 0');
    expect(refusal(() => readDer(b(0x04)))).toBe('DER truncated at offset 0');
    expect(refusal(() => readDer(b(0x04, 0x03, 0x01, 0x02)))).toBe('DER truncated at offset 2');
    expect(refusal(() => readDer(b(0x04, 0x82, 0x01)))).toBe('DER truncated at offset 2');
    expect(refusal(() => readDer(b(0x04, 0x82, 0x01, 0x00, 0x00)))).toBe('DER truncated at offset 4');
    expect(readDer(b(0x04, 0x02, 0x01, 0x02)).value).toEqual(b(0x01, 0x02));
  });
});

describe('readDerExact, derChildren, derInteger', () => {
  it('readDerExact refuses bytes after the value', () => {
    expect(readDerExact(b(0x05, 0x00)).tagNumber).toBe(5);
    expect(refusal(() => readDerExact(b(0x05, 0x00, 0x00)))).toBe('1 byte(s) after the DER value');
    expect(refusal(() => readDerExact(b(0x05, 0x00, 0x00, 0x00, 0x00)))).toBe('3 byte(s) after the DER value');
  });

  it('derChildren walks a SEQUENCE in order and refuses a child that runs past its parent', () => {
    const seq = readDerExact(b(0x30, 0x08, 0x02, 0x01, 0x05, 0x04, 0x00, 0x01, 0x01, 0xff));
    expect(derChildren(seq).map((c) => [c.tagNumber, c.length])).toEqual([[2, 3], [4, 2], [1, 3]]);
    expect(derChildren(readDerExact(b(0x30, 0x00)))).toEqual([]);
    expect(refusal(() => derChildren(readDerExact(b(0x30, 0x03, 0x02, 0x05, 0x00))))).toBe('DER truncated at offset 2');
  });

  it('derChildren takes 10,000 children and refuses more', () => {
    const nulls = (n: number) => {
      const inner = new Uint8Array(n * 2).fill(0).map((_, i) => (i % 2 === 0 ? 0x05 : 0x00));
      return Uint8Array.from([0x30, 0x83, (inner.length >> 16) & 0xff, (inner.length >> 8) & 0xff, inner.length & 0xff, ...inner]);
    };
    expect(derChildren(readDerExact(nulls(10_000)))).toHaveLength(10_000);
    expect(refusal(() => derChildren(readDerExact(nulls(10_001))))).toBe('DER structure has too many children');
  });

  it('derInteger: two’s complement, one to six octets', () => {
    const int = (...v: number[]) => derInteger(readDerExact(Uint8Array.from([0x02, v.length, ...v])));
    expect(int(0x00)).toBe(0);
    expect(int(0x07)).toBe(7);
    expect(int(0x7f)).toBe(127);
    expect(int(0x00, 0x80)).toBe(128);
    expect(int(0x01, 0x00)).toBe(256);
    expect(int(0xff)).toBe(-1);
    expect(int(0x80)).toBe(-128);
    expect(int(0xff, 0x7f)).toBe(-129);
    expect(int(0x01, 0x00, 0x00, 0x00, 0x00, 0x00)).toBe(2 ** 40);
    expect(refusal(() => int())).toBe('DER INTEGER empty or too large');
    expect(refusal(() => int(0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00))).toBe('DER INTEGER empty or too large');
  });
});
