import { describe, expect, it } from 'vitest';
import { CtapCommand, CtaphidCommand, decodeCbor, decodeMakeCredentialRequest, encodeFrames, KeepaliveStatus, parsePacket } from '../../harness/protocol/index.ts';
import { CheckFailed, CheckSkipped } from '../../harness/runner/Check.ts';
import { needsHid, presenceRequest, startPresenceWait } from '../../harness/suites/ctaphid/common.ts';
import { RawSession } from '../../harness/suites/ctaphid/RawSession.ts';
import type { SuiteContext } from '../../harness/suites/SuiteContext.ts';
import { scripted } from './scriptedHid.ts';

/** What presenceRequest and startPresenceWait read of the context: the versions and the checks' RP IDs. */
const ctxOf = (versions: string[]) => ({ info: { versions }, rpIdFor: (id: string) => `${id.toLowerCase()}.fido-harness.test` }) as unknown as SuiteContext;
const ctap21 = ctxOf(['U2F_V2', 'FIDO_2_0', 'FIDO_2_1']);
const ctap20 = ctxOf(['U2F_V2', 'FIDO_2_0']);

const CID = 0x0100_0001;
/** A device that answers a CTAPHID_CBOR request with these messages (KEEPALIVE statuses as numbers, the answer as bytes). */
function device(...answers: Array<number | Uint8Array>) {
  return scripted((r, emit) => {
    if (parsePacket(r).kind !== 'init') return;
    for (const a of answers) emit(typeof a === 'number' ? encodeFrames(CID, CtaphidCommand.KEEPALIVE, Uint8Array.of(a)) : encodeFrames(CID, CtaphidCommand.CBOR, a));
  });
}
function sessionOn(d: ReturnType<typeof scripted>): RawSession {
  const s = new RawSession(d.raw);
  s.watch(CID);
  return s;
}
async function outcome(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => new Error('resolved'),
    (e: Error) => e,
  );
}

describe('needsHid', () => {
  it('skips without a CTAPHID transport, with the reason', () => {
    expect(needsHid({ device: {} } as SuiteContext)).toBe('the device is not reached over CTAPHID');
    expect(needsHid({ device: { hid: {} } } as unknown as SuiteContext)).toBeUndefined();
  });
});

describe('presenceRequest: the command that waits for a touch', () => {
  it('is authenticatorSelection on a CTAP 2.1 key (§6.9)', () => {
    const r = presenceRequest(ctap21, 'CTAPHID-CANCEL-001');
    expect(r.what).toBe('authenticatorSelection');
    expect([...r.payload]).toEqual([CtapCommand.authenticatorSelection]);
  });

  it('is a makeCredential under the check’s own RP ID on an older key', () => {
    const r = presenceRequest(ctap20, 'CTAPHID-CANCEL-001');
    expect(r.what).toBe('authenticatorMakeCredential');
    expect(r.payload[0]).toBe(CtapCommand.authenticatorMakeCredential);
    const req = decodeMakeCredentialRequest(decodeCbor(r.payload.subarray(1)).value);
    expect(req.rp.id).toBe('ctaphid-cancel-001.fido-harness.test');
  });
});

describe('startPresenceWait: until the first KEEPALIVE UPNEEDED (§11.2.9.2.1)', () => {
  it('sends the request on the channel and returns the keepalives up to the first UPNEEDED', async () => {
    const d = device(KeepaliveStatus.PROCESSING, KeepaliveStatus.UPNEEDED, KeepaliveStatus.UPNEEDED);
    const before = performance.now();
    const wait = await startPresenceWait(ctap21, sessionOn(d), CID, 'CTAPHID-CANCEL-001');
    expect(wait.what).toBe('authenticatorSelection');
    expect(wait.keepalives.map((k) => k.payload[0])).toEqual([KeepaliveStatus.PROCESSING, KeepaliveStatus.UPNEEDED]);
    expect(wait.sentAt).toBeGreaterThanOrEqual(before);
    expect(wait.sentAt).toBeLessThanOrEqual(wait.keepalives[0]!.at);
    const sent = parsePacket(d.written[0]!);
    expect(sent.kind === 'init' && [sent.cid, sent.cmd, sent.bcnt, ...sent.data.subarray(0, 1)]).toEqual([CID, CtaphidCommand.CBOR, 1, CtapCommand.authenticatorSelection]);
  });

  it('skips when the device answers without waiting for a touch', async () => {
    const e = await outcome(startPresenceWait(ctap21, sessionOn(device(Uint8Array.of(0))), CID, 'X'));
    expect(e).toBeInstanceOf(CheckSkipped);
    expect(e.message).toBe('authenticatorSelection was answered (CTAPHID_CBOR status 0x00 (1 bytes)) without waiting for a touch, so no user-presence wait could be observed');
  });

  it('skips after two KEEPALIVE PROCESSING and an answer; fails after three, with the statuses', async () => {
    const two = await outcome(startPresenceWait(ctap21, sessionOn(device(1, 1, Uint8Array.of(0))), CID, 'X'));
    expect(two).toBeInstanceOf(CheckSkipped);
    const three = await outcome(startPresenceWait(ctap20, sessionOn(device(1, 1, 1, Uint8Array.of(0x27))), CID, 'X'));
    expect(three).toBeInstanceOf(CheckFailed);
    expect(three.message).toMatch(
      /^authenticatorMakeCredential kept the host waiting \d{1,4} ms with 3 KEEPALIVE PROCESSING and no UPNEEDED, then answered CTAPHID_CBOR status 0x27 \(1 bytes\); §11\.2\.9\.2\.1 has UPNEEDED while the user is awaited$/,
    );
    expect((three as CheckFailed).evidence).toEqual({ expected: 'KEEPALIVE status 2 (UPNEEDED)', actual: '1,1,1' });
  });

  it('fails when the device sends neither an answer nor UPNEEDED in time', async () => {
    const e = await outcome(startPresenceWait(ctap21, sessionOn(device(1)), CID, 'X', 80));
    expect(e).toBeInstanceOf(CheckFailed);
    expect(e.message).toBe('authenticatorSelection on a fresh channel: neither an answer nor KEEPALIVE UPNEEDED within 80 ms (§11.2.9.2.1)');
    const byDefault = await outcome(startPresenceWait(ctap21, sessionOn(device()), CID, 'X'));
    expect(byDefault.message).toBe('authenticatorSelection on a fresh channel: neither an answer nor KEEPALIVE UPNEEDED within 2000 ms (§11.2.9.2.1)');
  });
});
