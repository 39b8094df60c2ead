import { describe, expect, it } from 'vitest';
import { createSimulatorDevice } from '../../authenticator-sim/index.ts';
import { ClientPin } from '../../harness/client/index.ts';
import { openDevice } from '../../harness/ctap/index.ts';
import { CheckSkipped } from '../../harness/runner/Check.ts';
import { SuiteContext } from '../../harness/suites/index.ts';
import { connectReportDevice } from '../../harness/transport/index.ts';
import { sharedAttestationMaterial } from '../helpers/sim.ts';

/** A key that already has a PIN the harness was not told: the default PIN must never be tried on it. */
async function keyWithUnknownPin() {
  const { device, authenticator } = await createSimulatorDevice({ allowResetAnytime: true, attestationMaterial: await sharedAttestationMaterial() });
  const opened = await openDevice({ kind: 'memory', connect: connectReportDevice(device) });
  await new ClientPin(opened.ctap2).setPin('owner-secret-pin');
  await opened.ctap2.getInfo();
  return { opened, authenticator };
}

describe('the suites never guess a PIN', () => {
  it('should skip PIN checks on a key with an unknown PIN, spending no retries, when resets are not allowed', async () => {
    const { opened, authenticator } = await keyWithUnknownPin();
    const ctx = new SuiteContext({ ctap2: opened.ctap2, kind: 'hid' }, { allowDestructive: false, pin: '1234', pinGiven: false });
    await expect(ctx.ensurePin('set')).rejects.toBeInstanceOf(CheckSkipped);
    expect(authenticator.state.pinRetries).toBe(8);
    expect(authenticator.state.pin).toBeDefined();
    await opened.close();
  });

  it('should reset such a key and set its own PIN when resets are allowed', async () => {
    const { opened, authenticator } = await keyWithUnknownPin();
    const ctx = new SuiteContext({ ctap2: opened.ctap2, kind: 'hid' }, { allowDestructive: true, pin: '1234', pinGiven: false });
    await ctx.ensurePin('set');
    expect(authenticator.state.pinRetries).toBe(8);
    await new ClientPin(opened.ctap2).getPinToken('1234', { permissions: 0x01, rpId: 'example.com' });
    await opened.close();
  });

  it('should take the PIN it was given for a key that has one', async () => {
    const { opened } = await keyWithUnknownPin();
    const ctx = new SuiteContext({ ctap2: opened.ctap2, kind: 'hid' }, { allowDestructive: false, pin: 'owner-secret-pin', pinGiven: true });
    await ctx.ensurePin('set');
    expect(ctx.knownPinState).toBe('set');
    await opened.close();
  });
});
