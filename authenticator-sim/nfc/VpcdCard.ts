import { connect, type Socket } from 'node:net';
import type { NfcApplet } from './NfcApplet.ts';

/** vsmartcard's virtual reader (vpcd) listens for a virtual card here; slot 1 is port 35964. */
export const DEFAULT_VPCD_HOST = '127.0.0.1';
export const DEFAULT_VPCD_PORT = 35963;

/** vpcd's one-byte control messages (vsmartcard vpcd protocol). */
export const VpcdControl = { POWER_OFF: 0x00, POWER_ON: 0x01, RESET: 0x02, GET_ATR: 0x04 } as const;

/**
 * The simulator's ATR as a contactless card (PC/SC part 3 §3.1.3.2.3 form for ISO 14443-4 cards):
 * 3B 8n 80 01 | historical bytes | TCK, historical bytes "fido-harness" so a host can tell the simulator
 * from a real key (it allows resets on it without --allow-reset, as on UDP).
 */
export const SIMULATOR_CARD_HISTORICAL = new TextEncoder().encode('fido-harness');
export const SIMULATOR_CARD_ATR: Uint8Array = (() => {
  const body = [0x80 | SIMULATOR_CARD_HISTORICAL.length, 0x80, 0x01, ...SIMULATOR_CARD_HISTORICAL];
  const tck = body.reduce((x, v) => x ^ v, 0); // TCK: XOR of T0 .. last historical byte (ISO 7816-3 §8.2.5)
  return Uint8Array.from([0x3b, ...body, tck]);
})();

export class VpcdCardError extends Error {
  override readonly name = 'VpcdCardError';
}

/**
 * The simulator as a virtual card in vpcd: a TCP client of the reader driver. Each message is a 2-byte
 * big-endian length then the payload; a 1-byte payload is a control (power off, power on, reset, get
 * ATR), anything else a command APDU answered the same way. Power off, and reset, are the power cycle.
 */
export class VpcdCard {
  private buffer = Buffer.alloc(0);
  private closed = false;
  /** messages are handled one after the other, so answers (ATR, response APDUs) go back in request order */
  private queue: Promise<unknown> = Promise.resolve();
  /** APDUs answered (for the command's output and tests) */
  apdus = 0;

  private constructor(
    private readonly socket: Socket,
    private readonly applet: NfcApplet,
    readonly atr: Uint8Array,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (d) => this.onData(d));
  }

  /** Connects to vpcd at host:port; refuses with VpcdCardError when nothing listens there. */
  static async connect(applet: NfcApplet, host = DEFAULT_VPCD_HOST, port = DEFAULT_VPCD_PORT, atr = SIMULATOR_CARD_ATR): Promise<VpcdCard> {
    const socket = connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    }).catch((err: Error) => {
      socket.destroy();
      throw new VpcdCardError(`cannot reach vpcd at ${host}:${port} (${err.message}); is pcscd running with vsmartcard-vpcd installed?`);
    });
    return new VpcdCard(socket, applet, atr);
  }

  /** Resolves when the reader side closes the connection (pcscd stopped) or `close` is called. */
  get ended(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) resolve();
      else this.socket.once('close', () => resolve());
    });
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 2) {
      const n = this.buffer.readUInt16BE(0);
      if (this.buffer.length < 2 + n) return;
      const message = new Uint8Array(this.buffer.subarray(2, 2 + n));
      this.buffer = this.buffer.subarray(2 + n);
      // In order: a power control or GET ATR that vpcd sends after an APDU acts after the APDU's answer.
      if (n === 1) this.queue = this.queue.then(() => this.onControl(message[0]!));
      else if (n > 1) {
        this.apdus++;
        this.queue = this.queue.then(() => this.applet.transmit(message).then((r) => this.send(r)));
      }
    }
  }

  private onControl(code: number): void {
    switch (code) {
      case VpcdControl.POWER_OFF:
        this.applet.powerOff();
        return;
      case VpcdControl.POWER_ON:
        this.applet.powerOn();
        return;
      case VpcdControl.RESET:
        this.applet.powerOff();
        this.applet.powerOn();
        return;
      case VpcdControl.GET_ATR:
        this.send(this.atr);
        return;
      default:
      // unknown controls are ignored (vpcd sends no others)
    }
  }

  private send(payload: Uint8Array): void {
    if (this.closed || this.socket.destroyed) return;
    const head = Buffer.alloc(2);
    head.writeUInt16BE(payload.length);
    this.socket.write(Buffer.concat([head, payload]));
  }
}
