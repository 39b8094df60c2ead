import { describe, expect, it } from 'vitest';
import { CtapProtocolError } from '../../harness/ctap/index.ts';
import { CtaphidError } from '../../harness/ctaphid/index.ts';
import { NfcError } from '../../harness/nfc/index.ts';
import { CheckFailed } from '../../harness/runner/Check.ts';
import { CheckTimeout } from '../../harness/runner/withTimeout.ts';
import { DEFAULT_PROBE_MS, deviceLostReason } from '../../harness/suites/deviceLostReason.ts';
import type { SuiteDevice } from '../../harness/suites/SuiteContext.ts';
import { CtapStatusError } from '../../harness/protocol/index.ts';
import { TransportError } from '../../harness/transport/index.ts';

// When a check's error ends the run (harness/suites/deviceLostReason.ts): a device gone, or one that no longer
// echoes a PING (answers getInfo, over NFC). The devices here are only what the function reads.

interface Probe {
  pings: Uint8Array[];
  timeouts: number[];
}

/** A CTAPHID device whose PING answers `echo(data)` (a promise that may never settle). */
function hidDevice(echo: (data: Uint8Array) => Promise<Uint8Array>, closed = false): SuiteDevice & { probe: Probe } {
  const probe: Probe = { pings: [], timeouts: [] };
  return {
    kind: 'hid',
    probe,
    ctap2: { getInfo: async () => Promise.reject(new Error('getInfo must not be the probe over CTAPHID')) },
    hid: {
      transport: { closed },
      ping: async (data: Uint8Array, o: { timeoutMs: number }) => {
        probe.pings.push(data);
        probe.timeouts.push(o.timeoutMs);
        return echo(data);
      },
    },
  } as unknown as SuiteDevice & { probe: Probe };
}

/** A card: the probe is authenticatorGetInfo. */
function nfcDevice(getInfo: () => Promise<unknown>, closed = false): SuiteDevice & { probe: Probe } {
  const probe: Probe = { pings: [], timeouts: [] };
  return {
    kind: 'nfc',
    probe,
    ctap2: {
      getInfo: async (o: { timeoutMs: number }) => {
        probe.timeouts.push(o.timeoutMs);
        return getInfo();
      },
    },
    nfc: { transport: { closed } },
  } as unknown as SuiteDevice & { probe: Probe };
}

const channelFault = new CtaphidError('CTAPHID_TIMEOUT', 'no answer');
const never = () => new Promise<never>(() => undefined);

describe('deviceLostReason', () => {
  it('a transport closed or disconnected is the device gone, also as the cause of another error', async () => {
    const ok = hidDevice(async (d) => d);
    const closed = new TransportError('TRANSPORT_CLOSED', 'hid closed');
    expect(await deviceLostReason(ok, closed, 'MC-X-001')).toBe('the device was lost during MC-X-001 (TRANSPORT_CLOSED): TRANSPORT_CLOSED: hid closed');
    const pulled = new TransportError('TRANSPORT_DISCONNECTED', 'read failed');
    expect(await deviceLostReason(ok, new Error('wrapped', { cause: new Error('again', { cause: pulled }) }), 'GA-Y-002')).toBe(
      'the device was lost during GA-Y-002 (TRANSPORT_DISCONNECTED): TRANSPORT_DISCONNECTED: read failed',
    );
    expect(ok.probe.pings).toEqual([]);
  });

  it('a closed transport is the device gone whatever the error', async () => {
    expect(await deviceLostReason(hidDevice(async (d) => d, true), new CheckFailed('anything'), 'X-1')).toBe('the device was lost during X-1: its transport is closed');
    expect(await deviceLostReason(nfcDevice(async () => ({}), true), new Error('x'), 'X-2')).toBe('the device was lost during X-2: its transport is closed');
  });

  it('a check result or the harness own error goes on without a probe', async () => {
    const d = hidDevice(async () => new Uint8Array(0));
    for (const err of [new CheckFailed('bad'), new CtapStatusError(0x27), new Error('bug'), 'text', undefined, new TransportError('TRANSPORT_ABORTED', 'x').message]) {
      expect(await deviceLostReason(d, err, 'X-1')).toBeUndefined();
    }
    expect(d.probe.pings).toEqual([]);
  });

  it('a channel fault probes with a PING of 16 random bytes: the echo goes on, anything else ends the run', async () => {
    const faults = [channelFault, new CheckTimeout(1000), new NfcError('NFC_MALFORMED_RESPONSE', 'x'), new TransportError('TRANSPORT_TIMEOUT', 'late'), new CtapProtocolError('CTAP_MALFORMED_RESPONSE', 'x')];
    for (const err of faults) {
      const echoing = hidDevice(async (d) => d);
      expect(await deviceLostReason(echoing, err, 'X-1', 200), (err as Error).name).toBeUndefined();
      expect(echoing.probe.pings).toHaveLength(1);
      expect(echoing.probe.pings[0]).toHaveLength(16);
      expect(echoing.probe.timeouts).toEqual([200]);
    }
    const a = hidDevice(async (d) => d);
    await deviceLostReason(a, channelFault, 'X-1');
    await deviceLostReason(a, channelFault, 'X-1');
    expect(Buffer.from(a.probe.pings[0]!).equals(Buffer.from(a.probe.pings[1]!))).toBe(false);
    expect(a.probe.timeouts).toEqual([DEFAULT_PROBE_MS, DEFAULT_PROBE_MS]);
  });

  it('names what the probe got: other bytes, the device lost, an error, or nothing in time', async () => {
    const garbage = hidDevice(async (d) => Uint8Array.from(d, (b) => b ^ 1));
    expect(await deviceLostReason(garbage, channelFault, 'CTAPHID-X-001', 200)).toBe(
      'the device stopped working during CTAPHID-X-001 (CTAPHID_TIMEOUT: no answer), and then answered a PING of 16 bytes with 16 other bytes (garbage)',
    );
    const shorter = hidDevice(async (d) => d.subarray(0, 3));
    expect(await deviceLostReason(shorter, channelFault, 'X', 200)).toMatch(/answered a PING of 16 bytes with 3 other bytes \(garbage\)$/);
    const lost = hidDevice(async () => Promise.reject(new Error('ping failed', { cause: new TransportError('TRANSPORT_DISCONNECTED', 'gone') })));
    expect(await deviceLostReason(lost, channelFault, 'X', 200)).toMatch(/, and then was lost \(TRANSPORT_DISCONNECTED\): TRANSPORT_DISCONNECTED: gone$/);
    const failing = hidDevice(async () => Promise.reject(new CtaphidError('CTAPHID_WRONG_CHANNEL', 'bad cid')));
    expect(await deviceLostReason(failing, channelFault, 'X', 200)).toMatch(/, and then did not answer a PING: .*bad cid$/);
    const stalled = hidDevice(never);
    expect(await deviceLostReason(stalled, channelFault, 'X', 50)).toMatch(/, and then did not answer a PING within 50 ms \(stalled, or busy with the abandoned command\)$/);
  });

  it('a device with neither CTAPHID nor NFC (in-process) is never probed; a check error there goes on', async () => {
    const direct = { kind: 'sim', ctap2: { getInfo: async () => ({}) } } as unknown as SuiteDevice;
    expect(await deviceLostReason(direct, new CheckFailed('x'), 'X-1')).toBeUndefined();
    expect(await deviceLostReason(direct, new TransportError('TRANSPORT_CLOSED', 'gone'), 'X-1')).toBe('the device was lost during X-1 (TRANSPORT_CLOSED): TRANSPORT_CLOSED: gone');
  });

  it('follows an error\'s causes 8 deep, no further (a cyclic chain ends)', async () => {
    const chain = (depth: number, last: Error) => {
      let e = last;
      for (let i = 0; i < depth; i++) e = new Error(`wrap ${i}`, { cause: e });
      return e;
    };
    const d = hidDevice(async (x) => x);
    const gone = new TransportError('TRANSPORT_DISCONNECTED', 'pulled');
    expect(await deviceLostReason(d, chain(7, gone), 'X')).toMatch(/^the device was lost during X \(TRANSPORT_DISCONNECTED\)/);
    expect(await deviceLostReason(d, chain(8, gone), 'X')).toBeUndefined();
    const cyclic = new Error('a');
    (cyclic as { cause?: unknown }).cause = cyclic;
    expect(await deviceLostReason(d, cyclic, 'X')).toBeUndefined();
  });

  it('a PING echoed late, but within the probe time, is a working device', async () => {
    const late = hidDevice((data) => new Promise((resolve) => setTimeout(() => resolve(data), 150)));
    expect(await deviceLostReason(late, channelFault, 'X', 300)).toBeUndefined();
  });

  it('over NFC (no CTAPHID) the probe is authenticatorGetInfo', async () => {
    const fine = nfcDevice(async () => ({ versions: ['FIDO_2_1'] }));
    expect(await deviceLostReason(fine, new NfcError('NFC_MALFORMED_RESPONSE', 'x'), 'NFC-X-001', 300)).toBeUndefined();
    expect(fine.probe.timeouts).toEqual([300]);
    const refusing = nfcDevice(async () => Promise.reject(new NfcError('NFC_MALFORMED_RESPONSE', 'no status word')));
    expect(await deviceLostReason(refusing, new NfcError('NFC_MALFORMED_RESPONSE', 'x'), 'NFC-X-001', 300)).toMatch(
      /^the device stopped working during NFC-X-001 \(.*x\), and then did not answer authenticatorGetInfo: .*no status word$/,
    );
    const stalled = nfcDevice(never);
    expect(await deviceLostReason(stalled, new CheckTimeout(10), 'NFC-X-001', 50)).toMatch(/and then did not answer authenticatorGetInfo within 50 ms/);
  });
});
