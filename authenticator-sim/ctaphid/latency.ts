import { CtapCommand, CtaphidCommand } from '../../harness/protocol/index.ts';

/** How slow the simulated hardware is: per command, and per touch. */
export interface LatencyProfile {
  name: string;
  /** how long the person takes to touch the key once asked, ms */
  touchMs: number;
  /** how long the device takes to process a CTAPHID CBOR or MSG command, ms */
  commandMs(cmd: number, payload: Uint8Array): number;
}

/**
 * Roughly what a USB security key with a secure element costs (`sim --latency realistic`): tens of ms per
 * signature or key generation, an ECDH for each PIN exchange, a few ms for reads, and one second for a
 * person's touch. The spec gives no figures; these are chosen to be in the range of common keys, so that
 * a run's wall time on the simulator says what a real-key run costs.
 */
export const REALISTIC_LATENCY: LatencyProfile = {
  name: 'realistic',
  touchMs: 1_000,
  commandMs(cmd, payload) {
    if (cmd === CtaphidCommand.MSG) {
      const ins = payload[1];
      return ins === 0x01 ? 60 : ins === 0x02 ? 40 : 5; // U2F_REGISTER keygen + 2 signatures, AUTHENTICATE 1 signature
    }
    switch (payload[0]) {
      case CtapCommand.authenticatorMakeCredential:
        return 60; // key generation + attestation signature
      case CtapCommand.authenticatorGetAssertion:
      case CtapCommand.authenticatorGetNextAssertion:
        return 40; // one signature
      case CtapCommand.authenticatorClientPIN:
        return 30; // ECDH
      case CtapCommand.authenticatorReset:
        return 50; // storage erase
      case CtapCommand.authenticatorGetInfo:
        return 5;
      default:
        return 20; // credential management, large blobs, config, selection: storage access
    }
  },
};

export const LATENCY_PROFILES: Record<string, LatencyProfile | undefined> = {
  none: undefined,
  realistic: REALISTIC_LATENCY,
};
