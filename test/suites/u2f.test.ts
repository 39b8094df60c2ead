import { describe, expect, it } from 'vitest';
import { U2fControl, U2fInstruction, U2fStatusWord } from '../../harness/protocol/index.ts';
import { u2fChecks } from '../../harness/suites/u2f/u2fChecks.ts';
import { messageFaults, type MessageFaults } from './hidFaults.ts';
import { runHidArea } from './runHidArea.ts';

const swOf = (res: Uint8Array) => (res[res.length - 2]! << 8) | res[res.length - 1]!;
const withSw = (res: Uint8Array, sw: number) => {
  const out = Uint8Array.from(res);
  out[out.length - 2] = sw >> 8;
  out[out.length - 1] = sw & 0xff;
  return out;
};
// request APDU (extended length): CLA INS P1 P2 00 Lc Lc data…
const insOf = (apdu: Uint8Array) => apdu[1];
const p1Of = (apdu: Uint8Array) => apdu[2];

async function expectFails(ids: string[], options: Parameters<typeof runHidArea>[1]) {
  const run = await runHidArea('u2f', { ...options, checks: ids });
  for (const id of ids) expect.soft(run.status.get(id), `${id}: ${run.messages.get(id)}`).toBe('fail');
  return run;
}

const faults = (f: MessageFaults) => ({ faults: messageFaults(f) });

describe('u2f suite', () => {
  it('has stable, unique ids, each with a spec reference', () => {
    const ids = u2fChecks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of u2fChecks) {
      expect(c.id).toMatch(/^U2F-[A-Z]+-\d{3}$/);
      expect(c.specRef).toMatch(/U2F|CTAP 2\.1/);
    }
  });

  it('passes every check against the clean simulator, also with the message re-framing of the fault layer in between', async () => {
    const run = await runHidArea('u2f');
    expect(run.notPassing).toEqual([]);
    expect(run.status.size).toBe(u2fChecks.length);
    // the fault layer itself changes nothing when it has no faults
    expect((await runHidArea('u2f', faults({}))).notPassing).toEqual([]);
  });

  it('skips with a reason without CTAPHID', async () => {
    const run = await runHidArea('u2f', { withoutHid: true, checks: ['U2F-VER-001'] });
    expect(run.status.get('U2F-VER-001')).toBe('skip');
    expect(run.messages.get('U2F-VER-001')).toMatch(/CTAPHID/);
  });

  it('simulator quirks: counter-stuck, bad-assertion-signature, bad-attestation-signature, wrong-rpid-hash', async () => {
    await expectFails(['U2F-AUTH-004'], { quirks: ['counter-stuck'] });
    await expectFails(['U2F-AUTH-003', 'U2F-AUTH-005', 'U2F-INTEROP-001'], { quirks: ['bad-assertion-signature'] });
    await expectFails(['U2F-REG-002'], { quirks: ['bad-attestation-signature'] });
    const run = await expectFails(['U2F-INTEROP-001'], { quirks: ['wrong-rpid-hash'] });
    expect(run.messages.get('U2F-INTEROP-001')).toMatch(/rpIdHash/);
  });

  it('a wrong VERSION string and a REGISTER answer without the 0x05 byte fail VER-001 and REG-001', async () => {
    await expectFails(['U2F-VER-001', 'U2F-REG-001'], faults({
      response: (req, res) => {
        if (insOf(req) === U2fInstruction.U2F_VERSION) return Uint8Array.from([...Buffer.from('U2F_V3'), 0x90, 0x00]);
        if (insOf(req) === U2fInstruction.U2F_REGISTER && swOf(res) === U2fStatusWord.SW_NO_ERROR) {
          const out = Uint8Array.from(res);
          out[0] = 0x04;
          return out;
        }
        return res;
      },
    }));
  });

  it('status words blurred to 0x6F00 (and check-only answering 0x9000) fail the status-word checks', async () => {
    const blurred = new Set<number>([U2fStatusWord.SW_WRONG_DATA, U2fStatusWord.SW_WRONG_LENGTH, U2fStatusWord.SW_INS_NOT_SUPPORTED, U2fStatusWord.SW_CLA_NOT_SUPPORTED]);
    await expectFails(['U2F-AUTH-001', 'U2F-AUTH-002', 'U2F-AUTH-006', 'U2F-AUTH-007', 'U2F-APDU-001', 'U2F-APDU-002', 'U2F-APDU-003'], faults({
      response: (req, res) => {
        if (insOf(req) === U2fInstruction.U2F_AUTHENTICATE && p1Of(req) === U2fControl.CHECK_ONLY && swOf(res) === U2fStatusWord.SW_CONDITIONS_NOT_SATISFIED) {
          return withSw(res, U2fStatusWord.SW_NO_ERROR);
        }
        return blurred.has(swOf(res)) ? withSw(res, 0x6f00) : res;
      },
    }));
  });

  it('a token that ignores the application parameter fails AUTH-007 only (foreign key handles are still refused)', async () => {
    let registered: Uint8Array | undefined;
    const run = await runHidArea('u2f', {
      checks: ['U2F-AUTH-002', 'U2F-AUTH-006', 'U2F-AUTH-007'],
      ...faults({
        request: (apdu) => {
          // data starts at 7 (extended length): REGISTER challenge||app, AUTHENTICATE challenge||app||L||kh
          if (insOf(apdu) === U2fInstruction.U2F_REGISTER) registered = apdu.slice(7 + 32, 7 + 64);
          if (insOf(apdu) === U2fInstruction.U2F_AUTHENTICATE && registered) {
            const out = Uint8Array.from(apdu);
            out.set(registered, 7 + 32);
            return out;
          }
          return apdu;
        },
      }),
    });
    expect(run.status.get('U2F-AUTH-007')).toBe('fail');
    expect(run.status.get('U2F-AUTH-002')).toBe('pass');
    expect(run.status.get('U2F-AUTH-006')).toBe('pass');
  });
});
