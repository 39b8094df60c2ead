/**
 * Failures the fuzzers found, each kept as a fixed case (the fix is in the owning module).
 */
import { describe, expect, it } from 'vitest';
import { CtaphidChannel } from '../../harness/ctaphid/index.ts';
import { BROADCAST_CID, CtaphidCommand, encodeFrames, parsePacket } from '../../harness/protocol/index.ts';
import { MemoryTransport, TransportError } from '../../harness/transport/index.ts';

describe('fuzz regressions', () => {
  it('a 65-byte report from an in-process device is TRANSPORT_REPORT_SIZE, not a RangeError from parsePacket (hostileDevice)', async () => {
    // Found by test/fuzz/hostileDevice.test.ts ('size' edit): the memory transport queued reports of any
    // length and the CTAPHID reader's parsePacket threw RangeError for one longer than 64 bytes.
    const transport = new MemoryTransport((emit) => ({
      receiveReport(report) {
        const p = parsePacket(report);
        const answer = new Uint8Array(17);
        if (p.kind === 'init') answer.set(p.data.subarray(0, 8));
        new DataView(answer.buffer).setUint32(8, 0x01020304);
        const r = encodeFrames(BROADCAST_CID, CtaphidCommand.INIT, answer)[0]!;
        emit(Uint8Array.of(...r, 0)); // one byte too many
      },
    }));
    const err = await CtaphidChannel.open(transport, { initTimeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('TRANSPORT_REPORT_SIZE');
    await transport.close();
  });
});
