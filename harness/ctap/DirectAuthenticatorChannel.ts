import type { CtapCallOptions, CtapChannel } from './CtapChannel.ts';

/**
 * An in-process authenticator's CTAP2 entry point, shaped like the simulator's `Authenticator.handleCbor`
 * (structural, so this layer does not import the simulator).
 */
export interface CborHandler {
  handleCbor(command: number, payload: Uint8Array, options?: { signal?: AbortSignal }): Promise<{ status: number; payload: Uint8Array }>;
}

/**
 * The DIRECT path: CTAP2 messages go straight to `handleCbor`, bypassing CTAPHID framing, channels,
 * keepalive and the transport. Faster, for tests of the CTAP2 layer only; it exercises none of the
 * CTAPHID code, and has no CTAP1/U2F (`msg`). Use a MemoryTransport + CtaphidChannel for the full stack.
 */
export class DirectAuthenticatorChannel implements CtapChannel {
  readonly kind = 'direct' as const;
  constructor(private readonly authenticator: CborHandler) {}

  async cbor(command: number, data: Uint8Array, options: CtapCallOptions = {}): Promise<Uint8Array> {
    const res = await this.authenticator.handleCbor(command, Uint8Array.from(data), options.signal ? { signal: options.signal } : {});
    const out = new Uint8Array(1 + res.payload.length);
    out[0] = res.status;
    out.set(res.payload, 1);
    return out;
  }
}
