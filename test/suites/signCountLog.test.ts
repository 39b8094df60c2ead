import { describe, expect, it } from 'vitest';
import { encodeCanonicalCbor } from '../../harness/protocol/index.ts';
import { counterAcrossResets, SignCountLog, type SeenCounter } from '../../harness/suites/signCountLog.ts';

/** authenticatorData (WebAuthn L3 §6.1): rpIdHash, flags, signCount (big-endian), attested credential data when `credentialId` is given */
function authData(signCount: number, credentialId?: Uint8Array): Uint8Array {
  const head = [...new Uint8Array(32).fill(0xaa), credentialId ? 0x41 : 0x01, (signCount >>> 24) & 0xff, (signCount >>> 16) & 0xff, (signCount >>> 8) & 0xff, signCount & 0xff];
  if (!credentialId) return Uint8Array.from(head);
  const key = encodeCanonicalCbor(new Map<number, number | Uint8Array>([[1, 2], [3, -7], [-1, 1], [-2, new Uint8Array(32).fill(1)], [-3, new Uint8Array(32).fill(2)]]));
  return Uint8Array.from([...head, ...new Uint8Array(16), credentialId.length >> 8, credentialId.length & 0xff, ...credentialId, ...key]);
}

const id = (n: number) => new Uint8Array(16).fill(n);
const seen = (epoch: number, signCount: number, credential: number): SeenCounter => ({ epoch, signCount, credential: Buffer.from(id(credential)).toString('hex') });

describe('SignCountLog', () => {
  it('should record the counter with the credential named, or the attested one, in the current reset epoch', () => {
    const log = new SignCountLog();
    log.record(authData(0x01020304, id(1)));
    log.record(authData(7), id(2));
    log.reset();
    log.record(authData(9, id(3)), id(4));
    expect(log.seen).toEqual([seen(0, 0x01020304, 1), seen(0, 7, 2), seen(1, 9, 4)]);
  });

  it('should leave out an answer without a credential and one that does not parse', () => {
    const log = new SignCountLog();
    log.record(authData(5));
    log.record(new Uint8Array(10), id(1));
    expect(log.seen).toEqual([]);
  });
});

describe('counterAcrossResets (WebAuthn L3 §6.1.1)', () => {
  it('should take a counter rising over three answers and two credentials as global, and name each reset crossed', () => {
    expect(counterAcrossResets([seen(0, 1, 1), seen(0, 2, 2), seen(0, 3, 1), seen(1, 4, 3), seen(1, 5, 3), seen(2, 0, 4)])).toEqual({
      global: true,
      crossings: [
        { epoch: 1, before: 3, after: 4 },
        { epoch: 2, before: 5, after: 0 },
      ],
    });
  });

  it('should not take it as global with only two answers, one credential, or a counter that does not rise', () => {
    expect(counterAcrossResets([seen(0, 1, 1), seen(0, 2, 2)]).global).toBe(false);
    expect(counterAcrossResets([seen(0, 1, 1), seen(0, 2, 1), seen(0, 3, 1)]).global).toBe(false);
    expect(counterAcrossResets([seen(0, 1, 1), seen(0, 2, 2), seen(0, 2, 1)]).global).toBe(false);
    expect(counterAcrossResets([seen(0, 1, 1), seen(0, 0, 2), seen(0, 3, 1)]).global).toBe(false);
    // always 0: no counter
    expect(counterAcrossResets([seen(0, 0, 1), seen(0, 0, 2), seen(0, 0, 3)]).global).toBe(false);
  });

  it('should find a global stretch in a later epoch, and take the highest counter of every earlier epoch', () => {
    const r = counterAcrossResets([seen(0, 9, 1), seen(1, 1, 2), seen(1, 2, 3), seen(1, 3, 2), seen(3, 2, 5)]);
    expect(r.global).toBe(true);
    expect(r.crossings).toEqual([
      { epoch: 1, before: 9, after: 1 },
      { epoch: 3, before: 9, after: 2 },
    ]);
  });

  it('should name no crossing without counters on both sides of a reset', () => {
    expect(counterAcrossResets([seen(1, 1, 1), seen(1, 2, 2), seen(1, 3, 1)])).toEqual({ global: true, crossings: [] });
    expect(counterAcrossResets([])).toEqual({ global: false, crossings: [] });
  });

  it('should list the crossings in epoch order past ten resets, whatever order the counters come in', () => {
    const r = counterAcrossResets([seen(10, 7, 1), seen(2, 3, 1), seen(9, 5, 1), seen(11, 8, 1)]);
    expect(r.crossings).toEqual([
      { epoch: 9, before: 3, after: 5 },
      { epoch: 10, before: 5, after: 7 },
      { epoch: 11, before: 7, after: 8 },
    ]);
  });
});
