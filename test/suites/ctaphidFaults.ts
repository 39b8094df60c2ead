import { expect } from 'vitest';
import { BROADCAST_CID, CtaphidCommand, encodeFrames } from '../../harness/protocol/index.ts';
import type { PacketFaults } from './hidFaults.ts';
import { runHidArea } from './runHidArea.ts';

/** Test helpers of the ctaphid suite's tests: packet rewrites and the expected failures. */
export const cidOf = (r: Uint8Array) => new DataView(r.buffer, r.byteOffset, 4).getUint32(0);
export const isInit = (r: Uint8Array, cmd: number) => (r[4]! & 0x80) !== 0 && (r[4]! & 0x7f) === cmd;

/** Rewrites device->host initialization packets of one command. */
export function rewriteAnswers(cmd: number, edit: (r: Uint8Array) => void): PacketFaults {
  return {
    toHost: (r) => {
      if (isInit(r, cmd)) edit(r);
      return [r];
    },
  };
}

type Text = string | RegExp;
/** a failure's message, and the evidence's expected and actual when given (undefined: the check gives none) */
export interface Failure {
  message: Text;
  expected?: Text | undefined;
  actual?: Text | undefined;
}

const expectText = (value: string | undefined, want: Text | undefined, label: string) => {
  if (want === undefined || typeof want === 'string') expect.soft(value, label).toBe(want);
  else expect.soft(value, label).toMatch(want);
};

/**
 * Runs the checks named and expects each to fail with its message (a string: exactly; a RegExp: matching),
 * and, given a Failure, with the evidence's expected and actual as well.
 */
export async function expectFails(messages: Record<string, Text | Failure>, options: Parameters<typeof runHidArea>[1]) {
  const ids = Object.keys(messages);
  const run = await runHidArea('ctaphid', { ...options, checks: ids });
  for (const id of ids) {
    expect.soft(run.status.get(id), `${id}: ${run.messages.get(id)}`).toBe('fail');
    const m = messages[id]!;
    if (typeof m === 'string' || m instanceof RegExp) {
      expectText(run.messages.get(id), m, id);
      continue;
    }
    expectText(run.messages.get(id), m.message, id);
    expectText(run.evidence.get(id)?.expected, m.expected, `${id} expected`);
    expectText(run.evidence.get(id)?.actual, m.actual, `${id} actual`);
  }
  return run;
}

/** A CTAPHID error the device answered ERR_OTHER instead of the one the spec names (CTAP 2.1 §11.2.9.1.6). */
export const otherInstead = (what: string, expected: string) => `${what}: expected CTAPHID_ERROR ${expected}, got CTAPHID_ERROR ERR_OTHER`;

/**
 * INIT on an allocated channel answered in the device's place and kept from it (§11.2.9.1.3): the device
 * goes on with whatever it was doing there. The answer echoes the nonce (`nonceOf` may alter it), and
 * `after(cid)` is sent to the host right behind it.
 */
export function initAnsweredInstead(nonceOf = (r: Uint8Array) => r.subarray(7, 15), after: (cid: number) => Uint8Array[] = () => []): PacketFaults {
  return {
    toDevice: (r, answer) => {
      if (!isInit(r, CtaphidCommand.INIT) || cidOf(r) === BROADCAST_CID) return [r];
      const body = new Uint8Array(17);
      body.set(nonceOf(r), 0);
      new DataView(body.buffer).setUint32(8, cidOf(r));
      body[12] = 2;
      answer(encodeFrames(cidOf(r), CtaphidCommand.INIT, body)[0]!);
      for (const x of after(cidOf(r))) answer(x);
      return [];
    },
  };
}
