import { describe, expect, it } from 'vitest';
import { BROADCAST_CID, CtaphidCapability, CtaphidCommand, CtaphidErrorCode, encodeFrames, KeepaliveStatus, parsePacket } from '../../harness/protocol/index.ts';
import { ctaphidChecks } from '../../harness/suites/ctaphid/ctaphidChecks.ts';
import type { PacketFaults } from './hidFaults.ts';
import { runHidArea } from './runHidArea.ts';

const cidOf = (r: Uint8Array) => new DataView(r.buffer, r.byteOffset, 4).getUint32(0);
const isInit = (r: Uint8Array, cmd: number) => (r[4]! & 0x80) !== 0 && (r[4]! & 0x7f) === cmd;

/** Rewrites device->host initialization packets of one command. */
function rewriteAnswers(cmd: number, edit: (r: Uint8Array) => void): PacketFaults {
  return {
    toHost: (r) => {
      if (isInit(r, cmd)) edit(r);
      return [r];
    },
  };
}

async function expectFails(ids: string[], options: Parameters<typeof runHidArea>[1]) {
  const run = await runHidArea('ctaphid', { ...options, checks: ids });
  for (const id of ids) expect.soft(run.status.get(id), `${id}: ${run.messages.get(id)}`).toBe('fail');
  return run;
}

describe('ctaphid suite', () => {
  it('has stable, unique ids, each with a spec section', () => {
    const ids = ctaphidChecks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of ctaphidChecks) {
      expect(c.id).toMatch(/^CTAPHID-[A-Z]+-\d{3}$/);
      expect(c.specRef).toMatch(/§11\.2/);
      expect(c.suite).toBe('ctaphid');
    }
    expect(ids.length).toBeGreaterThanOrEqual(25);
  });

  it('passes every check against the clean simulator', async () => {
    const run = await runHidArea('ctaphid');
    expect(run.notPassing).toEqual([]);
    expect(run.status.size).toBe(ctaphidChecks.length);
  });

  it('skips every check with a reason when the device is not reached over CTAPHID', async () => {
    const run = await runHidArea('ctaphid', { withoutHid: true, checks: ['CTAPHID-INIT-001', 'CTAPHID-PING-006'] });
    expect([...run.status.values()]).toEqual(['skip', 'skip']);
    expect(run.messages.get('CTAPHID-INIT-001')).toMatch(/CTAPHID/);
  });

  it('the ctaphid-ignore-seq quirk makes CTAPHID-ERR-003 fail', async () => {
    const run = await expectFails(['CTAPHID-ERR-003'], { quirks: ['ctaphid-ignore-seq'] });
    expect(run.messages.get('CTAPHID-ERR-003')).toMatch(/ERR_INVALID_SEQ, got CTAPHID_PING/);
  });

  it('a device answering every CTAPHID error with ERR_OTHER fails the error checks', async () => {
    await expectFails(
      ['CTAPHID-ERR-001', 'CTAPHID-ERR-002', 'CTAPHID-ERR-003', 'CTAPHID-ERR-004', 'CTAPHID-ERR-005', 'CTAPHID-ERR-006', 'CTAPHID-ERR-007', 'CTAPHID-TIMEOUT-001', 'CTAPHID-LOCK-001'],
      { faults: rewriteAnswers(CtaphidCommand.ERROR, (r) => void (r[7] = CtaphidErrorCode.ERR_OTHER)) },
    );
  });

  it('INIT faults: nonce not echoed, one CID for every INIT, wrong protocol version, capabilities that lie, resync changing the CID', async () => {
    await expectFails(['CTAPHID-INIT-001'], { faults: rewriteAnswers(CtaphidCommand.INIT, (r) => void (r[7]! ^= 0xff)) });
    let first: number | undefined;
    await expectFails(['CTAPHID-INIT-002'], {
      faults: rewriteAnswers(CtaphidCommand.INIT, (r) => {
        if (cidOf(r) !== BROADCAST_CID) return;
        const view = new DataView(r.buffer, r.byteOffset + 15, 4);
        first ??= view.getUint32(0);
        view.setUint32(0, first);
      }),
    });
    await expectFails(['CTAPHID-INIT-003'], { faults: rewriteAnswers(CtaphidCommand.INIT, (r) => void (r[7 + 12] = 1)) });
    await expectFails(['CTAPHID-INIT-004'], { faults: rewriteAnswers(CtaphidCommand.INIT, (r) => void (r[7 + 16] = CtaphidCapability.WINK | CtaphidCapability.NMSG)) });
    await expectFails(['CTAPHID-INIT-005'], {
      faults: rewriteAnswers(CtaphidCommand.INIT, (r) => {
        if (cidOf(r) === BROADCAST_CID) return;
        const view = new DataView(r.buffer, r.byteOffset + 15, 4);
        view.setUint32(0, view.getUint32(0) + 1);
      }),
    });
  });

  it('a PING echo that is off by one byte fails every PING size', async () => {
    const ids = ['CTAPHID-PING-001', 'CTAPHID-PING-002', 'CTAPHID-PING-003', 'CTAPHID-PING-004', 'CTAPHID-PING-005', 'CTAPHID-PING-006'];
    await expectFails(ids, {
      faults: rewriteAnswers(CtaphidCommand.PING, (r) => {
        if (r[5] === 0 && r[6] === 0) r[6] = 1;
        else r[7]! ^= 0x01;
      }),
    });
  });

  it('fragmentation faults: a lost request packet, answer packets out of sequence', async () => {
    // The host's fourth packet of a CBOR request (SEQ 2) never reaches the device.
    const cbor = new Set<number>();
    await expectFails(['CTAPHID-FRAG-001'], {
      faults: {
        toDevice: (r) => {
          const p = parsePacket(r);
          if (p.kind === 'init') (p.cmd === CtaphidCommand.CBOR ? cbor.add(p.cid) : cbor.delete(p.cid));
          return p.kind === 'cont' && p.seq === 2 && cbor.has(p.cid) ? [] : [r];
        },
      },
    });
    // The device numbers its answer's continuation packets 1, 0, 2, …
    let cborOut = false;
    await expectFails(['CTAPHID-FRAG-002'], {
      faults: {
        toHost: (r) => {
          const p = parsePacket(r);
          if (p.kind === 'init') cborOut = p.cmd === CtaphidCommand.CBOR;
          else if (cborOut && p.seq <= 1) r[4] = 1 - p.seq;
          return [r];
        },
      },
    });
  });

  it('message timeout outside the windows: too short fails TIMEOUT-002, too long fails TIMEOUT-001', async () => {
    await expectFails(['CTAPHID-TIMEOUT-002'], { sim: { ctaphid: { messageTimeoutMs: 40 } } });
    const run = await expectFails(['CTAPHID-TIMEOUT-001'], { sim: { ctaphid: { messageTimeoutMs: 4_000 } } });
    expect(run.messages.get('CTAPHID-TIMEOUT-001')).toMatch(/no answer .* within 3000 ms/);
  });

  // A host that stalls (a loaded machine, a GC pause) while it times the device: the stall is measured and
  // is not held against the device. The stall here is made on purpose: the host's own thread blocked.
  const stall = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };
  it('a host stall inside the 100 ms pauses turns an ERR_MSG_TIMEOUT into a warning, not a failure (TIMEOUT-002)', async () => {
    let stalled = false;
    const stallAfterPingInit: PacketFaults = {
      toDevice: (r) => {
        if (!stalled && isInit(r, CtaphidCommand.PING) && r[6] === 175) {
          stalled = true;
          setTimeout(() => stall(400), 0);
        }
        return [r];
      },
    };
    const run = await runHidArea('ctaphid', { checks: ['CTAPHID-TIMEOUT-002'], sim: { ctaphid: { messageTimeoutMs: 40 } }, faults: stallAfterPingInit });
    expect(stalled).toBe(true);
    expect(run.status.get('CTAPHID-TIMEOUT-002')).toBe('warn');
    expect(run.messages.get('CTAPHID-TIMEOUT-002')).toMatch(/host's own pause of \d{3,} ms/);
  });

  it('keepalive gaps that only a host stall explains are a warning, gaps beyond it a failure (KEEPALIVE-001)', async () => {
    let stalled = 0;
    const stallOnKeepalive = (): PacketFaults => ({
      toHost: (r) => {
        if (stalled++ === 1 && isInit(r, CtaphidCommand.KEEPALIVE)) setTimeout(() => stall(250), 0);
        return [r];
      },
    });
    const clean = await runHidArea('ctaphid', { checks: ['CTAPHID-KEEPALIVE-001'], faults: stallOnKeepalive() });
    expect(clean.status.get('CTAPHID-KEEPALIVE-001'), clean.messages.get('CTAPHID-KEEPALIVE-001')).toBe('warn');
    // (a stall under 300 ms leaves a gap the ordinary jitter warning already covers; over it, the lag rule)
    expect(clean.messages.get('CTAPHID-KEEPALIVE-001')).toMatch(/host's own timer delay \(\d{3,} ms|host jitter/);
    stalled = 0;
    const slow = await runHidArea('ctaphid', { checks: ['CTAPHID-KEEPALIVE-001'], sim: { ctaphid: { keepaliveIntervalMs: 900 } }, faults: stallOnKeepalive() });
    expect(slow.status.get('CTAPHID-KEEPALIVE-001'), slow.messages.get('CTAPHID-KEEPALIVE-001')).toBe('fail');
  });

  it('presence faults: CANCEL ignored, keepalives too slow, PROCESSING instead of UPNEEDED, INIT that does not abort', async () => {
    const dropCancel: PacketFaults = { toDevice: (r) => (isInit(r, CtaphidCommand.CANCEL) ? [] : [r]) };
    await expectFails(['CTAPHID-CANCEL-001'], { faults: dropCancel });
    await expectFails(['CTAPHID-KEEPALIVE-001'], { sim: { ctaphid: { keepaliveIntervalMs: 300 } } });
    await expectFails(['CTAPHID-KEEPALIVE-002'], { faults: rewriteAnswers(CtaphidCommand.KEEPALIVE, (r) => void (r[7] = KeepaliveStatus.PROCESSING)) });
    // INIT on an allocated channel answered in the device's place: the pending command goes on.
    const fakeResync: PacketFaults = {
      toDevice: (r, answer) => {
        if (!isInit(r, CtaphidCommand.INIT) || cidOf(r) === BROADCAST_CID) return [r];
        const body = new Uint8Array(17);
        body.set(r.subarray(7, 15), 0);
        new DataView(body.buffer).setUint32(8, cidOf(r));
        body[12] = 2;
        answer(encodeFrames(cidOf(r), CtaphidCommand.INIT, body)[0]!);
        return [];
      },
    };
    await expectFails(['CTAPHID-INIT-006'], { faults: fakeResync });
  }, 20_000);

  it('WINK answered with an error fails CTAPHID-WINK-001', async () => {
    await expectFails(['CTAPHID-WINK-001'], {
      faults: { toHost: (r) => (isInit(r, CtaphidCommand.WINK) ? [encodeFrames(cidOf(r), CtaphidCommand.ERROR, Uint8Array.of(CtaphidErrorCode.ERR_OTHER))[0]!] : [r]) },
    });
  });
});
