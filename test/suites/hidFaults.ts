import {
  CtaphidCommand,
  encodeFrames,
  MessageAssembler,
  parsePacket,
} from '../../harness/protocol/index.ts';
import type { ReportDevice } from '../../harness/transport/index.ts';

/**
 * Test-only fault injection between the host and the simulator's CTAPHID device, for the checks no
 * simulator quirk covers: each packet (or, with `messageFaults`, each whole message) can be dropped,
 * rewritten or answered in the device's place. `enabled` starts false so the host can open its channel and
 * read getInfo cleanly; tests switch it on before the checks run.
 */
export interface PacketFaults {
  /** reports from host to device; return the reports to pass on (empty drops). `answer` emits to the host. */
  toDevice?(report: Uint8Array, answer: (report: Uint8Array) => void): Uint8Array[];
  /** reports from device to host; return the reports to deliver */
  toHost?(report: Uint8Array): Uint8Array[];
}

export interface FaultyDevice extends ReportDevice {
  enabled: boolean;
}

export function faultyDevice(device: ReportDevice, faults: PacketFaults): FaultyDevice {
  const listeners = new Set<(r: Uint8Array) => void>();
  const emit = (r: Uint8Array) => {
    for (const l of listeners) l(r);
  };
  const fd: FaultyDevice = {
    enabled: false,
    receive(report) {
      const out = fd.enabled && faults.toDevice ? faults.toDevice(Uint8Array.from(report), emit) : [report];
      for (const r of out) device.receive(r);
    },
    onReport(listener) {
      listeners.add(listener);
      const off = device.onReport((report) => {
        const out = fd.enabled && faults.toHost ? faults.toHost(Uint8Array.from(report)) : [report];
        for (const r of out) listener(r);
      });
      return () => {
        listeners.delete(listener);
        off();
      };
    },
  };
  return fd;
}

/** Whole-message faults on CTAPHID_MSG (U2F) traffic: the request rewritten, or the response given the request. */
export interface MessageFaults {
  request?(apdu: Uint8Array): Uint8Array;
  response?(apdu: Uint8Array, response: Uint8Array): Uint8Array;
  /** a CTAPHID_CBOR answer (status byte || CBOR) to the CTAP2 command byte `command`, changed */
  cborResponse?(command: number, response: Uint8Array): Uint8Array;
}

/**
 * Reassembles every message both ways and re-frames it, applying `faults` to CTAPHID_MSG ones. Only for
 * well-formed traffic (the u2f suite's): broken framing is not preserved.
 */
export function messageFaults(faults: MessageFaults): PacketFaults {
  const up = new Map<number, MessageAssembler>();
  const down = new Map<number, MessageAssembler>();
  const lastRequest = new Map<number, Uint8Array>();
  const lastCbor = new Map<number, number>();
  const pass = (
    table: Map<number, MessageAssembler>,
    report: Uint8Array,
    onMessage: (cid: number, cmd: number, payload: Uint8Array) => Uint8Array[],
  ): Uint8Array[] => {
    const p = parsePacket(report);
    let asm = table.get(p.cid);
    if (p.kind === 'init') {
      asm = new MessageAssembler();
      table.set(p.cid, asm);
      const r = asm.start(p);
      return r.state === 'done' ? onMessage(r.cid, r.cmd, r.payload) : [];
    }
    if (!asm?.inProgress) return [report];
    const r = asm.add(p);
    return r.state === 'done' ? onMessage(r.cid, r.cmd, r.payload) : [];
  };
  return {
    toDevice: (report) =>
      pass(up, report, (cid, cmd, payload) => {
        if (cmd === CtaphidCommand.CBOR) lastCbor.set(cid, payload[0]!);
        if (cmd !== CtaphidCommand.MSG) return encodeFrames(cid, cmd, payload);
        const req = faults.request ? faults.request(payload) : payload;
        lastRequest.set(cid, req);
        return encodeFrames(cid, cmd, req);
      }),
    toHost: (report) =>
      pass(down, report, (cid, cmd, payload) => {
        const command = lastCbor.get(cid);
        if (cmd === CtaphidCommand.CBOR && command !== undefined && faults.cborResponse) return encodeFrames(cid, cmd, faults.cborResponse(command, payload));
        const req = lastRequest.get(cid);
        if (cmd !== CtaphidCommand.MSG || !req || !faults.response) return encodeFrames(cid, cmd, payload);
        return encodeFrames(cid, cmd, faults.response(req, payload));
      }),
  };
}
