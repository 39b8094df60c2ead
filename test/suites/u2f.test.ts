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

  describe('the rest of each check, with its message', () => {
    const onRegister = (change: (data: Uint8Array) => Uint8Array) =>
      faults({ response: (req, res) => (insOf(req) === U2fInstruction.U2F_REGISTER && swOf(res) === U2fStatusWord.SW_NO_ERROR ? Uint8Array.from([...change(res.subarray(0, res.length - 2)), 0x90, 0x00]) : res) });
    /** byte offsets in a registration: 0x05 (0), public key (1-65), L (66), key handle, certificate (67 + L), signature */
    const certAt = (data: Uint8Array) => 67 + data[66]!;
    const certEnd = (data: Uint8Array) => certAt(data) + 4 + ((data[certAt(data) + 2]! << 8) | data[certAt(data) + 3]!);
    const edited = (data: Uint8Array, at: number, value: number) => {
      const out = Uint8Array.from(data);
      out[at] = value;
      return out;
    };
    const message = async (id: string, options: Parameters<typeof runHidArea>[1]) => {
      const run = await runHidArea('u2f', { ...options, checks: [id] });
      return `${run.status.get(id)} ${run.messages.get(id)}`;
    };

    it('U2F-VER-001 and U2F-REG-001: a status word refused, and each part of the registration that is not what §4.3 says', async () => {
      expect(await message('U2F-VER-001', faults({ response: (req, res) => (insOf(req) === U2fInstruction.U2F_VERSION ? withSw(res, 0x6d00) : res) }))).toMatch(/^fail U2F_VERSION: expected 0x9000\b.*, got 0x6D00\b/i);
      expect(await message('U2F-REG-001', onRegister((d) => edited(d, 1, 0x02)))).toMatch(/^fail making the pool credential "u2f": U2F_REGISTER response does not have the §4\.3 layout: .*uncompressed point$/);
      expect(await message('U2F-REG-001', onRegister((d) => edited(d, 2, d[2]! ^ 0xff)))).toMatch(/^fail user public key is not a point on P-256: /);
      expect(await message('U2F-REG-001', onRegister((d) => edited(d, certAt(d) + 4, 0x31)))).toMatch(/^fail the attestation certificate is not an X\.509 certificate: /);
      expect(await message('U2F-REG-001', onRegister((d) => edited(d, certEnd(d), 0x31)))).toMatch(/^fail signature is not a DER ECDSA signature \(31[0-9a-f]{6}…, \d+ bytes\)$/);
      expect(await message('U2F-REG-001', onRegister((d) => d.subarray(0, certEnd(d) + 4)))).toMatch(/^fail signature is not a DER ECDSA signature \(30[0-9a-f]{6}…, 4 bytes\)$/);
      expect(await message('U2F-REG-001', onRegister((d) => edited(d, 0, 0x04)))).toMatch(/^fail making the pool credential "u2f": U2F_REGISTER response does not have the §4\.3 layout: .*missing reserved byte 0x05$/);
      // a key handle of length 0: the certificate follows the length byte
      expect(await message('U2F-REG-001', onRegister((d) => Uint8Array.from([...d.subarray(0, 66), 0, ...d.subarray(certAt(d))])))).toBe('fail the key handle is empty (length byte 0)');
      expect(await message('U2F-REG-001', onRegister((d) => d.subarray(0, 60)))).toMatch(/^fail making the pool credential "u2f": U2F_REGISTER response does not have the §4\.3 layout: /);
      expect(await message('U2F-REG-002', faults({ response: (req, res) => (insOf(req) === U2fInstruction.U2F_REGISTER ? withSw(res, U2fStatusWord.SW_WRONG_DATA) : res) }))).toMatch(
        /^fail making the pool credential "u2f": U2F_REGISTER: expected 0x9000\b.*, got 0x6A80\b/i,
      );
      const clean = await runHidArea('u2f', { checks: ['U2F-REG-001', 'U2F-AUTH-003', 'U2F-AUTH-005', 'U2F-INTEROP-001'] });
      expect(clean.messages.get('U2F-REG-001')).toMatch(/^key handle \d+ bytes, certificate \d+ bytes, signature \d+ bytes$/);
      expect(clean.messages.get('U2F-AUTH-003')).toMatch(/^counter [1-9]\d*$/);
      // dont-enforce: no touch asked, the presence bit clear
      expect(clean.messages.get('U2F-AUTH-005')).toBe('user presence byte 0x00');
      expect(clean.messages.get('U2F-INTEROP-001')).toMatch(/^signCount [1-9]\d*$/);
    });

    it('U2F-AUTH-*: data where none belongs, presence not claimed, a response too short, a counter that stays', async () => {
      const authenticate = (control: number, sw: number, change: (res: Uint8Array) => Uint8Array) =>
        faults({ response: (req, res) => (insOf(req) === U2fInstruction.U2F_AUTHENTICATE && p1Of(req) === control && swOf(res) === sw ? change(res) : res) });
      const withData = (res: Uint8Array) => Uint8Array.from([1, 2, 3, ...res]);
      expect(await message('U2F-AUTH-001', authenticate(U2fControl.CHECK_ONLY, U2fStatusWord.SW_CONDITIONS_NOT_SATISFIED, withData))).toBe('fail check-only answered 3 data bytes; it signs nothing');
      expect(await message('U2F-AUTH-006', authenticate(U2fControl.ENFORCE_USER_PRESENCE_AND_SIGN, U2fStatusWord.SW_WRONG_DATA, withData))).toBe('fail a refused authentication returned 3 data bytes');
      const noPresence = authenticate(U2fControl.ENFORCE_USER_PRESENCE_AND_SIGN, U2fStatusWord.SW_NO_ERROR, (res) => {
        const out = Uint8Array.from(res);
        out[0] = 0x00;
        return out;
      });
      expect(await message('U2F-AUTH-003', noPresence)).toBe('fail user presence byte 0x0 has bit 0 clear after an enforced touch');
      const short = authenticate(U2fControl.ENFORCE_USER_PRESENCE_AND_SIGN, U2fStatusWord.SW_NO_ERROR, (res) => Uint8Array.from([...res.subarray(0, 10), 0x90, 0x00]));
      expect(await message('U2F-AUTH-003', short)).toBe('fail U2F_AUTHENTICATE response of 10 bytes is too short for §5.4');
      expect(await message('U2F-AUTH-004', { quirks: ['counter-stuck'] })).toMatch(/^fail the counter did not increase: (\d+) then \1$/);
      const refused = authenticate(U2fControl.DONT_ENFORCE_USER_PRESENCE_AND_SIGN, U2fStatusWord.SW_NO_ERROR, (res) => withSw(res.subarray(res.length - 2), U2fStatusWord.SW_WRONG_DATA));
      expect(await message('U2F-AUTH-004', refused)).toMatch(/^fail authentication 1: expected 0x9000\b.*, got 0x6A80\b/i);
      expect(await message('U2F-AUTH-004', {})).toMatch(/^pass counters (\d+), (\d+)$/);
      expect(await message('U2F-AUTH-005', authenticate(U2fControl.DONT_ENFORCE_USER_PRESENCE_AND_SIGN, U2fStatusWord.SW_NO_ERROR, (res) => withSw(res.subarray(res.length - 2), U2fStatusWord.SW_WRONG_DATA)))).toMatch(
        /^fail dont-enforce-user-presence-and-sign: expected 0x9000\b.*, got 0x6A80\b/i,
      );
    });

    it('U2F-APDU-001: an AUTHENTICATE whose key handle length exceeds the data must be refused with SW_WRONG_LENGTH too', async () => {
      const lax = faults({ response: (req, res) => (insOf(req) === U2fInstruction.U2F_AUTHENTICATE && swOf(res) === U2fStatusWord.SW_WRONG_LENGTH ? withSw(res, U2fStatusWord.SW_WRONG_DATA) : res) });
      expect(await message('U2F-APDU-001', lax)).toMatch(/^fail U2F_AUTHENTICATE whose key handle length byte exceeds the data: expected 0x6700\b.*, got 0x6A80\b/i);
    });
  });
});
