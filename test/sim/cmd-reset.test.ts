import { describe, expect, it } from 'vitest';
import { CtapCommand, CtapStatus as S } from '../../harness/protocol/index.ts';
import { UserPresenceCancelled, type UserPresence, type UserPresenceOutcome, type UserPresenceRequest } from '../../authenticator-sim/index.ts';
import { RESET_WINDOW_MS } from '../../authenticator-sim/commands/reset.ts';
import { PinDriver } from '../helpers/pinDriver.ts';

/** A user who never touches: the wait ends only when its signal aborts. */
class AbsentUser implements UserPresence {
  readonly requests: UserPresenceRequest[] = [];
  request(req: UserPresenceRequest): Promise<UserPresenceOutcome> {
    this.requests.push(req);
    return new Promise((_, reject) => {
      if (req.signal?.aborted) reject(new UserPresenceCancelled());
      req.signal?.addEventListener('abort', () => reject(new UserPresenceCancelled()), { once: true });
    });
  }
}

const reset = (d: PinDriver, signal?: AbortSignal) =>
  d.a.handleCbor(CtapCommand.authenticatorReset, new Uint8Array(0), signal ? { signal } : {});

describe('authenticatorReset (CTAP 2.1 §6.6)', () => {
  it('is allowed up to 10 s after power-up (inclusive), refused after, and the window reopens with a power cycle only', async () => {
    const d = await PinDriver.create({ allowResetAnytime: false });
    await d.makeCredential({ rk: true });
    expect(d.a.state.credentials.length).toBe(1);
    d.clock.advance(RESET_WINDOW_MS);
    expect((await reset(d)).status).toBe(S.CTAP2_OK);
    expect(d.a.state.credentials).toEqual([]);
    // The reset itself does not reopen the window (it counts from power-up).
    d.clock.advance(1);
    expect((await reset(d)).status).toBe(S.CTAP2_ERR_NOT_ALLOWED);
    // A refused reset asks for no touch.
    const touches = d.touches.requests.length;
    d.clock.advance(60_000);
    expect((await reset(d)).status).toBe(S.CTAP2_ERR_NOT_ALLOWED);
    expect(d.touches.requests.length).toBe(touches);
    d.a.powerCycle();
    d.clock.advance(RESET_WINDOW_MS - 1);
    expect((await reset(d)).status).toBe(S.CTAP2_OK);
    expect(d.touches.requests.at(-1)?.reason).toBe('reset');
  });

  it('with allowResetAnytime the window does not apply', async () => {
    const d = await PinDriver.create({ allowResetAnytime: true });
    d.clock.advance(3_600_000);
    expect((await reset(d)).status).toBe(S.CTAP2_OK);
  });

  it('no touch within the presence timeout is CTAP2_ERR_USER_ACTION_TIMEOUT; the wait is ended and nothing is wiped', async () => {
    const user = new AbsentUser();
    const d = await PinDriver.create({ userPresence: user, resetPresenceTimeoutMs: 30 });
    await d.a.handleCbor(CtapCommand.authenticatorGetInfo, new Uint8Array(0));
    const masterKey = d.a.state.masterKey;
    const r = await reset(d);
    expect(r.status).toBe(S.CTAP2_ERR_USER_ACTION_TIMEOUT);
    expect(user.requests.map((q) => q.reason)).toEqual(['reset']);
    // The simulator's own wait was aborted, so no touch is left pending for a later command.
    expect(user.requests[0]!.signal?.aborted).toBe(true);
    expect(d.a.state.masterKey).toEqual(masterKey);
  });

  it('a cancelled wait (CTAPHID_CANCEL) is CTAP2_ERR_KEEPALIVE_CANCEL, not a timeout', async () => {
    const user = new AbsentUser();
    const d = await PinDriver.create({ userPresence: user, resetPresenceTimeoutMs: 60_000 });
    const cancel = new AbortController();
    const pending = reset(d, cancel.signal);
    await new Promise((r) => setTimeout(r, 10));
    cancel.abort();
    expect((await pending).status).toBe(S.CTAP2_ERR_KEEPALIVE_CANCEL);
    // Already cancelled before the reset started: no wait at all.
    const r = await reset(d, cancel.signal);
    expect(r.status).toBe(S.CTAP2_ERR_KEEPALIVE_CANCEL);
  });

  it('a cancel that arrives after the presence timeout also answers KEEPALIVE_CANCEL', async () => {
    // The user's wait rejects only on abort; the platform's cancel arrives while the timer has fired.
    const cancel = new AbortController();
    const user: UserPresence = {
      request: (req) =>
        new Promise((_, reject) => {
          req.signal?.addEventListener('abort', () => {
            cancel.abort();
            reject(new UserPresenceCancelled());
          }, { once: true });
        }),
    };
    const d = await PinDriver.create({ userPresence: user, resetPresenceTimeoutMs: 20 });
    expect((await reset(d, cancel.signal)).status).toBe(S.CTAP2_ERR_KEEPALIVE_CANCEL);
  });

  it('a declined touch is CTAP2_ERR_OPERATION_DENIED and wipes nothing', async () => {
    const d = await PinDriver.create();
    await d.makeCredential({ rk: true });
    d.touches.answers.push('denied');
    expect((await reset(d)).status).toBe(S.CTAP2_ERR_OPERATION_DENIED);
    expect(d.a.state.credentials.length).toBe(1);
  });
});

describe('authenticatorSelection (CTAP 2.1 §6.9)', () => {
  it('answers USER_ACTION_TIMEOUT when the user does not touch in time', async () => {
    const d = await PinDriver.create();
    d.touches.answers.push('timeout');
    expect((await d.call(CtapCommand.authenticatorSelection)).status).toBe(S.CTAP2_ERR_USER_ACTION_TIMEOUT);
    expect(d.touches.requests.map((q) => q.reason)).toEqual(['selection']);
  });
});

describe('authenticatorReset when the presence wait itself fails (CTAP 2.1 §6.6)', () => {
  it('a wait cancelled by the device itself (no timer, no platform cancel) is KEEPALIVE_CANCEL, not a timeout', async () => {
    const user: UserPresence = { request: async () => { throw new UserPresenceCancelled(); } };
    const d = await PinDriver.create({ userPresence: user, resetPresenceTimeoutMs: 60_000 });
    expect((await reset(d)).status).toBe(S.CTAP2_ERR_KEEPALIVE_CANCEL);
  });
});
