/**
 * A host-side APDU transport (ISO 7816-4 over PC/SC, or an in-process card): one command APDU out, its
 * response APDU back. Chaining, GET RESPONSE and the FIDO applet are the NFC layer's (harness/nfc).
 */
export interface ApduTransport {
  /** 'pcsc' | 'memory' */
  readonly kind: 'pcsc' | 'memory';
  /** `pcsc:READER NAME`, or a name for the in-process card */
  readonly path: string;
  readonly closed: boolean;
  /** the card's ATR as the reader reports it (PC/SC part 3 builds one for contactless cards) */
  readonly atr: Uint8Array | undefined;
  /** Sends one command APDU and returns the response APDU (data || SW1 SW2); TRANSPORT_TIMEOUT after `timeoutMs`. */
  transmit(command: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
  /** Takes the card's power away and gives it back (the field off and on): the card forgets its selection. */
  powerCycle(): Promise<void>;
  close(): Promise<void>;
}

/** An in-process card, shaped like the simulator's NfcApplet (structural: this layer imports no simulator). */
export interface InProcessCard {
  transmit(command: Uint8Array): Promise<Uint8Array>;
  powerOff(): void;
  powerOn(): void;
}
