import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BROADCAST_CID, CtaphidCommand, encodeFrames, parsePacket } from '../../harness/protocol/index.ts';
import { comparableStatuses, runHarness } from './runHarness.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A second host on the same device, as a browser or password manager polling a key: from another UDP port
 * it sends the first half of a message every 400 ms (the device is then busy for everyone else until its
 * 500 ms message timeout, CTAP 2.1 §11.2.5) and bursts of INITs, 1100 every 2 s (more channels than the
 * simulator keeps: the least recently used ones are forgotten). The harness's run over UDP must still
 * complete with the statuses of an undisturbed run, check by check (ERR_CHANNEL_BUSY retried, one new
 * channel after ERR_INVALID_CHANNEL, §11.2.9.1.6).
 */
async function startBusyHost(port: number) {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  let cid = 0;
  const counts = { halfMessages: 0, inits: 0, answers: 0 };
  socket.on('message', (msg) => {
    counts.answers++;
    const p = parsePacket(new Uint8Array(msg));
    if (p.kind === 'init' && p.cmd === CtaphidCommand.INIT && p.cid === BROADCAST_CID) cid = new DataView(p.data.buffer, p.data.byteOffset + 8, 4).getUint32(0);
  });
  const send = (r: Uint8Array) => socket.send(r, port, '127.0.0.1');
  const init = () => {
    counts.inits++;
    send(encodeFrames(BROADCAST_CID, CtaphidCommand.INIT, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8))[0]!);
  };
  init();
  const half = setInterval(() => {
    if (!cid) return;
    counts.halfMessages++;
    send(encodeFrames(cid, CtaphidCommand.PING, new Uint8Array(100))[0]!); // 57 of 100 bytes: half a message
  }, 400);
  const burst = setInterval(() => {
    for (let i = 0; i < 110; i++) init();
  }, 200);
  return {
    counts,
    stop() {
      clearInterval(half);
      clearInterval(burst);
      socket.close();
    },
  };
}

describe('a run over UDP while another host keeps the device busy', () => {
  const child = spawn(process.execPath, ['bin/fido-harness.mjs', 'sim', '--udp', '127.0.0.1:0'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += String(d);
      const m = /listening on udp 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`fido-harness sim exited ${code}: ${out}`)));
  });
  afterAll(() => {
    child.kill('SIGTERM');
  });

  it('completes with the statuses of an undisturbed run, check by check', async () => {
    const busy = await startBusyHost(await port);
    let disturbed;
    try {
      disturbed = await runHarness(['--device', `udp:127.0.0.1:${await port}`]);
    } finally {
      busy.stop();
    }
    // the other host really was there, all run long
    expect(busy.counts.halfMessages).toBeGreaterThan(10);
    expect(busy.counts.inits).toBeGreaterThan(2_000);
    const local = await runHarness([]);
    const statuses = (r: typeof local) => comparableStatuses(r.report.checks);
    const differ = Object.entries(statuses(disturbed)).filter(([id, s]) => statuses(local)[id] !== s);
    expect(differ.map(([id, s]) => `${id}: ${s} (undisturbed ${statuses(local)[id]}) ${disturbed.report.checks.find((c) => c.id === id)?.message ?? ''}`)).toEqual([]);
    expect(statuses(disturbed)).toEqual(statuses(local));
    expect(disturbed.report.incomplete).toBeUndefined();
    expect(disturbed.code).toBe(0);
  }, 240_000);
});
