import { isAscii } from 'node:buffer';
import { MdsError } from './MdsError.ts';

/**
 * Refuses JSON nested deeper than `maxDepth` before JSON.parse sees it, so that no later walk over the
 * value can exhaust the stack. One linear pass, string-aware (brackets inside strings do not count); a
 * string is skipped with indexOf to its closing quote, as most of an MDS BLOB is long strings (icons,
 * certificates).
 */
export function assertJsonDepth(text: string, maxDepth: number, what: string): void {
  let depth = 0;
  const n = text.length;
  let i = 0;
  // Stryker disable next-line EqualityOperator: at i = n charCodeAt gives NaN, which counts as nothing
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // to the next quote not escaped by an odd run of backslashes
      let q = text.indexOf('"', i + 1);
      for (;;) {
        // Stryker disable next-line EqualityOperator: q is at least i + 1, never 0
        if (q < 0) return; // unterminated: JSON.parse refuses it
        let k = q - 1;
        while (text.charCodeAt(k) === 0x5c) k--;
        // Stryker disable next-line ArithmeticOperator: q - 1 + k and q + 1 - k have the parity of q - 1 - k
        if ((q - 1 - k) % 2 === 0) break;
        q = text.indexOf('"', q + 1);
      }
      i = q + 1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) throw new MdsError('MDS_TOO_DEEP', `${what} nests deeper than ${maxDepth} levels`);
    } else if (c === 0x7d || c === 0x5d) depth--;
    i++;
  }
}

export function parseJsonLimited(text: string, maxDepth: number, what: string): unknown {
  assertJsonDepth(text, maxDepth, what);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new MdsError('MDS_MALFORMED', `${what} is not JSON: ${(err as Error).message}`);
  }
}

/**
 * UTF-8 JSON bytes (RFC 8259 §8.1) as JSON text for JSON.parse. Outside its strings JSON is ASCII, so every
 * run of non-ASCII bytes is decoded on its own and written as \uXXXX escapes (RFC 8259 §7), which parse to
 * the same characters; the rest is taken as one-byte text. Same value as a full UTF-8 decode (malformed
 * sequences become U+FFFD in both), at a fraction of its cost on the 2 MB BLOB, whose few hundred
 * non-ASCII bytes would otherwise make the whole text a two-byte string.
 */
export function jsonTextFromUtf8(bytes: Buffer): string {
  const n = bytes.length;
  const CHUNK = 4096;
  let out = '';
  let start = 0;
  // whole chunks are tested natively (SIMD); only a chunk with a non-ASCII byte is walked byte by byte
  // Stryker disable next-line EqualityOperator: c <= n adds one empty chunk, which is skipped as ASCII
  for (let c = 0; c < n; c += CHUNK) {
    // Stryker disable next-line MethodExpression: a chunk running to the end of the text is walked just as well
    const end = Math.min(c + CHUNK, n);
    // the skip is only a shortcut: walking a chunk byte by byte gives the same text, so a condition that skips
    // less changes nothing (a chunk that starts inside a run of non-ASCII bytes is never all ASCII)
    // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
    if (c >= start && isAscii(bytes.subarray(c, end))) continue;
    // Stryker disable next-line EqualityOperator: a run starting at end is the next chunk's, found the same one step early
    for (let i = Math.max(c, start); i < end; i++) {
      if (bytes[i]! < 0x80) continue;
      let j = i + 1;
      // Stryker disable next-line EqualityOperator,ConditionalExpression: reading bytes[n] gives undefined, which ends the run the same
      while (j < n && bytes[j]! >= 0x80) j++;
      const decoded = bytes.toString('utf8', i, j);
      let escaped = '';
      for (let k = 0; k < decoded.length; k++) escaped += `\\u${decoded.charCodeAt(k).toString(16).padStart(4, '0')}`;
      out += bytes.toString('latin1', start, i) + escaped;
      start = j;
      i = j - 1;
    }
  }
  return out + bytes.toString('latin1', start, n);
}
