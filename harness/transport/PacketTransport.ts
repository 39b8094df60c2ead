/**
 * A host-side packet transport: whole 64-byte CTAPHID reports out and in (CTAP 2.1 §11.2.4). Framing,
 * channels and commands are the CTAPHID layer's; a transport only moves reports and reports failures as
 * TransportError. A failure in a background reader is kept and given to the next `read`, never thrown.
 */
export interface PacketTransport {
  /** 'hid' | 'udp' | 'memory' */
  readonly kind: TransportKind;
  /** where the device is: hidraw path, host:port, or a name for the in-process device */
  readonly path: string;
  readonly closed: boolean;
  /** Sends one 64-byte report. */
  write(report: Uint8Array): Promise<void>;
  /**
   * The next report from the device, waiting at most `timeoutMs`: rejects with TRANSPORT_TIMEOUT, or
   * TRANSPORT_ABORTED when `signal` fires, or the failure the background reader saw.
   */
  read(timeoutMs: number, signal?: AbortSignal): Promise<Uint8Array>;
  /** Drops reports received but not read yet (stale answers of an abandoned command); returns how many. */
  discardPending(): number;
  close(): Promise<void>;
}

export type TransportKind = 'hid' | 'udp' | 'memory';
