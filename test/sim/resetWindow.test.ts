import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CtapCommand, CtapStatus, CtaphidCommand } from '../../harness/protocol/index.ts';
import { Authenticator, POWER_CYCLE_DATAGRAM, UserPresenceCancelled, type UserPresence } from '../../authenticator-sim/index.ts';
import { UdpTestClient } from './helpers/UdpTestClient.ts';

// CTAP 2.1 §6.6: authenticatorReset only within 10 s of power-up (else CTAP2_ERR_NOT_ALLOWED), and the user
// has 30 s to confirm it (else CTAP2_ERR_USER_ACTION_TIMEOUT). `fido-harness sim` enforces the window
// unless started with --allow-reset-anytime; its power-cycle datagram opens the window again.

const BIN = fileURLToPath(new URL('../../bin/fido-harness.mjs', import.meta.url));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGTERM');
});

/** Spawns the real CLI; resolves with its port and what it printed up to "listening". */
async function spawnSim(args: string[]): Promise<{ port: number; out: string }> {
  const child = spawn(process.execPath, [BIN, 'sim', '--udp', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  for (let i = 0; i < 3000; i++) {
    const m = /listening on udp 127\.0\.0\.1:(\d+)/.exec(out);
    if (m && /reset /.test(out)) return { port: Number(m[1]), out };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`sim did not start: ${out}`);
}

describe('fido-harness sim: the reset window', () => {
  it('refuses reset 10 s after power-up, allows it after the power-cycle datagram on the same channel; --allow-reset-anytime does not refuse', async () => {
    const strict = await spawnSim([]);
    const lax = await spawnSim(['--allow-reset-anytime']);
    expect(strict.out).toContain('reset only within 10 s of power-up');
    expect(lax.out).toContain('reset allowed at any time');
    const a = await UdpTestClient.open(strict.port);
    const b = await UdpTestClient.open(lax.port);
    try {
      const cidA = await a.allocateChannel();
      const cidB = await b.allocateChannel();
      // Within the window, from power-up of the process: allowed.
      expect((await a.cbor(cidA, CtapCommand.authenticatorReset)).status).toBe(CtapStatus.CTAP2_OK);
      await new Promise((r) => setTimeout(r, 10_500));
      expect((await a.cbor(cidA, CtapCommand.authenticatorReset)).status).toBe(CtapStatus.CTAP2_ERR_NOT_ALLOWED);
      expect((await b.cbor(cidB, CtapCommand.authenticatorReset)).status).toBe(CtapStatus.CTAP2_OK);
      a.sendRaw(POWER_CYCLE_DATAGRAM);
      expect(await a.silentFor(100)).toBe(true);
      // the same channel, no new INIT
      expect((await a.transact(cidA, CtaphidCommand.PING, Uint8Array.of(7))).cmd).toBe(CtaphidCommand.PING);
      expect((await a.cbor(cidA, CtapCommand.authenticatorReset)).status).toBe(CtapStatus.CTAP2_OK);
    } finally {
      a.close();
      b.close();
    }
  }, 40_000);
});

describe('authenticatorReset user presence (CTAP 2.1 §6.6)', () => {
  /** A user who never touches the key (the wait ends only when aborted). */
  const absent: UserPresence = {
    request: (req) =>
      new Promise((_resolve, reject) => {
        req.signal?.addEventListener('abort', () => reject(new UserPresenceCancelled()), { once: true });
      }),
  };

  it('answers CTAP2_ERR_USER_ACTION_TIMEOUT when nobody touches within the limit, and wipes nothing', async () => {
    const a = await Authenticator.create({ userPresence: absent, resetPresenceTimeoutMs: 50 });
    const key = Buffer.from(a.state.masterKey).toString('hex');
    expect((await a.handleCbor(CtapCommand.authenticatorReset, new Uint8Array(0))).status).toBe(CtapStatus.CTAP2_ERR_USER_ACTION_TIMEOUT);
    expect(Buffer.from(a.state.masterKey).toString('hex')).toBe(key);
    expect(a.resetPresenceTimeoutMs).toBe(50);
    expect((await Authenticator.create()).resetPresenceTimeoutMs).toBe(30_000);
  });

  it('a CANCEL during the wait stays CTAP2_ERR_KEEPALIVE_CANCEL', async () => {
    const a = await Authenticator.create({ userPresence: absent, resetPresenceTimeoutMs: 5_000 });
    const ac = new AbortController();
    const pending = a.handleCbor(CtapCommand.authenticatorReset, new Uint8Array(0), { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    expect((await pending).status).toBe(CtapStatus.CTAP2_ERR_KEEPALIVE_CANCEL);
  });
});
