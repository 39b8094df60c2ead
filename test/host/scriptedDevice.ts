import {
  BROADCAST_CID,
  CtaphidCommand,
  encodeFrames,
  MessageAssembler,
  parsePacket,
} from '../../harness/protocol/index.ts';
import type { InProcessDeviceFactory } from '../../harness/transport/index.ts';

/**
 * Test doubles on the device side of the memory transport. `scriptedDevice` hands every host report to a
 * script that answers with whatever reports it likes (hostile-device tests). `cborDevice` is a thin
 * CTAPHID device around a `handleCbor` function: INIT, PING, CBOR, CANCEL and nothing else; used until
 * and besides the simulator's own CtaphidDevice.
 */
export function scriptedDevice(
  script: (report: Uint8Array, emit: (r: Uint8Array) => void) => void | Promise<void>,
): { connect: InProcessDeviceFactory; received: Uint8Array[] } {
  const received: Uint8Array[] = [];
  return {
    received,
    connect: (emit) => ({
      receiveReport: async (report) => {
        received.push(report);
        await script(report, emit);
      },
    }),
  };
}

/** An INIT answer (CTAP 2.1 §11.2.9.1.3) to `initReport` allocating `cid`, nonce copied unless overridden. */
export function initAnswer(initReport: Uint8Array, cid: number, nonce?: Uint8Array): Uint8Array {
  const p = parsePacket(initReport);
  const payload = new Uint8Array(17);
  payload.set(nonce ?? (p.kind === 'init' ? p.data.subarray(0, 8) : new Uint8Array(8)), 0);
  new DataView(payload.buffer).setUint32(8, cid);
  payload.set([2, 1, 2, 3, 0x0c], 12);
  return encodeFrames(p.cid, CtaphidCommand.INIT, payload)[0]!;
}

export function cborDevice(
  handleCbor: (cmd: number, payload: Uint8Array) => Promise<{ status: number; payload: Uint8Array }>,
): InProcessDeviceFactory {
  return (emit) => {
    const assembler = new MessageAssembler();
    let nextCid = 0x01020304;
    return {
      receiveReport: async (report) => {
        const p = parsePacket(report);
        const r = p.kind === 'init' ? assembler.start(p) : assembler.add(p);
        if (r.state !== 'done') return;
        const send = (cmd: number, payload: Uint8Array) => encodeFrames(r.cid, cmd, payload).forEach(emit);
        if (r.cmd === CtaphidCommand.INIT) {
          const payload = new Uint8Array(17);
          payload.set(r.payload.subarray(0, 8));
          new DataView(payload.buffer).setUint32(8, r.cid === BROADCAST_CID ? nextCid++ : r.cid);
          payload.set([2, 0, 1, 0, 0x04 | 0x01], 12);
          send(CtaphidCommand.INIT, payload);
        } else if (r.cmd === CtaphidCommand.PING) {
          send(CtaphidCommand.PING, r.payload);
        } else if (r.cmd === CtaphidCommand.CBOR) {
          const res = await handleCbor(r.payload[0]!, r.payload.subarray(1));
          send(CtaphidCommand.CBOR, Uint8Array.of(res.status, ...res.payload));
        } else if (r.cmd !== CtaphidCommand.CANCEL) {
          send(CtaphidCommand.ERROR, Uint8Array.of(0x01));
        }
      },
    };
  };
}
