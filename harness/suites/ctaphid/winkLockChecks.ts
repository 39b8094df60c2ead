import { CtaphidCapability, CtaphidCommand, CtaphidErrorCode } from '../../protocol/index.ts';
import { CheckSkipped } from '../../runner/Check.ts';
import { ensure } from '../expect.ts';
import type { SuiteCheck } from '../SuiteContext.ts';
import { needsHid, randomPayload, suite, withRaw } from './common.ts';
import { describe } from './RawSession.ts';

/** seconds a check holds the lock; released explicitly (LOCK 0) when the check ends */
const LOCK_SECONDS = 3;

export const winkLockChecks: SuiteCheck[] = [
  {
    id: 'CTAPHID-WINK-001',
    suite,
    title: 'WINK, when INIT advertises CAPABILITY_WINK, is answered with an empty WINK',
    specRef: 'CTAP 2.1 §11.2.9.2.1 (CTAPHID_WINK), §11.2.9.1.3',
    touches: 0,
    requires: (ctx) => needsHid(ctx) ?? (ctx.device.hid!.info.capabilities & CtaphidCapability.WINK ? undefined : 'INIT does not advertise CAPABILITY_WINK'),
    async run(ctx, signal) {
      await withRaw(ctx, signal, async (s) => {
        const cid = await s.allocate();
        await s.sendMessage(cid, CtaphidCommand.WINK, new Uint8Array(0));
        const { message } = await s.nextAnswer(cid, 2_000);
        ensure(message, 'no answer to WINK within 2 s');
        ensure(message.cmd === CtaphidCommand.WINK && message.payload.length === 0, `WINK answered ${describe(message)}`, { expected: 'CTAPHID_WINK (0 bytes)', actual: describe(message) });
      });
    },
  },
  {
    id: 'CTAPHID-LOCK-001',
    suite,
    title: 'LOCK gives one channel the device: others get ERR_LOCK_REQUIRED, the holder is served, LOCK 0 releases',
    specRef: 'CTAP 2.1 §11.2.9.2.2 (CTAPHID_LOCK), §11.2.9.1.6 (ERR_LOCK_REQUIRED)',
    touches: 0,
    requires: needsHid,
    timeoutMs: 20_000,
    async run(ctx, signal) {
      await withRaw(ctx, signal, async (s) => {
        const a = await s.allocate();
        const b = await s.allocate();
        await s.sendMessage(a, CtaphidCommand.LOCK, Uint8Array.of(LOCK_SECONDS));
        const { message: locked } = await s.nextAnswer(a, 2_000);
        ensure(locked, 'no answer to LOCK within 2 s');
        if (locked.cmd === CtaphidCommand.ERROR && locked.payload[0] === CtaphidErrorCode.ERR_INVALID_CMD) {
          throw new CheckSkipped('LOCK is answered ERR_INVALID_CMD: the device does not implement the optional LOCK command');
        }
        ensure(locked.cmd === CtaphidCommand.LOCK && locked.payload.length === 0, `LOCK ${LOCK_SECONDS} answered ${describe(locked)}`, { expected: 'CTAPHID_LOCK (0 bytes)', actual: describe(locked) });
        try {
          await s.sendMessage(b, CtaphidCommand.PING, randomPayload(8));
          await s.expectError(b, CtaphidErrorCode.ERR_LOCK_REQUIRED, 2_000, 'PING from another channel while the device is locked');
          const data = randomPayload(8);
          await s.sendMessage(a, CtaphidCommand.PING, data);
          const { message: own } = await s.nextAnswer(a, 2_000);
          ensure(own?.cmd === CtaphidCommand.PING && Buffer.from(own.payload).equals(Buffer.from(data)), `PING from the lock holder answered ${own ? describe(own) : 'nothing'}`);
        } finally {
          await s.sendMessage(a, CtaphidCommand.LOCK, Uint8Array.of(0));
        }
        const { message: released } = await s.nextAnswer(a, 2_000);
        ensure(released?.cmd === CtaphidCommand.LOCK, `LOCK 0 (release) answered ${released ? describe(released) : 'nothing'}`);
        const data = randomPayload(8);
        await s.sendMessage(b, CtaphidCommand.PING, data);
        const { message: after } = await s.nextAnswer(b, 2_000);
        ensure(after?.cmd === CtaphidCommand.PING && Buffer.from(after.payload).equals(Buffer.from(data)), `after LOCK 0, PING from another channel answered ${after ? describe(after) : 'nothing'}`);
      });
    },
  },
];
