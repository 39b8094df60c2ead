import { expect, it } from 'vitest';
import { BROADCAST_CID, CtaphidCommand, CtaphidErrorCode, encodeFrames, parsePacket } from '../../harness/protocol/index.ts';
import { createSimulatorDevice } from '../../authenticator-sim/index.ts';
import { sharedAttestationMaterial } from '../helpers/sim.ts';

// The device keeps a bounded number of channels; past it the least recently used one is forgotten, so a
// host that keeps using its channel survives another host's INIT burst (docs/simulator.md).

it('evicts the least recently used channel, not the oldest allocated', async () => {
  const { device } = await createSimulatorDevice({ attestationMaterial: await sharedAttestationMaterial(), ctaphid: { maxChannels: 4 } });
  const answers: { cid: number; cmd: number; payload: Uint8Array }[] = [];
  device.onReport((r) => {
    const p = parsePacket(r);
    if (p.kind === 'init') answers.push({ cid: p.cid, cmd: p.cmd, payload: p.data.subarray(0, p.bcnt) });
  });
  const send = (cid: number, cmd: number, payload: Uint8Array) => {
    for (const f of encodeFrames(cid, cmd, payload)) device.receive(f);
    return answers.pop()!;
  };
  const allocate = (): number => {
    const a = send(BROADCAST_CID, CtaphidCommand.INIT, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    return new DataView(a.payload.buffer, a.payload.byteOffset).getUint32(8);
  };
  const first = allocate();
  const others = [allocate(), allocate(), allocate()];
  // the first channel is used again: it becomes the most recently used
  expect(send(first, CtaphidCommand.PING, Uint8Array.of(1)).cmd).toBe(CtaphidCommand.PING);
  allocate(); // a fifth: one must go
  expect(send(first, CtaphidCommand.PING, Uint8Array.of(2)).cmd).toBe(CtaphidCommand.PING);
  const gone = send(others[0]!, CtaphidCommand.PING, Uint8Array.of(3));
  expect(gone.cmd).toBe(CtaphidCommand.ERROR);
  expect([...gone.payload]).toEqual([CtaphidErrorCode.ERR_INVALID_CHANNEL]);
  // a burst of INITs from elsewhere: the channel in use every few INITs stays
  for (let i = 0; i < 40; i++) {
    allocate();
    if (i % 2 === 0) expect(send(first, CtaphidCommand.PING, Uint8Array.of(i)).cmd).toBe(CtaphidCommand.PING);
  }
  device.close();
});
