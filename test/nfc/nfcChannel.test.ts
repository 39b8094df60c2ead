import { describe, expect, it } from 'vitest';
import { createSimulatorCard } from '../../authenticator-sim/index.ts';
import { getAssertionOfSize } from '../../harness/suites/nfc/NfcSession.ts';
import { openNfcDevice } from '../../harness/ctap/index.ts';
import { NfcChannel, NfcError } from '../../harness/nfc/index.ts';
import { CtapCommand, encodeApdu, FIDO_AID, joinResponse, Sw } from '../../harness/protocol/index.ts';
import { MemoryCardTransport, type InProcessCard } from '../../harness/transport/index.ts';

// The NFC layer's framing against in-memory pairs: the simulator's applet, or a scripted card. The end-to-end
// path through pcscd and vsmartcard's reader is test/nfc/pcscEndToEnd.test.ts.

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

/** The simulator's applet, every APDU it sees recorded. */
async function simulatorCard(options: Parameters<typeof createSimulatorCard>[0] = {}) {
  const { applet, authenticator } = await createSimulatorCard({ allowResetAnytime: true, ...options });
  const seen: Uint8Array[] = [];
  const card: InProcessCard = {
    transmit: (c) => {
      seen.push(c);
      return applet.transmit(c);
    },
    powerOff: () => applet.powerOff(),
    powerOn: () => applet.powerOn(),
  };
  return { card, seen, authenticator, applet };
}

/** A card that answers from a script: each APDU gets the next answer (hex). */
function scriptedCard(answer: (command: Uint8Array, n: number) => string): InProcessCard & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    transmit: async (c) => {
      seen.push(hex(c));
      return bytes(answer(c, seen.length - 1));
    },
    powerOff: () => {},
    powerOn: () => {},
  };
}

const SELECT_OK = hex(new TextEncoder().encode('FIDO_2_0')) + '9000';

describe('NfcChannel with the simulator card', () => {
  it('should select the applet, then run getInfo as NFCCTAP_MSG with the response chained through GET RESPONSE', async () => {
    const { card, seen } = await simulatorCard();
    const device = await openNfcDevice({ kind: 'memory-card', card });
    expect(device.nfc.version).toBe('U2F_V2');
    expect(hex(seen[0]!)).toBe('00a4040008' + hex(FIDO_AID) + '00');
    expect(hex(seen[1]!)).toBe('801080000104' + '00'); // NFCCTAP_MSG P1 0x80, getInfo, Le 00
    const info = device.ctap2.info!;
    expect(info.transports).toContain('nfc');
    // getInfo is longer than 256 bytes: 61XX then GET RESPONSE 00 C0 00 00 XX
    expect(seen.slice(2).map((c) => hex(c).slice(0, 8))).toContain('00c00000');
  });

  it('should chain commands of 256, 510 and 511 bytes in 255-byte pieces with CLA 0x90', async () => {
    const { card, seen } = await simulatorCard();
    const nfc = await NfcChannel.open(new MemoryCardTransport(card));
    for (const size of [255, 256, 510, 511]) {
      seen.length = 0;
      // getAssertion of one unknown credential: CTAP2_ERR_NO_CREDENTIALS when the whole message arrived
      const message = getAssertionOfSize(size, 'chain.example');
      expect(message.length).toBe(size);
      const answer = await nfc.cbor(message[0]!, message.subarray(1));
      expect(hex(answer), `answer to ${size} bytes`).toBe('2e');
      const pieces = seen.filter((c) => (c[1] === 0x10));
      expect(pieces.map((c) => c[0])).toEqual([...Array(Math.ceil(size / 255) - 1).fill(0x90), 0x80]);
      expect(pieces.map((c) => c[4])).toEqual(Array.from({ length: Math.ceil(size / 255) }, (_, i) => Math.min(255, size - i * 255)));
    }
  });

  it('should send one extended APDU each way when asked for extended length', async () => {
    const { card, seen } = await simulatorCard();
    const nfc = await NfcChannel.open(new MemoryCardTransport(card), { extended: true });
    seen.length = 0;
    const r = await nfc.exchange({ cla: 0x80, ins: 0x10, p1: 0x80, p2: 0, data: Uint8Array.of(CtapCommand.authenticatorGetInfo), ne: 65_536 });
    expect(r.apdus).toBe(1);
    expect(r.sw).toBe(Sw.SUCCESS);
    expect(r.data.length).toBeGreaterThan(256);
    expect(hex(seen[0]!)).toBe('80108000' + '000001' + '04' + '0000');
  });

  it('should pass status updates (9100) to onKeepalive and poll with NFCCTAP_GETRESPONSE', async () => {
    const { card, seen } = await simulatorCard({ presenceHold: { reasons: ['selection'], ms: 400 } });
    const nfc = await NfcChannel.open(new MemoryCardTransport(card));
    const updates: number[] = [];
    const answer = await nfc.cbor(CtapCommand.authenticatorSelection, new Uint8Array(0), { onKeepalive: (s) => updates.push(s) });
    expect(hex(answer)).toBe('00');
    expect(updates.length).toBeGreaterThan(0);
    expect(new Set(updates)).toEqual(new Set([2])); // UPNEEDED: the simulator waits for its touch
    expect(seen.some((c) => hex(c) === '8011000000')).toBe(true);
  });

  it('should carry CTAP1/U2F APDUs: U2F_VERSION, and a U2F instruction in class 0x80 answered 6E00', async () => {
    const device = await openNfcDevice({ kind: 'memory-card', card: (await simulatorCard()).card });
    expect(await device.ctap1.version()).toBe('U2F_V2');
    const r = await device.ctap1.sendApdu({ cla: 0x80, ins: 0x03, p1: 0, p2: 0, data: new Uint8Array(0), le: 0 });
    expect(r.sw).toBe(0x6e00);
  });

  it('should need SELECT again after a power cycle (the applet answers 6D00 before it)', async () => {
    const { card } = await simulatorCard();
    const transport = new MemoryCardTransport(card);
    const nfc = await NfcChannel.open(transport);
    await transport.powerCycle();
    const before = await nfc.transmit(encodeApdu({ cla: 0x80, ins: 0x10, p1: 0x80, p2: 0, data: Uint8Array.of(4), ne: 256 }));
    expect(before.sw).toBe(Sw.INS_NOT_SUPPORTED);
    await nfc.powerCycle();
    expect((await nfc.cbor(CtapCommand.authenticatorGetInfo, new Uint8Array(0)))[0]).toBe(0);
  });

  it('should answer 6883 to a chain broken by another command, and 6985 to GET RESPONSE with nothing pending', async () => {
    const nfc = await NfcChannel.open(new MemoryCardTransport((await simulatorCard()).card));
    expect((await nfc.transmit(encodeApdu({ cla: 0x90, ins: 0x10, p1: 0x80, p2: 0, data: Uint8Array.of(4, 0xa0) }))).sw).toBe(Sw.SUCCESS);
    expect((await nfc.transmit(encodeApdu({ cla: 0x00, ins: 0x03, p1: 0, p2: 0, data: new Uint8Array(0), ne: 256 }))).sw).toBe(Sw.LAST_COMMAND_EXPECTED);
    expect((await nfc.transmit(encodeApdu({ cla: 0x00, ins: 0xc0, p1: 0, p2: 0, data: new Uint8Array(0), ne: 256 }))).sw).toBe(Sw.CONDITIONS_NOT_SATISFIED);
  });
});

describe('NfcChannel against a card that misbehaves', () => {
  it('should refuse a card without the FIDO applet with NFC_SELECT_FAILED', async () => {
    const err = await NfcChannel.open(new MemoryCardTransport(scriptedCard(() => '6a82'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NfcError);
    expect((err as NfcError).code).toBe('NFC_SELECT_FAILED');
    expect((err as NfcError).message).toContain('0x6A82 FILE_NOT_FOUND');
  });

  it('should stop a response chain that never ends at maxResponseSize', async () => {
    const card = scriptedCard((_, n) => (n === 0 ? SELECT_OK : '00'.repeat(256) + '6100'));
    const nfc = await NfcChannel.open(new MemoryCardTransport(card), { maxResponseSize: 4096 });
    const err = await nfc.cbor(4, new Uint8Array(0)).catch((e: unknown) => e);
    expect((err as NfcError).code).toBe('NFC_RESPONSE_TOO_LARGE');
    expect(card.seen.length).toBeLessThan(30);
  });

  it('should refuse a response without a status word, and a status update without its byte', async () => {
    const oneByte = await NfcChannel.open(new MemoryCardTransport(scriptedCard((_, n) => (n === 0 ? SELECT_OK : '90'))));
    expect(((await oneByte.cbor(4, new Uint8Array(0)).catch((e: unknown) => e)) as NfcError).code).toBe('NFC_MALFORMED_RESPONSE');
    const emptyUpdate = await NfcChannel.open(new MemoryCardTransport(scriptedCard((_, n) => (n === 0 ? SELECT_OK : '9100'))));
    expect(((await emptyUpdate.cbor(4, new Uint8Array(0)).catch((e: unknown) => e)) as NfcError).code).toBe('NFC_MALFORMED_RESPONSE');
  });

  it('should end endless status updates when cancelled, and select the applet before the next command', async () => {
    const card = scriptedCard((c) => (c[1] === 0xa4 ? SELECT_OK : c[1] === 0x10 && c[4] === 1 && c[5] === 4 ? '009000' : '019100'));
    const nfc = await NfcChannel.open(new MemoryCardTransport(card));
    const ac = new AbortController();
    let updates = 0;
    const err = await nfc
      .cbor(CtapCommand.authenticatorSelection, new Uint8Array(0), {
        signal: ac.signal,
        onKeepalive: () => {
          if (++updates === 3) ac.abort();
        },
      })
      .catch((e: unknown) => e);
    expect((err as NfcError).code).toBe('NFC_CANCELLED');
    const selects = () => card.seen.filter((c) => c.startsWith('00a40400')).length;
    expect(selects()).toBe(1);
    expect(hex(await nfc.cbor(CtapCommand.authenticatorGetInfo, new Uint8Array(0)))).toBe('00');
    expect(selects()).toBe(2);
  });

  it('should give a status word other than 9000 as NFC_STATUS with its name', async () => {
    const nfc = await NfcChannel.open(new MemoryCardTransport(scriptedCard((_, n) => (n === 0 ? SELECT_OK : hex(joinResponse(new Uint8Array(0), 0x6700))))));
    const err = (await nfc.cbor(4, new Uint8Array(0)).catch((e: unknown) => e)) as NfcError;
    expect(err.code).toBe('NFC_STATUS');
    expect(err.sw).toBe(0x6700);
    expect(err.message).toContain('WRONG_LENGTH');
  });
});
