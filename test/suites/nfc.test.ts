import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURES } from '../../authenticator-sim/profile/SimFeatures.ts';
import { CtapVersion, decodeCbor, FIDO_AID, Sw } from '../../harness/protocol/index.ts';
import { getAssertionOfSize } from '../../harness/suites/nfc/NfcSession.ts';
import { nfcChecks } from '../../harness/suites/nfc/nfcChecks.ts';
import type { CheckResult, EvidenceExchange } from '../../reports/model.ts';
import { TransportError } from '../../harness/transport/index.ts';
import { runAgainst } from './faultyDevice.ts';
import { answerFor, responseApdu, rewriteCardResponse, runNfcArea, splitApdu, type CardFault } from './runNfcArea.ts';

// The nfc area (CTAP 2.1 §11.3 over ISO 7816-4) against the simulator as a card: every check passes on it,
// and each fails, with its message, on a quirk or an APDU fault that stands for the card bug it exists for.

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const IDS = nfcChecks.map((c) => c.id);
const SELECT_FIDO = '00a4040008' + hex(FIDO_AID) + '00';
const isGetResponse = (c: Uint8Array) => c[0] === 0x00 && c[1] === 0xc0;
/** NFCCTAP_MSG of authenticatorGetInfo in a short APDU (P1 0x00) with Le byte `le` (0x00 = 256) */
const getInfoMsg = (le: number) => (c: Uint8Array) => hex(c) === '8010000001' + '04' + le.toString(16).padStart(2, '0');
const isSelectionMsg = (p1: number) => (c: Uint8Array) => hex(c) === '8010' + p1.toString(16).padStart(2, '0') + '00010b00';
const isGetResponsePoll = (c: Uint8Array) => c[0] === 0x80 && c[1] === 0x11;

async function expectOutcome(ids: string[], status: string, options: Parameters<typeof runNfcArea>[0], message?: RegExp) {
  const results = await runNfcArea({ ...options, checks: ids });
  for (const id of ids) {
    expect.soft(results.get(id)?.status, `${id}: ${results.get(id)?.message}`).toBe(status);
    if (message) expect.soft(results.get(id)?.message, id).toMatch(message);
  }
  return results;
}
const expectFails = (ids: string[], options: Parameters<typeof runNfcArea>[0], message?: RegExp) => expectOutcome(ids, 'fail', options, message);

describe('nfc suite', () => {
  it('passes every check on the clean simulator card, each with what it saw', async () => {
    const results = await runNfcArea();
    expect([...results.keys()].sort()).toEqual([...IDS].sort());
    expect([...results].filter(([, r]) => r.status !== 'pass').map(([id, r]) => `${id} ${r.status}: ${r.message}`)).toEqual([]);
    expect(results.get('NFC-SELECT-001')!.message).toBe('version U2F_V2');
    expect(results.get('NFC-SELECT-004')!.message).toBe('refused with 0x6D00 INS_NOT_SUPPORTED');
    expect(results.get('NFC-STATUS-001')!.message).toMatch(/^[1-9]\d* status update\(s\), then CTAP2_OK$/);
    // getInfo of the simulator is longer than 256 bytes: pieces of 256, and pieces of a quarter of it
    const size = Number(/^getInfo (\d+) bytes/.exec(results.get('NFC-RESP-001')!.message)?.[1]);
    expect(size).toBeGreaterThan(256);
    expect(results.get('NFC-RESP-001')!.message).toBe(`getInfo ${size} bytes in ${Math.ceil(size / 256)} and ${Math.ceil(size / Math.floor(size / 4))} pieces`);
  });

  it('skips every check, with the reason, on a device not reached over NFC', async () => {
    const results = await runAgainst({ suites: ['nfc'] });
    expect([...results.keys()].sort()).toEqual([...IDS].sort());
    for (const [id, r] of results) expect(`${id} ${r.status} ${r.message}`).toBe(`${id} skip the device is not reached over NFC (ISO 7816-4 APDUs through PC/SC)`);
  });

  it('a CTAP 2.0 card: the status-update checks skip (authenticatorSelection is 2.1), the rest pass, SELECT-002 expecting "U2F_V2" or "FIDO_2_0" by getInfo', async () => {
    const ctap20 = await runNfcArea({ sim: { features: { ...DEFAULT_FEATURES, versions: [CtapVersion.U2F_V2, CtapVersion.FIDO_2_0] } } });
    expect(ctap20.get('NFC-STATUS-001')).toMatchObject({ status: 'skip', message: 'authenticatorSelection is a FIDO_2_1 command' });
    expect(ctap20.get('NFC-STATUS-002')).toMatchObject({ status: 'skip', message: 'authenticatorSelection is a FIDO_2_1 command' });
    expect([...ctap20].filter(([id, r]) => !id.startsWith('NFC-STATUS') && r.status !== 'pass').map(([id, r]) => `${id} ${r.message}`)).toEqual([]);
    // a FIDO2-only card answers "FIDO_2_0"; one that says "U2F_V2" although it has no CTAP1 fails SELECT-002
    const fido2Only = { features: { ...DEFAULT_FEATURES, versions: DEFAULT_FEATURES.versions.filter((v) => v !== CtapVersion.U2F_V2) } };
    expect((await runNfcArea({ sim: fido2Only, checks: ['NFC-SELECT-001', 'NFC-SELECT-002'] })).get('NFC-SELECT-001')!.message).toBe('version FIDO_2_0');
    const claimsU2f = rewriteCardResponse((c) => hex(c) === SELECT_FIDO, () => responseApdu('U2F_V2', Sw.SUCCESS));
    const r = await expectFails(['NFC-SELECT-002'], { sim: fido2Only, fault: claimsU2f }, /^SELECT answered "U2F_V2" but getInfo versions \[.*"FIDO_2_0".*\] call for "FIDO_2_0"$/);
    expect(r.get('NFC-SELECT-002')!.evidence).toMatchObject({ expected: 'FIDO_2_0', actual: 'U2F_V2' });
  });

  describe('simulator quirks', () => {
    it('nfc-wrong-version fails SELECT-002 (a U2F card must answer "U2F_V2")', async () => {
      await expectFails(['NFC-SELECT-002'], { quirks: ['nfc-wrong-version'] }, /^SELECT answered "FIDO_2_0" but getInfo versions .* call for "U2F_V2"$/);
    });

    it('nfc-select-any-aid fails SELECT-003, with the SELECT as evidence', async () => {
      const r = await expectFails(['NFC-SELECT-003'], { quirks: ['nfc-select-any-aid'] }, /^SELECT of AID F0666964…: expected 0x6A82 FILE_NOT_FOUND, got 0x9000/);
      const ev = r.get('NFC-SELECT-003')!.evidence!;
      expect(ev).toMatchObject({ expected: '0x6A82 FILE_NOT_FOUND', actual: '0x9000 SUCCESS' });
      expect(ev.exchanges![0]).toMatchObject({ label: 'SELECT F0 "fido-harness"', requestHex: '00a404000df0' + hex(new TextEncoder().encode('fido-harness')) + '00', status: '0x9000 SUCCESS' });
      expect(ev.exchanges![0]!.responseHex).toMatch(/9000$/);
    });

    it('nfc-no-select-needed fails SELECT-004', async () => {
      await expectFails(['NFC-SELECT-004'], { quirks: ['nfc-no-select-needed'] }, /^authenticatorGetInfo before SELECT was answered 0x61.. BYTES_REMAINING \(\d+\); the applet was never selected$/);
    });

    it('nfc-no-command-chaining fails CHAIN-001 on the first chained command', async () => {
      await expectFails(['NFC-CHAIN-001'], { quirks: ['nfc-no-command-chaining'] }, /256-byte/);
    });

    it('nfc-no-response-chaining fails RESP-001 and RESP-002', async () => {
      const r = await expectFails(['NFC-RESP-001', 'NFC-RESP-002'], { quirks: ['nfc-no-response-chaining'] });
      expect(r.get('NFC-RESP-001')!.message).toMatch(/^a short APDU \(Ne 256\) was answered with \d+ bytes$/);
      expect(r.get('NFC-RESP-002')!.message).toMatch(/^getInfo with Le 1: expected 1 byte and 61XX, got \d+ bytes and 0x9000 SUCCESS$/);
    });

    it('nfc-extended-as-short fails EXT-001', async () => {
      await expectFails(['NFC-EXT-001'], { quirks: ['nfc-extended-as-short'] }, /^extended getInfo was answered with 256 bytes and 0x61.. BYTES_REMAINING .*: an extended request needs the whole answer in one extended response$/);
    });

    it('nfc-status-updates-unasked fails STATUS-001 (status byte 0) and STATUS-002 (updates nobody asked for)', async () => {
      const r = await expectFails(['NFC-STATUS-001', 'NFC-STATUS-002'], { quirks: ['nfc-status-updates-unasked'] });
      expect(r.get('NFC-STATUS-001')!.message).toBe('status update 1 carries 00; §11.3.6.2 defines one byte, 1 or 2');
      expect(r.get('NFC-STATUS-002')!.message).toMatch(/^authenticatorSelection with P1 0x00: expected 0x9000 SUCCESS, got 0x9100/);
    });

    it('nfc-lax-apdus fails APDU-001 to APDU-004', async () => {
      const r = await expectFails(['NFC-APDU-001', 'NFC-APDU-002', 'NFC-APDU-003', 'NFC-APDU-004'], { quirks: ['nfc-lax-apdus'] });
      expect(r.get('NFC-APDU-001')!.message).toBe('CLA 0xE0: expected 0x6E00 CLA_NOT_SUPPORTED, got 0x9000 SUCCESS');
      expect(r.get('NFC-APDU-002')!.message).toBe('INS 0x5A: expected 0x6D00 INS_NOT_SUPPORTED, got 0x9000 SUCCESS');
      expect(r.get('NFC-APDU-003')!.message).toMatch(/^P2 0x01: expected 0x6A86 INCORRECT_P1P2 or 0x6B00, got 0x61.. BYTES_REMAINING/);
      expect(r.get('NFC-APDU-004')!.message).toBe('Lc 5 with 1 data byte: expected 0x6700 WRONG_LENGTH, got 0x9000 SUCCESS');
    });
  });

  describe('APDU faults', () => {
    it('SELECT answering a version §11.3.3 does not define fails SELECT-001 and SELECT-002', async () => {
      const fault = rewriteCardResponse((c) => hex(c) === SELECT_FIDO, () => responseApdu('FIDO_3_0', Sw.SUCCESS));
      const r = await expectFails(['NFC-SELECT-001', 'NFC-SELECT-002'], { fault });
      expect(r.get('NFC-SELECT-001')!.message).toBe('SELECT answered "FIDO_3_0"; §11.3.3 defines "U2F_V2" and "FIDO_2_0"');
      expect(r.get('NFC-SELECT-001')!.evidence).toMatchObject({ expected: 'U2F_V2 or FIDO_2_0', actual: '"FIDO_3_0"' });
    });

    it('SELECT of the FIDO AID refused fails SELECT-001 and SELECT-002 with the status word', async () => {
      const fault = rewriteCardResponse((c) => hex(c) === SELECT_FIDO, () => responseApdu('', Sw.FILE_NOT_FOUND));
      await expectFails(['NFC-SELECT-001', 'NFC-SELECT-002'], { fault }, /^SELECT A0000006472F0001: expected 0x9000 SUCCESS, got 0x6A82 FILE_NOT_FOUND$/);
    });

    it('SELECT answered in pieces (61XX) is joined: a version split over GET RESPONSE passes', async () => {
      let pending: Uint8Array | undefined;
      const fault: CardFault = async (c, next) => {
        if (hex(c) === SELECT_FIDO) {
          const { data } = splitApdu(await next(c));
          pending = data.subarray(3);
          return responseApdu(data.subarray(0, 3), Sw.BYTES_REMAINING | pending.length);
        }
        if (isGetResponse(c) && pending) {
          const rest = pending;
          pending = undefined;
          return responseApdu(rest, Sw.SUCCESS);
        }
        return next(c);
      };
      const r = await expectOutcome(['NFC-SELECT-001', 'NFC-SELECT-002'], 'pass', { fault });
      expect(r.get('NFC-SELECT-001')!.message).toBe('version U2F_V2');
    });

    it('a 61XX chain that never ends fails after 300 GET RESPONSE rounds', async () => {
      const fault = answerFor((c, h) => (h === SELECT_FIDO || isGetResponse(c) ? responseApdu('U', Sw.BYTES_REMAINING | 1) : undefined));
      await expectFails(['NFC-SELECT-001'], { fault }, /^SELECT: more than 300 GET RESPONSE rounds$/);
    });

    it('a card whose other SELECTs answer another error than 6A82 fails SELECT-003', async () => {
      const fault = rewriteCardResponse((c) => c[1] === 0xa4 && hex(c) !== SELECT_FIDO, () => responseApdu('', Sw.WRONG_DATA));
      await expectFails(['NFC-SELECT-003'], { fault }, /^SELECT of AID F0666964…: expected 0x6A82 FILE_NOT_FOUND, got 0x6A80 WRONG_DATA$/);
    });

    it('a command before SELECT answered 61XX or 9100 (not refused) fails SELECT-004', async () => {
      for (const sw of [Sw.BYTES_REMAINING | 0x10, Sw.STATUS_UPDATE]) {
        const fault = rewriteCardResponse(getInfoMsg(0), () => responseApdu(Uint8Array.of(1), sw));
        await expectFails(['NFC-SELECT-004'], { fault }, /^authenticatorGetInfo before SELECT was answered 0x(61|91)/);
      }
      // any error status word is a refusal
      const refused = rewriteCardResponse(getInfoMsg(0), () => responseApdu('', Sw.CONDITIONS_NOT_SATISFIED));
      expect((await expectOutcome(['NFC-SELECT-004'], 'pass', { fault: refused })).get('NFC-SELECT-004')!.message).toBe('refused with 0x6985 CONDITIONS_NOT_SATISFIED');
    });

    it('a chained piece refused, a cut message and an empty answer fail CHAIN-001', async () => {
      const chained = rewriteCardResponse((c) => c[0] === 0x90, () => responseApdu('', Sw.CHAINING_NOT_SUPPORTED));
      await expectFails(['NFC-CHAIN-001'], { fault: chained }, /^chained piece 1 of a 256-byte command: expected 0x9000 SUCCESS, got 0x6884/);
      // the card decodes a message cut short: CTAP2_ERR_INVALID_CBOR instead of CTAP2_ERR_NO_CREDENTIALS
      const cut = rewriteCardResponse((c) => c[0] === 0x80 && c[1] === 0x10 && c[4] !== 1, () => responseApdu(Uint8Array.of(0x12), Sw.SUCCESS));
      await expectFails(['NFC-CHAIN-001'], { fault: cut }, /^255-byte getAssertion with one unknown credential \(a cut message does not decode\): expected 0x2e CTAP2_ERR_NO_CREDENTIALS, got 0x12 CTAP2_ERR_INVALID_CBOR$/);
      const empty = rewriteCardResponse((c) => c[0] === 0x80 && c[1] === 0x10 && c[4] !== 1, () => responseApdu('', Sw.SUCCESS));
      const r = await expectFails(['NFC-CHAIN-001'], { fault: empty }, /: expected 0x2e CTAP2_ERR_NO_CREDENTIALS, got no status byte$/);
      expect(r.get('NFC-CHAIN-001')!.evidence).toMatchObject({ actual: '(empty)' });
      const refusedLast = rewriteCardResponse((c) => c[0] === 0x80 && c[1] === 0x10 && c[4] !== 1, () => responseApdu('', Sw.NO_PRECISE_DIAGNOSIS));
      await expectFails(['NFC-CHAIN-001'], { fault: refusedLast }, /^255-byte getAssertion in 1 APDU\(s\): expected 0x9000 SUCCESS, got 0x6F00/);
    });

    it('GET RESPONSE returning fewer bytes than 61XX announced fails RESP-001 and RESP-002', async () => {
      const short = rewriteCardResponse(isGetResponse, (res) => {
        const { data, sw } = splitApdu(res);
        return data.length > 1 ? responseApdu(data.subarray(1), sw) : res;
      });
      const r = await expectFails(['NFC-RESP-001', 'NFC-RESP-002'], { fault: short });
      expect(r.get('NFC-RESP-001')!.message).toMatch(/^getInfo with Le 256: 61XX announced (\d+) more bytes, GET RESPONSE with Le \1 returned \d+$/);
      expect(r.get('NFC-RESP-002')!.message).toMatch(/^GET RESPONSE Le (\d+) after 61XX announcing \1: got \d+ bytes$/);
    });

    it('GET RESPONSE refused: the status word fails RESP-001 (not a length complaint)', async () => {
      const refused = rewriteCardResponse(isGetResponse, () => responseApdu('', Sw.NO_PRECISE_DIAGNOSIS));
      await expectFails(['NFC-RESP-001'], { fault: refused }, /^getInfo: expected 0x9000 SUCCESS, got 0x6F00/);
    });

    it('getInfo answered with an error status fails RESP-001', async () => {
      const status = rewriteCardResponse(getInfoMsg(0), (res) => {
        const out = Uint8Array.from(res);
        out[0] = 0x01;
        return out;
      });
      await expectFails(['NFC-RESP-001'], { fault: status }, /^getInfo: expected 0x00 CTAP2_OK, got 0x01 CTAP1_ERR_INVALID_COMMAND$/);
    });

    it('a short answer with a wrong 61XX count, an answer past Le, or a changed byte fails RESP-001', async () => {
      const lePiece = (c: Uint8Array) => c[0] === 0x80 && c[1] === 0x10 && c[4] === 1 && c[5] === 4 && c[6] !== 0;
      const miscount = rewriteCardResponse(lePiece, (res) => {
        const { data, sw } = splitApdu(res);
        return responseApdu(data, sw === Sw.BYTES_REMAINING ? Sw.BYTES_REMAINING | 0x80 : sw - 1);
      });
      await expectFails(['NFC-RESP-001'], { fault: miscount }, /^61XX announced \d+ bytes; \d+ were left$/);
      const whole = rewriteCardResponse(lePiece, (res) => {
        const { data } = splitApdu(res);
        return responseApdu(Uint8Array.of(...data, 0), Sw.BYTES_REMAINING | 0x10);
      });
      await expectFails(['NFC-RESP-001'], { fault: whole }, /^getInfo with Le (\d+) \(answer \d+ bytes\): expected \1 bytes and 61XX, got \d+ bytes and 0x6110/);
      const done = rewriteCardResponse(lePiece, (res) => responseApdu(splitApdu(res).data, Sw.SUCCESS));
      await expectFails(['NFC-RESP-001'], { fault: done }, /^getInfo with Le (\d+) \(answer \d+ bytes\): expected \1 bytes and 61XX, got \1 bytes and 0x9000 SUCCESS$/);
      const changed = rewriteCardResponse(lePiece, (res) => {
        const out = Uint8Array.from(res);
        out[out.length - 3] = out[out.length - 3]! ^ 0xff;
        return out;
      });
      await expectFails(['NFC-RESP-001'], { fault: changed }, /^the two chained answers of getInfo differ$/);
    });

    it('GET RESPONSE not honouring Le 1, or the last piece not ending 9000, fails RESP-002', async () => {
      let round = 0;
      const two: CardFault = async (c, next) => {
        if (getInfoMsg(1)(c)) round = 0;
        const r = await next(c);
        if (isGetResponse(c) && round++ === 0) return responseApdu(Uint8Array.of(...splitApdu(r).data, 0), splitApdu(r).sw);
        return r;
      };
      await expectFails(['NFC-RESP-002'], { fault: two }, /^GET RESPONSE Le 1: expected 1 byte and 61XX, got 2 bytes and 0x61/);
      const firstDone = rewriteCardResponse(getInfoMsg(1), (res) => responseApdu(splitApdu(res).data, Sw.SUCCESS));
      await expectFails(['NFC-RESP-002'], { fault: firstDone }, /^getInfo with Le 1: expected 1 byte and 61XX, got 1 bytes and 0x9000 SUCCESS$/);
      const lastBad = rewriteCardResponse(isGetResponse, (res) => {
        const { data, sw } = splitApdu(res);
        return sw === Sw.SUCCESS ? responseApdu(data, Sw.NO_PRECISE_DIAGNOSIS) : res;
      });
      await expectFails(['NFC-RESP-002'], { fault: lastBad }, /^the last GET RESPONSE \(Le \d+, exactly what was left\): expected 0x9000 SUCCESS, got 0x6F00/);
    });

    it('EXT-001: a reader refusing extended APDUs is a warning about the reader; a different or refused answer fails', async () => {
      const isExtended = (c: Uint8Array) => c.length > 5 && c[4] === 0;
      const reader: CardFault = async (c, next) => {
        if (isExtended(c)) throw new TransportError('TRANSPORT_APDU_REFUSED', 'the reader has no extended length');
        return next(c);
      };
      const w = await expectOutcome(['NFC-EXT-001'], 'warn', { fault: reader });
      expect(w.get('NFC-EXT-001')!.message).toMatch(/^the reader would not carry an extended APDU \(.*the reader has no extended length\): a limit of the reader/);
      // any other transport error is the check's error
      const broken: CardFault = async (c, next) => {
        if (isExtended(c)) throw new TransportError('TRANSPORT_DISCONNECTED', 'the reader broke');
        return next(c);
      };
      expect((await runNfcArea({ fault: broken, checks: ['NFC-EXT-001'] })).get('NFC-EXT-001')!.status).toBe('error');
      const differs = rewriteCardResponse((c) => isExtended(c) && c[7] === 4, (res) => {
        const out = Uint8Array.from(res);
        out[1] = out[1]! ^ 0xff;
        return out;
      });
      await expectFails(['NFC-EXT-001'], { fault: differs }, /^getInfo differs between extended and short APDUs$/);
      const refused = rewriteCardResponse(isExtended, () => responseApdu('', Sw.WRONG_LENGTH));
      await expectFails(['NFC-EXT-001'], { fault: refused }, /^getInfo in an extended APDU: expected 0x9000 SUCCESS, got 0x6700 WRONG_LENGTH$/);
      const bigRefused = rewriteCardResponse((c) => isExtended(c) && c[7] !== 4, () => responseApdu('', Sw.WRONG_LENGTH));
      await expectFails(['NFC-EXT-001'], { fault: bigRefused }, /^511-byte getAssertion in one extended APDU: expected 0x9000 SUCCESS, got 0x6700/);
      const bigCut = rewriteCardResponse((c) => isExtended(c) && c[7] !== 4, () => responseApdu(Uint8Array.of(0x12), Sw.SUCCESS));
      await expectFails(['NFC-EXT-001'], { fault: bigCut }, /^511-byte getAssertion with one unknown credential: expected 0x2e CTAP2_ERR_NO_CREDENTIALS, got 0x12 CTAP2_ERR_INVALID_CBOR$/);
    });

    it('STATUS-001: a bad status update, endless updates, or a bad final answer fail; an answer at once is a skip', async () => {
      const bad = rewriteCardResponse((c) => isSelectionMsg(0x80)(c) || isGetResponsePoll(c), (res) => (splitApdu(res).sw === Sw.STATUS_UPDATE ? responseApdu(Uint8Array.of(5), Sw.STATUS_UPDATE) : res));
      await expectFails(['NFC-STATUS-001'], { fault: bad }, /^status update 1 carries 05; §11.3.6.2 defines one byte, 1 or 2$/);
      const long = rewriteCardResponse((c) => isSelectionMsg(0x80)(c) || isGetResponsePoll(c), (res) => (splitApdu(res).sw === Sw.STATUS_UPDATE ? responseApdu(Uint8Array.of(2, 2), Sw.STATUS_UPDATE) : res));
      await expectFails(['NFC-STATUS-001'], { fault: long }, /^status update 1 carries 0202;/);
      const empty = rewriteCardResponse((c) => isSelectionMsg(0x80)(c) || isGetResponsePoll(c), (res) => (splitApdu(res).sw === Sw.STATUS_UPDATE ? responseApdu('', Sw.STATUS_UPDATE) : res));
      await expectFails(['NFC-STATUS-001'], { fault: empty }, /^status update 1 carries nothing;/);
      // PROCESSING (1) is as good as UPNEEDED (2)
      const processing = rewriteCardResponse((c) => isSelectionMsg(0x80)(c) || isGetResponsePoll(c), (res) => (splitApdu(res).sw === Sw.STATUS_UPDATE ? responseApdu(Uint8Array.of(1), Sw.STATUS_UPDATE) : res));
      await expectOutcome(['NFC-STATUS-001'], 'pass', { fault: processing });
      const endless = answerFor((c) => (isSelectionMsg(0x80)(c) || isGetResponsePoll(c) ? responseApdu(Uint8Array.of(2), Sw.STATUS_UPDATE) : undefined));
      await expectFails(['NFC-STATUS-001'], { fault: endless }, /^more than 600 status updates: the command never ended$/);
      const atOnce = answerFor((c) => (isSelectionMsg(0x80)(c) ? responseApdu(Uint8Array.of(0), Sw.SUCCESS) : undefined));
      await expectOutcome(['NFC-STATUS-001'], 'skip', { fault: atOnce }, /^authenticatorSelection was answered at once \(the tap is the touch\)/);
      const finalRefused = rewriteCardResponse(isGetResponsePoll, (res) => (splitApdu(res).sw === Sw.SUCCESS ? responseApdu('', Sw.NO_PRECISE_DIAGNOSIS) : res));
      await expectFails(['NFC-STATUS-001'], { fault: finalRefused }, /^the final answer: expected 0x9000 SUCCESS, got 0x6F00/);
      const finalError = rewriteCardResponse(isGetResponsePoll, (res) => (splitApdu(res).sw === Sw.SUCCESS ? responseApdu(Uint8Array.of(0x27), Sw.SUCCESS) : res));
      await expectFails(['NFC-STATUS-001'], { fault: finalError }, /^authenticatorSelection: expected 0x00 CTAP2_OK, got 0x27 CTAP2_ERR_OPERATION_DENIED$/);
    });

    it('STATUS-002: authenticatorSelection without status updates answered with an error fails', async () => {
      const denied = rewriteCardResponse(isSelectionMsg(0), () => responseApdu(Uint8Array.of(0x27), Sw.SUCCESS));
      await expectFails(['NFC-STATUS-002'], { fault: denied }, /^authenticatorSelection: expected 0x00 CTAP2_OK, got 0x27 CTAP2_ERR_OPERATION_DENIED$/);
    });

    it('malformed APDUs answered with another status word fail APDU-001 to APDU-004; 6B00 is allowed for P2', async () => {
      const blur = (match: (c: Uint8Array) => boolean) => rewriteCardResponse(match, () => responseApdu('', Sw.NO_PRECISE_DIAGNOSIS));
      await expectFails(['NFC-APDU-001'], { fault: blur((c) => c[0] === 0xe0) }, /^CLA 0xE0: expected 0x6E00 CLA_NOT_SUPPORTED, got 0x6F00/);
      await expectFails(['NFC-APDU-002'], { fault: blur((c) => c[1] === 0x5a) }, /^INS 0x5A: expected 0x6D00 INS_NOT_SUPPORTED, got 0x6F00/);
      await expectFails(['NFC-APDU-003'], { fault: blur((c) => c[3] === 1) }, /^P2 0x01: expected 0x6A86 INCORRECT_P1P2 or 0x6B00, got 0x6F00/);
      await expectFails(['NFC-APDU-004'], { fault: blur((c) => c[4] === 5 && c.length === 6) }, /^Lc 5 with 1 data byte: expected 0x6700 WRONG_LENGTH, got 0x6F00/);
      await expectOutcome(['NFC-APDU-003'], 'pass', { fault: rewriteCardResponse((c) => c[3] === 1, () => responseApdu('', 0x6b00)) });
      await expectOutcome(['NFC-APDU-003'], 'pass', { fault: rewriteCardResponse((c) => c[3] === 1, () => responseApdu('', Sw.INCORRECT_P1P2)) });
    });

    it('a check ends by selecting the applet again, so a SELECT-004 power cycle does not reach the next check', async () => {
      const seen: string[] = [];
      const fault: CardFault = async (c, next) => {
        seen.push(hex(c));
        return next(c);
      };
      const r = await runNfcArea({ fault, checks: ['NFC-SELECT-004', 'NFC-APDU-002'] });
      expect([...r.values()].map((x) => x.status)).toEqual(['pass', 'pass']);
      const afterGetInfo = seen.indexOf('8010000001' + '04' + '00');
      expect(seen[afterGetInfo + 1]).toBe(SELECT_FIDO);
    });
  });

  describe('evidence and the messages the checks send', () => {
    const exchangesOf = (r: Map<string, CheckResult>, id: string) => (r.get(id)!.evidence!.exchanges ?? []) as EvidenceExchange[];

    it('a failure carries the last 12 exchanges, each labelled, with request and response bytes, status and a duration', async () => {
      const fault = answerFor((c, h) => (h === SELECT_FIDO || isGetResponse(c) ? responseApdu('U', Sw.BYTES_REMAINING | 1) : undefined));
      const r = await expectFails(['NFC-SELECT-001'], { fault }, /^SELECT: more than 300 GET RESPONSE rounds$/);
      const ex = exchangesOf(r, 'NFC-SELECT-001');
      expect(ex).toHaveLength(12);
      for (const e of ex) {
        expect(e).toMatchObject({ label: 'GET RESPONSE Le 1', requestHex: '00c0000001', responseHex: '556101', status: '0x6101 BYTES_REMAINING (1)' });
        expect(e.durationMs).toBeGreaterThanOrEqual(0);
        expect(e.durationMs).toBeLessThan(5_000);
      }
    });

    it('NFCCTAP_MSG exchanges are labelled with their size, and extended ones say so', async () => {
      const refused = rewriteCardResponse((c) => c.length > 5 && c[4] === 0, () => responseApdu('', Sw.WRONG_LENGTH));
      const r = await expectFails(['NFC-EXT-001'], { fault: refused });
      expect(exchangesOf(r, 'NFC-EXT-001').map((e) => e.label)).toEqual(['NFCCTAP_MSG 1 bytes, extended']);
      expect(r.get('NFC-EXT-001')!.evidence).toMatchObject({ expected: '0x9000 SUCCESS', actual: '0x6700 WRONG_LENGTH' });
      const p2 = await expectFails(['NFC-APDU-003'], { fault: rewriteCardResponse((c) => c[3] === 1, () => responseApdu('', Sw.NO_PRECISE_DIAGNOSIS)) });
      expect(p2.get('NFC-APDU-003')!.evidence).toMatchObject({ expected: '0x6A86 INCORRECT_P1P2 or 0x6B00', actual: '0x6F00 NO_PRECISE_DIAGNOSIS' });
      const cut = rewriteCardResponse((c) => c[0] === 0x80 && c[1] === 0x10 && c[4] !== 1, () => responseApdu(Uint8Array.of(0x12), Sw.SUCCESS));
      const chain = await expectFails(['NFC-CHAIN-001'], { fault: cut });
      expect(chain.get('NFC-CHAIN-001')!.evidence).toMatchObject({ expected: '0x2e CTAP2_ERR_NO_CREDENTIALS', actual: '0x12 CTAP2_ERR_INVALID_CBOR' });
      expect(exchangesOf(chain, 'NFC-CHAIN-001').at(-1)!.label).toBe('NFCCTAP_MSG last piece 255 of 255');
      const status = rewriteCardResponse(getInfoMsg(0), (res) => Uint8Array.from([0x01, ...res.subarray(1)]));
      const info = await expectFails(['NFC-RESP-001'], { fault: status });
      expect(exchangesOf(info, 'NFC-RESP-001')[0]!.label).toBe('NFCCTAP_MSG 1 bytes');
    });

    it('an intermediate GET RESPONSE piece shorter than 61XX announced fails', async () => {
      // only the pieces that are followed by more (61XX) are cut: the 256-byte walk ends in one piece
      const cutMiddle = rewriteCardResponse(isGetResponse, (res) => {
        const { data, sw } = splitApdu(res);
        return (sw & 0xff00) === Sw.BYTES_REMAINING && data.length > 1 ? responseApdu(data.subarray(1), sw) : res;
      });
      const r = await expectFails(['NFC-RESP-001'], { fault: cutMiddle });
      expect(r.get('NFC-RESP-001')!.message).toMatch(/^getInfo with Le \d+: 61XX announced (\d+) more bytes, GET RESPONSE with Le \1 returned \d+$/);
      expect(exchangesOf(r, 'NFC-RESP-001').at(-1)!.label).toMatch(/^GET RESPONSE Le \d+$/);
    });

    it('getAssertionOfSize: exactly the size asked, one unknown credential, up false, padded with an unknown extension', () => {
      for (const size of [255, 256, 510, 511]) {
        const m = getAssertionOfSize(size, 'pad.example');
        expect(m).toHaveLength(size);
        expect(m[0]).toBe(0x02);
        const req = decodeCbor(m.subarray(1)).value as Map<number, unknown>;
        expect(req.get(1)).toBe('pad.example');
        expect((req.get(2) as Uint8Array).length).toBe(32);
        const allow = req.get(3) as Map<string, unknown>[];
        expect(allow).toHaveLength(1);
        expect(allow[0]!.get('type')).toBe('public-key');
        expect((allow[0]!.get('id') as Uint8Array).length).toBe(32);
        expect([...(req.get(4) as Map<string, unknown>).keys()][0]).toMatch(/^fido-harness-padd?$/);
        expect([...(req.get(5) as Map<string, boolean>)]).toEqual([['up', false]]);
      }
      expect(() => getAssertionOfSize(10, 'pad.example')).toThrow('no getAssertion message of exactly 10 bytes');
    });
  });

  describe('the rest of each check: evidence, labels, bytes and boundaries', () => {
    const exchangesOf = (r: Map<string, CheckResult>, id: string) => (r.get(id)!.evidence!.exchanges ?? []) as EvidenceExchange[];
    const isMsg = (c: Uint8Array) => (c[0]! & 0xef) === 0x80 && c[1] === 0x10;
    /** the answer to a 255-byte command in one piece announces 5 more bytes; GET RESPONSE then gives 2 */
    const shortWalk = (answers: (c: Uint8Array) => boolean) =>
      answerFor((c) => (answers(c) ? responseApdu('', Sw.BYTES_REMAINING | 5) : isGetResponse(c) ? responseApdu(Uint8Array.of(1, 2), Sw.SUCCESS) : undefined));

    it('SELECT-004: a command before SELECT answered 9000 fails, with what was expected', async () => {
      const ok = rewriteCardResponse(getInfoMsg(0), () => responseApdu(Uint8Array.of(0), Sw.SUCCESS));
      const r = await expectFails(['NFC-SELECT-004'], { fault: ok }, /^authenticatorGetInfo before SELECT was answered 0x9000 SUCCESS; the applet was never selected$/);
      expect(r.get('NFC-SELECT-004')!.evidence).toMatchObject({ expected: 'an error status word (e.g. 0x6D00)', actual: '0x9000 SUCCESS' });
    });

    it('SELECT-001/002 label their SELECT, and SELECT-002 its walk of 61XX', async () => {
      const refused = rewriteCardResponse((c) => hex(c) === SELECT_FIDO, () => responseApdu('', Sw.FILE_NOT_FOUND));
      const r = await expectFails(['NFC-SELECT-001', 'NFC-SELECT-002'], { fault: refused });
      for (const id of ['NFC-SELECT-001', 'NFC-SELECT-002']) expect(exchangesOf(r, id).map((e) => e.label)).toEqual(['SELECT FIDO AID']);
      const endless = answerFor((c, h) => (h === SELECT_FIDO || isGetResponse(c) ? responseApdu('U', Sw.BYTES_REMAINING | 1) : undefined));
      await expectFails(['NFC-SELECT-002'], { fault: endless }, /^SELECT: more than 300 GET RESPONSE rounds$/);
    });

    it('CHAIN-001 sends 255-byte pieces with CLA 0x90 and no Le, the last with CLA 0x80 and Le 00', async () => {
      const sent: Uint8Array[] = [];
      const record: CardFault = async (c, next) => (sent.push(c), next(c));
      await expectOutcome(['NFC-CHAIN-001'], 'pass', { fault: record });
      expect(sent.filter(isMsg).map((c) => `${hex(c.subarray(0, 5))} ${c.length}${c.length === 6 + c[4]! ? ` Le ${hex(c.subarray(-1))}` : ''}`)).toEqual([
        '80100000ff 261 Le 00', // 255: one APDU
        '90100000ff 260', // 256: 255 + 1
        '8010000001 7 Le 00',
        '90100000ff 260', // 510: 255 + 255
        '80100000ff 261 Le 00',
        '90100000ff 260', // 511: 255 + 255 + 1
        '90100000ff 260',
        '8010000001 7 Le 00',
      ]);
    });

    it('CHAIN-001 names the chained piece refused and the command whose answer does not add up', async () => {
      let chained = 0;
      const secondRefused: CardFault = async (c, next) => {
        chained = c[0] === 0x90 && c[1] === 0x10 ? chained + 1 : isMsg(c) ? 0 : chained;
        return chained === 2 ? responseApdu('', Sw.CHAINING_NOT_SUPPORTED) : next(c);
      };
      const r = await expectFails(['NFC-CHAIN-001'], { fault: secondRefused }, /^chained piece 2 of a 511-byte command: expected 0x9000 SUCCESS, got 0x6884/);
      expect(exchangesOf(r, 'NFC-CHAIN-001').at(-1)!.label).toBe('NFCCTAP_MSG chained piece 255 of 511');
      await expectFails(['NFC-CHAIN-001'], { fault: shortWalk((c) => c[0] === 0x80 && c[1] === 0x10 && c[4] === 0xff) }, /^255-byte command: 61XX announced 5 more bytes, GET RESPONSE with Le 5 returned 2$/);
    });

    it('RESP-001: an answer past Ne shows both sizes; on a card whose getInfo is 100 bytes, 61XX must announce the 75 left', async () => {
      const r = await expectFails(['NFC-RESP-001'], { quirks: ['nfc-no-response-chaining'] });
      expect(r.get('NFC-RESP-001')!.evidence).toMatchObject({ expected: 'at most 256 bytes, then 61XX', actual: expect.stringMatching(/^\d+ bytes, 0x9000 SUCCESS$/) });
      // a card of its own for getInfo (status 00 and 99 bytes), with response chaining as ISO 7816-4 §5.3.4 says
      const info = Uint8Array.from([0x00, ...new Uint8Array(99).fill(0xa0)]);
      const smallInfo = (announce?: number): CardFault => {
        let at = 0;
        const piece = (ne: number) => {
          const data = info.subarray(at, at + ne);
          at += data.length;
          const left = info.length - at;
          const sw = left === 0 ? Sw.SUCCESS : Sw.BYTES_REMAINING | ((announce ?? Math.min(left, 256)) & 0xff);
          return responseApdu(data, sw);
        };
        return answerFor((c) => {
          if (c[0] === 0x80 && c[1] === 0x10 && c[4] === 1 && c[5] === 4) return ((at = 0), piece(c[6] || 256));
          return isGetResponse(c) ? piece(c[4] || 256) : undefined;
        });
      };
      expect((await expectOutcome(['NFC-RESP-001'], 'pass', { fault: smallInfo() })).get('NFC-RESP-001')!.message).toBe('getInfo 100 bytes in 1 and 4 pieces');
      const miscount = await expectFails(['NFC-RESP-001'], { fault: smallInfo(0x10) }, /^61XX announced 16 bytes; 75 were left$/);
      expect(miscount.get('NFC-RESP-001')!.evidence).toMatchObject({ expected: '0x614B BYTES_REMAINING (75)', actual: '0x6110 BYTES_REMAINING (16)' });
    });

    it('RESP-002: getInfo with Le 1 answered with 2 bytes, or GET RESPONSE Le 1 ending the answer early, fails', async () => {
      const two = rewriteCardResponse(getInfoMsg(1), (res) => responseApdu(Uint8Array.of(...splitApdu(res).data, 0), splitApdu(res).sw));
      await expectFails(['NFC-RESP-002'], { fault: two }, /^getInfo with Le 1: expected 1 byte and 61XX, got 2 bytes and 0x61/);
      let first = false;
      const early: CardFault = async (c, next) => {
        if (getInfoMsg(1)(c)) first = true;
        const r = await next(c);
        if (isGetResponse(c) && first) return ((first = false), responseApdu(splitApdu(r).data, Sw.SUCCESS));
        return r;
      };
      await expectFails(['NFC-RESP-002'], { fault: early }, /^GET RESPONSE Le 1: expected 1 byte and 61XX, got 1 bytes and 0x9000 SUCCESS$/);
    });

    it('EXT-001: an extended request answered in pieces shows the status word; the short walk is named', async () => {
      const r = await expectFails(['NFC-EXT-001'], { quirks: ['nfc-extended-as-short'] });
      expect(r.get('NFC-EXT-001')!.evidence).toMatchObject({ expected: '0x9000 with the whole answer', actual: expect.stringMatching(/^0x61.. BYTES_REMAINING/) });
      const short = rewriteCardResponse(isGetResponse, (res) => {
        const { data, sw } = splitApdu(res);
        return data.length > 1 ? responseApdu(data.subarray(1), sw) : res;
      });
      await expectFails(['NFC-EXT-001'], { fault: short }, /^getInfo in short APDUs: 61XX announced (\d+) more bytes, GET RESPONSE with Le \1 returned \d+$/);
    });

    const polls = (c: Uint8Array) => isSelectionMsg(0x80)(c) || isGetResponsePoll(c);
    it('STATUS-001: a bad status update is evidence (the bytes, or "(empty)"); the poll is labelled', async () => {
      for (const [data, actual] of [[Uint8Array.of(5), '05'], [new Uint8Array(0), '(empty)']] as const) {
        const bad = rewriteCardResponse(polls, (res) => (splitApdu(res).sw === Sw.STATUS_UPDATE ? responseApdu(data, Sw.STATUS_UPDATE) : res));
        const r = await expectFails(['NFC-STATUS-001'], { fault: bad });
        expect(r.get('NFC-STATUS-001')!.evidence).toMatchObject({ expected: '01 or 02', actual });
      }
      const finalRefused = rewriteCardResponse(isGetResponsePoll, (res) => (splitApdu(res).sw === Sw.SUCCESS ? responseApdu('', Sw.NO_PRECISE_DIAGNOSIS) : res));
      const r = await expectFails(['NFC-STATUS-001'], { fault: finalRefused });
      expect(exchangesOf(r, 'NFC-STATUS-001').at(-1)!.label).toBe('NFCCTAP_GETRESPONSE');
    });

    it('STATUS-001: exactly 600 status updates, then the answer, pass', async () => {
      let updates = 0;
      // the host sees 600 updates in all (the card's first answer is one), then the card's answer once it has one
      const slow: CardFault = async (c, next) => {
        if (isGetResponsePoll(c) && updates < 600) return ((updates += 1), responseApdu(Uint8Array.of(2), Sw.STATUS_UPDATE));
        let r = await next(c);
        if (!isGetResponsePoll(c)) return (splitApdu(r).sw === Sw.STATUS_UPDATE && (updates += 1), r);
        while (splitApdu(r).sw === Sw.STATUS_UPDATE) {
          await new Promise((done) => setTimeout(done, 50));
          r = await next(c);
        }
        return r;
      };
      const r = await expectOutcome(['NFC-STATUS-001'], 'pass', { fault: slow });
      expect(r.get('NFC-STATUS-001')!.message).toBe('600 status update(s), then CTAP2_OK');
    });

    it('STATUS-001/002: a final answer whose 61XX walk does not add up is named', async () => {
      const done = (c: Uint8Array, r: Uint8Array) => splitApdu(r).sw === Sw.SUCCESS && (isGetResponsePoll(c) || isSelectionMsg(0)(c));
      const walk: CardFault = async (c, next) => {
        if (isGetResponse(c)) return responseApdu(Uint8Array.of(1, 2), Sw.SUCCESS);
        const r = await next(c);
        return done(c, r) ? responseApdu('', Sw.BYTES_REMAINING | 5) : r;
      };
      for (const id of ['NFC-STATUS-001', 'NFC-STATUS-002']) {
        await expectFails([id], { fault: walk }, /^the answer to authenticatorSelection: 61XX announced 5 more bytes, GET RESPONSE with Le 5 returned 2$/);
      }
    });

    it('APDU-001 to APDU-004 label the malformed APDU they sent', async () => {
      const blur = rewriteCardResponse((c) => c[0] === 0xe0 || c[1] === 0x5a || c[3] === 1 || (c[4] === 5 && c.length === 6), () => responseApdu('', Sw.NO_PRECISE_DIAGNOSIS));
      const ids = ['NFC-APDU-001', 'NFC-APDU-002', 'NFC-APDU-003', 'NFC-APDU-004'];
      const r = await expectFails(ids, { fault: blur });
      expect(ids.map((id) => exchangesOf(r, id).at(-1)!.label)).toEqual(['CLA E0 INS 10', 'CLA 80 INS 5A', 'NFCCTAP_MSG P1P2 8001', 'NFCCTAP_MSG Lc 5 with 1 byte']);
    });
  });
});
