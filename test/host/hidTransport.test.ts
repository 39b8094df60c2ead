import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CtaphidChannel, CtaphidError } from '../../harness/ctaphid/index.ts';
import { runDevicesCommand } from '../../harness/commands/devices.ts';
import { CtaphidCommand, encodeFrames, parsePacket } from '../../harness/protocol/index.ts';
import {
  FIDO_UDEV_RULE,
  HidTransport,
  listFidoHidDevices,
  TransportError,
  type HidBackend,
  type HidDeviceInfo,
  type HidHandle,
} from '../../harness/transport/index.ts';
import { initAnswer } from './scriptedDevice.ts';

/** A fake node-hid HIDAsync: records writes as given, emits 'data'/'error' like node-hid does. */
class FakeHid extends EventEmitter implements HidHandle {
  writes: Buffer[] = [];
  closed = false;
  onWrite: (buf: Buffer) => void = () => undefined;
  writeResult: ((buf: Buffer) => number) | undefined;
  async write(values: number[] | Buffer): Promise<number> {
    if (this.closed) throw new Error('Cannot write to hid device');
    const buf = Buffer.from(values);
    this.writes.push(buf);
    queueMicrotask(() => this.onWrite(buf));
    return this.writeResult ? this.writeResult(buf) : buf.length;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const FIDO: HidDeviceInfo = { vendorId: 0x1050, productId: 0x0407, path: '/dev/hidraw3', product: 'Test Key', usagePage: 0xf1d0, usage: 1 };
const KEYBOARD: HidDeviceInfo = { vendorId: 0x046d, productId: 0xc31c, path: '/dev/hidraw0', product: 'Keyboard', usagePage: 1, usage: 6 };

function backendWith(handle: FakeHid, devices: HidDeviceInfo[] = [FIDO], openError?: Error): HidBackend {
  return {
    platform: 'linux',
    devices: async () => devices,
    open: async () => {
      if (openError) throw openError;
      return handle;
    },
    permissionProblem: (path) => (openError?.message.includes('cannot open') ? `${path} is not readable and writable by this user` : undefined),
  };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('hid transport (fake node-hid device, report level)', () => {
  it('should list only FIDO interfaces (usage page 0xF1D0, usage 1)', async () => {
    const list = await listFidoHidDevices(backendWith(new FakeHid(), [KEYBOARD, FIDO, { ...FIDO, usage: 2, path: '/dev/hidraw4' }]));
    expect(list).toEqual([{ path: '/dev/hidraw3', vendorId: 0x1050, productId: 0x0407, product: 'Test Key' }]);
  });

  it('should write a report-ID byte 0x00 before each 64-byte report (65 bytes to node-hid)', async () => {
    const fake = new FakeHid();
    const t = await HidTransport.open(backendWith(fake));
    const frame = encodeFrames(0x01020304, CtaphidCommand.PING, Uint8Array.of(0xaa, 0xbb))[0]!;
    await t.write(frame);
    expect(fake.writes).toHaveLength(1);
    expect(fake.writes[0]!.length).toBe(65);
    expect(fake.writes[0]!.toString('hex')).toBe('00' + '01020304' + '81' + '0002' + 'aabb' + '00'.repeat(55));
  });

  it('should write without the report-ID byte when told to', async () => {
    const fake = new FakeHid();
    const t = await HidTransport.open(backendWith(fake), undefined, { reportIdByte: false });
    await t.write(new Uint8Array(64).fill(1));
    expect(fake.writes[0]!.length).toBe(64);
  });

  it('should run INIT byte-exact through the fake and strip a leading report-ID byte from 65-byte reads', async () => {
    const fake = new FakeHid();
    fake.onWrite = (buf) => {
      const report = new Uint8Array(buf.subarray(1));
      expect(parsePacket(report).cid).toBe(0xffffffff);
      // answer once as 64 bytes
      fake.emit('data', Buffer.from(initAnswer(report, 0x0badcafe)));
    };
    const t = await HidTransport.open(backendWith(fake));
    const ch = await CtaphidChannel.open(t, { randomBytes: () => Uint8Array.from([8, 7, 6, 5, 4, 3, 2, 1]) });
    expect(ch.cid).toBe(0x0badcafe);
    expect(fake.writes[0]!.toString('hex')).toBe('00' + 'ffffffff' + '86' + '0008' + '0807060504030201' + '00'.repeat(49));
    // now a PING answered with the report-ID byte in front
    fake.onWrite = (buf) => fake.emit('data', Buffer.concat([Buffer.from([0]), buf.subarray(1)]));
    expect([...(await ch.ping(Uint8Array.of(5, 6)))]).toEqual([5, 6]);
  });

  it('should turn a node-hid read error (key unplugged mid-command) into TRANSPORT_DISCONNECTED and close', async () => {
    const fake = new FakeHid();
    fake.onWrite = (buf) => {
      const report = new Uint8Array(buf.subarray(1));
      const p = parsePacket(report);
      if (p.kind === 'init' && p.cmd === CtaphidCommand.INIT) fake.emit('data', Buffer.from(initAnswer(report, 0x11223344)));
      else fake.emit('error', new Error('could not read from HID device'));
    };
    const t = await HidTransport.open(backendWith(fake));
    const ch = await CtaphidChannel.open(t);
    const t0 = Date.now();
    const err = await rejection(ch.cbor(0x04, new Uint8Array(0), { timeoutMs: 5_000 }));
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('TRANSPORT_DISCONNECTED');
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(t.closed).toBe(true);
    expect(fake.closed).toBe(true);
    // later use fails cleanly too
    expect(((await rejection(t.write(new Uint8Array(64)))) as TransportError).code).toBe('TRANSPORT_CLOSED');
  });

  it('should turn a failing write into TRANSPORT_DISCONNECTED', async () => {
    const fake = new FakeHid();
    const t = await HidTransport.open(backendWith(fake));
    fake.closed = true;
    expect(((await rejection(t.write(new Uint8Array(64)))) as TransportError).code).toBe('TRANSPORT_DISCONNECTED');
  });

  it('should report a short write', async () => {
    const fake = new FakeHid();
    fake.writeResult = () => 10;
    const t = await HidTransport.open(backendWith(fake));
    const err = (await rejection(t.write(new Uint8Array(64)))) as TransportError;
    expect(err.code).toBe('TRANSPORT_DISCONNECTED');
    expect(err.message).toContain('10 of 65');
  });

  it('should refuse reports that are not 64 bytes, both ways', async () => {
    const fake = new FakeHid();
    const t = await HidTransport.open(backendWith(fake));
    expect(((await rejection(t.write(new Uint8Array(63)))) as TransportError).code).toBe('TRANSPORT_REPORT_SIZE');
    fake.emit('data', Buffer.alloc(20));
    expect(((await rejection(t.read(100))) as TransportError).code).toBe('TRANSPORT_REPORT_SIZE');
    // a malformed report does not end the transport: the next good one is read
    fake.emit('data', Buffer.alloc(64, 7));
    expect((await t.read(100))[0]).toBe(7);
  });

  it('should time out a read of a silent device within the time given', async () => {
    const fake = new FakeHid();
    const t = await HidTransport.open(backendWith(fake));
    const err = (await rejection(t.read(50))) as TransportError;
    expect(err.code).toBe('TRANSPORT_TIMEOUT');
    fake.onWrite = () => undefined;
    const ch = rejection(CtaphidChannel.open(t, { initTimeoutMs: 60 }));
    expect(((await ch) as CtaphidError).code).toBe('CTAPHID_TIMEOUT');
  });

  it('should explain a permission failure with the udev rule', async () => {
    const err = (await rejection(
      HidTransport.open(backendWith(new FakeHid(), [FIDO], new Error('cannot open device with path /dev/hidraw3'))),
    )) as TransportError;
    expect(err.code).toBe('TRANSPORT_PERMISSION');
    expect(err.message).toContain('/dev/hidraw3');
    expect(err.message).toContain(FIDO_UDEV_RULE.split('\n')[2]);
  });

  it('should say when no FIDO device is attached', async () => {
    const err = (await rejection(HidTransport.open(backendWith(new FakeHid(), [KEYBOARD])))) as TransportError;
    expect(err.code).toBe('TRANSPORT_NO_DEVICE');
  });
});

// PC/SC cards are listed too; these tests are about HID, so no reader is asked.
const NO_CARDS = async () => ({ cards: [] });

describe('fido-harness devices', () => {
  it('should print "no FIDO devices found" and exit 0 when none is attached', async () => {
    const out: string[] = [];
    const code = await runDevicesCommand([], { backend: backendWith(new FakeHid(), [KEYBOARD]), out: (l) => out.push(l), err: (l) => out.push(l), cards: NO_CARDS });
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/^no FIDO devices found/);
  });

  it('should list a key and, with --info, its CTAPHID version and getInfo AAGUID', async () => {
    const fake = new FakeHid();
    let cid = 0;
    fake.onWrite = (buf) => {
      const report = new Uint8Array(buf.subarray(1));
      const p = parsePacket(report);
      if (p.kind === 'init' && p.cmd === CtaphidCommand.INIT) {
        cid = 0x55667788;
        fake.emit('data', Buffer.from(initAnswer(report, cid)));
      } else if (p.kind === 'init' && p.cmd === CtaphidCommand.CBOR) {
        // getInfo: {1: ["FIDO_2_0"], 3: h'00..01'}
        const body = Buffer.from('a20181684649444f5f325f300350' + '00'.repeat(15) + '01', 'hex');
        encodeFrames(cid, CtaphidCommand.CBOR, Uint8Array.from([0, ...body])).forEach((f) => fake.emit('data', Buffer.from(f)));
      }
    };
    const out: string[] = [];
    const code = await runDevicesCommand(['--info'], { backend: backendWith(fake, [KEYBOARD, FIDO]), out: (l) => out.push(l), err: (l) => out.push(l), cards: NO_CARDS });
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('/dev/hidraw3: vendor=0x1050 product=0x0407 Test Key');
    expect(text).toContain('AAGUID: 00000000-0000-0000-0000-000000000001');
    expect(text).toContain('versions: ["FIDO_2_0"]');
    expect(text).not.toContain('Keyboard');
  });

  it('should refuse unknown arguments with exit 2', async () => {
    const out: string[] = [];
    expect(await runDevicesCommand(['--bogus'], { backend: backendWith(new FakeHid()), out: (l) => out.push(l), err: (l) => out.push(l), cards: NO_CARDS })).toBe(2);
  });
});
