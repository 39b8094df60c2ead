import { U2fControl, U2fInstruction, U2fStatusWord } from '../../protocol/index.ts';
import type { SuiteCheck } from '../SuiteContext.ts';
import { apdu, authenticateData, expectSw, needsU2f, pooledU2f, random32, suite } from './u2fOps.ts';

/** An instruction U2F does not define (§3.1: 0x01..0x03 and the vendor range 0x40..0xBF) */
const UNDEFINED_INS = 0x35;
/** A class byte other than 0x00 (§3.1: CLA is 0) */
const UNDEFINED_CLA = 0x80;

export const apduChecks: SuiteCheck[] = [
  {
    id: 'U2F-APDU-001',
    suite,
    title: 'request data of the wrong length answers SW_WRONG_LENGTH (0x6700): REGISTER with 63 bytes, AUTHENTICATE whose key handle length byte disagrees',
    specRef: 'FIDO U2F Raw Message Formats v1.2 §3.3, §4.1, §5.1',
    requires: needsU2f,
    touches: 0,
    uses: ['u2f'],
    async run(ctx) {
      const ctap1 = ctx.device.ctap1!;
      expectSw(await ctap1.sendApdu(apdu(U2fInstruction.U2F_REGISTER, 0, new Uint8Array(63))), U2fStatusWord.SW_WRONG_LENGTH, 'U2F_REGISTER with 63 bytes of data');
      const { reg, application } = await pooledU2f(ctx);
      const data = authenticateData(random32(), application, reg.keyHandle);
      data[64] = reg.keyHandle.length + 1; // says one byte more than is there
      expectSw(await ctap1.sendApdu(apdu(U2fInstruction.U2F_AUTHENTICATE, U2fControl.CHECK_ONLY, data)), U2fStatusWord.SW_WRONG_LENGTH, 'U2F_AUTHENTICATE whose key handle length byte exceeds the data');
    },
  },
  {
    id: 'U2F-APDU-002',
    suite,
    title: `an unknown instruction (INS 0x${UNDEFINED_INS.toString(16)}) answers SW_INS_NOT_SUPPORTED (0x6D00)`,
    specRef: 'FIDO U2F Raw Message Formats v1.2 §3.3',
    requires: needsU2f,
    touches: 0,
    async run(ctx) {
      expectSw(await ctx.device.ctap1!.sendApdu(apdu(UNDEFINED_INS, 0, new Uint8Array(0))), U2fStatusWord.SW_INS_NOT_SUPPORTED, `INS 0x${UNDEFINED_INS.toString(16)}`);
    },
  },
  {
    id: 'U2F-APDU-003',
    suite,
    title: `an unknown class (CLA 0x${UNDEFINED_CLA.toString(16)}) answers SW_CLA_NOT_SUPPORTED (0x6E00)`,
    specRef: 'FIDO U2F Raw Message Formats v1.2 §3.3 (ISO 7816-4 class byte)',
    requires: needsU2f,
    touches: 0,
    async run(ctx) {
      const res = await ctx.device.ctap1!.sendApdu({ ...apdu(U2fInstruction.U2F_VERSION, 0, new Uint8Array(0)), cla: UNDEFINED_CLA });
      expectSw(res, U2fStatusWord.SW_CLA_NOT_SUPPORTED, `CLA 0x${UNDEFINED_CLA.toString(16)}`);
    },
  },
];
