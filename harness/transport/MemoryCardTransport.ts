import type { ApduTransport, InProcessCard } from './ApduTransport.ts';
import { TransportError } from './TransportError.ts';
import { withDeadline } from './withDeadline.ts';

/** An in-process card behind the APDU transport interface (tests, the quirk matrix's NFC runs). */
export class MemoryCardTransport implements ApduTransport {
  readonly kind = 'memory' as const;
  private isClosed = false;

  constructor(
    private readonly card: InProcessCard,
    readonly path = 'memory:card',
    readonly atr: Uint8Array | undefined = undefined,
  ) {
    card.powerOn();
  }

  get closed(): boolean {
    return this.isClosed;
  }

  async transmit(command: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    if (this.isClosed) throw new TransportError('TRANSPORT_CLOSED', `${this.path} is closed`);
    return withDeadline(this.card.transmit(Uint8Array.from(command)), timeoutMs, `no response APDU from ${this.path}`);
  }

  async powerCycle(): Promise<void> {
    this.card.powerOff();
    this.card.powerOn();
  }

  async close(): Promise<void> {
    this.isClosed = true;
  }
}
