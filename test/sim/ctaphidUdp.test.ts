import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BROADCAST_CID,
  CtapCommand,
  CtaphidCapability,
  CtaphidCommand,
  CtaphidErrorCode,
  CtapStatus,
  decodeCbor,
  KeepaliveStatus,
  MAX_MESSAGE_SIZE,
  parsePacket,
} from '../../harness/protocol/index.ts';
import { contPacket, initPacket, UdpTestClient, type Answer } from './helpers/UdpTestClient.ts';
import { makeCredentialParams } from './helpers/ctap2Requests.ts';
import { startUdpFixture, type UdpFixture } from './helpers/simulatorFixture.ts';

// Device-side CTAPHID (CTAP 2.1 §11.2) driven over real UDP sockets on 127.0.0.1.

function expectError(a: Answer, code: number): void {
  expect(a.cmd).toBe(CtaphidCommand.ERROR);
  expect([...a.payload]).toEqual([code]);
}

let f: UdpFixture;
let client: UdpTestClient;
beforeEach(async () => {
  f = await startUdpFixture({ messageTimeoutMs: 500 });
  client = f.client;
});
afterEach(async () => {
  await f.close();
});

describe('INIT (§11.2.9.1.3)', () => {
  it('allocates a new channel on the broadcast CID, echoing the nonce, with version and capabilities', async () => {
    const nonce = Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3]);
    const a = await client.transact(BROADCAST_CID, CtaphidCommand.INIT, nonce);
    expect(a.cmd).toBe(CtaphidCommand.INIT);
    expect(a.payload.length).toBe(17);
    expect([...a.payload.subarray(0, 8)]).toEqual([...nonce]);
    const cid = new DataView(a.payload.buffer).getUint32(8);
    expect(cid).not.toBe(0);
    expect(cid).not.toBe(BROADCAST_CID);
    expect(a.payload[12]).toBe(2); // CTAPHID protocol version
    expect([...a.payload.subarray(13, 16)]).toEqual([1, 0, 0]); // firmwareVersion 0x00010000
    expect(a.payload[16]).toBe(CtaphidCapability.WINK | CtaphidCapability.CBOR); // NMSG clear: MSG works
    // a second INIT allocates another channel
    const cid2 = await client.allocateChannel();
    expect(cid2).not.toBe(cid);
  });

  it('resynchronises an allocated channel, answering on it with the same CID', async () => {
    const cid = await client.allocateChannel();
    const nonce = Uint8Array.from([9, 9, 9, 9, 9, 9, 9, 9]);
    const a = await client.transact(cid, CtaphidCommand.INIT, nonce);
    expect(a.cmd).toBe(CtaphidCommand.INIT);
    expect([...a.payload.subarray(0, 8)]).toEqual([...nonce]);
    expect(new DataView(a.payload.buffer).getUint32(8)).toBe(cid);
  });

  it('answers a broadcast INIT while another channel waits for the user, without disturbing it', async () => {
    const cid = await client.allocateChannel();
    f.presence.hold = true;
    client.sendMessage(cid, CtaphidCommand.CBOR, Uint8Array.of(CtapCommand.authenticatorSelection));
    await new Promise((r) => setTimeout(r, 20));
    const other = await UdpTestClient.open(f.sim.endpoint.port);
    try {
      const cid2 = await other.allocateChannel();
      expect(cid2).not.toBe(cid);
    } finally {
      other.close();
    }
    f.presence.touch();
    const a = await client.answer(cid);
    expect([...a.payload]).toEqual([CtapStatus.CTAP2_OK]);
  });

  it('refuses an INIT whose length is not 8 with ERR_INVALID_LEN', async () => {
    expectError(await client.transact(BROADCAST_CID, CtaphidCommand.INIT, new Uint8Array(7)), CtaphidErrorCode.ERR_INVALID_LEN);
  });

  it('INIT on the busy channel aborts its transaction: the pending command is never answered', async () => {
    const cid = await client.allocateChannel();
    f.presence.hold = true;
    client.sendMessage(cid, CtaphidCommand.CBOR, Uint8Array.from([CtapCommand.authenticatorMakeCredential, ...makeCredentialParams()]));
    // wait until the device reports it waits for the user
    const ka = parsePacket((await client.next(1000)).report);
    expect(ka.kind === 'init' && ka.cmd).toBe(CtaphidCommand.KEEPALIVE);
    const sync = await client.transact(cid, CtaphidCommand.INIT, new Uint8Array(8).fill(7));
    expect(sync.cmd).toBe(CtaphidCommand.INIT);
    expect(f.sim.device.busy).toBe(false);
    // nothing more arrives for the aborted makeCredential, and the channel works at once
    expect(await client.silentFor(250)).toBe(true);
    const ping = await client.transact(cid, CtaphidCommand.PING, Uint8Array.of(1, 2, 3));
    expect([...ping.payload]).toEqual([1, 2, 3]);
    expect(f.sim.device.authenticator.state.signCount).toBe(0); // no credential was made
  });
});

describe('PING, WINK, MSG, CBOR', () => {
  it('echoes PING of 0, 57, 58 and 7609 bytes, fragmented and reassembled with SEQ 0..127', async () => {
    const cid = await client.allocateChannel();
    for (const n of [0, 57, 58, 7609]) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff);
      const a = await client.transact(cid, CtaphidCommand.PING, data);
      expect(a.cmd).toBe(CtaphidCommand.PING);
      expect(Buffer.compare(a.payload, data)).toBe(0);
    }
  });

  it('refuses a message longer than 7609 bytes with ERR_INVALID_LEN', async () => {
    const cid = await client.allocateChannel();
    client.sendRaw(initPacket(cid, CtaphidCommand.PING, MAX_MESSAGE_SIZE + 1));
    expectError(await client.answer(cid), CtaphidErrorCode.ERR_INVALID_LEN);
  });

  it('answers WINK with an empty WINK, and WINK with data with ERR_INVALID_LEN', async () => {
    const cid = await client.allocateChannel();
    const a = await client.transact(cid, CtaphidCommand.WINK);
    expect(a.cmd).toBe(CtaphidCommand.WINK);
    expect(a.payload.length).toBe(0);
    expect(f.sim.device.winks).toBe(1);
    expectError(await client.transact(cid, CtaphidCommand.WINK, Uint8Array.of(1)), CtaphidErrorCode.ERR_INVALID_LEN);
  });

  it('carries CTAP2 over CBOR: getInfo answers status 0 and a canonical map', async () => {
    const cid = await client.allocateChannel();
    const r = await client.cbor(cid, CtapCommand.authenticatorGetInfo);
    expect(r.status).toBe(CtapStatus.CTAP2_OK);
    const info = decodeCbor(r.body, { canonical: 'strict' }).value as Map<number, unknown>;
    expect(info.get(1)).toContain('FIDO_2_1');
    expect(info.get(1)).toContain('U2F_V2');
  });

  it('answers CBOR with an unknown command byte with CTAP1_ERR_INVALID_COMMAND, and an empty CBOR with ERR_INVALID_LEN', async () => {
    const cid = await client.allocateChannel();
    expect((await client.cbor(cid, 0x55)).status).toBe(CtapStatus.CTAP1_ERR_INVALID_COMMAND);
    expectError(await client.transact(cid, CtaphidCommand.CBOR), CtaphidErrorCode.ERR_INVALID_LEN);
  });

  it('carries U2F over MSG: VERSION answers "U2F_V2" 9000', async () => {
    const cid = await client.allocateChannel();
    const r = await client.msg(cid, Uint8Array.of(0, 3, 0, 0));
    expect(r.sw).toBe(0x9000);
    expect(Buffer.from(r.data).toString()).toBe('U2F_V2');
  });

  it('answers unknown commands, KEEPALIVE and ERROR sent by the host with ERR_INVALID_CMD', async () => {
    const cid = await client.allocateChannel();
    for (const cmd of [0x02, 0x3b, 0x3f, 0x40, 0x7f]) {
      expectError(await client.transact(cid, cmd), CtaphidErrorCode.ERR_INVALID_CMD);
    }
  });
});

describe('channel errors', () => {
  it('answers CID 0 with ERR_INVALID_CHANNEL', async () => {
    client.sendRaw(initPacket(0, CtaphidCommand.PING, 1, [5]));
    expectError(await client.answer(0), CtaphidErrorCode.ERR_INVALID_CHANNEL);
  });

  it('answers a non-INIT command on the broadcast CID with ERR_INVALID_CHANNEL', async () => {
    expectError(await client.transact(BROADCAST_CID, CtaphidCommand.PING, Uint8Array.of(1)), CtaphidErrorCode.ERR_INVALID_CHANNEL);
  });

  it('answers a channel that was never allocated with ERR_INVALID_CHANNEL', async () => {
    expectError(await client.transact(0x12345678, CtaphidCommand.PING, Uint8Array.of(1)), CtaphidErrorCode.ERR_INVALID_CHANNEL);
  });

  it('answers ERR_INVALID_SEQ for continuation packets out of sequence, and keeps serving', async () => {
    const cid = await client.allocateChannel();
    client.sendRaw(initPacket(cid, CtaphidCommand.PING, 200, new Array(57).fill(1)));
    client.sendRaw(contPacket(cid, 0, new Array(59).fill(2)));
    client.sendRaw(contPacket(cid, 2, new Array(59).fill(3))); // 1 skipped
    expectError(await client.answer(cid), CtaphidErrorCode.ERR_INVALID_SEQ);
    const ping = await client.transact(cid, CtaphidCommand.PING, Uint8Array.of(4));
    expect([...ping.payload]).toEqual([4]);
  });

  it('answers ERR_INVALID_SEQ when a new initialization packet arrives mid-message on the same channel', async () => {
    const cid = await client.allocateChannel();
    client.sendRaw(initPacket(cid, CtaphidCommand.PING, 100, new Array(57).fill(1)));
    client.sendRaw(initPacket(cid, CtaphidCommand.PING, 1, [1]));
    expectError(await client.answer(cid), CtaphidErrorCode.ERR_INVALID_SEQ);
  });

  it('times an incomplete message out after ~500 ms with ERR_MSG_TIMEOUT', async () => {
    const cid = await client.allocateChannel();
    const sentAt = performance.now();
    client.sendRaw(initPacket(cid, CtaphidCommand.PING, 100, new Array(57).fill(1)));
    // the answer wait is a hang guard: on a loaded machine the timer may fire late, never early
    const a = await client.answer(cid, 10_000);
    expectError(a, CtaphidErrorCode.ERR_MSG_TIMEOUT);
    expect(a.at - sentAt).toBeGreaterThanOrEqual(480);
    // the device is free again
    expect([...(await client.transact(cid, CtaphidCommand.PING, Uint8Array.of(8))).payload]).toEqual([8]);
  });

  it('answers another channel with ERR_CHANNEL_BUSY while a message is being received, then finishes the first', async () => {
    const other = await UdpTestClient.open(f.sim.endpoint.port);
    try {
      const cid = await client.allocateChannel();
      const cid2 = await other.allocateChannel();
      const data = Uint8Array.from({ length: 100 }, (_, i) => i);
      client.sendRaw(initPacket(cid, CtaphidCommand.PING, 100, data.subarray(0, 57)));
      const busy = await other.transact(cid2, CtaphidCommand.PING, Uint8Array.of(1));
      expectError(busy, CtaphidErrorCode.ERR_CHANNEL_BUSY);
      client.sendRaw(contPacket(cid, 0, data.subarray(57)));
      const a = await client.answer(cid);
      expect(Buffer.compare(a.payload, data)).toBe(0);
    } finally {
      other.close();
    }
  });

  it('answers another channel with ERR_CHANNEL_BUSY while a command waits for the user', async () => {
    const cid = await client.allocateChannel();
    const cid2 = await client.allocateChannel();
    f.presence.hold = true;
    client.sendMessage(cid, CtaphidCommand.CBOR, Uint8Array.from([CtapCommand.authenticatorSelection]));
    await new Promise((r) => setTimeout(r, 30));
    client.sendMessage(cid2, CtaphidCommand.PING, Uint8Array.of(1));
    // the busy error for cid2 arrives among cid's keepalives
    for (;;) {
      const p = parsePacket((await client.next(1000)).report);
      if (p.cid === cid2) {
        expect(p.kind === 'init' && p.cmd).toBe(CtaphidCommand.ERROR);
        expect(p.data[0]).toBe(CtaphidErrorCode.ERR_CHANNEL_BUSY);
        break;
      }
    }
    f.presence.touch();
    const done = await client.answer(cid);
    expect(done.cmd).toBe(CtaphidCommand.CBOR);
    expect([...done.payload]).toEqual([CtapStatus.CTAP2_OK]);
  });
});

describe('KEEPALIVE and CANCEL (§11.2.9.1.5, §11.2.9.2.1)', () => {
  it('sends KEEPALIVE UPNEEDED at most 100 ms apart while waiting, and CANCEL ends it with CTAP2_ERR_KEEPALIVE_CANCEL', async () => {
    const cid = await client.allocateChannel();
    f.presence.hold = true;
    const sentAt = performance.now();
    client.sendMessage(cid, CtaphidCommand.CBOR, Uint8Array.from([CtapCommand.authenticatorMakeCredential, ...makeCredentialParams()]));
    setTimeout(() => client.sendRaw(initPacket(cid, CtaphidCommand.CANCEL, 0)), 450);
    const a = await client.answer(cid, 2000);
    expect(a.cmd).toBe(CtaphidCommand.CBOR);
    expect([...a.payload]).toEqual([CtapStatus.CTAP2_ERR_KEEPALIVE_CANCEL]);
    expect(a.keepalives.length).toBeGreaterThanOrEqual(4);
    expect(a.keepalives.every((k) => k.status === KeepaliveStatus.UPNEEDED)).toBe(true);
    const times = [sentAt, ...a.keepalives.map((k) => k.at)];
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // 75 ms period; 100 ms allowed by §11.2.9.2.1, with 30 ms for scheduling on a shared machine
    expect(Math.max(...gaps)).toBeLessThan(130);
    expect(gaps.filter((g) => g <= 100).length).toBeGreaterThanOrEqual(gaps.length - 1);
    expect(f.sim.device.authenticator.state.signCount).toBe(0);
  });

  it('does not answer CANCEL itself, nor a CANCEL with nothing pending', async () => {
    const cid = await client.allocateChannel();
    client.sendRaw(initPacket(cid, CtaphidCommand.CANCEL, 0));
    expect(await client.silentFor(200)).toBe(true);
  });

  it('a CANCEL from another channel does not cancel', async () => {
    const cid = await client.allocateChannel();
    const cid2 = await client.allocateChannel();
    f.presence.hold = true;
    client.sendMessage(cid, CtaphidCommand.CBOR, Uint8Array.from([CtapCommand.authenticatorSelection]));
    await new Promise((r) => setTimeout(r, 20));
    client.sendRaw(initPacket(cid2, CtaphidCommand.CANCEL, 0));
    setTimeout(() => f.presence.touch(), 200);
    const a = await client.answer(cid);
    expect([...a.payload]).toEqual([CtapStatus.CTAP2_OK]);
  });
});

describe('LOCK (§11.2.9.2.2)', () => {
  it('locks the device to one channel: others get ERR_LOCK_REQUIRED until it is released', async () => {
    const cid = await client.allocateChannel();
    const cid2 = await client.allocateChannel();
    const lock = await client.transact(cid, CtaphidCommand.LOCK, Uint8Array.of(5));
    expect(lock.cmd).toBe(CtaphidCommand.LOCK);
    expect(lock.payload.length).toBe(0);
    expectError(await client.transact(cid2, CtaphidCommand.PING, Uint8Array.of(1)), CtaphidErrorCode.ERR_LOCK_REQUIRED);
    expect([...(await client.transact(cid, CtaphidCommand.PING, Uint8Array.of(2))).payload]).toEqual([2]);
    await client.transact(cid, CtaphidCommand.LOCK, Uint8Array.of(0));
    expect([...(await client.transact(cid2, CtaphidCommand.PING, Uint8Array.of(3))).payload]).toEqual([3]);
  });

  it('releases the lock when its time runs out', async () => {
    const cid = await client.allocateChannel();
    const cid2 = await client.allocateChannel();
    await client.transact(cid, CtaphidCommand.LOCK, Uint8Array.of(1));
    expectError(await client.transact(cid2, CtaphidCommand.PING, Uint8Array.of(1)), CtaphidErrorCode.ERR_LOCK_REQUIRED);
    await new Promise((r) => setTimeout(r, 1050));
    expect([...(await client.transact(cid2, CtaphidCommand.PING, Uint8Array.of(3))).payload]).toEqual([3]);
  });

  it('refuses a lock time over 10 s with ERR_INVALID_PAR and a wrong length with ERR_INVALID_LEN', async () => {
    const cid = await client.allocateChannel();
    expectError(await client.transact(cid, CtaphidCommand.LOCK, Uint8Array.of(11)), CtaphidErrorCode.ERR_INVALID_PAR);
    expectError(await client.transact(cid, CtaphidCommand.LOCK, new Uint8Array(0)), CtaphidErrorCode.ERR_INVALID_LEN);
  });
});

describe('bad input over UDP', () => {
  it('answers datagrams that are not 64 bytes with ERR_INVALID_LEN on their CID and keeps serving', async () => {
    const cid = await client.allocateChannel();
    const short = initPacket(cid, CtaphidCommand.PING, 1, [1]).subarray(0, 30);
    client.sendRaw(short);
    expectError(await client.answer(cid), CtaphidErrorCode.ERR_INVALID_LEN);
    const long = new Uint8Array(65);
    long.set(initPacket(cid, CtaphidCommand.PING, 1, [1]));
    client.sendRaw(long);
    expectError(await client.answer(cid), CtaphidErrorCode.ERR_INVALID_LEN);
    client.sendRaw(Uint8Array.of(1, 2)); // too short to name a channel: dropped
    expect(await client.silentFor(100)).toBe(true);
    expect([...(await client.transact(cid, CtaphidCommand.PING, Uint8Array.of(6))).payload]).toEqual([6]);
  });

  it('survives 300 random datagrams and still answers INIT and PING', async () => {
    // deterministic pseudo-random bytes (xorshift), so a failure can be replayed
    let x = 0x9e3779b9;
    const rnd = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), x >>> 0);
    for (let i = 0; i < 300; i++) {
      const d = new Uint8Array(64).map(() => rnd() & 0xff);
      if (i % 3 === 0) d.set([0xff, 0xff, 0xff, 0xff]); // some on the broadcast channel
      client.sendRaw(d);
    }
    await new Promise((r) => setTimeout(r, 150));
    const fresh = await UdpTestClient.open(f.sim.endpoint.port);
    try {
      const cid = await fresh.allocateChannel();
      // random bytes may have started a message on a channel allocated by a random INIT: wait it out
      let a = await fresh.transact(cid, CtaphidCommand.PING, Uint8Array.of(1, 2));
      if (a.cmd === CtaphidCommand.ERROR) {
        await new Promise((r) => setTimeout(r, 600));
        a = await fresh.transact(cid, CtaphidCommand.PING, Uint8Array.of(1, 2));
      }
      expect([...a.payload]).toEqual([1, 2]);
    } finally {
      fresh.close();
    }
  });

  it('serves two clients on one port, answering each at its own address', async () => {
    const other = await UdpTestClient.open(f.sim.endpoint.port);
    try {
      const [c1, c2] = [await client.allocateChannel(), await other.allocateChannel()];
      const [a1, a2] = await Promise.all([
        client.transact(c1, CtaphidCommand.PING, Uint8Array.of(1)),
        (async () => {
          await new Promise((r) => setTimeout(r, 5));
          // the first may still be in progress: a busy answer is retried, as hosts do
          for (;;) {
            const a = await other.transact(c2, CtaphidCommand.PING, Uint8Array.of(2));
            if (a.cmd !== CtaphidCommand.ERROR) return a;
            await new Promise((r) => setTimeout(r, 10));
          }
        })(),
      ]);
      expect([...a1.payload]).toEqual([1]);
      expect([...a2.payload]).toEqual([2]);
    } finally {
      other.close();
    }
  });

  it('a client that vanishes mid-message does not wedge the device', async () => {
    const gone = await UdpTestClient.open(f.sim.endpoint.port);
    const cid = await gone.allocateChannel();
    gone.sendRaw(initPacket(cid, CtaphidCommand.PING, 500, new Array(57).fill(1)));
    await new Promise((r) => setTimeout(r, 20));
    gone.close();
    const mine = await client.allocateChannel();
    expectError(await client.transact(mine, CtaphidCommand.PING, Uint8Array.of(1)), CtaphidErrorCode.ERR_CHANNEL_BUSY);
    await new Promise((r) => setTimeout(r, 550)); // its message timed out (the error went nowhere)
    expect([...(await client.transact(mine, CtaphidCommand.PING, Uint8Array.of(1))).payload]).toEqual([1]);
  });
});
