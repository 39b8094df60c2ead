import type { ApduTransport } from './ApduTransport.ts';
import { TransportError } from './TransportError.ts';
import { withDeadline } from './withDeadline.ts';

/** A PC/SC reader as `listPcscReaders` sees it. */
export interface PcscReader {
  name: string;
  cardPresent: boolean;
  atr?: Uint8Array;
}

// The parts of the `smartcard` binding (N-API, npm) this transport uses.
interface ScCard {
  transmit(command: Buffer, options?: { maxRecvLength?: number }): Promise<Buffer>;
  reconnect(shareMode?: number, protocol?: number, initialization?: number): Promise<number>;
  disconnect(disposition?: number): void;
  readonly atr: Buffer | null;
}
interface ScReader {
  readonly name: string;
  readonly state: number;
  readonly atr: Buffer | null;
  connect(shareMode?: number, protocol?: number): Promise<ScCard>;
}
interface ScContext {
  listReaders(): ScReader[];
  close(): void;
}
interface ScModule {
  Context: new () => ScContext;
  SCARD_SHARE_SHARED: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_LEAVE_CARD: number;
  SCARD_UNPOWER_CARD: number;
  SCARD_STATE_PRESENT: number;
}

const INSTALL_HINT = 'install pcscd and libpcsclite-dev (apt-get install pcscd libpcsclite-dev), then npm rebuild smartcard';

/** Loads the PC/SC binding (an optional dependency: it builds against libpcsclite-dev). */
async function loadSmartcard(): Promise<ScModule> {
  try {
    // the name through a variable: where the optional package did not build, typecheck and start-up still work
    const name = 'smartcard';
    const mod = (await import(name)) as ScModule & { default?: ScModule };
    return mod.Context ? mod : mod.default!;
  } catch (err) {
    throw new TransportError('TRANSPORT_OPEN_FAILED', `the PC/SC binding (npm "smartcard") is not available: ${(err as Error).message}; ${INSTALL_HINT}`, { cause: err });
  }
}

function openContext(sc: ScModule): ScContext {
  try {
    return new sc.Context();
  } catch (err) {
    throw new TransportError('TRANSPORT_OPEN_FAILED', `cannot reach the PC/SC service: ${(err as Error).message}; is pcscd running?`, { cause: err });
  }
}

// PC/SC return codes (pcsc-lite pcsclite.h) that mean the card or reader went away.
const GONE_CODES = new Set([0x80100069, 0x80100017, 0x8010001d, 0x80100067, 0x80100068, 0x8010000c, 0x80100009, 0x8010002e]);

function transmitError(err: unknown, path: string): TransportError {
  const code = (err as { code?: unknown }).code;
  const message = (err as Error).message ?? String(err);
  const n = typeof code === 'number' ? code >>> 0 : undefined;
  if ((n !== undefined && GONE_CODES.has(n)) || /removed|no smart ?card|unavailable|no service/i.test(message)) {
    return new TransportError('TRANSPORT_DISCONNECTED', `${path}: ${message}`, { cause: err });
  }
  // anything else: the reader did not carry this APDU (too long for it, not transacted, bad parameter)
  return new TransportError('TRANSPORT_APDU_REFUSED', `${path}: ${message}`, { cause: err });
}

/** The PC/SC readers pcscd knows, with whether a card is on each (`pcsc_scan -r`). */
export async function listPcscReaders(): Promise<PcscReader[]> {
  const sc = await loadSmartcard();
  const ctx = openContext(sc);
  try {
    let readers: ScReader[];
    try {
      readers = ctx.listReaders();
    } catch {
      return []; // SCARD_E_NO_READERS_AVAILABLE
    }
    return readers.map((r) => ({
      name: r.name,
      cardPresent: (r.state & sc.SCARD_STATE_PRESENT) !== 0,
      ...(r.atr ? { atr: new Uint8Array(r.atr) } : {}),
    }));
  } finally {
    ctx.close();
  }
}

/**
 * `pcsc:READER NAME`: a card on a PC/SC reader through pcscd (ISO 7816-4 APDUs; for NFC, CTAP 2.1 §11.3).
 * The reader is named exactly, or by a part of its name that only one reader has. Opening waits up to
 * `waitMs` for a card to be on the reader. Shared mode: other PC/SC clients may use the reader between
 * our transactions.
 */
export class PcscTransport implements ApduTransport {
  readonly kind = 'pcsc' as const;
  readonly path: string;
  private isClosed = false;

  private constructor(
    private readonly sc: ScModule,
    private readonly ctx: ScContext,
    private readonly card: ScCard,
    readonly readerName: string,
  ) {
    this.path = `pcsc:${readerName}`;
  }

  static async open(reader: string, options: { waitMs?: number } = {}): Promise<PcscTransport> {
    const sc = await loadSmartcard();
    const ctx = openContext(sc);
    try {
      const deadline = Date.now() + (options.waitMs ?? 0);
      for (;;) {
        let readers: ScReader[] = [];
        try {
          readers = ctx.listReaders();
        } catch {
          // no reader yet
        }
        const exact = readers.filter((r) => r.name === reader);
        const matches = exact.length ? exact : readers.filter((r) => r.name.includes(reader));
        if (matches.length > 1) {
          throw new TransportError('TRANSPORT_NO_DEVICE', `"${reader}" names ${matches.length} PC/SC readers (${matches.map((r) => r.name).join(', ')}); give the whole name`);
        }
        const found = matches[0];
        if (found && (found.state & sc.SCARD_STATE_PRESENT) !== 0) {
          const card = await found.connect(sc.SCARD_SHARE_SHARED, sc.SCARD_PROTOCOL_T1 | sc.SCARD_PROTOCOL_T0).catch((err: Error) => {
            throw new TransportError('TRANSPORT_OPEN_FAILED', `cannot connect to the card on "${found.name}": ${err.message}`, { cause: err });
          });
          return new PcscTransport(sc, ctx, card, found.name);
        }
        if (Date.now() >= deadline) {
          if (!found) {
            const names = readers.map((r) => `"${r.name}"`).join(', ') || 'none';
            throw new TransportError('TRANSPORT_NO_DEVICE', `no PC/SC reader named "${reader}" (readers: ${names})`);
          }
          throw new TransportError('TRANSPORT_NO_DEVICE', `no card on the PC/SC reader "${found.name}": place the key on the reader`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    } catch (err) {
      ctx.close();
      throw err;
    }
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get atr(): Uint8Array | undefined {
    return this.card.atr ? new Uint8Array(this.card.atr) : undefined;
  }

  async transmit(command: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    if (this.isClosed) throw new TransportError('TRANSPORT_CLOSED', `${this.path} is closed`);
    // 65536 data bytes + SW1 SW2: the largest extended-length response (ISO 7816-4 §5.1)
    const sent = this.card.transmit(Buffer.from(command), { maxRecvLength: 65_538 }).then(
      (r) => new Uint8Array(r),
      (err: unknown) => {
        throw transmitError(err, this.path);
      },
    );
    return withDeadline(sent, timeoutMs, `no response APDU from ${this.path}`);
  }

  /** SCardReconnect with SCARD_UNPOWER_CARD: the reader powers the card down and up again. */
  async powerCycle(): Promise<void> {
    await this.card.reconnect(this.sc.SCARD_SHARE_SHARED, this.sc.SCARD_PROTOCOL_T1 | this.sc.SCARD_PROTOCOL_T0, this.sc.SCARD_UNPOWER_CARD).catch((err: unknown) => {
      throw transmitError(err, this.path);
    });
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    try {
      this.card.disconnect(this.sc.SCARD_LEAVE_CARD);
    } catch {
      // the card is already gone
    }
    this.ctx.close();
  }
}
