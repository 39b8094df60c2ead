import { CborError, type CborErrorCode } from './CborError.ts';
import { CborTagged } from './CborTagged.ts';
import type { CborValue } from './CborValue.ts';

/** A way the input departs from the CTAP2 canonical form, recorded instead of thrown in 'report' mode. */
export interface CborFinding {
  code: CborErrorCode;
  message: string;
  offset: number;
}

export interface DecodeCborOptions {
  /**
   * 'strict' (default): any departure from CTAP2 canonical CBOR (CTAP 2.1 §8) throws a CborError.
   * 'report': canonical-form departures (non-minimal encodings, key order, tags, indefinite lengths) are
   * collected in `findings` and decoding goes on; malformed input still throws.
   */
  canonical?: 'strict' | 'report';
  /**
   * Maximum nesting of arrays and maps. CTAP 2.1 §8 limits messages to 4 levels; the default of 16 leaves
   * room for lenient inspection while bounding recursion on hostile input.
   */
  maxDepth?: number;
}

export interface DecodedCbor {
  value: CborValue;
  /** bytes consumed */
  length: number;
  findings: CborFinding[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes exactly one CBOR item that must fill `bytes` (trailing bytes are an error). */
export function decodeCbor(bytes: Uint8Array, options: DecodeCborOptions = {}): DecodedCbor {
  const decoded = decodeCborItem(bytes, 0, options);
  if (decoded.length !== bytes.length) {
    throw new CborError(
      'CBOR_TRAILING_BYTES',
      `${bytes.length - decoded.length} byte(s) after the item`,
      decoded.length,
    );
  }
  return decoded;
}

/** Decodes one CBOR item starting at `offset`; bytes after it are left alone (authData uses this). */
export function decodeCborItem(
  bytes: Uint8Array,
  offset = 0,
  options: DecodeCborOptions = {},
): DecodedCbor {
  const reader = new Reader(bytes, offset, options.canonical ?? 'strict', options.maxDepth ?? 16);
  const value = reader.item(0) as CborValue;
  return { value, length: reader.pos - offset, findings: reader.findings };
}

class Reader {
  readonly findings: CborFinding[] = [];
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    readonly mode: 'strict' | 'report',
    readonly maxDepth: number,
  ) {}

  private fail(code: CborErrorCode, message: string, at: number): never {
    throw new CborError(code, message, at);
  }

  /** Records a canonical-form departure: throws in strict mode, collects it in report mode. */
  private departure(code: CborErrorCode, message: string, at: number): void {
    if (this.mode === 'strict') this.fail(code, message, at);
    this.findings.push({ code, message, offset: at });
  }

  private need(n: number, at: number): void {
    if (this.pos + n > this.bytes.length) this.fail('CBOR_TRUNCATED', `needs ${n} more byte(s)`, at);
  }

  private byte(): number {
    this.need(1, this.pos);
    return this.bytes[this.pos++]!;
  }

  /** Reads the argument of an initial byte (RFC 8949 §3). Returns null for indefinite length (ai 31). */
  private argument(ai: number, start: number): number | bigint | null {
    if (ai < 24) return ai;
    if (ai === 31) return null;
    if (ai > 27) this.fail('CBOR_RESERVED', `reserved additional information ${ai}`, start);
    const size = 1 << (ai - 24);
    this.need(size, start);
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, size);
    let value: number | bigint;
    if (size === 1) value = view.getUint8(0);
    else if (size === 2) value = view.getUint16(0);
    else if (size === 4) value = view.getUint32(0);
    else {
      const big = view.getBigUint64(0);
      value = big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
    this.pos += size;
    // (major type 7 never comes here: simple values and floats are read by simple())
    const min = size === 1 ? 24 : size === 2 ? 0x100 : size === 4 ? 0x10000 : 0x100000000;
    if (value < min) {
      this.departure('CBOR_NON_MINIMAL', `argument ${value} encoded in ${size + 1} bytes`, start);
    }
    return value;
  }

  private length(arg: number | bigint, start: number): number {
    const remaining = this.bytes.length - this.pos;
    // (a bigint argument, above 2^53, is refused here too)
    if (arg > 0x7fffffff) this.fail('CBOR_TOO_LARGE', `length ${arg} is beyond any message`, start);
    // Every element takes at least one byte, so a length beyond the remaining input cannot be satisfied.
    if (arg > remaining) this.fail('CBOR_TRUNCATED', `length ${arg} exceeds the ${remaining} byte(s) left`, start);
    return Number(arg);
  }

  item(depth: number): unknown {
    const start = this.pos;
    const initial = this.byte();
    const major = initial >> 5;
    const ai = initial & 0x1f;
    if (major === 7) return this.simple(ai, start);
    const arg = this.argument(ai, start);
    switch (major) {
      case 0:
        if (arg === null) return this.fail('CBOR_RESERVED', 'indefinite unsigned integer', start);
        return arg;
      case 1:
        if (arg === null) return this.fail('CBOR_RESERVED', 'indefinite negative integer', start);
        // -1 - arg; a bigint from -2^53 down (a bigint argument is above 2^53)
        return arg >= Number.MAX_SAFE_INTEGER ? -1n - BigInt(arg) : -1 - Number(arg);
      case 2:
      case 3: {
        const raw = arg === null ? this.indefiniteString(major, start) : this.definiteBytes(arg, start);
        if (major === 2) return raw;
        try {
          return utf8.decode(raw);
        } catch {
          return this.fail('CBOR_INVALID_UTF8', 'text string is not valid UTF-8', start);
        }
      }
      case 4:
        return this.array(arg, start, depth);
      case 5:
        return this.map(arg, start, depth);
      default: {
        // major 6: tag
        this.departure('CBOR_TAG', `tag ${arg} (CTAP2 canonical CBOR has no tags)`, start);
        if (arg === null) return this.fail('CBOR_RESERVED', 'indefinite tag', start);
        return new CborTagged(arg, this.item(depth));
      }
    }
  }

  private definiteBytes(arg: number | bigint, start: number): Uint8Array {
    const n = this.length(arg, start);
    const out = this.bytes.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private indefiniteString(major: number, start: number): Uint8Array {
    this.departure('CBOR_INDEFINITE_LENGTH', 'indefinite-length string', start);
    const chunks: Uint8Array[] = [];
    for (;;) {
      this.need(1, this.pos);
      if (this.bytes[this.pos] === 0xff) {
        this.pos++;
        break;
      }
      const chunkStart = this.pos;
      const initial = this.byte();
      if (initial >> 5 !== major || (initial & 0x1f) === 31) {
        this.fail('CBOR_RESERVED', 'chunk of an indefinite string has the wrong type', chunkStart);
      }
      const arg = this.argument(initial & 0x1f, chunkStart) as number | bigint;
      chunks.push(this.definiteBytes(arg, chunkStart));
    }
    return Buffer.concat(chunks);
  }

  private enter(depth: number, start: number): void {
    if (depth + 1 > this.maxDepth) {
      this.fail('CBOR_DEPTH_EXCEEDED', `nesting deeper than ${this.maxDepth}`, start);
    }
  }

  private array(arg: number | bigint | null, start: number, depth: number): unknown[] {
    this.enter(depth, start);
    const out: unknown[] = [];
    if (arg === null) {
      this.departure('CBOR_INDEFINITE_LENGTH', 'indefinite-length array', start);
      for (;;) {
        this.need(1, this.pos);
        if (this.bytes[this.pos] === 0xff) {
          this.pos++;
          return out;
        }
        out.push(this.item(depth + 1));
      }
    }
    const n = this.length(arg, start);
    for (let i = 0; i < n; i++) out.push(this.item(depth + 1));
    return out;
  }

  private map(arg: number | bigint | null, start: number, depth: number): Map<unknown, unknown> {
    this.enter(depth, start);
    if (arg === null) this.departure('CBOR_INDEFINITE_LENGTH', 'indefinite-length map', start);
    const out = new Map<unknown, unknown>();
    const seen = new Set<string>();
    let previous: Uint8Array | null = null;
    const n = arg === null ? Infinity : this.length(arg, start);
    for (let i = 0; i < n; i++) {
      if (arg === null) {
        this.need(1, this.pos);
        if (this.bytes[this.pos] === 0xff) {
          this.pos++;
          break;
        }
      }
      const keyStart = this.pos;
      const key = this.item(depth + 1);
      const keyBytes = this.bytes.subarray(keyStart, this.pos);
      const id = Buffer.from(keyBytes).toString('hex');
      if (seen.has(id)) this.fail('CBOR_DUPLICATE_KEY', `duplicate map key ${id}`, keyStart);
      seen.add(id);
      // Stryker disable next-line EqualityOperator: equal key bytes are a duplicate, refused just above
      if (previous !== null && compareCanonicalKeys(previous, keyBytes) > 0) {
        this.departure('CBOR_MAP_KEY_ORDER', `map key ${id} out of canonical order`, keyStart);
      }
      previous = keyBytes;
      out.set(key, this.item(depth + 1));
    }
    return out;
  }

  private simple(ai: number, start: number): unknown {
    switch (ai) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 25: {
        this.need(2, start);
        const v = halfToNumber((this.bytes[this.pos]! << 8) | this.bytes[this.pos + 1]!);
        this.pos += 2;
        return v;
      }
      case 26: {
        this.need(4, start);
        const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 4).getFloat32(0);
        this.pos += 4;
        return v;
      }
      case 27: {
        this.need(8, start);
        const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8).getFloat64(0);
        this.pos += 8;
        return v;
      }
      case 31:
        return this.fail('CBOR_RESERVED', 'unexpected break', start);
      default:
        if (ai >= 28) return this.fail('CBOR_RESERVED', `reserved additional information ${ai}`, start);
        if (ai === 24) this.need(1, start);
        return this.fail('CBOR_UNSUPPORTED_TYPE', `simple value ${ai === 24 ? this.bytes[this.pos] : ai}`, start);
    }
  }
}

/**
 * CTAP2 canonical key order (CTAP 2.1 §8, "CTAP2 canonical CBOR encoding form", after RFC 7049 §3.9):
 * lower major type first; then the shorter encoding; then bytewise lexical order.
 */
export function compareCanonicalKeys(a: Uint8Array, b: Uint8Array): number {
  const majorA = a[0]! >> 5;
  const majorB = b[0]! >> 5;
  if (majorA !== majorB) return majorA - majorB;
  if (a.length !== b.length) return a.length - b.length;
  // Stryker disable next-line EqualityOperator: a and b have the same length here, so a[a.length] and b[a.length] are both undefined
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return 0;
}

function halfToNumber(half: number): number {
  const exp = (half >> 10) & 0x1f;
  const mant = half & 0x3ff;
  const sign = half & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
