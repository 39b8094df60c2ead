import { describe, expect, it } from 'vitest';
import { createHash, webcrypto } from 'node:crypto';
import { afterEach, vi } from 'vitest';
import { DEFAULT_FEATURES } from '../../authenticator-sim/profile/SimFeatures.ts';
import { createTestCertificate } from '../../mds/testCertificates.ts';
import { CtapVersion, decodeCbor, encodeCanonicalCbor, U2fControl, U2fInstruction, U2fStatusWord, type CborMap } from '../../harness/protocol/index.ts';
import type { SuiteContext } from '../../harness/suites/SuiteContext.ts';
import { needsU2f, POOL_U2F_RP_ID, u2fAuthenticate } from '../../harness/suites/u2f/u2fOps.ts';
import { PresenceWaits, type PresenceWait } from '../../harness/transport/index.ts';
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
/** Changes an AUTHENTICATE answer with control byte `control` and status word `sw`. */
const onControl = (control: number, sw: number, change: (res: Uint8Array) => Uint8Array) =>
  faults({ response: (req, res) => (insOf(req) === U2fInstruction.U2F_AUTHENTICATE && p1Of(req) === control && swOf(res) === sw ? change(res) : res) });
/** Changes the data of a successful U2F_REGISTER answer. */
const onRegister = (change: (data: Uint8Array) => Uint8Array) =>
  faults({ response: (req, res) => (insOf(req) === U2fInstruction.U2F_REGISTER && swOf(res) === U2fStatusWord.SW_NO_ERROR ? Uint8Array.from([...change(res.subarray(0, res.length - 2)), 0x90, 0x00]) : res) });
/** byte offsets in a registration: 0x05 (0), public key (1-65), L (66), key handle, certificate (67 + L), signature */
const certAt = (data: Uint8Array) => 67 + data[66]!;
const certEnd = (data: Uint8Array) => certAt(data) + 4 + ((data[certAt(data) + 2]! << 8) | data[certAt(data) + 3]!);

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
    expect(run.messages.get('U2F-VER-001')).toBe('the device is reached neither over CTAPHID nor NFC (U2F messages travel in CTAPHID_MSG or as APDUs)');
  });

  it('skips every check with the reason on a key whose getInfo versions lack U2F_V2 (CTAP 2.1 §6.4)', async () => {
    const run = await runHidArea('u2f', { sim: { features: { ...DEFAULT_FEATURES, versions: DEFAULT_FEATURES.versions.filter((v) => v !== CtapVersion.U2F_V2) } } });
    expect(run.status.size).toBe(u2fChecks.length);
    for (const id of run.status.keys()) expect(`${id} ${run.status.get(id)}: ${run.messages.get(id)}`).toBe(`${id} skip: getInfo versions do not include U2F_V2`);
  });

  it('counts the touches: the pooled registration (REG-001, where first used) and the enforced authentication (AUTH-003), each polled until touched', async () => {
    const run = await runHidArea('u2f');
    expect(Object.fromEntries(run.touches)).toEqual({
      ...Object.fromEntries(u2fChecks.map((c) => [c.id, 0])),
      'U2F-REG-001': 1,
      'U2F-AUTH-003': 1,
    });
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
      const withData = (res: Uint8Array) => Uint8Array.from([1, 2, 3, ...res]);
      expect(await message('U2F-AUTH-001', onControl(U2fControl.CHECK_ONLY, U2fStatusWord.SW_CONDITIONS_NOT_SATISFIED, withData))).toBe('fail check-only answered 3 data bytes; it signs nothing');
      expect(await message('U2F-AUTH-006', onControl(U2fControl.ENFORCE_USER_PRESENCE_AND_SIGN, U2fStatusWord.SW_WRONG_DATA, withData))).toBe('fail a refused authentication returned 3 data bytes');
      const noPresence = onControl(U2fControl.ENFORCE_USER_PRESENCE_AND_SIGN, U2fStatusWord.SW_NO_ERROR, (res) => {
        const out = Uint8Array.from(res);
        out[0] = 0x00;
        return out;
      });
      expect(await message('U2F-AUTH-003', noPresence)).toBe('fail user presence byte 0x0 has bit 0 clear after an enforced touch');
      const short = onControl(U2fControl.ENFORCE_USER_PRESENCE_AND_SIGN, U2fStatusWord.SW_NO_ERROR, (res) => Uint8Array.from([...res.subarray(0, 10), 0x90, 0x00]));
      expect(await message('U2F-AUTH-003', short)).toBe('fail U2F_AUTHENTICATE response of 10 bytes is too short for §5.4');
      expect(await message('U2F-AUTH-004', { quirks: ['counter-stuck'] })).toMatch(/^fail the counter did not increase: (\d+) then \1$/);
      const refused = onControl(U2fControl.DONT_ENFORCE_USER_PRESENCE_AND_SIGN, U2fStatusWord.SW_NO_ERROR, (res) => withSw(res.subarray(res.length - 2), U2fStatusWord.SW_WRONG_DATA));
      expect(await message('U2F-AUTH-004', refused)).toMatch(/^fail authentication 1: expected 0x9000\b.*, got 0x6A80\b/i);
      expect(await message('U2F-AUTH-004', {})).toMatch(/^pass counters (\d+), (\d+)$/);
      expect(await message('U2F-AUTH-005', onControl(U2fControl.DONT_ENFORCE_USER_PRESENCE_AND_SIGN, U2fStatusWord.SW_NO_ERROR, (res) => withSw(res.subarray(res.length - 2), U2fStatusWord.SW_WRONG_DATA)))).toMatch(
        /^fail dont-enforce-user-presence-and-sign: expected 0x9000\b.*, got 0x6A80\b/i,
      );
    });

    it('U2F-APDU-001: an AUTHENTICATE whose key handle length exceeds the data must be refused with SW_WRONG_LENGTH too', async () => {
      const lax = faults({ response: (req, res) => (insOf(req) === U2fInstruction.U2F_AUTHENTICATE && swOf(res) === U2fStatusWord.SW_WRONG_LENGTH ? withSw(res, U2fStatusWord.SW_WRONG_DATA) : res) });
      expect(await message('U2F-APDU-001', lax)).toMatch(/^fail U2F_AUTHENTICATE whose key handle length byte exceeds the data: expected 0x6700\b.*, got 0x6A80\b/i);
    });
  });

  describe('what the checks say, send and count', () => {
    const only = async (id: string, options: Parameters<typeof runHidArea>[1]) => {
      const run = await runHidArea('u2f', { ...options, checks: [id] });
      return { status: run.status.get(id), message: run.messages.get(id), evidence: run.evidence.get(id) };
    };
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    afterEach(() => vi.restoreAllMocks());

    it('status words are named in the message and the evidence; one U2F does not name shows its four hex digits alone', async () => {
      const version = (sw: number) => faults({ response: (req, res) => (insOf(req) === U2fInstruction.U2F_VERSION ? withSw(res, sw) : res) });
      expect(await only('U2F-VER-001', version(U2fStatusWord.SW_INS_NOT_SUPPORTED))).toEqual({
        status: 'fail',
        message: 'U2F_VERSION: expected 0x9000 SW_NO_ERROR, got 0x6d00 SW_INS_NOT_SUPPORTED',
        evidence: expect.objectContaining({ expected: '0x9000 SW_NO_ERROR', actual: '0x6d00 SW_INS_NOT_SUPPORTED' }),
      });
      expect((await only('U2F-VER-001', version(0x0f00))).message).toBe('U2F_VERSION: expected 0x9000 SW_NO_ERROR, got 0x0f00');
      const v3 = await only('U2F-VER-001', faults({ response: (req, res) => (insOf(req) === U2fInstruction.U2F_VERSION ? Uint8Array.from([...Buffer.from('U2F_V3'), 0x90, 0x00]) : res) }));
      expect(v3).toMatchObject({ status: 'fail', message: 'U2F_VERSION answered "U2F_V3"', evidence: { expected: 'U2F_V2', actual: 'U2F_V3' } });
    });

    it('each status-word check names the request that was answered wrongly', async () => {
      const blurred = new Set<number>([U2fStatusWord.SW_WRONG_DATA, U2fStatusWord.SW_WRONG_LENGTH, U2fStatusWord.SW_INS_NOT_SUPPORTED, U2fStatusWord.SW_CLA_NOT_SUPPORTED]);
      const ids = ['U2F-AUTH-001', 'U2F-AUTH-002', 'U2F-AUTH-006', 'U2F-AUTH-007', 'U2F-APDU-001', 'U2F-APDU-002', 'U2F-APDU-003'];
      const run = await runHidArea('u2f', {
        checks: ids,
        ...faults({
          response: (req, res) => {
            if (insOf(req) === U2fInstruction.U2F_AUTHENTICATE && p1Of(req) === U2fControl.CHECK_ONLY && swOf(res) === U2fStatusWord.SW_CONDITIONS_NOT_SATISFIED) return withSw(res, U2fStatusWord.SW_NO_ERROR);
            return blurred.has(swOf(res)) ? withSw(res, 0x6f00) : res;
          },
        }),
      });
      expect(Object.fromEntries(ids.map((id) => [id, `${run.status.get(id)}: ${run.messages.get(id)}`]))).toEqual({
        'U2F-AUTH-001': 'fail: check-only with a valid key handle: expected 0x6985 SW_CONDITIONS_NOT_SATISFIED, got 0x9000 SW_NO_ERROR',
        'U2F-AUTH-002': 'fail: check-only with a foreign key handle: expected 0x6a80 SW_WRONG_DATA, got 0x6f00',
        'U2F-AUTH-006': 'fail: enforce with a foreign key handle: expected 0x6a80 SW_WRONG_DATA, got 0x6f00',
        'U2F-AUTH-007': 'fail: check-only with another application parameter: expected 0x6a80 SW_WRONG_DATA, got 0x6f00',
        'U2F-APDU-001': 'fail: U2F_REGISTER with 63 bytes of data: expected 0x6700 SW_WRONG_LENGTH, got 0x6f00',
        'U2F-APDU-002': 'fail: INS 0x35: expected 0x6d00 SW_INS_NOT_SUPPORTED, got 0x6f00',
        'U2F-APDU-003': 'fail: CLA 0x80: expected 0x6e00 SW_CLA_NOT_SUPPORTED, got 0x6f00',
      });
      // enforce with another application parameter: refused by check-only, signed by enforce
      const enforceLax = onControl(U2fControl.ENFORCE_USER_PRESENCE_AND_SIGN, U2fStatusWord.SW_WRONG_DATA, (res) => withSw(res, 0x6f00));
      expect((await only('U2F-AUTH-007', enforceLax)).message).toBe('enforce with another application parameter: expected 0x6a80 SW_WRONG_DATA, got 0x6f00');
      const enforceRefused = onControl(U2fControl.ENFORCE_USER_PRESENCE_AND_SIGN, U2fStatusWord.SW_NO_ERROR, (res) => withSw(res.subarray(res.length - 2), U2fStatusWord.SW_WRONG_DATA));
      expect((await only('U2F-AUTH-003', enforceRefused)).message).toBe('enforce-user-presence-and-sign: expected 0x9000 SW_NO_ERROR, got 0x6a80 SW_WRONG_DATA');
    });

    it('signatures that do not verify are named, with the signature as evidence; a counter that stays shows both values', async () => {
      const assertion = await runHidArea('u2f', { quirks: ['bad-assertion-signature'], checks: ['U2F-AUTH-003', 'U2F-AUTH-005', 'U2F-INTEROP-001'] });
      expect(Object.fromEntries([...assertion.messages])).toEqual({
        'U2F-AUTH-003': 'the authentication signature does not verify with the registered public key',
        'U2F-AUTH-005': 'the dont-enforce signature does not verify with the registered public key',
        'U2F-INTEROP-001': 'the CTAP2 assertion signature does not verify with the U2F public key',
      });
      for (const id of assertion.evidence.keys()) expect(assertion.evidence.get(id), id).toMatchObject({ actual: expect.stringMatching(/^30[0-9a-f]{12,}$/) });
      const attestation = await only('U2F-REG-002', { quirks: ['bad-attestation-signature'] });
      expect(attestation).toMatchObject({ status: 'fail', message: 'the registration signature does not verify with the attestation certificate', evidence: { actual: expect.stringMatching(/^30[0-9a-f]{12,}$/) } });
      const rpId = await only('U2F-INTEROP-001', { quirks: ['wrong-rpid-hash'] });
      const application = createHash('sha256').update(POOL_U2F_RP_ID).digest('hex');
      expect(rpId).toMatchObject({ message: 'authenticatorData rpIdHash is not the U2F application parameter', evidence: { expected: application, actual: expect.stringMatching(/^[0-9a-f]{64}$/) } });
      expect(rpId.evidence!.actual).not.toBe(application);
      const stuck = await only('U2F-AUTH-004', { quirks: ['counter-stuck'] });
      const n = /^the counter did not increase: (\d+) then \1$/.exec(stuck.message!)![1];
      expect(stuck.evidence).toMatchObject({ expected: `> ${n}`, actual: n });
    });

    it('a registration that breaks §4.3 shows its first 80 bytes; one with the shortest DER signature (8 bytes) has the layout', async () => {
      const reserved = await only('U2F-REG-001', onRegister((d) => Uint8Array.from([0x04, ...d.subarray(1)])));
      expect(reserved.evidence!.actual).toMatch(/^04[0-9a-f]{158}$/);
      // r = 1, s = 1: a DER ECDSA signature of 8 bytes is a signature by its layout; REG-002 verifies it
      const shortest = onRegister((d) => Uint8Array.from([...d.subarray(0, certEnd(d)), 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]));
      expect(await only('U2F-REG-001', shortest)).toMatchObject({ status: 'pass', message: expect.stringMatching(/^key handle 64 bytes, certificate \d+ bytes, signature 8 bytes$/) });
      expect((await only('U2F-REG-002', shortest)).message).toBe('the registration signature does not verify with the attestation certificate');
    });

    it('an attestation certificate with an Ed25519 key fails REG-001 (not EC) and REG-002 (its signature cannot be an ES256 one)', async () => {
      const now = Date.now();
      const root = await createTestCertificate({ subject: 'CN=U2F test root', serialNumber: '01', notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 86_400_000), ca: true });
      const keys = (await webcrypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
      const leaf = await createTestCertificate({ subject: 'CN=U2F Ed25519 attestation', issuer: root, keys, serialNumber: '02', notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 86_400_000), ca: false });
      const der = new Uint8Array(leaf.cert.rawData);
      const ed25519 = onRegister((d) => Uint8Array.from([...d.subarray(0, certAt(d)), ...der, ...d.subarray(certEnd(d))]));
      expect(await only('U2F-REG-001', ed25519)).toMatchObject({ status: 'fail', message: 'attestation certificate key is ed25519, not EC' });
      expect(await only('U2F-REG-002', ed25519)).toMatchObject({ status: 'fail', message: 'the registration signature does not verify with the attestation certificate' });
    });

    it('an AUTHENTICATE response of 13 bytes (the shortest §5.4 allows) is parsed and its signature checked', async () => {
      const cut = onControl(U2fControl.ENFORCE_USER_PRESENCE_AND_SIGN, U2fStatusWord.SW_NO_ERROR, (res) => Uint8Array.from([...res.subarray(0, 13), 0x90, 0x00]));
      expect((await only('U2F-AUTH-003', cut)).message).toBe('the authentication signature does not verify with the registered public key');
    });

    it('sends foreign key handles of 64 bytes, and a key handle length one byte past the data for APDU-001', async () => {
      const sent: Uint8Array[] = [];
      const record = faults({ request: (apdu) => (sent.push(apdu), apdu) });
      const run = await runHidArea('u2f', { checks: ['U2F-AUTH-002', 'U2F-AUTH-006', 'U2F-APDU-001'], ...record });
      expect(run.notPassing).toEqual([]);
      // extended length: CLA INS P1 P2 00 Lc1 Lc2 data…; AUTHENTICATE data: challenge (32) || application (32) || L || key handle
      const authenticate = sent.filter((a) => insOf(a) === U2fInstruction.U2F_AUTHENTICATE).map((a) => ({ p1: p1Of(a), data: a.subarray(7, 7 + ((a[5]! << 8) | a[6]!)) }));
      expect(authenticate.map(({ p1, data }) => `${p1} L=${data[64]} of ${data.length - 65}`)).toEqual([
        `${U2fControl.CHECK_ONLY} L=64 of 64`, // AUTH-002: a foreign key handle
        `${U2fControl.ENFORCE_USER_PRESENCE_AND_SIGN} L=64 of 64`, // AUTH-006
        `${U2fControl.CHECK_ONLY} L=65 of 64`, // APDU-001: says one byte more than is there
      ]);
      expect(hex(authenticate[0]!.data.subarray(65))).not.toBe(hex(authenticate[1]!.data.subarray(65)));
    });

    describe('a key that answers SW_CONDITIONS_NOT_SATISFIED until touched (§4.1, §5.1): polled every 200 ms', () => {
      /** presence refused twice, then given, for every U2F request that asks */
      const touchOnThirdTry = () => {
        let asked = 0;
        return { userPresence: { request: async (req: { reason: string }) => (req.reason === 'u2f' && asked++ % 3 < 2 ? ('timeout' as const) : ('approved' as const)) } };
      };
      /** CTAPHID KEEPALIVE (0xBB) packets dropped: the key never says UPNEEDED, as a U2F-only token */
      const noKeepalive = { toHost: (report: Uint8Array) => (report[4] === 0xbb ? [] : [report]) };
      const checks = ['U2F-REG-001', 'U2F-AUTH-003'];

      it('a touch per registration and per enforced authentication, counted once, with or without KEEPALIVE UPNEEDED', async () => {
        for (const faults of [undefined, noKeepalive]) {
          const run = await runHidArea('u2f', { checks, sim: touchOnThirdTry(), ...(faults ? { faults } : {}) });
          expect(run.notPassing).toEqual([]);
          expect(Object.fromEntries(run.touches)).toEqual({ 'U2F-REG-001': 1, 'U2F-AUTH-003': 1 });
        }
      });

      it('a key that answers at once, never asking (no KEEPALIVE, no 0x6985), costs no counted touch', async () => {
        const run = await runHidArea('u2f', { faults: noKeepalive });
        expect(run.notPassing).toEqual([]);
        expect([...run.touches.values()].every((n) => n === 0)).toBe(true);
      });

      it('gives up after 30 s without a touch, with the status word', async () => {
        const start = Date.now();
        let late = 0;
        const realNow = Date.now.bind(Date);
        vi.spyOn(Date, 'now').mockImplementation(() => realNow() + late);
        // the first refusal reaches the host 31 s "later": no retry
        const never = { userPresence: { request: async () => 'timeout' as const } };
        const later = faults({ response: (req, res) => ((late = insOf(req) === U2fInstruction.U2F_REGISTER ? 31_000 : late), res) });
        const r = await only('U2F-REG-001', { sim: never, ...later });
        expect(r).toMatchObject({ status: 'fail', message: 'making the pool credential "u2f": U2F_REGISTER: expected 0x9000 SW_NO_ERROR, got 0x6985 SW_CONDITIONS_NOT_SATISFIED' });
        expect(realNow() - start).toBeLessThan(15_000);
      });
    });

    describe('U2F-INTEROP-001: the CTAP2 assertion of the U2F credential', () => {
      /** changes the CTAP2 getAssertion (0x02) answer: status, or the decoded response map */
      const onAssertion = (change: (status: number, body: CborMap | undefined) => [number, CborMap | undefined]) =>
        faults({
          cborResponse: (command, res) => {
            if (command !== 0x02) return res;
            const [status, body] = change(res[0]!, res.length > 1 ? (decodeCbor(res.subarray(1)).value as CborMap) : undefined);
            return Uint8Array.from([status, ...(body ? encodeCanonicalCbor(body) : [])]);
          },
        });
      const edit = (f: (body: CborMap) => void) => onAssertion((status, body) => (body && f(body), [status, body]));

      it('a CTAP status instead of an assertion fails with the status', async () => {
        expect(await only('U2F-INTEROP-001', onAssertion(() => [0x2e, undefined]))).toMatchObject({
          status: 'fail',
          message: 'getAssertion with the U2F key handle answered 0x2e CTAP2_ERR_NO_CREDENTIALS',
          evidence: { expected: '0x00 CTAP2_OK', actual: '0x2e CTAP2_ERR_NO_CREDENTIALS' },
        });
      });

      it('an assertion naming another credential than the key handle fails', async () => {
        const other = new Uint8Array(64).fill(7);
        const r = await only('U2F-INTEROP-001', edit((b) => b.set(0x01, new Map<string, unknown>([['id', other], ['type', 'public-key']]) as never)));
        expect(r).toMatchObject({ status: 'fail', message: 'the assertion names another credential than the U2F key handle', evidence: { expected: expect.stringMatching(/^[0-9a-f]{128}$/), actual: hex(other) } });
      });

      it('the UP flag set in an assertion asked for with up false fails', async () => {
        const up = edit((b) => {
          const authData = Uint8Array.from(b.get(0x02) as Uint8Array);
          authData[32] = authData[32]! | 0x01;
          b.set(0x02, authData);
        });
        expect(await only('U2F-INTEROP-001', up)).toMatchObject({ status: 'fail', message: 'UP flag set in an assertion asked for with up false (CTAP 2.1 §6.2.2 step 11)' });
      });
    });
  });

  describe('u2fOps', () => {
    const ctxOf = (device: Record<string, unknown>, versions = ['U2F_V2', 'FIDO_2_0']) => ({ device, info: { versions } }) as unknown as SuiteContext;

    it('needsU2f: U2F needs CTAP1 reached over CTAPHID or NFC, and U2F_V2 in getInfo versions', () => {
      const neither = 'the device is reached neither over CTAPHID nor NFC (U2F messages travel in CTAPHID_MSG or as APDUs)';
      expect(needsU2f(ctxOf({ ctap1: {} }))).toBe(neither);
      expect(needsU2f(ctxOf({ hid: {} }))).toBe(neither);
      expect(needsU2f(ctxOf({ nfc: {} }))).toBe(neither);
      expect(needsU2f(ctxOf({ hid: {}, ctap1: {} }, ['FIDO_2_0', 'FIDO_2_1']))).toBe('getInfo versions do not include U2F_V2');
      expect(needsU2f(ctxOf({ hid: {}, ctap1: {} }))).toBeUndefined();
      expect(needsU2f(ctxOf({ nfc: {}, ctap1: {} }))).toBeUndefined();
    });

    /** a token that answers SW_CONDITIONS_NOT_SATISFIED `refusals` times, then `last` (signs) */
    function pollingToken(refusals: number, channel: 'hid' | 'nfc', last: number = U2fStatusWord.SW_NO_ERROR) {
      const presence = new PresenceWaits();
      const announced: PresenceWait[] = [];
      presence.onWait((w) => announced.push(w));
      let sent = 0;
      const ctap1 = { sendApdu: async () => (sent++ < refusals ? { sw: U2fStatusWord.SW_CONDITIONS_NOT_SATISFIED, data: new Uint8Array(0) } : { sw: last, data: new Uint8Array(last === U2fStatusWord.SW_NO_ERROR ? 20 : 0) }) };
      return { ctx: ctxOf({ ctap1, [channel]: { presence } }), presence, announced, sent: () => sent };
    }
    const enforce = (ctx: SuiteContext) => u2fAuthenticate(ctx, U2fControl.ENFORCE_USER_PRESENCE_AND_SIGN, new Uint8Array(32), new Uint8Array(32), new Uint8Array(64), true);

    it('a polled touch is announced once as a wait (a CTAPHID_MSG one) and counted once, over CTAPHID or NFC', async () => {
      for (const channel of ['hid', 'nfc'] as const) {
        const t = pollingToken(3, channel);
        expect((await enforce(t.ctx)).sw).toBe(U2fStatusWord.SW_NO_ERROR);
        expect(t.sent()).toBe(4);
        expect({ waits: t.presence.waits, touches: t.presence.touches }).toEqual({ waits: 1, touches: 1 });
        expect(t.announced).toEqual([{ cmd: 0x03 }]);
      }
    });

    it('a poll that ends in a refusal (0x6A80) counts the wait, not a touch', async () => {
      const t = pollingToken(2, 'hid', U2fStatusWord.SW_WRONG_DATA);
      expect((await enforce(t.ctx)).sw).toBe(U2fStatusWord.SW_WRONG_DATA);
      expect({ waits: t.presence.waits, touches: t.presence.touches }).toEqual({ waits: 1, touches: 0 });
    });

    it('a token that signs at once was not polled: no wait, no touch counted; without retryTouch a refusal is returned as it is', async () => {
      const t = pollingToken(0, 'hid');
      expect((await enforce(t.ctx)).sw).toBe(U2fStatusWord.SW_NO_ERROR);
      expect({ waits: t.presence.waits, touches: t.presence.touches }).toEqual({ waits: 0, touches: 0 });
      const once = pollingToken(1, 'hid');
      expect((await u2fAuthenticate(once.ctx, U2fControl.ENFORCE_USER_PRESENCE_AND_SIGN, new Uint8Array(32), new Uint8Array(32), new Uint8Array(64))).sw).toBe(U2fStatusWord.SW_CONDITIONS_NOT_SATISFIED);
      expect(once.sent()).toBe(1);
    });
  });
});
