import type { RemoteInfo } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatorDevice, REALISTIC_LATENCY, UdpSimulator, type UserPresence } from '../../authenticator-sim/index.ts';
import { openDevice, type OpenedDevice } from '../../harness/ctap/index.ts';
import { PresenceWaits } from '../../harness/ctaphid/index.ts';
import { CtapCommand, CtapStatus, CtapStatusError, CtaphidCommand, type MakeCredentialRequest } from '../../harness/protocol/index.ts';
import { connectReportDevice } from '../../harness/transport/index.ts';
import { ScriptedPresence } from '../helpers/sim.ts';

const request = (): MakeCredentialRequest => ({
  clientDataHash: new Uint8Array(32).fill(7),
  rp: { id: 'touch.example', name: 'touch' },
  user: { id: new Uint8Array(8).fill(1), name: 'u', displayName: 'U' },
  pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
});

const open: OpenedDevice[] = [];
afterEach(async () => {
  for (const d of open.splice(0)) await d.close();
});

async function memoryDevice(userPresence: UserPresence, options: { touchTimeoutMs?: number; latency?: boolean } = {}) {
  const { device: sim, presence } = await createSimulatorDevice({ allowResetAnytime: true, userPresence, ...(options.latency ? { latency: REALISTIC_LATENCY } : {}) });
  const device = await openDevice({ kind: 'memory', connect: connectReportDevice(sim) }, { ctaphid: { timeoutMs: 10_000, ...(options.touchTimeoutMs ? { touchTimeoutMs: options.touchTimeoutMs } : {}) } });
  open.push(device);
  return { device, presence, sim };
}

const status = (p: Promise<unknown>) => p.then(() => CtapStatus.CTAP2_OK, (e) => (e instanceof CtapStatusError ? e.code : Promise.reject(e)));

/** Touches are counted by the host from KEEPALIVE UPNEEDED (CTAP 2.1 §11.2.9.2.1), as on a real key. */
describe('counting touches', () => {
  it('should count one touch per approved presence wait, on the host and in the simulator alike', async () => {
    const { device, presence } = await memoryDevice(new ScriptedPresence());
    const waits: number[] = [];
    device.hid.presence.onWait((w) => waits.push(w.ctapCommand ?? -1));
    await device.ctap2.makeCredential(request());
    await device.ctap2.makeCredential(request());
    await device.ctap2.getInfo();
    expect(device.hid.presence.touches).toBe(2);
    expect(presence.approved).toBe(2);
    expect(waits).toEqual([CtapCommand.authenticatorMakeCredential, CtapCommand.authenticatorMakeCredential]);
  });

  it('should count a denied wait as a wait, not as a touch', async () => {
    const scripted = new ScriptedPresence();
    scripted.answers.push('denied');
    const { device, presence } = await memoryDevice(scripted);
    expect(await status(device.ctap2.makeCredential(request()))).toBe(CtapStatus.CTAP2_ERR_OPERATION_DENIED);
    expect(device.hid.presence.waits).toBe(1);
    expect(device.hid.presence.touches).toBe(0);
    expect(presence.approved).toBe(0);
  });

  it('should send CANCEL when nobody touches within the touch timeout, and count no touch', async () => {
    const scripted = new ScriptedPresence();
    scripted.answers.push('wait-for-cancel');
    const { device } = await memoryDevice(scripted, { touchTimeoutMs: 200 });
    expect(await status(device.ctap2.makeCredential(request()))).toBe(CtapStatus.CTAP2_ERR_KEEPALIVE_CANCEL);
    expect(device.hid.presence.waits).toBe(1);
    expect(device.hid.presence.touches).toBe(0);
    // the channel is usable afterwards, and the next touch counts
    await device.ctap2.makeCredential(request());
    expect(device.hid.presence.touches).toBe(1);
  }, 20_000);

  it('should count the same over UDP, where only the host can see the touches', async () => {
    const { device: sim, presence } = await createSimulatorDevice<RemoteInfo>({ allowResetAnytime: true });
    const server = await UdpSimulator.start(sim, '127.0.0.1', 0);
    try {
      const device = await openDevice({ kind: 'udp', host: '127.0.0.1', port: server.endpoint.port }, { ctaphid: { timeoutMs: 10_000 } });
      open.push(device);
      for (let i = 0; i < 3; i++) await device.ctap2.makeCredential(request());
      expect(device.hid.presence.touches).toBe(3);
      expect(presence.approved).toBe(3);
    } finally {
      await open.pop()?.close();
      await server.close();
    }
  });

  it('should count U2F touches found by polling (SW_CONDITIONS_NOT_SATISFIED, then success)', () => {
    const waits = new PresenceWaits();
    const seen: number[] = [];
    waits.onWait((w) => seen.push(w.cmd));
    waits.polling();
    waits.polledTouch();
    expect([waits.waits, waits.touches]).toEqual([1, 1]);
    expect(seen).toEqual([CtaphidCommand.MSG]);
  });
});

describe('sim --latency realistic', () => {
  it('should make a touch take at least a second and a signature some tens of ms', async () => {
    const { device } = await memoryDevice(new ScriptedPresence(), { latency: true });
    const t0 = performance.now();
    await device.ctap2.getInfo();
    const info = performance.now() - t0;
    const t1 = performance.now();
    await device.ctap2.makeCredential(request());
    const made = performance.now() - t1;
    // lower bounds only: a loaded machine is slower, never faster
    expect(info).toBeGreaterThanOrEqual(REALISTIC_LATENCY.commandMs(CtaphidCommand.CBOR, Uint8Array.of(CtapCommand.authenticatorGetInfo)) - 1);
    expect(made).toBeGreaterThanOrEqual(REALISTIC_LATENCY.touchMs + 50);
    expect(device.hid.presence.touches).toBe(1);
  }, 20_000);
});
