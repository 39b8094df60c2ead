import { randomBytes } from 'node:crypto';
import {
  CtapCommand,
  CtaphidCommand,
  encodeCanonicalCbor,
  encodeMakeCredentialRequest,
  KeepaliveStatus,
} from '../../protocol/index.ts';
import { CheckFailed, CheckSkipped } from '../../runner/Check.ts';
import { mcRequest } from '../ops.ts';
import type { SuiteContext } from '../SuiteContext.ts';
import { describe, RawSession, type ReceivedMessage } from './RawSession.ts';

export const suite = 'ctaphid';

/** Every ctaphid check needs the device reached over CTAPHID (hid, udp, the in-process simulator). */
export const needsHid = (ctx: SuiteContext): string | undefined =>
  ctx.device.hid ? undefined : 'the device is not reached over CTAPHID';

/**
 * Runs `fn` with a RawSession on the device's transport, always resynchronising its channels after. A
 * device shared with another host (a browser polling it) answers ERR_CHANNEL_BUSY while that host's message
 * or command is in progress (CTAP 2.1 §11.2.5): a check that failed after such an answer is run again, with
 * randomised back-off, until BUSY_BUDGET_MS have passed (at least BUSY_MIN_ATTEMPTS tries), so what it
 * judges is the device and not the other host. A host that keeps the device busy half the time costs a
 * check six tries about once in sixty runs; a budget in time, not a count, rides that out. A device that
 * keeps answering wrongly fails on every attempt, and the last attempt's failure stands.
 */
export async function withRaw<T>(ctx: SuiteContext, signal: AbortSignal, fn: (s: RawSession) => Promise<T>): Promise<T> {
  const started = performance.now();
  for (let attempt = 1; ; attempt++) {
    const s = new RawSession(ctx.device.hid!.raw, signal);
    try {
      return await fn(s);
    } catch (err) {
      const budgetLeft = attempt < BUSY_MIN_ATTEMPTS || performance.now() - started < BUSY_BUDGET_MS;
      if (!(err instanceof CheckFailed) || s.busyAnswers === 0 || !budgetLeft || signal.aborted) throw err;
    } finally {
      await s.close();
    }
    await sleep(100 * Math.min(attempt, 5) * (0.5 + Math.random()));
  }
}

/** a raw check that met ERR_CHANNEL_BUSY is tried again at least this often in all… */
const BUSY_MIN_ATTEMPTS = 6;
/** …and for as long as this (ms) since its first try */
const BUSY_BUDGET_MS = 8_000;

export const randomPayload = (n: number) => new Uint8Array(randomBytes(n));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A command that waits for the user's touch (CTAP 2.1 §6.9 authenticatorSelection on a 2.1 device,
 * otherwise a makeCredential of the check's own RP): it keeps the device in a user-presence wait that a
 * test can observe (KEEPALIVE UPNEEDED) and cancel. Nobody is asked to touch the key: the checks cancel
 * it. The simulator holds authenticatorSelection for 1.5 s (authenticator-sim holdPresence.ts).
 */
export function presenceRequest(ctx: SuiteContext, checkId: string): { payload: Uint8Array; what: string } {
  if (ctx.info.versions.includes('FIDO_2_1')) return { payload: Uint8Array.of(CtapCommand.authenticatorSelection), what: 'authenticatorSelection' };
  const params = encodeCanonicalCbor(encodeMakeCredentialRequest(mcRequest(ctx.rpIdFor(checkId))));
  const payload = new Uint8Array(1 + params.length);
  payload[0] = CtapCommand.authenticatorMakeCredential;
  payload.set(params, 1);
  return { payload, what: 'authenticatorMakeCredential' };
}

export interface PresenceWait {
  /** when the request's last report was written (performance.now()) */
  sentAt: number;
  /** the KEEPALIVE messages read until (and including) the first UPNEEDED */
  keepalives: ReceivedMessage[];
  what: string;
}

/**
 * Sends the presence request on `cid` and reads until the first KEEPALIVE UPNEEDED (§11.2.9.2.1). A
 * device that answers first (it needed no touch, or someone touched it) cannot be tested this way: the
 * check is skipped with that reason. One that sends neither within `timeoutMs` fails.
 */
export async function startPresenceWait(ctx: SuiteContext, s: RawSession, cid: number, checkId: string, timeoutMs = 2_000): Promise<PresenceWait> {
  const { payload, what } = presenceRequest(ctx, checkId);
  await s.sendMessage(cid, CtaphidCommand.CBOR, payload);
  const sentAt = performance.now();
  const keepalives: ReceivedMessage[] = [];
  const deadline = sentAt + timeoutMs;
  for (;;) {
    const m = await s.next(cid, deadline - performance.now());
    if (!m) throw new CheckFailed(`${what} on a fresh channel: neither an answer nor KEEPALIVE UPNEEDED within ${timeoutMs} ms (§11.2.9.2.1)`);
    if (m.cmd === CtaphidCommand.KEEPALIVE) {
      keepalives.push(m);
      if (m.payload[0] === KeepaliveStatus.UPNEEDED) return { sentAt, keepalives, what };
      continue;
    }
    if (keepalives.length >= 3) {
      // It kept the host waiting (several keepalives, none UPNEEDED) for a command that needs only a touch.
      throw new CheckFailed(
        `${what} kept the host waiting ${Math.round(m.at - sentAt)} ms with ${keepalives.length} KEEPALIVE PROCESSING and no UPNEEDED, then answered ${describe(m)}; §11.2.9.2.1 has UPNEEDED while the user is awaited`,
        { expected: 'KEEPALIVE status 2 (UPNEEDED)', actual: keepalives.map((k) => k.payload[0]).join(',') },
      );
    }
    throw new CheckSkipped(`${what} was answered (${describe(m)}) without waiting for a touch, so no user-presence wait could be observed`);
  }
}
