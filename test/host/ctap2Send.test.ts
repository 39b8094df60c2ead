import { describe, expect, it } from 'vitest';
import { Ctap2, CtapProtocolError, CtapTrace, DirectAuthenticatorChannel, type CtapChannel } from '../../harness/ctap/index.ts';
import { CtaphidChannel, CtaphidError } from '../../harness/ctaphid/index.ts';
import { CtapStatusError, encodeCanonicalCbor, encodeCborAsGiven } from '../../harness/protocol/index.ts';
import { MemoryTransport } from '../../harness/transport/index.ts';
import { createSimulatorDevice } from '../../authenticator-sim/ctaphid/createSimulatorDevice.ts';
import { Authenticator } from '../../authenticator-sim/Authenticator.ts';
import { UserPresenceCancelled, type UserPresence } from '../../authenticator-sim/env.ts';
import { connectReportDevice } from '../../harness/transport/index.ts';
import { cborDevice } from './scriptedDevice.ts';

/** A channel whose answers the test writes (status byte + payload), recording what was sent. */
function fakeChannel(answer: (cmd: number, data: Uint8Array) => Uint8Array): CtapChannel & { sent: Uint8Array[]; maxResponseSize: number } {
  const sent: Uint8Array[] = [];
  return {
    sent,
    maxResponseSize: 7609,
    async cbor(cmd, data) {
      sent.push(Uint8Array.of(cmd, ...data));
      return answer(cmd, data);
    },
  };
}

const INFO = new Map<number, unknown>([
  [1, ['FIDO_2_1']],
  [3, new Uint8Array(16).fill(1)],
  [5, 1200],
]);
const ok = (value?: unknown) => (value === undefined ? Uint8Array.of(0) : Uint8Array.of(0, ...encodeCanonicalCbor(value)));

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

describe('Ctap2.send, the choke point', () => {
  it('should map a status byte to CtapStatusError with the spec name', async () => {
    const ctap = new Ctap2(fakeChannel(() => Uint8Array.of(0x31)));
    const err = (await rejection(ctap.reset())) as CtapStatusError;
    expect(err).toBeInstanceOf(CtapStatusError);
    expect(err.code).toBe(0x31);
    expect(err.message).toBe('0x31 CTAP2_ERR_PIN_INVALID: authenticatorReset');
  });

  it('should record non-canonical CBOR as a finding and still use the response (report mode)', async () => {
    // {3: aaguid, 1: versions}: keys out of canonical order
    const body = encodeCborAsGiven(new Map<number, unknown>([[3, new Uint8Array(16).fill(1)], [1, ['FIDO_2_0']]]));
    const ctap = new Ctap2(fakeChannel(() => Uint8Array.of(0, ...body)));
    const info = await ctap.getInfo();
    expect(info.versions).toEqual(['FIDO_2_0']);
    expect(ctap.findings.map((f) => [f.code, f.command])).toEqual([['CBOR_MAP_KEY_ORDER', 'authenticatorGetInfo']]);
    expect(ctap.trace.entries[0]!.findings).toHaveLength(1);
  });

  it('should throw CTAP_NONCANONICAL_CBOR in strict mode', async () => {
    const body = encodeCborAsGiven(new Map<number, unknown>([[3, new Uint8Array(16)], [1, ['FIDO_2_0']]]));
    const ctap = new Ctap2(fakeChannel(() => Uint8Array.of(0, ...body)), { cbor: 'strict' });
    expect(((await rejection(ctap.getInfo())) as CtapProtocolError).code).toBe('CTAP_NONCANONICAL_CBOR');
  });

  it('should turn garbage, an empty answer and missing members into typed errors', async () => {
    const cases: [Uint8Array, string][] = [
      [Uint8Array.of(0, 0xff, 0x01), 'CTAP_INVALID_CBOR'],
      [Uint8Array.of(0, 0xa1, 0x01), 'CTAP_INVALID_CBOR'], // truncated map
      [Uint8Array.of(0, 0xa0, 0x00), 'CTAP_INVALID_CBOR'], // trailing byte
      [new Uint8Array(0), 'CTAP_EMPTY_RESPONSE'],
      [ok(new Map([[1, ['FIDO_2_0']]])), 'CTAP_MALFORMED_RESPONSE'], // aaguid missing
      [ok('not a map'), 'CTAP_MALFORMED_RESPONSE'],
    ];
    for (const [answer, code] of cases) {
      const err = (await rejection(new Ctap2(fakeChannel(() => answer)).getInfo())) as CtapProtocolError;
      expect(err, code).toBeInstanceOf(CtapProtocolError);
      expect(err.code).toBe(code);
    }
  });

  it('should refuse a request over maxMsgSize before sending it', async () => {
    const ch = fakeChannel(() => ok(INFO));
    const ctap = await Ctap2.open(ch);
    expect(ctap.maxMsgSize).toBe(1200);
    const err = (await rejection(ctap.send(0x01, new Map([[1, new Uint8Array(1300)]])))) as CtapProtocolError;
    expect(err.code).toBe('CTAP_REQUEST_TOO_LARGE');
    expect(ch.sent).toHaveLength(1); // only getInfo went out
  });

  it('should refuse a response over maxMsgSize, on the channel and at the choke point', async () => {
    let big = false;
    const ch = fakeChannel(() => (big ? ok(new Map([[1, new Uint8Array(1500)]])) : ok(INFO)));
    const ctap = await Ctap2.open(ch);
    big = true;
    expect(((await rejection(ctap.send(0x04))) as CtapProtocolError).code).toBe('CTAP_RESPONSE_TOO_LARGE');
    expect(ch.maxResponseSize).toBe(1200);
    big = false;
    const ch2 = fakeChannel(() => (big ? ok(new Map([[1, new Uint8Array(1500)]])) : ok(INFO)));
    const relaxed = await Ctap2.open(ch2, { limitResponsesToMaxMsgSize: false });
    big = true;
    expect((await relaxed.send(0x04)).raw.length).toBeGreaterThan(1500);
    expect(ch2.maxResponseSize).toBe(7609);
  });

  it('should stop an oversize answer at the first CTAPHID packet', async () => {
    let big = false;
    const transport = new MemoryTransport(cborDevice(async () => (big ? { status: 0, payload: encodeCanonicalCbor(new Map([[1, new Uint8Array(2000)]])) } : { status: 0, payload: encodeCanonicalCbor(INFO) })));
    const ctap = await Ctap2.open(await CtaphidChannel.open(transport));
    big = true;
    expect(((await rejection(ctap.send(0x04))) as CtaphidError).code).toBe('CTAPHID_INVALID_LENGTH');
  });

  it('should keep a bounded trace that a check can slice', async () => {
    const trace = new CtapTrace(3);
    const ctap = new Ctap2(fakeChannel(() => ok()), { trace });
    await ctap.selection();
    const mark = trace.size;
    for (let i = 0; i < 4; i++) await ctap.selection();
    expect(trace.entries).toHaveLength(3);
    expect(trace.dropped).toBe(2);
    expect(trace.since(mark)).toHaveLength(3);
    expect(trace.entries[0]).toMatchObject({ command: 'authenticatorSelection', requestHex: '0b', responseHex: '00', status: '0x00 CTAP2_OK' });
  });

  it('should choose 0x0A or 0x41 for credential management from getInfo', async () => {
    const withOpts = (opts: Record<string, boolean>) => {
      const info = new Map<unknown, unknown>(INFO);
      info.set(4, new Map(Object.entries(opts)));
      return Ctap2.open(fakeChannel(() => ok(info)));
    };
    expect((await withOpts({ credMgmt: true, credentialMgmtPreview: true })).credentialManagementCommand()).toBe(0x0a);
    expect((await withOpts({ credentialMgmtPreview: true })).credentialManagementCommand()).toBe(0x41);
    await expect(withOpts({}).then((c) => c.credentialManagementCommand())).rejects.toThrow(/CTAP_NOT_SUPPORTED/);
    const ch = fakeChannel((cmd) => (cmd === 4 ? ok(new Map([...INFO, [4, new Map([['credentialMgmtPreview', true]])]])) : ok(new Map([[1, 0], [2, 50]]))));
    const ctap = await Ctap2.open(ch);
    expect(await ctap.credentialManagement({ subCommand: 1 })).toEqual({ existingResidentCredentialsCount: 0, maxPossibleRemainingResidentCredentialsCount: 50 });
    expect(ch.sent.at(-1)![0]).toBe(0x41);
  });
});

describe('DirectAuthenticatorChannel (CTAP2 without CTAPHID)', () => {
  it('should run getInfo and a makeCredential straight into the simulator', async () => {
    const a = await Authenticator.create({ allowResetAnytime: true, attestation: 'none' });
    const ctap = await Ctap2.open(new DirectAuthenticatorChannel(a));
    expect(ctap.info!.aaguid).toHaveLength(16);
    const res = await ctap.makeCredential({
      clientDataHash: new Uint8Array(32),
      rp: { id: 'example.com' },
      user: { id: Uint8Array.of(1) },
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    });
    expect(res.fmt).toBe('none');
  });
});

describe('keepalive and cancel against the simulator device', () => {
  it('should report UPNEEDED while the simulator waits for a touch, and cancel to CTAP2_ERR_KEEPALIVE_CANCEL', async () => {
    // A user who never touches: the wait ends only when CTAPHID_CANCEL aborts it.
    const neverTouched: UserPresence = {
      request: (req) =>
        new Promise((_resolve, reject) => {
          req.signal?.addEventListener('abort', () => reject(new UserPresenceCancelled()), { once: true });
        }),
    };
    const { device } = await createSimulatorDevice({ userPresence: neverTouched, allowResetAnytime: true, attestation: 'none', ctaphid: { keepaliveIntervalMs: 20 } });
    const transport = new MemoryTransport(connectReportDevice(device));
    const ctap = await Ctap2.open(await CtaphidChannel.open(transport, { timeoutMs: 5_000 }));
    const statuses: number[] = [];
    const ac = new AbortController();
    const t0 = Date.now();
    const err = (await rejection(
      ctap.selection({
        signal: ac.signal,
        onKeepalive: (s) => {
          statuses.push(s);
          if (statuses.length === 2) ac.abort();
        },
      }),
    )) as CtapStatusError;
    expect(err).toBeInstanceOf(CtapStatusError);
    expect(err.code).toBe(0x2d); // CTAP2_ERR_KEEPALIVE_CANCEL
    expect(statuses.slice(0, 2)).toEqual([2, 2]); // UPNEEDED
    expect(Date.now() - t0).toBeLessThan(2_000);
    // the channel is still usable
    expect((await ctap.getInfo()).versions).toContain('FIDO_2_1');
    await transport.close();
    device.close();
  });
});
