import { MdsError } from './MdsError.ts';

/**
 * Refuses JSON nested deeper than `maxDepth` before JSON.parse sees it, so that no later walk over the
 * value can exhaust the stack. One linear scan, string-aware (brackets inside strings do not count).
 */
export function assertJsonDepth(text: string, maxDepth: number, what: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) throw new MdsError('MDS_TOO_DEEP', `${what} nests deeper than ${maxDepth} levels`);
    } else if (c === 0x7d || c === 0x5d) depth--;
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
