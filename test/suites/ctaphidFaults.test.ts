import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURES } from '../../authenticator-sim/index.ts';
import { CTAP20_PRESENCE_HOLD } from '../../authenticator-sim/ctaphid/holdPresence.ts';
import { BROADCAST_CID, CtapVersion, CtaphidCapability, CtaphidCommand, CtaphidErrorCode, encodeFrames, KeepaliveStatus, parsePacket } from '../../harness/protocol/index.ts';
import { cidOf, expectFails, initAnsweredInstead, isInit, rewriteAnswers } from './ctaphidFaults.ts';
import type { PacketFaults } from './hidFaults.ts';
import { runHidArea } from './runHidArea.ts';

/**
 * The ctaphid checks' other ways to fail (CTAP 2.1 §11.2): each fault is one wrong answer a key could give,
 * and each test asserts the check's verdict and its exact message. One test per fault, so a change in one
 * check re-runs only its own tests.
 */

/**
 * Device->host answers of `cmd` (on channels `on` allows) replaced by the reports `instead` returns from
 * their initialization packet; the replaced answer's continuation packets are dropped.
 */
function replaceAnswers(cmd: number, instead: (r: Uint8Array) => Uint8Array[], on: (cid: number) => boolean = () => true): PacketFaults {
  const replacing = new Set<number>();
  return {
    toHost: (r) => {
      const p = parsePacket(r);
      if (p.kind === 'cont') return replacing.has(p.cid) ? [] : [r];
      replacing.delete(p.cid);
      if (p.cmd !== cmd || !on(p.cid)) return [r];
      replacing.add(p.cid);
      return instead(r);
    },
  };
}
/** the host's own channel (the first INIT of the run) is 1: the checks' raw channels are the later ones */
const rawChannels = (cid: number) => cid !== 1;
/** A CTAPHID_ERROR on the answer's channel in place of the answer. */
const errorInstead = (cmd: number, code: number = CtaphidErrorCode.ERR_OTHER) => replaceAnswers(cmd, (r) => encodeFrames(cidOf(r), CtaphidCommand.ERROR, Uint8Array.of(code)));
const dropAnswers = (cmd: number) => replaceAnswers(cmd, () => []);
/** The answer's payload replaced (same command, same channel). */
const payloadInstead = (cmd: number, payload: (old: Uint8Array) => Uint8Array, on?: (cid: number) => boolean) =>
  replaceAnswers(cmd, (r) => encodeFrames(cidOf(r), cmd, payload(r.subarray(7, Math.min(64, 7 + ((r[5]! << 8) | r[6]!))))), on);
/** Device->host initialization packets of `cmd` edited in place, and dropped where `keep` returns false. */
const rewriteAnswersOrDrop = (cmd: number, keep: (r: Uint8Array) => boolean): PacketFaults => ({ toHost: (r) => (!isInit(r, cmd) || keep(r) ? [r] : []) });
/** The capabilities byte of every INIT answer (§11.2.9.1.3, byte 16 of the answer). */
const capabilities = (caps: number) => rewriteAnswers(CtaphidCommand.INIT, (r) => void (r[7 + 16] = caps));

async function outcome(id: string, options: Parameters<typeof runHidArea>[1] = {}) {
  const run = await runHidArea('ctaphid', { ...options, checks: [id] });
  return { status: run.status.get(id), message: run.messages.get(id) };
}

describe('INIT checks (CTAP 2.1 §11.2.9.1.3)', () => {
  it('CTAPHID-INIT-001 fails on a 16-byte INIT answer', async () => {
    await expectFails({ 'CTAPHID-INIT-001': { message: 'INIT answer of 16 bytes; §11.2.9.1.3 defines 17', expected: '17', actual: '16' } }, { faults: payloadInstead(CtaphidCommand.INIT, (p) => p.subarray(0, 16)) });
  });

  it('CTAPHID-INIT-001 fails on an INIT answered with an error', async () => {
    await expectFails({ 'CTAPHID-INIT-001': 'INIT answered with CTAPHID_ERROR ERR_OTHER' }, { faults: errorInstead(CtaphidCommand.INIT) });
  });

  it('CTAPHID-INIT-001 fails on an INIT never answered', async () => {
    await expectFails({ 'CTAPHID-INIT-001': 'no INIT answer on the broadcast CID within 2 s' }, { faults: dropAnswers(CtaphidCommand.INIT) });
  });

  // which broadcast INIT answer is given a reserved channel ID: the first, or the second of the check's two
  it.each([
    [0, 0, 0],
    [1, BROADCAST_CID, BROADCAST_CID],
  ])('CTAPHID-INIT-002 fails when INIT number %i allocates the reserved channel 0x%s', async (which, cid) => {
    let n = 0;
    const faults = rewriteAnswers(CtaphidCommand.INIT, (r) => {
      if (cidOf(r) === BROADCAST_CID && n++ === which) new DataView(r.buffer, r.byteOffset + 15, 4).setUint32(0, cid);
    });
    await expectFails({ 'CTAPHID-INIT-002': `INIT allocated the reserved channel ID 0x${cid.toString(16).padStart(8, '0')}` }, { faults });
  });

  it('CTAPHID-INIT-002 fails when the allocated channel does not echo PING', async () => {
    await expectFails({ 'CTAPHID-INIT-002': /^PING on the allocated channel 0x[0-9a-f]{8} answered CTAPHID_PING \(16 bytes\)$/ }, { faults: payloadInstead(CtaphidCommand.PING, (p) => p.map((b) => b ^ 1)) });
    await expectFails({ 'CTAPHID-INIT-002': /^PING on the allocated channel 0x[0-9a-f]{8} answered CTAPHID_ERROR ERR_OTHER$/ }, { faults: errorInstead(CtaphidCommand.PING) });
  });

  it('CTAPHID-INIT-004: CAPABILITY_WINK clear while WINK is answered fails', async () => {
    await expectFails({ 'CTAPHID-INIT-004': 'CAPABILITY_WINK is clear but WINK is answered' }, { faults: capabilities(CtaphidCapability.CBOR) });
  });

  it('CTAPHID-INIT-004: CAPABILITY_WINK set while WINK is refused fails', async () => {
    await expectFails({ 'CTAPHID-INIT-004': 'CAPABILITY_WINK is set but WINK answered CTAPHID_ERROR ERR_INVALID_CMD' }, { faults: errorInstead(CtaphidCommand.WINK, CtaphidErrorCode.ERR_INVALID_CMD) });
  });

  it('CTAPHID-INIT-004: CAPABILITY_NMSG clear while CTAPHID_MSG is refused fails', async () => {
    await expectFails({ 'CTAPHID-INIT-004': 'CAPABILITY_NMSG is clear but CTAPHID_MSG answered CTAPHID_ERROR ERR_INVALID_CMD' }, { faults: errorInstead(CtaphidCommand.MSG, CtaphidErrorCode.ERR_INVALID_CMD) });
  });

  it('CTAPHID-INIT-004: CAPABILITY_NMSG set and CTAPHID_MSG refused with ERR_INVALID_CMD passes; with another error, fails', async () => {
    const nmsg = CtaphidCapability.WINK | CtaphidCapability.CBOR | CtaphidCapability.NMSG;
    const refused = await outcome('CTAPHID-INIT-004', { faults: { toHost: (r) => capabilities(nmsg).toHost!(r).flatMap((x) => errorInstead(CtaphidCommand.MSG, CtaphidErrorCode.ERR_INVALID_CMD).toHost!(x)) } });
    expect(refused).toEqual({ status: 'pass', message: 'capabilities 0x0d agree with behaviour' });
    await expectFails(
      { 'CTAPHID-INIT-004': 'CAPABILITY_NMSG is set; CTAPHID_MSG should be ERR_INVALID_CMD, got CTAPHID_ERROR ERR_OTHER' },
      { faults: { toHost: (r) => capabilities(nmsg).toHost!(r).flatMap((x) => errorInstead(CtaphidCommand.MSG).toHost!(x)) } },
    );
  });

  it('CTAPHID-INIT-004: CTAPHID_CBOR getInfo refused fails', async () => {
    await expectFails({ 'CTAPHID-INIT-004': /^CTAPHID_CBOR getInfo answered CTAPHID_CBOR status 0x01 \(\d+ bytes\)$/ }, { faults: rewriteAnswers(CtaphidCommand.CBOR, (r) => void (r[7] = 0x01)) });
  });

  it('CTAPHID-INIT-004 passes the clean simulator with its capabilities named', async () => {
    expect(await outcome('CTAPHID-INIT-004')).toEqual({ status: 'pass', message: 'capabilities 0x05 agree with behaviour' });
  });

  it('CTAPHID-INIT-005 fails when PING after the resync is not echoed', async () => {
    await expectFails({ 'CTAPHID-INIT-005': 'after the resync, PING answered CTAPHID_ERROR ERR_OTHER' }, { faults: errorInstead(CtaphidCommand.PING) });
  });
});

describe('PING and fragmentation checks (CTAP 2.1 §11.2.4, §11.2.9.1.4)', () => {
  it('CTAPHID-PING-002 fails on an echo under another command, and on no echo', async () => {
    await expectFails({ 'CTAPHID-PING-002': { message: 'a 1-byte PING answered CTAPHID_WINK (1 bytes)', expected: 'CTAPHID_PING', actual: 'CTAPHID_WINK (1 bytes)' } }, { faults: replaceAnswers(CtaphidCommand.PING, (r) => encodeFrames(cidOf(r), CtaphidCommand.WINK, r.subarray(7, 8))) });
    await expectFails({ 'CTAPHID-PING-002': 'no answer to a 1-byte PING within 5 s' }, { faults: dropAnswers(CtaphidCommand.PING) });
  }, 30_000);

  it('CTAPHID-PING-003 fails on a short echo', async () => {
    await expectFails({ 'CTAPHID-PING-003': { message: 'a 57-byte PING echoed 56 bytes', expected: '57', actual: '56' } }, { faults: payloadInstead(CtaphidCommand.PING, (p) => p.subarray(0, 56)) });
  });

  it('a clean PING of each size passes with its round trip named', async () => {
    const run = await runHidArea('ctaphid', { checks: ['CTAPHID-PING-001', 'CTAPHID-PING-004'] });
    // the round trip, bounded by the check's 5 s wait
    for (const id of ['CTAPHID-PING-001', 'CTAPHID-PING-004']) expect(run.messages.get(id)).toMatch(/^echoed in \d{1,4} ms$/);
  });

  it('CTAPHID-FRAG-001 fails when the multi-packet getAssertion is answered with another status', async () => {
    await expectFails(
      { 'CTAPHID-FRAG-001': { message: 'a 6-packet getAssertion with unknown credentials answered CTAPHID_CBOR status 0x12 (1 bytes); expected CTAP2_ERR_NO_CREDENTIALS', expected: 'CTAPHID_CBOR status 0x2e', actual: 'CTAPHID_CBOR status 0x12 (1 bytes)' } },
      { faults: payloadInstead(CtaphidCommand.CBOR, () => Uint8Array.of(0x12)) },
    );
  });

  it('CTAPHID-FRAG-001 and FRAG-002 pass with the sizes named', async () => {
    const run = await runHidArea('ctaphid', { checks: ['CTAPHID-FRAG-001', 'CTAPHID-FRAG-002'] });
    expect(run.messages.get('CTAPHID-FRAG-001')).toMatch(/^3\d\d bytes in 6 packets reassembled$/);
    expect(run.messages.get('CTAPHID-FRAG-002')).toMatch(/^\d+ bytes in \d+ packets, in sequence$/);
  });

  it('CTAPHID-FRAG-002 fails when the raw getInfo is refused', async () => {
    await expectFails({ 'CTAPHID-FRAG-002': 'getInfo over raw CTAPHID answered CTAPHID_ERROR ERR_OTHER' }, { faults: errorInstead(CtaphidCommand.CBOR) });
    await expectFails({ 'CTAPHID-FRAG-002': 'getInfo over raw CTAPHID answered CTAPHID_CBOR status 0x01 (1 bytes)' }, { faults: payloadInstead(CtaphidCommand.CBOR, () => Uint8Array.of(0x01)) });
  });

  it('CTAPHID-FRAG-002 fails when the raw getInfo is not a CBOR map, or differs from the one read through the host channel', async () => {
    await expectFails({ 'CTAPHID-FRAG-002': 'the raw getInfo answer is not a CBOR map' }, { faults: payloadInstead(CtaphidCommand.CBOR, () => Uint8Array.of(0x00, 0x01), rawChannels) });
    // one letter of the versions list ("U2F_V2" -> "U2F_W2") changed on the raw channel only
    const faults = rewriteAnswers(CtaphidCommand.CBOR, (r) => {
      if (rawChannels(cidOf(r))) r[7 + 9]! += 1;
    });
    const run = await expectFails({ 'CTAPHID-FRAG-002': { message: 'the raw getInfo answer differs from the one read through the host channel', expected: /^[0-9a-f]{64}$/, actual: /^[0-9a-f]{64}$/ } }, { faults });
    // the first 32 bytes of each: the host channel's, and the raw one with its tenth byte raised by one
    const { expected, actual } = run.evidence.get('CTAPHID-FRAG-002')!;
    expect(Buffer.from(actual!, 'hex').map((b, i) => (i === 9 ? b - 1 : b))).toEqual(Buffer.from(expected!, 'hex'));
  });
});

describe('error and timeout checks (CTAP 2.1 §11.2.9.1.6)', () => {
  it('CTAPHID-ERR-006 fails when the first channel’s PING, completed after the refusal, is not echoed', async () => {
    // the 8-byte PING of the second channel is refused by the simulator; only the 116-byte one is corrupted
    const faults = rewriteAnswers(CtaphidCommand.PING, (r) => {
      if (r[6] === 116) r[7]! ^= 1;
    });
    await expectFails({ 'CTAPHID-ERR-006': "the first channel's PING, completed after the refusal, answered CTAPHID_PING (116 bytes)" }, { faults });
  });

  it('CTAPHID-ERR-006 fails a device that drops the completed message once: the refusal it asked for is no reason to try again', async () => {
    let corrupted = false;
    const once = rewriteAnswers(CtaphidCommand.PING, (r) => {
      if (r[6] === 116 && !corrupted) {
        corrupted = true;
        r[7]! ^= 1;
      }
    });
    await expectFails({ 'CTAPHID-ERR-006': "the first channel's PING, completed after the refusal, answered CTAPHID_PING (116 bytes)" }, { faults: once });
  });

  it('CTAPHID-TIMEOUT-001 fails on an ERR_MSG_TIMEOUT that gave no time for the rest of the message', async () => {
    // the device's place is taken for the incomplete PING: ERR_MSG_TIMEOUT at once
    const faults: PacketFaults = {
      toDevice: (r, answer) => {
        if (isInit(r, CtaphidCommand.PING) && r[6] === 175) {
          answer(encodeFrames(cidOf(r), CtaphidCommand.ERROR, Uint8Array.of(CtaphidErrorCode.ERR_MSG_TIMEOUT))[0]!);
          return [];
        }
        return [r];
      },
    };
    await expectFails({ 'CTAPHID-TIMEOUT-001': { message: /^ERR_MSG_TIMEOUT came \d+ ms after the first packet: no time was given for the rest$/, actual: /^1?\d ms$/ } }, { faults });
  });

  it('CTAPHID-TIMEOUT-001 fails when the channel does not work after the timeout', async () => {
    const faults = replaceAnswers(CtaphidCommand.PING, (r) => encodeFrames(cidOf(r), CtaphidCommand.WINK, new Uint8Array(0)));
    await expectFails({ 'CTAPHID-TIMEOUT-001': 'after ERR_MSG_TIMEOUT, PING answered CTAPHID_WINK (0 bytes)' }, { faults });
  });

  it('CTAPHID-TIMEOUT-001 passes with the time the device took', async () => {
    expect(await outcome('CTAPHID-TIMEOUT-001')).toEqual({ status: 'pass', message: expect.stringMatching(/^ERR_MSG_TIMEOUT after \d{2,4} ms$/) });
  });

  it('CTAPHID-TIMEOUT-002 fails on a PING echoed wrongly after the pauses, and on none', async () => {
    await expectFails({ 'CTAPHID-TIMEOUT-002': { message: 'a PING sent with 100 ms pauses answered CTAPHID_PING (175 bytes)', expected: 'CTAPHID_PING (175 bytes)', actual: 'CTAPHID_PING (175 bytes)' } }, { faults: rewriteAnswers(CtaphidCommand.PING, (r) => void (r[7]! ^= 1)) });
    await expectFails({ 'CTAPHID-TIMEOUT-002': 'no answer to a PING sent with 100 ms pauses' }, { faults: { toHost: (r) => (isInit(r, CtaphidCommand.PING) || parsePacket(r).kind === 'cont' ? [] : [r]) } });
  });
});

describe('presence checks (CTAP 2.1 §11.2.9.1.5, §11.2.9.2.1)', () => {
  /** KEEPALIVE reports after the first UPNEEDED rewritten by `edit` */
  const afterUpneeded = (edit: (r: Uint8Array) => void): PacketFaults => {
    let up = false;
    return rewriteAnswers(CtaphidCommand.KEEPALIVE, (r) => {
      if (up) edit(r);
      else up = r[7] === KeepaliveStatus.UPNEEDED;
    });
  };

  it('CTAPHID-CANCEL-001 fails on a CANCEL answered with another status or a longer body', async () => {
    await expectFails({ 'CTAPHID-CANCEL-001': { message: 'authenticatorSelection cancelled during its touch wait answered CTAPHID_CBOR status 0x00 (1 bytes)', expected: 'CTAPHID_CBOR status 0x2d CTAP2_ERR_KEEPALIVE_CANCEL', actual: 'CTAPHID_CBOR status 0x00 (1 bytes)' } }, { faults: payloadInstead(CtaphidCommand.CBOR, () => Uint8Array.of(0)) });
    await expectFails({ 'CTAPHID-CANCEL-001': 'authenticatorSelection cancelled during its touch wait answered CTAPHID_CBOR status 0x2d (2 bytes)' }, { faults: payloadInstead(CtaphidCommand.CBOR, () => Uint8Array.of(0x2d, 0)) });
    await expectFails({ 'CTAPHID-CANCEL-001': 'authenticatorSelection cancelled during its touch wait answered CTAPHID_ERROR ERR_OTHER' }, { faults: errorInstead(CtaphidCommand.CBOR) });
  });

  it('CTAPHID-CANCEL-001 passes with the answer time named', async () => {
    expect(await outcome('CTAPHID-CANCEL-001')).toEqual({ status: 'pass', message: expect.stringMatching(/^authenticatorSelection cancelled; answered in \d{1,4} ms$/) });
  });

  it('CTAPHID-KEEPALIVE-002 fails on an undefined status, a return to PROCESSING, and a 2-byte keepalive after UPNEEDED', async () => {
    await expectFails({ 'CTAPHID-KEEPALIVE-002': { message: /^KEEPALIVE with undefined status 3(, 3)*$/, actual: /^(1,)*2(,3)+$/ } }, { faults: afterUpneeded((r) => void (r[7] = 3)) });
    await expectFails({ 'CTAPHID-KEEPALIVE-002': /^KEEPALIVE went back to PROCESSING during the touch wait: (1,)*2(,1)+$/ }, { faults: afterUpneeded((r) => void (r[7] = KeepaliveStatus.PROCESSING)) });
    await expectFails({ 'CTAPHID-KEEPALIVE-002': 'KEEPALIVE with 2 bytes of data; §11.2.9.2.1 defines 1' }, { faults: afterUpneeded((r) => void (r[6] = 2)) });
  });

  it('CTAPHID-KEEPALIVE-002 passes with the statuses named', async () => {
    // the keepalives of 300 ms after the first UPNEEDED (one every 75 ms), not of the whole 1.5 s touch wait
    expect(await outcome('CTAPHID-KEEPALIVE-002')).toEqual({ status: 'pass', message: expect.stringMatching(/^statuses (1,)*2(,2){1,9}$/) });
  });

  it('CTAPHID-KEEPALIVE-001 fails when the device answers while its keepalives are timed', async () => {
    // an OK answer put in after the first UPNEEDED, as a device that stops waiting would send
    let up = false;
    const faults: PacketFaults = {
      toHost: (r) => {
        if (!up && isInit(r, CtaphidCommand.KEEPALIVE) && r[7] === KeepaliveStatus.UPNEEDED) {
          up = true;
          return [r, encodeFrames(cidOf(r), CtaphidCommand.CBOR, Uint8Array.of(0))[0]!];
        }
        return [r];
      },
    };
    await expectFails({ 'CTAPHID-KEEPALIVE-001': 'authenticatorSelection answered (CTAPHID_CBOR status 0x00 (1 bytes)) while keepalives were being timed' }, { faults });
  });

  it('a presence check fails when the device never shows its touch wait, and is skipped when it answers at once', async () => {
    await expectFails(
      { 'CTAPHID-CANCEL-001': 'authenticatorSelection on a fresh channel: neither an answer nor KEEPALIVE UPNEEDED within 2000 ms (§11.2.9.2.1)' },
      { faults: { toHost: (r) => (isInit(r, CtaphidCommand.KEEPALIVE) || (isInit(r, CtaphidCommand.CBOR) && r[6] === 1) ? [] : [r]) } },
    );
    const noHold = await outcome('CTAPHID-ERR-007', { sim: { presenceHold: { reasons: [], ms: 0 } }, faults: { toHost: (r) => (isInit(r, CtaphidCommand.KEEPALIVE) ? [] : [r]) } });
    expect(noHold).toEqual({ status: 'skip', message: 'authenticatorSelection was answered (CTAPHID_CBOR status 0x00 (1 bytes)) without waiting for a touch, so no user-presence wait could be observed' });
  });

  // a device that says only PROCESSING while it waits for the touch, and says it `n` times
  const onlyProcessing = (n: number): PacketFaults => {
    let k = 0;
    return rewriteAnswersOrDrop(CtaphidCommand.KEEPALIVE, (r) => {
      r[7] = KeepaliveStatus.PROCESSING;
      return k++ < n;
    });
  };

  it('three KEEPALIVE PROCESSING and no UPNEEDED before the answer fail the presence check; two are a device that did not wait', async () => {
    await expectFails(
      { 'CTAPHID-CANCEL-001': { message: /^authenticatorSelection kept the host waiting \d+ ms with 3 KEEPALIVE PROCESSING and no UPNEEDED, then answered CTAPHID_CBOR status 0x00 \(1 bytes\)/, expected: 'KEEPALIVE status 2 (UPNEEDED)', actual: '1,1,1' } },
      { faults: onlyProcessing(3) },
    );
    expect(await outcome('CTAPHID-CANCEL-001', { faults: onlyProcessing(2) })).toEqual({
      status: 'skip',
      message: 'authenticatorSelection was answered (CTAPHID_CBOR status 0x00 (1 bytes)) without waiting for a touch, so no user-presence wait could be observed',
    });
  });

  it('on a CTAP 2.0 key the presence checks wait on a makeCredential of their own RP and pass', async () => {
    const ctap20 = { features: { ...DEFAULT_FEATURES, versions: [CtapVersion.U2F_V2, CtapVersion.FIDO_2_0] }, presenceHold: CTAP20_PRESENCE_HOLD };
    const run = await runHidArea('ctaphid', { checks: ['CTAPHID-CANCEL-001', 'CTAPHID-KEEPALIVE-001', 'CTAPHID-KEEPALIVE-002', 'CTAPHID-ERR-007', 'CTAPHID-INIT-006'], sim: ctap20 });
    expect(run.notPassing).toEqual([]);
    expect(run.messages.get('CTAPHID-CANCEL-001')).toMatch(/^authenticatorMakeCredential cancelled; answered in \d+ ms$/);
  });

  it('CTAPHID-INIT-006 fails when INIT on the busy channel is answered with another nonce, or the command still answers', async () => {
    await expectFails(
      { 'CTAPHID-INIT-006': { message: 'INIT on the channel busy with authenticatorSelection answered CTAPHID_INIT (17 bytes)', expected: 'CTAPHID_INIT with the nonce', actual: 'CTAPHID_INIT (17 bytes)' } },
      { faults: initAnsweredInstead((r) => r.subarray(7, 15).map((b) => b ^ 0xff)) },
    );
    await expectFails(
      { 'CTAPHID-INIT-006': 'after INIT resynchronised the channel, the aborted authenticatorSelection was still answered: CTAPHID_CBOR status 0x00 (1 bytes)' },
      { faults: initAnsweredInstead(undefined, (cid) => encodeFrames(cid, CtaphidCommand.CBOR, Uint8Array.of(0))) },
    );
  }, 20_000);
});

describe('WINK and LOCK checks (CTAP 2.1 §11.2.9.2.1, §11.2.9.2.2)', () => {
  it('CTAPHID-WINK-001 is skipped on a device that does not advertise CAPABILITY_WINK', async () => {
    expect(await outcome('CTAPHID-WINK-001', { faults: capabilities(CtaphidCapability.CBOR), faultsFromOpen: true })).toEqual({ status: 'skip', message: 'INIT does not advertise CAPABILITY_WINK' });
  });

  it('CTAPHID-WINK-001 fails on a WINK answered with data, and on none', async () => {
    await expectFails({ 'CTAPHID-WINK-001': { message: 'WINK answered CTAPHID_WINK (1 bytes)', expected: 'CTAPHID_WINK (0 bytes)', actual: 'CTAPHID_WINK (1 bytes)' } }, { faults: payloadInstead(CtaphidCommand.WINK, () => Uint8Array.of(1)) });
    await expectFails({ 'CTAPHID-WINK-001': 'no answer to WINK within 2 s' }, { faults: dropAnswers(CtaphidCommand.WINK) });
  });

  it('CTAPHID-LOCK-001 is skipped on a device without LOCK (ERR_INVALID_CMD)', async () => {
    expect(await outcome('CTAPHID-LOCK-001', { faults: errorInstead(CtaphidCommand.LOCK, CtaphidErrorCode.ERR_INVALID_CMD) })).toEqual({
      status: 'skip',
      message: 'LOCK is answered ERR_INVALID_CMD: the device does not implement the optional LOCK command',
    });
  });

  it('CTAPHID-LOCK-001 fails on LOCK answered otherwise, or not at all', async () => {
    await expectFails({ 'CTAPHID-LOCK-001': { message: 'LOCK 3 answered CTAPHID_ERROR ERR_OTHER', expected: 'CTAPHID_LOCK (0 bytes)', actual: 'CTAPHID_ERROR ERR_OTHER' } }, { faults: errorInstead(CtaphidCommand.LOCK) });
    await expectFails({ 'CTAPHID-LOCK-001': 'LOCK 3 answered CTAPHID_LOCK (1 bytes)' }, { faults: payloadInstead(CtaphidCommand.LOCK, () => Uint8Array.of(0)) });
    await expectFails({ 'CTAPHID-LOCK-001': 'no answer to LOCK within 2 s' }, { faults: dropAnswers(CtaphidCommand.LOCK) });
  }, 20_000);

  it('CTAPHID-LOCK-001 fails when the lock holder is not served, and when the release is not answered', async () => {
    // the holder's PING (the first PING answer) is refused
    let pings = 0;
    await expectFails({ 'CTAPHID-LOCK-001': 'PING from the lock holder answered CTAPHID_ERROR ERR_OTHER' }, {
      faults: replaceAnswers(CtaphidCommand.PING, (r) => (pings++ === 0 ? encodeFrames(cidOf(r), CtaphidCommand.ERROR, Uint8Array.of(CtaphidErrorCode.ERR_OTHER)) : [r])),
    });
    let locks = 0;
    await expectFails({ 'CTAPHID-LOCK-001': 'LOCK 0 (release) answered CTAPHID_ERROR ERR_OTHER' }, {
      faults: replaceAnswers(CtaphidCommand.LOCK, (r) => (locks++ === 1 ? encodeFrames(cidOf(r), CtaphidCommand.ERROR, Uint8Array.of(CtaphidErrorCode.ERR_OTHER)) : [r])),
    });
  }, 20_000);

  it('CTAPHID-LOCK-001 fails when LOCK 0 does not release the device', async () => {
    // LOCK 0 answered in the device's place and not passed on: the device stays locked for its 3 s
    const faults: PacketFaults = {
      toDevice: (r, answer) => {
        if (isInit(r, CtaphidCommand.LOCK) && r[6] === 1 && r[7] === 0) {
          answer(encodeFrames(cidOf(r), CtaphidCommand.LOCK, new Uint8Array(0))[0]!);
          return [];
        }
        return [r];
      },
    };
    await expectFails({ 'CTAPHID-LOCK-001': /^after LOCK 0, PING from another channel answered CTAPHID_ERROR ERR_LOCK_REQUIRED$/ }, { faults });
  }, 20_000);
});

describe('pass details', () => {
  it('CTAPHID-INIT-002 passes with the channels named as allocated and usable', async () => {
    expect(await outcome('CTAPHID-INIT-002')).toEqual({ status: 'pass', message: 'two channels allocated and usable' });
  });
});

describe('CTAPHID-FRAG-002 on a short getInfo', () => {
  /** a getInfo answer (CTAP 2.1 §6.4: versions and aaguid), the same on every channel */
  const getInfo = (versions: string[]) => {
    const list = versions.flatMap((v) => [0x60 + v.length, ...Buffer.from(v)]);
    return Uint8Array.from([0x00, 0xa2, 0x01, 0x80 + versions.length, ...list, 0x03, 0x50, ...new Uint8Array(16).fill(7)]);
  };
  const frag002 = async (answer: Uint8Array) => {
    const run = await runHidArea('ctaphid', { checks: ['CTAPHID-FRAG-002'], faults: payloadInstead(CtaphidCommand.CBOR, () => answer) });
    return { status: run.status.get('CTAPHID-FRAG-002'), message: run.messages.get('CTAPHID-FRAG-002') };
  };

  it('passes in one packet, saying there were no continuation packets to check', async () => {
    expect(await frag002(getInfo(['FIDO_2_0']))).toEqual({ status: 'pass', message: 'getInfo fits one packet (31 bytes): no continuation packets to check' });
  });

  it('passes in two packets, their sequence checked', async () => {
    expect(await frag002(getInfo(['U2F_V2', 'FIDO_2_0', 'FIDO_2_1_PRE', 'FIDO_2_1']))).toEqual({ status: 'pass', message: '60 bytes in 2 packets, in sequence' });
  });
});

/** Device->host answers of `from` sent under command `to` instead (same channel, same data, every packet kept). */
const commandInstead = (from: number, to: number) => rewriteAnswers(from, (r) => void (r[4] = 0x80 | to));

describe('answers missing, or the right data under the wrong command', () => {
  it('CTAPHID-INIT-002: the allocated channel’s PING echoed as WINK, or not at all', async () => {
    await expectFails({ 'CTAPHID-INIT-002': /^PING on the allocated channel 0x[0-9a-f]{8} answered CTAPHID_WINK \(16 bytes\)$/ }, { faults: commandInstead(CtaphidCommand.PING, CtaphidCommand.WINK) });
    await expectFails({ 'CTAPHID-INIT-002': /^PING on the allocated channel 0x[0-9a-f]{8} answered nothing$/ }, { faults: dropAnswers(CtaphidCommand.PING) });
  });

  it('CTAPHID-INIT-005: after the resync, a PING echoed wrongly, as WINK, or not at all', async () => {
    await expectFails({ 'CTAPHID-INIT-005': 'after the resync, PING answered CTAPHID_PING (8 bytes)' }, { faults: rewriteAnswers(CtaphidCommand.PING, (r) => void (r[7]! ^= 1)) });
    await expectFails({ 'CTAPHID-INIT-005': 'after the resync, PING answered CTAPHID_WINK (8 bytes)' }, { faults: commandInstead(CtaphidCommand.PING, CtaphidCommand.WINK) });
    await expectFails({ 'CTAPHID-INIT-005': 'after the resync, PING answered nothing' }, { faults: dropAnswers(CtaphidCommand.PING) });
  });

  it('CTAPHID-ERR-006: the first channel’s PING answered as WINK, or not at all', async () => {
    await expectFails({ 'CTAPHID-ERR-006': "the first channel's PING, completed after the refusal, answered CTAPHID_WINK (116 bytes)" }, { faults: commandInstead(CtaphidCommand.PING, CtaphidCommand.WINK) });
    await expectFails({ 'CTAPHID-ERR-006': "the first channel's PING, completed after the refusal, answered nothing" }, { faults: dropAnswers(CtaphidCommand.PING) });
  }, 60_000);

  it('CTAPHID-TIMEOUT-001: no PING answer after the timeout', async () => {
    await expectFails({ 'CTAPHID-TIMEOUT-001': 'after ERR_MSG_TIMEOUT, PING answered nothing' }, { faults: dropAnswers(CtaphidCommand.PING) });
  });

  it('CTAPHID-TIMEOUT-002: the paused PING echoed as WINK', async () => {
    await expectFails(
      { 'CTAPHID-TIMEOUT-002': { message: 'a PING sent with 100 ms pauses answered CTAPHID_WINK (175 bytes)', expected: 'CTAPHID_PING (175 bytes)', actual: 'CTAPHID_WINK (175 bytes)' } },
      { faults: commandInstead(CtaphidCommand.PING, CtaphidCommand.WINK) },
    );
  });

  it('CTAPHID-INIT-004: getInfo, WINK and CTAPHID_MSG never answered', async () => {
    const faults: PacketFaults = { toHost: (r) => ([CtaphidCommand.CBOR, CtaphidCommand.WINK, CtaphidCommand.MSG].some((c) => isInit(r, c)) || parsePacket(r).kind === 'cont' ? [] : [r]) };
    await expectFails(
      { 'CTAPHID-INIT-004': { message: 'CTAPHID_CBOR getInfo answered nothing; CAPABILITY_WINK is set but WINK answered nothing; CAPABILITY_NMSG is clear but CTAPHID_MSG answered nothing', actual: 'capabilities 0x05' } },
      { faults },
    );
  }, 30_000);

  it('CTAPHID-INIT-004: with CAPABILITY_NMSG set, CTAPHID_MSG answered by CTAPHID_CBOR status 0x01 or not at all', async () => {
    const nmsg = capabilities(CtaphidCapability.WINK | CtaphidCapability.CBOR | CtaphidCapability.NMSG);
    const and = (a: PacketFaults, b: PacketFaults): PacketFaults => ({ toHost: (r) => a.toHost!(r).flatMap((x) => b.toHost!(x)) });
    await expectFails(
      { 'CTAPHID-INIT-004': 'CAPABILITY_NMSG is set; CTAPHID_MSG should be ERR_INVALID_CMD, got CTAPHID_CBOR status 0x01 (1 bytes)' },
      { faults: and(nmsg, replaceAnswers(CtaphidCommand.MSG, (r) => encodeFrames(cidOf(r), CtaphidCommand.CBOR, Uint8Array.of(CtaphidErrorCode.ERR_INVALID_CMD)))) },
    );
    await expectFails({ 'CTAPHID-INIT-004': 'CAPABILITY_NMSG is set; CTAPHID_MSG should be ERR_INVALID_CMD, got nothing' }, { faults: and(nmsg, dropAnswers(CtaphidCommand.MSG)) });
  }, 30_000);

  it('CTAPHID-INIT-004: getInfo’s OK status byte under another command is not a CTAPHID_CBOR answer', async () => {
    await expectFails({ 'CTAPHID-INIT-004': 'CTAPHID_CBOR getInfo answered CTAPHID_WINK (1 bytes)' }, { faults: replaceAnswers(CtaphidCommand.CBOR, (r) => encodeFrames(cidOf(r), CtaphidCommand.WINK, Uint8Array.of(0))) });
  });

  it('CTAPHID-FRAG-001: CTAP2_ERR_NO_CREDENTIALS’ status byte under another command, and no answer', async () => {
    await expectFails(
      { 'CTAPHID-FRAG-001': { message: 'a 6-packet getAssertion with unknown credentials answered CTAPHID_WINK (1 bytes); expected CTAP2_ERR_NO_CREDENTIALS', expected: 'CTAPHID_CBOR status 0x2e', actual: 'CTAPHID_WINK (1 bytes)' } },
      { faults: replaceAnswers(CtaphidCommand.CBOR, (r) => encodeFrames(cidOf(r), CtaphidCommand.WINK, Uint8Array.of(0x2e))) },
    );
    await expectFails({ 'CTAPHID-FRAG-001': /^no answer to a 3\d\d-byte \(6 packets\) CTAPHID_CBOR request within 10 s$/ }, { faults: dropAnswers(CtaphidCommand.CBOR) });
  }, 40_000);

  it('CTAPHID-FRAG-001 asks under its own RP ID, so no credential of a real RP can answer', async () => {
    const rpId = Buffer.from('ctaphid-frag-001.fido-harness.test');
    let seen = false;
    const faults: PacketFaults = {
      toDevice: (r) => {
        if (isInit(r, CtaphidCommand.CBOR) && r[7] === 0x02 && Buffer.from(r).includes(rpId)) seen = true;
        return [r];
      },
    };
    expect((await outcome('CTAPHID-FRAG-001', { faults })).status).toBe('pass');
    expect(seen).toBe(true);
  });

  it('CTAPHID-FRAG-002: the getInfo answer’s OK status under another command, and no answer', async () => {
    await expectFails({ 'CTAPHID-FRAG-002': 'getInfo over raw CTAPHID answered CTAPHID_WINK (1 bytes)' }, { faults: replaceAnswers(CtaphidCommand.CBOR, (r) => encodeFrames(cidOf(r), CtaphidCommand.WINK, Uint8Array.of(0)), rawChannels) });
    await expectFails({ 'CTAPHID-FRAG-002': 'getInfo over raw CTAPHID answered nothing' }, { faults: dropAnswers(CtaphidCommand.CBOR) });
  }, 30_000);

  it('CTAPHID-FRAG-002 compares with the host channel’s latest answer, after other commands', async () => {
    // authenticatorGetNextAssertion with nothing to continue: its one-byte status lands in the trace before
    const run = await runHidArea('ctaphid', { checks: ['CTAPHID-FRAG-002'], beforeChecks: (ctap2) => ctap2.requestRaw(0x08) });
    expect(run.status.get('CTAPHID-FRAG-002'), run.messages.get('CTAPHID-FRAG-002')).toBe('pass');
  });

  it('CTAPHID-FRAG-002 judges the fragmentation of a getInfo that is not in canonical order, not its CBOR form', async () => {
    // {3: aaguid, 1: ["FIDO_2_0"]}: keys out of CTAP2 canonical order (§8), which the getInfo checks judge
    const reordered = Uint8Array.from([0x00, 0xa2, 0x03, 0x50, ...new Uint8Array(16).fill(7), 0x01, 0x81, 0x68, ...Buffer.from('FIDO_2_0')]);
    const run = await runHidArea('ctaphid', { checks: ['CTAPHID-FRAG-002'], faults: payloadInstead(CtaphidCommand.CBOR, () => reordered) });
    expect({ status: run.status.get('CTAPHID-FRAG-002'), message: run.messages.get('CTAPHID-FRAG-002') }).toEqual({
      status: 'pass',
      message: 'getInfo fits one packet (31 bytes): no continuation packets to check',
    });
  });
});

describe('CTAPHID-TIMEOUT-002: a host stall excuses only ERR_MSG_TIMEOUT', () => {
  const block = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };
  /** the host stalls 400 ms after its first packet, and the device answers the paused PING with `answer` */
  const stalledWith = (answer: (cid: number) => Uint8Array[]): PacketFaults => {
    let stalled = false;
    return {
      toDevice: (r, reply) => {
        if (stalled || !isInit(r, CtaphidCommand.PING) || r[6] !== 175) return [r];
        stalled = true;
        setTimeout(() => block(400), 0);
        for (const x of answer(cidOf(r))) reply(x);
        return [];
      },
    };
  };

  it('another CTAPHID error after a stall is still a failure', async () => {
    await expectFails(
      { 'CTAPHID-TIMEOUT-002': 'a PING sent with 100 ms pauses answered CTAPHID_ERROR ERR_OTHER' },
      { faults: stalledWith((cid) => encodeFrames(cid, CtaphidCommand.ERROR, Uint8Array.of(CtaphidErrorCode.ERR_OTHER))) },
    );
  });

  it('a PING answer whose first byte is ERR_MSG_TIMEOUT’s code is not an ERR_MSG_TIMEOUT', async () => {
    await expectFails(
      { 'CTAPHID-TIMEOUT-002': 'a PING sent with 100 ms pauses answered CTAPHID_PING (1 bytes)' },
      { faults: stalledWith((cid) => encodeFrames(cid, CtaphidCommand.PING, Uint8Array.of(CtaphidErrorCode.ERR_MSG_TIMEOUT))) },
    );
  });
});

describe('presence checks: more ways to fail', () => {
  /** after the first KEEPALIVE UPNEEDED on a channel, `then(cid)` is sent to the host as well */
  const afterFirstUpneeded = (then: (cid: number) => Uint8Array[]): PacketFaults => {
    let done = false;
    return {
      toHost: (r) => {
        if (done || !isInit(r, CtaphidCommand.KEEPALIVE) || r[7] !== KeepaliveStatus.UPNEEDED) return [r];
        done = true;
        return [r, ...then(cidOf(r))];
      },
    };
  };

  it('CTAPHID-CANCEL-001: CTAP2_ERR_KEEPALIVE_CANCEL’s status byte under another command fails', async () => {
    await expectFails(
      { 'CTAPHID-CANCEL-001': { message: 'authenticatorSelection cancelled during its touch wait answered CTAPHID_WINK (1 bytes)', expected: 'CTAPHID_CBOR status 0x2d CTAP2_ERR_KEEPALIVE_CANCEL', actual: 'CTAPHID_WINK (1 bytes)' } },
      { faults: replaceAnswers(CtaphidCommand.CBOR, (r) => encodeFrames(cidOf(r), CtaphidCommand.WINK, Uint8Array.of(0x2d))) },
    );
  });

  it('CTAPHID-KEEPALIVE-002 judges keepalives only: an answer during its watch ends the watch, and PROCESSING before the first UPNEEDED is allowed', async () => {
    const answered = await outcome('CTAPHID-KEEPALIVE-002', { faults: afterFirstUpneeded((cid) => encodeFrames(cid, CtaphidCommand.CBOR, Uint8Array.of(0))) });
    expect(answered).toEqual({ status: 'pass', message: 'statuses 2' });
    let first = true;
    const processingFirst = rewriteAnswers(CtaphidCommand.KEEPALIVE, (r) => {
      if (first) r[7] = KeepaliveStatus.PROCESSING;
      first = false;
    });
    expect(await outcome('CTAPHID-KEEPALIVE-002', { faults: processingFirst })).toEqual({ status: 'pass', message: expect.stringMatching(/^statuses 1,2(,2)+$/) });
  });

  it('CTAPHID-INIT-006: one keepalive already under way after the INIT answer is allowed, two are not', async () => {
    const extraAfterResync = (n: number): PacketFaults => ({
      toHost: (r) => {
        if (!isInit(r, CtaphidCommand.INIT) || cidOf(r) === BROADCAST_CID) return [r];
        return [r, ...Array.from({ length: n }, () => encodeFrames(cidOf(r), CtaphidCommand.KEEPALIVE, Uint8Array.of(KeepaliveStatus.UPNEEDED))[0]!)];
      },
    });
    expect((await outcome('CTAPHID-INIT-006', { faults: extraAfterResync(1) })).status).toBe('pass');
    await expectFails({ 'CTAPHID-INIT-006': 'after INIT resynchronised the channel, 2 keepalives came in 600 ms: the aborted authenticatorSelection is still running' }, { faults: extraAfterResync(2) });
  });

  it('CTAPHID-INIT-006: INIT on the busy channel not answered, or answered under another command', async () => {
    // INIT on the busy channel swallowed, and the held command's answer with it: only keepalives come
    const swallowed: PacketFaults = {
      toDevice: (r) => (isInit(r, CtaphidCommand.INIT) && cidOf(r) !== BROADCAST_CID ? [] : [r]),
      toHost: (r) => (isInit(r, CtaphidCommand.CBOR) ? [] : [r]),
    };
    await expectFails({ 'CTAPHID-INIT-006': /^INIT on the busy channel: no answer within 2 s \(\d+ keepalives\)$/ }, { faults: swallowed });
    const asPing: PacketFaults = {
      toDevice: (r, answer) => {
        if (!isInit(r, CtaphidCommand.INIT) || cidOf(r) === BROADCAST_CID) return [r];
        answer(encodeFrames(cidOf(r), CtaphidCommand.PING, r.subarray(7, 15))[0]!);
        return [r];
      },
    };
    await expectFails({ 'CTAPHID-INIT-006': 'INIT on the channel busy with authenticatorSelection answered CTAPHID_PING (8 bytes)' }, { faults: asPing });
  });

  /**
   * A device whose INIT does not abort a pending command (it fails CTAPHID-INIT-006) and whose touch wait
   * lasts 20 s: the presence checks CANCEL what they started, so the next check does not meet a busy device.
   */
  it.each(['CTAPHID-KEEPALIVE-001', 'CTAPHID-KEEPALIVE-002', 'CTAPHID-ERR-007'])('%s cancels its command: the next check finds the device idle even when INIT does not abort', async (id) => {
    // (the checks run in the suite's order: WINK-001 comes after the presence checks)
    const run = await runHidArea('ctaphid', { checks: [id, 'CTAPHID-WINK-001'], faults: initAnsweredInstead(), sim: { presenceHold: { reasons: ['selection'], ms: 20_000 } } });
    expect(run.status.get('CTAPHID-WINK-001'), run.messages.get('CTAPHID-WINK-001')).toBe('pass');
  }, 40_000);
});

describe('WINK and LOCK: answers under the wrong command, missing, or wrong', () => {
  it('CTAPHID-WINK-001: an empty answer under another command fails', async () => {
    await expectFails({ 'CTAPHID-WINK-001': 'WINK answered CTAPHID_PING (0 bytes)' }, { faults: commandInstead(CtaphidCommand.WINK, CtaphidCommand.PING) });
  });

  it('CTAPHID-LOCK-001: ERR_INVALID_CMD’s code under another command is no refusal, and an empty answer under another command no LOCK', async () => {
    await expectFails(
      { 'CTAPHID-LOCK-001': 'LOCK 3 answered CTAPHID_PING (1 bytes)' },
      { faults: replaceAnswers(CtaphidCommand.LOCK, (r) => encodeFrames(cidOf(r), CtaphidCommand.PING, Uint8Array.of(CtaphidErrorCode.ERR_INVALID_CMD))) },
    );
    await expectFails({ 'CTAPHID-LOCK-001': 'LOCK 3 answered CTAPHID_WINK (0 bytes)' }, { faults: commandInstead(CtaphidCommand.LOCK, CtaphidCommand.WINK) });
  }, 20_000);

  /** PING answers numbered from 0: the `n`th edited by `edit` (or dropped when it returns false) */
  const nthPing = (n: number, edit: (r: Uint8Array) => boolean): PacketFaults => {
    let k = 0;
    return { toHost: (r) => (isInit(r, CtaphidCommand.PING) && k++ === n && !edit(r) ? [] : [r]) };
  };
  const flip = (r: Uint8Array) => ((r[7]! ^= 1), true);
  const asWink = (r: Uint8Array) => ((r[4] = 0x80 | CtaphidCommand.WINK), true);

  it('CTAPHID-LOCK-001: the lock holder’s PING echoed wrongly, as WINK, or not at all', async () => {
    await expectFails({ 'CTAPHID-LOCK-001': 'PING from the lock holder answered CTAPHID_PING (8 bytes)' }, { faults: nthPing(0, flip) });
    await expectFails({ 'CTAPHID-LOCK-001': 'PING from the lock holder answered CTAPHID_WINK (8 bytes)' }, { faults: nthPing(0, asWink) });
    await expectFails({ 'CTAPHID-LOCK-001': 'PING from the lock holder answered nothing' }, { faults: nthPing(0, () => false) });
  }, 30_000);

  it('CTAPHID-LOCK-001: after the release, the other channel’s PING echoed wrongly, or not at all; the release not answered', async () => {
    await expectFails({ 'CTAPHID-LOCK-001': 'after LOCK 0, PING from another channel answered CTAPHID_PING (8 bytes)' }, { faults: nthPing(1, flip) });
    await expectFails({ 'CTAPHID-LOCK-001': 'after LOCK 0, PING from another channel answered nothing' }, { faults: nthPing(1, () => false) });
    let locks = 0;
    await expectFails({ 'CTAPHID-LOCK-001': 'LOCK 0 (release) answered nothing' }, { faults: { toHost: (r) => (isInit(r, CtaphidCommand.LOCK) && locks++ === 1 ? [] : [r]) } });
  }, 30_000);
});
