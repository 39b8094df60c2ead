import { afterEach, beforeEach, expect, it } from 'vitest';
import { CtapCommand, CtaphidCommand, CtapStatus, decodeCbor } from '../../harness/protocol/index.ts';
import { POWER_CYCLE_DATAGRAM } from '../../authenticator-sim/index.ts';
import { getAssertionParams, makeCredentialParams } from './helpers/ctap2Requests.ts';
import { startUdpFixture, type UdpFixture } from './helpers/simulatorFixture.ts';

// The power-cycle datagram keeps persistent state and channel allocations, and clears volatile state
// (CTAP 2.1 §6.5.2, §6.6; docs/simulator.md "Power cycle").

let f: UdpFixture;
beforeEach(async () => {
  f = await startUdpFixture();
});
afterEach(async () => {
  await f.close();
});

it('keeps credentials, PIN retries, the counter and channels; clears the token and wrong-PIN count; is not answered', async () => {
  const { client } = f;
  const a = f.sim.device.authenticator;
  const cid = await client.allocateChannel();
  const mc = await client.cbor(cid, CtapCommand.authenticatorMakeCredential, makeCredentialParams({ rk: true }));
  expect(mc.status).toBe(CtapStatus.CTAP2_OK);
  a.state.pinRetries = 5;
  a.consecutivePinFailures = 2;
  a.pinUvAuthToken.beginUsing(true, 0x01, 'example.com');
  const tokenBefore = Uint8Array.from(a.pinUvAuthToken.token);
  const countBefore = a.state.signCount;

  client.sendRaw(POWER_CYCLE_DATAGRAM);
  expect(await client.silentFor(150)).toBe(true);
  expect(f.sim.powerCycles).toBe(1);

  // the channel survives: a host keeps using its CID (no re-enumeration over UDP)
  const old = await client.transact(cid, CtaphidCommand.PING, Uint8Array.of(1));
  expect(old.cmd).toBe(CtaphidCommand.PING);
  expect([...old.payload]).toEqual([1]);
  // volatile: token, wrong-PIN count
  expect(a.pinUvAuthToken.inUse).toBe(false);
  expect(Buffer.compare(a.pinUvAuthToken.token, tokenBefore)).not.toBe(0);
  expect(a.consecutivePinFailures).toBe(0);
  // persistent: retries, counter, the discoverable credential
  expect(a.state.pinRetries).toBe(5);
  expect(a.state.signCount).toBe(countBefore);
  const ga = await client.cbor(cid, CtapCommand.authenticatorGetAssertion, getAssertionParams());
  expect(ga.status).toBe(CtapStatus.CTAP2_OK);
  expect((decodeCbor(ga.body).value as Map<number, unknown>).get(4)).toBeInstanceOf(Map); // user entity
});

it('drops a command waiting for the user: its answer is never sent', async () => {
  const { client } = f;
  const cid = await client.allocateChannel();
  f.presence.hold = true;
  client.sendMessage(cid, CtaphidCommand.CBOR, Uint8Array.of(CtapCommand.authenticatorSelection));
  await client.next(500); // a KEEPALIVE: it is waiting
  client.sendRaw(POWER_CYCLE_DATAGRAM);
  await new Promise((r) => setTimeout(r, 20));
  f.presence.touch();
  // at most one KEEPALIVE already in flight; never the CBOR answer
  const deadline = performance.now() + 250;
  while (performance.now() < deadline) {
    try {
      const { report } = await client.next(deadline - performance.now());
      expect(report[4]).toBe(0x80 | CtaphidCommand.KEEPALIVE);
    } catch {
      break;
    }
  }
  expect(f.sim.device.busy).toBe(false);
});
