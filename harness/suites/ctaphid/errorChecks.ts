import {
  BROADCAST_CID,
  CONT_DATA_SIZE,
  CtaphidCommand,
  CtaphidErrorCode,
  encodeFrames,
  INIT_DATA_SIZE,
  MAX_MESSAGE_SIZE,
} from '../../protocol/index.ts';
import { CheckWarning } from '../../runner/Check.ts';
import { ensure } from '../expect.ts';
import type { SuiteCheck } from '../SuiteContext.ts';
import { needsHid, randomPayload, sleep, suite, withRaw } from './common.ts';
import { describe, initPacket } from './RawSession.ts';

/** A command byte §11.2.9 does not assign and outside the vendor range 0x40..0x7F. */
const UNASSIGNED_COMMAND = 0x22;

/** How long an ERROR answer may take (the device answers at once; this is host-side slack). */
const ANSWER_MS = 2_000;

/**
 * MSG_TIMEOUT: CTAP 2.1 §11.2.4/§11.2.9.1.6 name ERR_MSG_TIMEOUT but no time. Chosen (the common
 * implementation value is 500 ms): an incomplete message must be given up with ERR_MSG_TIMEOUT within
 * 3 s, and a pause of 100 ms between two packets must not time it out.
 */
const MSG_TIMEOUT_LIMIT_MS = 3_000;
const PAUSE_WITHIN_WINDOW_MS = 100;
/** a pause the host meant to be 100 ms that ran past this was the host's stall, not the device's doing */
const HOST_STALL_MS = 250;

const isTimeoutError = (m: { cmd: number; payload: Uint8Array }) => m.cmd === CtaphidCommand.ERROR && m.payload[0] === CtaphidErrorCode.ERR_MSG_TIMEOUT;

/** 175 bytes: an initialization packet and two continuation packets (SEQ 0 and 1). */
const THREE_PACKETS = INIT_DATA_SIZE + 2 * CONT_DATA_SIZE;

export const errorChecks: SuiteCheck[] = [
  {
    id: 'CTAPHID-ERR-001',
    suite,
    title: `an unknown command (0x${UNASSIGNED_COMMAND.toString(16)}) is answered ERR_INVALID_CMD`,
    specRef: 'CTAP 2.1 §11.2.9.1.6 (ERR_INVALID_CMD)',
    touches: 0,
    requires: needsHid,
    async run(ctx, signal) {
      await withRaw(ctx, signal, async (s) => {
        const cid = await s.allocate();
        await s.sendMessage(cid, UNASSIGNED_COMMAND, randomPayload(4));
        await s.expectError(cid, CtaphidErrorCode.ERR_INVALID_CMD, ANSWER_MS, `command 0x${UNASSIGNED_COMMAND.toString(16)}`);
      });
    },
  },
  {
    id: 'CTAPHID-ERR-002',
    suite,
    title: `an initialization packet declaring BCNT ${MAX_MESSAGE_SIZE + 1} (> 7609) is answered ERR_INVALID_LEN`,
    specRef: 'CTAP 2.1 §11.2.4 (maximum message size), §11.2.9.1.6 (ERR_INVALID_LEN)',
    touches: 0,
    requires: needsHid,
    async run(ctx, signal) {
      await withRaw(ctx, signal, async (s) => {
        const cid = await s.allocate();
        await s.send([initPacket(cid, CtaphidCommand.PING, MAX_MESSAGE_SIZE + 1, randomPayload(INIT_DATA_SIZE))]);
        await s.expectError(cid, CtaphidErrorCode.ERR_INVALID_LEN, ANSWER_MS, `PING declaring ${MAX_MESSAGE_SIZE + 1} bytes`);
      });
    },
  },
  {
    id: 'CTAPHID-ERR-003',
    suite,
    title: 'continuation packets out of order (SEQ 1 before SEQ 0) are answered ERR_INVALID_SEQ, not reassembled',
    specRef: 'CTAP 2.1 §11.2.4 (SEQ), §11.2.9.1.6 (ERR_INVALID_SEQ)',
    touches: 0,
    requires: needsHid,
    async run(ctx, signal) {
      await withRaw(ctx, signal, async (s) => {
        const cid = await s.allocate();
        const [init, seq0, seq1] = encodeFrames(cid, CtaphidCommand.PING, randomPayload(THREE_PACKETS));
        await s.send([init!, seq1!, seq0!]);
        await s.expectError(cid, CtaphidErrorCode.ERR_INVALID_SEQ, ANSWER_MS, 'PING with continuation packets SEQ 1, SEQ 0');
      });
    },
  },
  {
    id: 'CTAPHID-ERR-004',
    suite,
    title: 'a command on CID 0 (reserved) is answered ERR_INVALID_CHANNEL',
    specRef: 'CTAP 2.1 §11.2.3 (channel 0 is reserved), §11.2.9.1.6 (ERR_INVALID_CHANNEL)',
    touches: 0,
    requires: needsHid,
    async run(ctx, signal) {
      await withRaw(ctx, signal, async (s) => {
        s.watch(0);
        await s.sendMessage(0, CtaphidCommand.PING, randomPayload(8));
        await s.expectError(0, CtaphidErrorCode.ERR_INVALID_CHANNEL, ANSWER_MS, 'PING on CID 0');
      });
    },
  },
  {
    id: 'CTAPHID-ERR-005',
    suite,
    title: 'a command other than INIT on the broadcast CID is answered ERR_INVALID_CHANNEL',
    specRef: 'CTAP 2.1 §11.2.3, §11.2.9.1.3 (the broadcast CID is for INIT), §11.2.9.1.6',
    touches: 0,
    requires: needsHid,
    async run(ctx, signal) {
      await withRaw(ctx, signal, async (s) => {
        s.watch(BROADCAST_CID);
        await s.sendMessage(BROADCAST_CID, CtaphidCommand.PING, randomPayload(8));
        await s.expectError(BROADCAST_CID, CtaphidErrorCode.ERR_INVALID_CHANNEL, ANSWER_MS, 'PING on the broadcast CID');
      });
    },
  },
  {
    id: 'CTAPHID-ERR-006',
    suite,
    title: 'while one channel is part-way through sending a message, another channel gets ERR_CHANNEL_BUSY, and the first message still completes',
    specRef: 'CTAP 2.1 §11.2.5 (arbitration), §11.2.9.1.6 (ERR_CHANNEL_BUSY)',
    touches: 0,
    requires: needsHid,
    async run(ctx, signal) {
      await withRaw(ctx, signal, async (s) => {
        const a = await s.allocate();
        const b = await s.allocate();
        const data = randomPayload(INIT_DATA_SIZE + CONT_DATA_SIZE);
        const [init, cont] = encodeFrames(a, CtaphidCommand.PING, data);
        await s.send([init!]);
        await s.sendMessage(b, CtaphidCommand.PING, randomPayload(8));
        await s.expectError(b, CtaphidErrorCode.ERR_CHANNEL_BUSY, ANSWER_MS, 'PING on a second channel while the first is sending');
        await s.send([cont!]);
        const { message } = await s.nextAnswer(a, ANSWER_MS);
        ensure(
          message?.cmd === CtaphidCommand.PING && Buffer.from(message.payload).equals(Buffer.from(data)),
          `the first channel's PING, completed after the refusal, answered ${message ? describe(message) : 'nothing'}`,
        );
      });
    },
  },
  {
    id: 'CTAPHID-TIMEOUT-001',
    suite,
    title: `an incomplete message is given up with ERR_MSG_TIMEOUT (within ${MSG_TIMEOUT_LIMIT_MS / 1000} s)`,
    specRef: 'CTAP 2.1 §11.2.4 (transaction timeout), §11.2.9.1.6 (ERR_MSG_TIMEOUT); the time is not in the spec (chosen: 3 s, implementations use ~500 ms)',
    touches: 0,
    requires: needsHid,
    timeoutMs: 15_000,
    async run(ctx, signal) {
      return withRaw(ctx, signal, async (s) => {
        const cid = await s.allocate();
        const [init] = encodeFrames(cid, CtaphidCommand.PING, randomPayload(THREE_PACKETS));
        const t0 = performance.now();
        await s.send([init!]);
        const m = await s.expectError(cid, CtaphidErrorCode.ERR_MSG_TIMEOUT, MSG_TIMEOUT_LIMIT_MS, 'a PING whose continuation packets never come');
        const ms = Math.round(m.at - t0);
        ensure(ms >= 20, `ERR_MSG_TIMEOUT came ${ms} ms after the first packet: no time was given for the rest`, { actual: `${ms} ms` });
        // the channel works again afterwards
        const data = randomPayload(8);
        await s.sendMessage(cid, CtaphidCommand.PING, data);
        const { message } = await s.nextAnswer(cid, ANSWER_MS);
        ensure(message?.cmd === CtaphidCommand.PING, `after ERR_MSG_TIMEOUT, PING answered ${message ? describe(message) : 'nothing'}`);
        return { message: `ERR_MSG_TIMEOUT after ${ms} ms` };
      });
    },
  },
  {
    id: 'CTAPHID-TIMEOUT-002',
    suite,
    title: `a message whose packets are ${PAUSE_WITHIN_WINDOW_MS} ms apart still completes (inside the message timeout)`,
    specRef: 'CTAP 2.1 §11.2.4 (transaction timeout); pause chosen: 100 ms',
    touches: 0,
    requires: needsHid,
    async run(ctx, signal) {
      await withRaw(ctx, signal, async (s) => {
        const cid = await s.allocate();
        const data = randomPayload(THREE_PACKETS);
        const [init, seq0, seq1] = encodeFrames(cid, CtaphidCommand.PING, data);
        await s.send([init!]);
        const sentAt = [performance.now()];
        for (const packet of [seq0!, seq1!]) {
          await sleep(PAUSE_WITHIN_WINDOW_MS);
          await s.send([packet]);
          sentAt.push(performance.now());
        }
        const { message } = await s.nextAnswer(cid, ANSWER_MS);
        ensure(message, 'no answer to a PING sent with 100 ms pauses');
        // A host that stalled (a loaded machine) may have left far longer pauses than it meant to: a timeout
        // then is no evidence against the device.
        const longest = Math.round(Math.max(sentAt[1]! - sentAt[0]!, sentAt[2]! - sentAt[1]!));
        if (isTimeoutError(message) && longest > HOST_STALL_MS) {
          throw new CheckWarning(`ERR_MSG_TIMEOUT after this host's own pause of ${longest} ms (meant: ${PAUSE_WITHIN_WINDOW_MS} ms); re-run on a quieter host to judge`, { actual: describe(message) });
        }
        ensure(
          message.cmd === CtaphidCommand.PING && Buffer.from(message.payload).equals(Buffer.from(data)),
          `a PING sent with ${PAUSE_WITHIN_WINDOW_MS} ms pauses answered ${describe(message)}`,
          { expected: `CTAPHID_PING (${data.length} bytes)`, actual: describe(message) },
        );
      });
    },
  },
];
