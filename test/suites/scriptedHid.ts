import { RawCtaphid } from '../../harness/ctaphid/index.ts';
import { BROADCAST_CID, CtaphidCommand, encodeFrames, MAX_MESSAGE_SIZE, parsePacket } from '../../harness/protocol/index.ts';
import { connectReportDevice, MemoryTransport } from '../../harness/transport/index.ts';

/**
 * A scripted CTAPHID device for RawSession tests: each report the host writes goes to `answer`, which emits the
 * device's reports (CTAP 2.1 §11.2.4 framing), so every odd answer a real key could give is reachable.
 */
export function scripted(answer: (report: Uint8Array, emit: (reports: Uint8Array[]) => void) => void = () => {}) {
  const written: Uint8Array[] = [];
  let emitter: (r: Uint8Array) => void = () => {};
  const transport = new MemoryTransport(
    connectReportDevice({
      receive: (r) => {
        written.push(Uint8Array.from(r));
        answer(r, (out) => out.forEach((o) => emitter(o)));
      },
      onReport: (l) => {
        emitter = l;
        return () => {};
      },
    }),
  );
  let discards = 0;
  const raw = new RawCtaphid(transport, MAX_MESSAGE_SIZE);
  const discardPending = raw.discardPending.bind(raw);
  raw.discardPending = () => (discards++, discardPending());
  const emit = (reports: Uint8Array[]) => reports.forEach((r) => emitter(r));
  return { raw, written, emit, discards: () => discards };
}

/** The INIT answer body (§11.2.9.1.3): nonce, CID, protocol version, device version, capabilities. */
export function initBody(nonce: Uint8Array, cid: number, version = 2, caps = 0x05, length = 17): Uint8Array {
  const b = new Uint8Array(length);
  b.set(nonce.subarray(0, 8));
  if (length >= 12) new DataView(b.buffer).setUint32(8, cid);
  if (length > 12) b[12] = version;
  if (length > 16) b[16] = caps;
  return b;
}

/** A device that answers INIT with `cid` (broadcast) or the same channel (resync). */
export const initDevice = (allocated: number) =>
  scripted((r, emit) => {
    const p = parsePacket(r);
    if (p.kind === 'init' && p.cmd === CtaphidCommand.INIT) {
      const cid = p.cid === BROADCAST_CID ? allocated : p.cid;
      emit(encodeFrames(p.cid, CtaphidCommand.INIT, initBody(r.subarray(7, 15), cid)));
    }
  });
