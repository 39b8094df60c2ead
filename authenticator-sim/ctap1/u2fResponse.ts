import { U2fStatusWord } from '../../harness/protocol/index.ts';

/**
 * ISO 7816 "no precise diagnosis": answered for an internal failure, which U2F raw message formats §3.3
 * does not cover.
 */
export const SW_NO_PRECISE_DIAGNOSIS = 0x6f00;

/** A U2F response message: data followed by the two-byte status word (U2F raw message formats §3.2). */
export function u2fResponse(statusWord: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data, 0);
  out[data.length] = statusWord >> 8;
  out[data.length + 1] = statusWord & 0xff;
  return out;
}

export const u2fOk = (data: Uint8Array): Uint8Array => u2fResponse(U2fStatusWord.SW_NO_ERROR, data);
