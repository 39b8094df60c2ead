import {
  CtapCommand,
  CtapStatus,
  CtapVersion,
  encodeApdu,
  FIDO_AID,
  formatSw,
  Iso7816Cla,
  Iso7816Ins,
  KeepaliveStatus,
  NFC_VERSION_FIDO2,
  NFC_VERSION_U2F,
  NFCCTAP_P1_GETRESPONSE,
  SELECT_BY_NAME,
  Sw,
} from '../../protocol/index.ts';
import { TransportError } from '../../transport/index.ts';
import { CheckSkipped, CheckWarning } from '../../runner/Check.ts';
import type { SuiteCheck } from '../SuiteContext.ts';
import { expectCtapStatus, GET_INFO, getAssertionOfSize, needsNfc, NfcSession, NO_CREDENTIALS, suite } from './NfcSession.ts';

const SELECT = (aid: Uint8Array) => ({ cla: Iso7816Cla.INTERINDUSTRY, ins: Iso7816Ins.SELECT, p1: SELECT_BY_NAME, p2: 0, data: aid, ne: 256 });
/** An AID no FIDO key has: proprietary RID F0 (ISO 7816-5) and "fido-harness". */
const OTHER_AID = Uint8Array.from([0xf0, ...new TextEncoder().encode('fido-harness')]);
const isSuccessLike = (sw: number) => sw === Sw.SUCCESS || sw === Sw.STATUS_UPDATE || (sw & 0xff00) === Sw.BYTES_REMAINING;
/** Command sizes around the short APDU's 255-byte data field: one APDU, two, two full, three. */
const CHAIN_SIZES = [255, 256, 510, 511];

/**
 * The nfc area: CTAP over ISO 7816-4 as CTAP 2.1 §11.3 defines it (applet selection, NFCCTAP_MSG and
 * NFCCTAP_GETRESPONSE, short and extended APDUs, command and response chaining) and the status words
 * of ISO 7816-4 §5.1.3 for what is malformed.
 */
export const nfcChecks: SuiteCheck[] = [
  {
    id: 'NFC-SELECT-001',
    suite,
    title: 'SELECT of the FIDO AID answers 9000 with a version string',
    specRef: 'CTAP 2.1 §11.3.3',
    touches: 0,
    requires: needsNfc,
    run: (ctx) =>
      NfcSession.with(ctx, async (s) => {
        const r = await s.drain(await s.apdu('SELECT FIDO AID', SELECT(FIDO_AID)), 'SELECT');
        s.expectSw(r, Sw.SUCCESS, 'SELECT A0000006472F0001');
        const v = Buffer.from(r.data).toString('latin1');
        if (v !== NFC_VERSION_U2F && v !== NFC_VERSION_FIDO2) s.fail(`SELECT answered ${JSON.stringify(v)}; §11.3.3 defines "U2F_V2" and "FIDO_2_0"`, { expected: 'U2F_V2 or FIDO_2_0', actual: JSON.stringify(v) });
        return { message: `version ${v}` };
      }),
  },
  {
    id: 'NFC-SELECT-002',
    suite,
    title: 'the version string matches getInfo: "U2F_V2" when CTAP1 is supported, else "FIDO_2_0"',
    specRef: 'CTAP 2.1 §11.3.3; §6.4 versions',
    touches: 0,
    requires: needsNfc,
    run: (ctx) =>
      NfcSession.with(ctx, async (s) => {
        const r = await s.drain(await s.apdu('SELECT FIDO AID', SELECT(FIDO_AID)), 'SELECT');
        s.expectSw(r, Sw.SUCCESS, 'SELECT A0000006472F0001');
        const expected = ctx.info.versions.includes(CtapVersion.U2F_V2) ? NFC_VERSION_U2F : NFC_VERSION_FIDO2;
        const v = Buffer.from(r.data).toString('latin1');
        if (v !== expected) s.fail(`SELECT answered ${JSON.stringify(v)} but getInfo versions ${JSON.stringify(ctx.info.versions)} call for "${expected}"`, { expected, actual: v });
      }),
  },
  {
    id: 'NFC-SELECT-003',
    suite,
    title: 'SELECT of an AID the key does not have answers 6A82 (file or application not found)',
    specRef: 'ISO 7816-4 §7.1.1, §5.1.3; CTAP 2.1 §11.3.3',
    touches: 0,
    requires: needsNfc,
    run: (ctx) =>
      NfcSession.with(ctx, async (s) => {
        s.expectSw(await s.apdu('SELECT F0 "fido-harness"', SELECT(OTHER_AID)), Sw.FILE_NOT_FOUND, 'SELECT of AID F0666964…');
      }),
  },
  {
    id: 'NFC-SELECT-004',
    suite,
    title: 'without SELECT (after a power cycle) a CTAP command is refused',
    specRef: 'CTAP 2.1 §11.3.2, §11.3.3 (the client selects the applet before any other command)',
    touches: 0,
    requires: needsNfc,
    run: (ctx) =>
      NfcSession.with(ctx, async (s) => {
        await s.nfc.powerCycle({ select: false });
        const r = await s.msg(GET_INFO);
        if (isSuccessLike(r.sw)) s.fail(`authenticatorGetInfo before SELECT was answered ${formatSw(r.sw)}; the applet was never selected`, { expected: 'an error status word (e.g. 0x6D00)', actual: formatSw(r.sw) });
        return { message: `refused with ${formatSw(r.sw)}` };
      }),
  },
  {
    id: 'NFC-CHAIN-001',
    suite,
    title: `command chaining (CLA bit 0x10): NFCCTAP_MSG of ${CHAIN_SIZES.join(', ')} bytes in short APDUs arrives whole`,
    specRef: 'CTAP 2.1 §11.3.5; ISO 7816-4 §5.3.3',
    touches: 0,
    requires: needsNfc,
    run: (ctx) =>
      NfcSession.with(ctx, async (s) => {
        for (const size of CHAIN_SIZES) {
          // Stryker disable next-line StringLiteral: any RP ID serves: the message is padded to the size and names an unknown credential
          const message = getAssertionOfSize(size, ctx.rpIdFor('NFC-CHAIN-001'));
          let r;
          for (let at = 0; ; at += 255) {
            const piece = message.subarray(at, at + 255);
            const last = at + 255 >= message.length;
            const cla = last ? Iso7816Cla.NFCCTAP : Iso7816Cla.NFCCTAP | Iso7816Cla.CHAINING;
            r = await s.apdu(`NFCCTAP_MSG ${last ? 'last' : 'chained'} piece ${piece.length} of ${size}`, { cla, ins: Iso7816Ins.NFCCTAP_MSG, p1: 0, p2: 0, data: piece, ...(last ? { ne: 256 } : {}) });
            if (last) break;
            s.expectSw(r, Sw.SUCCESS, `chained piece ${at / 255 + 1} of a ${size}-byte command`);
          }
          r = await s.drain(r, `${size}-byte command`);
          s.expectSw(r, Sw.SUCCESS, `${size}-byte getAssertion in ${Math.ceil(size / 255)} APDU(s)`);
          expectCtapStatus(s, r.data, NO_CREDENTIALS, `${size}-byte getAssertion with one unknown credential (a cut message does not decode)`);
        }
      }),
  },
  {
    id: 'NFC-RESP-001',
    suite,
    title: 'response chaining: a short APDU gets at most Ne bytes, then 61XX announcing what is left, fetched with GET RESPONSE',
    specRef: 'CTAP 2.1 §11.3.5; ISO 7816-4 §5.3.4, §7.6.1',
    touches: 0,
    requires: needsNfc,
    run: (ctx) =>
      NfcSession.with(ctx, async (s) => {
        // getInfo with Le 00 (256), then with Le = a quarter of it: both walks must give the whole answer
        // Stryker disable next-line ObjectLiteral: Ne 256 is also NfcSession.msg's default for a short APDU
        const first = await s.msg(GET_INFO, { ne: 256 });
        if (first.data.length > 256) s.fail(`a short APDU (Ne 256) was answered with ${first.data.length} bytes`, { expected: 'at most 256 bytes, then 61XX', actual: `${first.data.length} bytes, ${formatSw(first.sw)}` });
        const whole = await s.drain(first, 'getInfo with Le 256');
        s.expectSw(whole, Sw.SUCCESS, 'getInfo');
        expectCtapStatus(s, whole.data, CtapStatus.CTAP2_OK, 'getInfo');
        const ne = Math.max(1, Math.floor(whole.data.length / 4));
        const small = await s.msg(GET_INFO, { ne });
        if (small.data.length !== ne || (small.sw & 0xff00) !== Sw.BYTES_REMAINING) {
          s.fail(`getInfo with Le ${ne} (answer ${whole.data.length} bytes): expected ${ne} bytes and 61XX, got ${small.data.length} bytes and ${formatSw(small.sw)}`);
        }
        const announced = small.sw & 0xff || 256;
        const expectedLeft = Math.min(whole.data.length - ne, 256);
        if (announced !== expectedLeft) s.fail(`61XX announced ${announced} bytes; ${whole.data.length - ne} were left`, { expected: formatSw(Sw.BYTES_REMAINING | (expectedLeft & 0xff)), actual: formatSw(small.sw) });
        const again = await s.drain(small, `getInfo with Le ${ne}`);
        if (!Buffer.from(again.data).equals(Buffer.from(whole.data))) s.fail('the two chained answers of getInfo differ');
        return { message: `getInfo ${whole.data.length} bytes in ${Math.ceil(whole.data.length / 256)} and ${Math.ceil(whole.data.length / ne)} pieces` };
      }),
  },
  {
    id: 'NFC-RESP-002',
    suite,
    title: 'GET RESPONSE honours Le at the boundary: 1 byte, then exactly what is left ends with 9000',
    specRef: 'ISO 7816-4 §7.6.1; CTAP 2.1 §11.3.5',
    touches: 0,
    requires: needsNfc,
    run: (ctx) =>
      NfcSession.with(ctx, async (s) => {
        const first = await s.msg(GET_INFO, { ne: 1 });
        if (first.data.length !== 1 || (first.sw & 0xff00) !== Sw.BYTES_REMAINING) s.fail(`getInfo with Le 1: expected 1 byte and 61XX, got ${first.data.length} bytes and ${formatSw(first.sw)}`);
        const one = await s.getResponse(1);
        if (one.data.length !== 1 || (one.sw & 0xff00) !== Sw.BYTES_REMAINING) s.fail(`GET RESPONSE Le 1: expected 1 byte and 61XX, got ${one.data.length} bytes and ${formatSw(one.sw)}`);
        // `one` announced more (61XX): fetch exactly what each 61XX announces until the last piece
        let r = one;
        let left: number;
        do {
          left = r.sw & 0xff || 256;
          r = await s.getResponse(left);
          if (r.data.length !== left) s.fail(`GET RESPONSE Le ${left} after 61XX announcing ${left}: got ${r.data.length} bytes`);
        } while ((r.sw & 0xff00) === Sw.BYTES_REMAINING);
        s.expectSw(r, Sw.SUCCESS, `the last GET RESPONSE (Le ${left}, exactly what was left)`);
      }),
  },
  {
    id: 'NFC-EXT-001',
    suite,
    title: 'extended APDUs: a 511-byte command in one APDU, and getInfo answered whole in one response, equal to the short-APDU answer',
    specRef: 'CTAP 2.1 §11.3.5 (an extended request gets an extended response); ISO 7816-4 §5.1',
    touches: 0,
    requires: needsNfc,
    run: (ctx) =>
      NfcSession.with(ctx, async (s) => {
        let ext;
        try {
          ext = await s.msg(GET_INFO, { extended: true });
        } catch (err) {
          if (err instanceof TransportError && err.code === 'TRANSPORT_APDU_REFUSED') {
            throw new CheckWarning(`the reader would not carry an extended APDU (${err.message}): a limit of the reader (e.g. ACR122U), not of the key; test the key on a reader with extended length`);
          }
          throw err;
        }
        if ((ext.sw & 0xff00) === Sw.BYTES_REMAINING) s.fail(`extended getInfo was answered with ${ext.data.length} bytes and ${formatSw(ext.sw)}: an extended request needs the whole answer in one extended response`, { expected: '0x9000 with the whole answer', actual: formatSw(ext.sw) });
        s.expectSw(ext, Sw.SUCCESS, 'getInfo in an extended APDU');
        const short = await s.drain(await s.msg(GET_INFO), 'getInfo in short APDUs');
        if (!Buffer.from(ext.data).equals(Buffer.from(short.data))) s.fail('getInfo differs between extended and short APDUs');
        // Stryker disable next-line StringLiteral: any RP ID serves: the message is padded to the size and names an unknown credential
        const big = await s.msg(getAssertionOfSize(511, ctx.rpIdFor('NFC-EXT-001')), { extended: true });
        s.expectSw(big, Sw.SUCCESS, '511-byte getAssertion in one extended APDU');
        expectCtapStatus(s, big.data, NO_CREDENTIALS, '511-byte getAssertion with one unknown credential');
      }),
  },
  {
    id: 'NFC-STATUS-001',
    suite,
    title: 'status updates: while a command waits (P1 0x80), 9100 carries 1 PROCESSING or 2 UPNEEDED and NFCCTAP_GETRESPONSE ends with the answer',
    specRef: 'CTAP 2.1 §11.3.6.1, §11.3.6.2',
    // the command waits for a touch and is answered (a touch on a real key)
    touches: 1,
    requires: (ctx) => needsNfc(ctx) ?? (ctx.info.versions.includes(CtapVersion.FIDO_2_1) ? undefined : 'authenticatorSelection is a FIDO_2_1 command'),
    timeoutMs: 45_000,
    run: (ctx) =>
      NfcSession.with(ctx, async (s) => {
        // authenticatorSelection waits for a touch (CTAP 2.1 §6.9); the simulator holds it 1.5 s
        let r = await s.msg(Uint8Array.of(CtapCommand.authenticatorSelection), { p1: NFCCTAP_P1_GETRESPONSE });
        let updates = 0;
        while (r.sw === Sw.STATUS_UPDATE) {
          updates++;
          const status = r.data[0];
          if (r.data.length !== 1 || (status !== KeepaliveStatus.PROCESSING && status !== KeepaliveStatus.UPNEEDED)) {
            s.fail(`status update ${updates} carries ${Buffer.from(r.data).toString('hex') || 'nothing'}; §11.3.6.2 defines one byte, 1 or 2`, { expected: '01 or 02', actual: Buffer.from(r.data).toString('hex') || '(empty)' });
          }
          if (updates > 600) s.fail('more than 600 status updates: the command never ended');
          r = await s.apdu('NFCCTAP_GETRESPONSE', { cla: Iso7816Cla.NFCCTAP, ins: Iso7816Ins.NFCCTAP_GETRESPONSE, p1: 0, p2: 0, data: new Uint8Array(0), ne: 256 });
        }
        r = await s.drain(r, 'the answer to authenticatorSelection');
        s.expectSw(r, Sw.SUCCESS, 'the final answer');
        expectCtapStatus(s, r.data, CtapStatus.CTAP2_OK, 'authenticatorSelection');
        if (updates === 0) throw new CheckSkipped('authenticatorSelection was answered at once (the tap is the touch): no status update to check');
        return { message: `${updates} status update(s), then CTAP2_OK` };
      }),
  },
  {
    id: 'NFC-STATUS-002',
    suite,
    title: 'no status updates for a client that did not ask (NFCCTAP_MSG P1 0x00): the card answers when done',
    specRef: 'CTAP 2.1 §11.3.6.1 (P1 0x80 only when the client supports NFCCTAP_GETRESPONSE)',
    touches: 0,
    requires: (ctx) => needsNfc(ctx) ?? (ctx.info.versions.includes(CtapVersion.FIDO_2_1) ? undefined : 'authenticatorSelection is a FIDO_2_1 command'),
    timeoutMs: 45_000,
    run: (ctx) =>
      NfcSession.with(ctx, async (s) => {
        // Stryker disable next-line ObjectLiteral: P1 0x00 is also NfcSession.msg's default
        const r = await s.drain(await s.msg(Uint8Array.of(CtapCommand.authenticatorSelection), { p1: 0 }), 'the answer to authenticatorSelection');
        s.expectSw(r, Sw.SUCCESS, 'authenticatorSelection with P1 0x00');
        expectCtapStatus(s, r.data, CtapStatus.CTAP2_OK, 'authenticatorSelection');
      }),
  },
  {
    id: 'NFC-APDU-001',
    suite,
    title: 'an unknown class (CLA 0xE0) answers 6E00',
    specRef: 'ISO 7816-4 §5.1.3, §5.4.1',
    touches: 0,
    requires: needsNfc,
    run: (ctx) =>
      NfcSession.with(ctx, async (s) => {
        s.expectSw(await s.send('CLA E0 INS 10', encodeApdu({ cla: 0xe0, ins: Iso7816Ins.NFCCTAP_MSG, p1: 0, p2: 0, data: GET_INFO, ne: 256 })), Sw.CLA_NOT_SUPPORTED, 'CLA 0xE0');
      }),
  },
  {
    id: 'NFC-APDU-002',
    suite,
    title: 'an unknown instruction (CLA 0x80 INS 0x5A) answers 6D00',
    specRef: 'ISO 7816-4 §5.1.3',
    touches: 0,
    requires: needsNfc,
    run: (ctx) =>
      NfcSession.with(ctx, async (s) => {
        s.expectSw(await s.send('CLA 80 INS 5A', encodeApdu({ cla: Iso7816Cla.NFCCTAP, ins: 0x5a, p1: 0, p2: 0, data: GET_INFO, ne: 256 })), Sw.INS_NOT_SUPPORTED, 'INS 0x5A');
      }),
  },
  {
    id: 'NFC-APDU-003',
    suite,
    title: 'NFCCTAP_MSG with P2 0x01 (only 0x00 is defined) answers 6A86 or 6B00',
    specRef: 'CTAP 2.1 §11.3.4 (P2 0x00); ISO 7816-4 §5.1.3',
    touches: 0,
    requires: needsNfc,
    run: (ctx) =>
      NfcSession.with(ctx, async (s) => {
        s.expectSw(await s.send('NFCCTAP_MSG P1P2 8001', encodeApdu({ cla: Iso7816Cla.NFCCTAP, ins: Iso7816Ins.NFCCTAP_MSG, p1: NFCCTAP_P1_GETRESPONSE, p2: 0x01, data: GET_INFO, ne: 256 })), [Sw.INCORRECT_P1P2, 0x6b00], 'P2 0x01');
      }),
  },
  {
    id: 'NFC-APDU-004',
    suite,
    title: 'an Lc that disagrees with the data (Lc 5, 1 byte sent) answers 6700',
    specRef: 'ISO 7816-4 §5.1, §5.1.3',
    touches: 0,
    requires: needsNfc,
    run: (ctx) =>
      NfcSession.with(ctx, async (s) => {
        s.expectSw(await s.send('NFCCTAP_MSG Lc 5 with 1 byte', Uint8Array.of(Iso7816Cla.NFCCTAP, Iso7816Ins.NFCCTAP_MSG, NFCCTAP_P1_GETRESPONSE, 0, 5, CtapCommand.authenticatorGetInfo)), Sw.WRONG_LENGTH, 'Lc 5 with 1 data byte');
      }),
  },
];
