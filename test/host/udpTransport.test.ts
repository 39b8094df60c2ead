import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { parseUdpAddress, TransportError, UdpTransport } from '../../harness/transport/index.ts';
import { CtaphidChannel } from '../../harness/ctaphid/index.ts';
import { initAnswer } from './scriptedDevice.ts';

const sockets: Socket[] = [];
async function fakeDevice(onMessage: (msg: Buffer, reply: (b: Uint8Array) => void) => void): Promise<number> {
  const s = createSocket('udp4');
  sockets.push(s);
  s.on('message', (msg, rinfo) => onMessage(msg, (b) => s.send(b, rinfo.port, rinfo.address)));
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return s.address().port;
}
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('udp transport (simulator convention: one raw 64-byte report per datagram)', () => {
  it('should send each report as one 64-byte datagram with no report-ID byte, and read the answers', async () => {
    const seen: Buffer[] = [];
    const port = await fakeDevice((msg, reply) => {
      seen.push(msg);
      reply(initAnswer(new Uint8Array(msg), 0x01020304));
    });
    const t = await UdpTransport.open({ host: '127.0.0.1', port });
    const ch = await CtaphidChannel.open(t, { randomBytes: () => new Uint8Array(8).fill(0xab) });
    expect(ch.cid).toBe(0x01020304);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.toString('hex')).toBe('ffffffff860008' + 'ab'.repeat(8) + '00'.repeat(49));
    await t.close();
  });

  it('should ignore datagrams from other senders and report a wrong-size datagram from the device', async () => {
    const port = await fakeDevice((_msg, reply) => reply(new Uint8Array(10)));
    const t = await UdpTransport.open({ host: '127.0.0.1', port });
    const stranger = createSocket('udp4');
    sockets.push(stranger);
    const local = (t as unknown as { socket: Socket }).socket.address().port;
    await new Promise<void>((r) => stranger.send(new Uint8Array(64), local, '127.0.0.1', () => r()));
    await t.write(new Uint8Array(64));
    const err = (await rejection(t.read(1_000))) as TransportError;
    expect(err.code).toBe('TRANSPORT_REPORT_SIZE');
    expect(t.strayDatagrams).toBe(1);
    await t.close();
    expect(((await rejection(t.write(new Uint8Array(64)))) as TransportError).code).toBe('TRANSPORT_CLOSED');
  });

  it('should time out against a silent address', async () => {
    const port = await fakeDevice(() => undefined);
    const t = await UdpTransport.open({ host: '127.0.0.1', port });
    const err = (await rejection(CtaphidChannel.open(t, { initTimeoutMs: 100 }))) as Error;
    expect((err as { code?: string }).code).toBe('CTAPHID_TIMEOUT');
    await t.close();
  });

  it('should parse udp:HOST:PORT', () => {
    expect(parseUdpAddress('udp:127.0.0.1:8111')).toEqual({ host: '127.0.0.1', port: 8111 });
    expect(parseUdpAddress('udp:[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(() => parseUdpAddress('udp:nohost')).toThrow(TransportError);
  });
});
