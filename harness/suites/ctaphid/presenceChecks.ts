import { CtaphidCommand, CtaphidErrorCode, CtapStatus, KeepaliveStatus } from '../../protocol/index.ts';
import { CheckFailed } from '../../runner/Check.ts';
import { ensure } from '../expect.ts';
import type { SuiteCheck } from '../SuiteContext.ts';
import { needsHid, randomPayload, suite, startPresenceWait, withRaw } from './common.ts';
import { watchHostLag } from './hostLag.ts';
import { judgeKeepalives, KEEPALIVE_PERIOD_MS, OBSERVE_MS } from './judgeKeepalives.ts';
import { describe } from './RawSession.ts';

/** how long the answer to a CANCEL may take */
const CANCEL_ANSWER_MS = 1_000;

export const presenceChecks: SuiteCheck[] = [
  {
    id: 'CTAPHID-CANCEL-001',
    suite,
    title: 'CANCEL during a user-presence wait ends the command with CTAP2_ERR_KEEPALIVE_CANCEL',
    specRef: 'CTAP 2.1 §11.2.9.1.5 (CTAPHID_CANCEL)',
    touches: 0,
    requires: needsHid,
    async run(ctx, signal) {
      return withRaw(ctx, signal, async (s) => {
        const cid = await s.allocate();
        const wait = await startPresenceWait(ctx, s, cid, 'CTAPHID-CANCEL-001');
        await s.sendMessage(cid, CtaphidCommand.CANCEL, new Uint8Array(0));
        const t0 = performance.now();
        const { message } = await s.nextAnswer(cid, CANCEL_ANSWER_MS);
        ensure(message, `${wait.what}: no answer within ${CANCEL_ANSWER_MS} ms of CTAPHID_CANCEL`, { expected: 'CTAPHID_CBOR status 0x2d CTAP2_ERR_KEEPALIVE_CANCEL', actual: 'no answer' });
        ensure(
          message.cmd === CtaphidCommand.CBOR && message.payload[0] === CtapStatus.CTAP2_ERR_KEEPALIVE_CANCEL && message.payload.length === 1,
          `${wait.what} cancelled during its touch wait answered ${describe(message)}`,
          { expected: 'CTAPHID_CBOR status 0x2d CTAP2_ERR_KEEPALIVE_CANCEL', actual: describe(message) },
        );
        return { message: `${wait.what} cancelled; answered in ${Math.round(message.at - t0)} ms` };
      });
    },
  },
  {
    id: 'CTAPHID-KEEPALIVE-001',
    suite,
    title: `KEEPALIVE comes at least every ${KEEPALIVE_PERIOD_MS} ms while the device waits for a touch`,
    specRef: 'CTAP 2.1 §11.2.9.2.1 (CTAPHID_KEEPALIVE); host-side slack chosen: 50 ms',
    touches: 0,
    requires: needsHid,
    async run(ctx, signal) {
      const lag = watchHostLag();
      let hostLagMs = 0;
      const watch = await withRaw(ctx, signal, async (s) => {
        const cid = await s.allocate();
        const wait = await startPresenceWait(ctx, s, cid, 'CTAPHID-KEEPALIVE-001');
        const times = wait.keepalives.map((k) => k.at);
        const until = performance.now() + OBSERVE_MS;
        for (;;) {
          const m = await s.next(cid, until - performance.now());
          if (!m) break;
          if (m.cmd !== CtaphidCommand.KEEPALIVE) throw new CheckFailed(`${wait.what} answered (${describe(m)}) while keepalives were being timed`);
          times.push(m.at);
        }
        const endedAt = performance.now();
        await s.sendMessage(cid, CtaphidCommand.CANCEL, new Uint8Array(0));
        await s.nextAnswer(cid, CANCEL_ANSWER_MS);
        return { what: wait.what, sentAt: wait.sentAt, times, endedAt };
      }).finally(() => {
        hostLagMs = lag.stop();
      });
      return { message: judgeKeepalives({ ...watch, hostLagMs }) };
    },
  },
  {
    id: 'CTAPHID-KEEPALIVE-002',
    suite,
    title: 'KEEPALIVE status is UPNEEDED (2) while the device waits for a touch, and only PROCESSING (1) or UPNEEDED (2) ever',
    specRef: 'CTAP 2.1 §11.2.9.2.1 (STATUS_PROCESSING, STATUS_UPNEEDED)',
    touches: 0,
    requires: needsHid,
    async run(ctx, signal) {
      return withRaw(ctx, signal, async (s) => {
        const cid = await s.allocate();
        // startPresenceWait returns at the first UPNEEDED; a device that never says it fails there.
        const wait = await startPresenceWait(ctx, s, cid, 'CTAPHID-KEEPALIVE-002');
        const seen = [...wait.keepalives];
        const until = performance.now() + 300;
        for (;;) {
          const m = await s.next(cid, until - performance.now());
          if (!m || m.cmd !== CtaphidCommand.KEEPALIVE) break;
          seen.push(m);
        }
        await s.sendMessage(cid, CtaphidCommand.CANCEL, new Uint8Array(0));
        await s.nextAnswer(cid, CANCEL_ANSWER_MS);
        const statuses = seen.map((k) => k.payload[0]!);
        const bad = statuses.filter((x) => x !== KeepaliveStatus.PROCESSING && x !== KeepaliveStatus.UPNEEDED);
        ensure(bad.length === 0, `KEEPALIVE with undefined status ${bad.join(', ')}`, { actual: statuses.join(',') });
        const lengths = seen.map((k) => k.payload.length).filter((n) => n !== 1);
        ensure(lengths.length === 0, `KEEPALIVE with ${lengths[0]} bytes of data; §11.2.9.2.1 defines 1`);
        const afterFirstUp = statuses.slice(statuses.indexOf(KeepaliveStatus.UPNEEDED));
        ensure(afterFirstUp.every((x) => x === KeepaliveStatus.UPNEEDED), `KEEPALIVE went back to PROCESSING during the touch wait: ${statuses.join(',')}`);
        return { message: `statuses ${statuses.join(',')}` };
      });
    },
  },
  {
    id: 'CTAPHID-ERR-007',
    suite,
    title: 'while a command waits for a touch, another channel gets ERR_CHANNEL_BUSY',
    specRef: 'CTAP 2.1 §11.2.5 (arbitration), §11.2.9.1.6 (ERR_CHANNEL_BUSY)',
    touches: 0,
    requires: needsHid,
    async run(ctx, signal) {
      await withRaw(ctx, signal, async (s) => {
        const a = await s.allocate();
        const b = await s.allocate();
        await startPresenceWait(ctx, s, a, 'CTAPHID-ERR-007');
        await s.sendMessage(b, CtaphidCommand.PING, randomPayload(8));
        try {
          await s.expectError(b, CtaphidErrorCode.ERR_CHANNEL_BUSY, 1_000, 'PING on a second channel during the touch wait');
        } finally {
          await s.sendMessage(a, CtaphidCommand.CANCEL, new Uint8Array(0));
          await s.nextAnswer(a, CANCEL_ANSWER_MS);
        }
      });
    },
  },
  {
    id: 'CTAPHID-INIT-006',
    suite,
    title: 'INIT on the busy channel aborts its pending command: INIT is answered and the command never is',
    specRef: 'CTAP 2.1 §11.2.9.1.3 (INIT on an allocated CID discards the current transaction)',
    touches: 0,
    requires: needsHid,
    async run(ctx, signal) {
      await withRaw(ctx, signal, async (s) => {
        const cid = await s.allocate();
        const wait = await startPresenceWait(ctx, s, cid, 'CTAPHID-INIT-006');
        const nonce = randomPayload(8);
        await s.sendMessage(cid, CtaphidCommand.INIT, nonce);
        // Messages before the INIT answer may be keepalives already under way; after it, nothing.
        const { message, keepalives } = await s.nextAnswer(cid, 2_000);
        ensure(message, `INIT on the busy channel: no answer within 2 s (${keepalives.length} keepalives)`);
        ensure(
          message.cmd === CtaphidCommand.INIT && Buffer.from(message.payload.subarray(0, 8)).equals(Buffer.from(nonce)),
          `INIT on the channel busy with ${wait.what} answered ${describe(message)}`,
          { expected: 'CTAPHID_INIT with the nonce', actual: describe(message) },
        );
        // Watch long enough to outlast a keepalive period several times: one keepalive already under way may
        // still come; a second, or the command's answer, means the command goes on.
        let keptAlive = 0;
        const until = performance.now() + 600;
        for (let m = await s.next(cid, until - performance.now()); m; m = await s.next(cid, until - performance.now())) {
          if (m.cmd !== CtaphidCommand.KEEPALIVE) throw new CheckFailed(`after INIT resynchronised the channel, the aborted ${wait.what} was still answered: ${describe(m)}`);
          keptAlive++;
        }
        ensure(keptAlive <= 1, `after INIT resynchronised the channel, ${keptAlive} keepalives came in 600 ms: the aborted ${wait.what} is still running`);
      });
    },
  },
];
