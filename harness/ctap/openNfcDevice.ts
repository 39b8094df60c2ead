import { NfcChannel, NfcError, type NfcChannelOptions } from '../nfc/index.ts';
import { listPcscReaders, MemoryCardTransport, PcscTransport, TransportError, type ApduTransport, type InProcessCard } from '../transport/index.ts';
import { Ctap1 } from './Ctap1.ts';
import { Ctap2, type Ctap2Options } from './Ctap2.ts';

/** A card on a PC/SC reader (`pcsc`: the first reader whose card has the FIDO applet), or an in-process card. */
export type NfcDeviceSpec = { kind: 'pcsc'; reader?: string; waitMs?: number } | { kind: 'memory-card'; card: InProcessCard; name?: string; atr?: Uint8Array };

/** The host stack for a card: APDU transport → NFC channel (applet selected) → CTAP2 and CTAP1 APIs. */
export interface OpenedNfcDevice {
  transport: ApduTransport;
  nfc: NfcChannel;
  ctap2: Ctap2;
  ctap1: Ctap1;
  close(): Promise<void>;
}

/**
 * Opens a card: the transport, SELECT of the FIDO applet (CTAP 2.1 §11.3.3) and getInfo. With `pcsc` and
 * no reader named, every reader with a card is tried in turn and the first FIDO card is taken.
 */
export async function openNfcDevice(spec: NfcDeviceSpec, options: { nfc?: NfcChannelOptions; ctap2?: Ctap2Options } = {}): Promise<OpenedNfcDevice> {
  if (spec.kind === 'memory-card') return openOn(new MemoryCardTransport(spec.card, spec.name ?? 'memory:card', spec.atr), options);
  if (spec.reader !== undefined) return openOn(await PcscTransport.open(spec.reader, spec.waitMs !== undefined ? { waitMs: spec.waitMs } : {}), options);
  const readers = await listPcscReaders();
  const withCard = readers.filter((r) => r.cardPresent);
  const refused: string[] = [];
  for (const r of withCard) {
    const transport = await PcscTransport.open(r.name);
    try {
      return await openOn(transport, options);
    } catch (err) {
      if (!(err instanceof NfcError && err.code === 'NFC_SELECT_FAILED')) throw err;
      refused.push(r.name);
    }
  }
  const names = readers.map((r) => `"${r.name}"${r.cardPresent ? '' : ' (no card)'}`).join(', ') || 'none';
  throw new TransportError('TRANSPORT_NO_DEVICE', `no FIDO card on any PC/SC reader (readers: ${names}${refused.length ? `; no FIDO applet on the card of ${refused.join(', ')}` : ''})`);
}

async function openOn(transport: ApduTransport, options: { nfc?: NfcChannelOptions; ctap2?: Ctap2Options }): Promise<OpenedNfcDevice> {
  try {
    const nfc = await NfcChannel.open(transport, options.nfc);
    const ctap2 = await Ctap2.open(nfc, options.ctap2);
    const ctap1 = new Ctap1(nfc, ctap2.trace);
    return { transport, nfc, ctap2, ctap1, close: () => transport.close() };
  } catch (err) {
    await transport.close();
    throw err;
  }
}

/** A FIDO card found on a PC/SC reader (`fido-harness devices`). */
export interface FidoCard {
  /** `pcsc:READER NAME` */
  path: string;
  reader: string;
  /** the SELECT answer: "U2F_V2" or "FIDO_2_0" */
  version: string;
  atr?: string;
}

/**
 * The PC/SC readers' cards that answer SELECT of the FIDO AID; `read` is given each opened card (getInfo
 * for --info). No PC/SC (binding not built, pcscd not running) is no card, with `unavailable` saying why.
 */
export async function listFidoCards<T>(read?: (device: OpenedNfcDevice) => Promise<T>): Promise<{ cards: (FidoCard & { details?: T; error?: string })[]; unavailable?: string }> {
  let readers;
  try {
    readers = await listPcscReaders();
  } catch (err) {
    return { cards: [], unavailable: (err as Error).message };
  }
  const cards: (FidoCard & { details?: T; error?: string })[] = [];
  for (const r of readers.filter((x) => x.cardPresent)) {
    let device: OpenedNfcDevice | undefined;
    try {
      device = await openNfcDevice({ kind: 'pcsc', reader: r.name }, { nfc: { timeoutMs: 5_000 } });
      const card: FidoCard & { details?: T } = { path: device.transport.path, reader: r.name, version: device.nfc.version, ...(r.atr ? { atr: Buffer.from(r.atr).toString('hex') } : {}) };
      if (read) card.details = await read(device);
      cards.push(card);
    } catch (err) {
      if (err instanceof NfcError && err.code === 'NFC_SELECT_FAILED') continue; // not a FIDO card
      cards.push({ path: `pcsc:${r.name}`, reader: r.name, version: '', error: (err as Error).message });
    } finally {
      await device?.close();
    }
  }
  return { cards };
}
