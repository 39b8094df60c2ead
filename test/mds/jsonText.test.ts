import { describe, expect, it } from 'vitest';
import { jsonTextFromUtf8, assertJsonDepth } from '../../mds/jsonLimits.ts';
import { fixtureText } from './helpers.ts';

// jsonTextFromUtf8 replaces a full UTF-8 decode of the BLOB payload: it must give JSON.parse the same value.
describe('jsonTextFromUtf8 (RFC 8259 §7 escapes for non-ASCII runs)', () => {
  const same = (bytes: Buffer) => {
    let expected: unknown;
    let expectedError = false;
    try {
      expected = JSON.parse(bytes.toString('utf8'));
    } catch {
      expectedError = true;
    }
    if (expectedError) expect(() => JSON.parse(jsonTextFromUtf8(bytes))).toThrow();
    else expect(JSON.parse(jsonTextFromUtf8(bytes))).toEqual(expected);
  };

  it('gives the same value as a UTF-8 decode for the real 2.2 MB payload (166 non-ASCII bytes)', () => {
    const payload = Buffer.from(fixtureText('blob-2023-no23.jwt').trim().split('.')[1]!, 'base64url');
    expect(payload.some((b) => b >= 0x80)).toBe(true);
    same(payload);
  });

  it.each([
    ['ASCII only', '{"a":"b"}'],
    ['two- to four-byte characters, at chunk ends and starts', JSON.stringify({ k: 'é'.repeat(5000) + '\u20ac😀' + 'x'.repeat(4090) + 'ü' })],
    ['non-ASCII in a key and after escapes', '{"ké\\\\":"\\"ö\\u00e9"}'],
    ['non-ASCII outside a string (invalid JSON)', '{"a":1é}'],
  ])('%s', (_name, text) => same(Buffer.from(text, 'utf8')));

  it.each([
    ['U+0100 (its second byte is 0x80)', '{"k":"\u0100\u0100"}'],
    ['runs separated by one ASCII character', '{"k":"\u00e9a\u00e9b\u20ac"}'],
    ['a run across the chunk boundary', '{"k":"' + 'x'.repeat(4090) + '\u00e9\u00e9\u00e9' + '"}'],
  ])('%s', (_name, escapedJson) => same(Buffer.from(JSON.stringify(JSON.parse(escapedJson)).normalize(), 'utf8')));

  it('a stray continuation byte (0x80) and a truncated sequence become U+FFFD, as in a full decode', () => {
    same(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0x80, 0x61, 0xe2, 0x82, 0x22, 0x7d]));
    expect(JSON.parse(jsonTextFromUtf8(Buffer.from([0x5b, 0x22, 0x80, 0x22, 0x5d])))).toEqual(['\ufffd']);
  });

  it('an unterminated string ends the depth scan (JSON.parse refuses it)', () => {
    expect(() => assertJsonDepth('{"a":"[[[[[[', 2, 't')).not.toThrow();
    expect(() => assertJsonDepth('[[[[[["', 2, 't')).toThrow(/deeper than 2/);
  });

  it('closing brackets count down: siblings do not add up', () => {
    expect(() => assertJsonDepth('[[1],[2],[3],{"a":1},{"b":2},[]]', 2, 't')).not.toThrow();
    expect(() => assertJsonDepth('{"a":{},"b":{},"c":{"d":{}}}', 2, 't')).toThrow(/deeper than 2/);
  });

  it('malformed UTF-8 becomes U+FFFD, as in a full decode', () => {
    same(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]));
  });

  it('assertJsonDepth skips brackets inside strings, counts escaped quotes right, and refuses deep nesting', () => {
    expect(() => assertJsonDepth('{"a":"[[[[[[\\"[[[[","b":[1]}', 2, 't')).not.toThrow();
    expect(() => assertJsonDepth('{"a\\\\":[[1]]}', 2, 't')).toThrow(/deeper than 2/);
    expect(() => assertJsonDepth('[[[', 2, 't')).toThrow(/deeper than 2/);
  });
});
