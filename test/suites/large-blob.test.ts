import { describe, expect, it } from 'vitest';
import { CtapStatus as S, type CborMap, type CborValue } from '../../harness/protocol/index.ts';
import { largeBlobChecks } from '../../harness/suites/large-blob/largeBlobChecks.ts';
import { expectEveryCheckPasses, expectFailures, type Fault, notPassing, outcomes, recordRequests, rewriteResponse, rewriteStatus, runAgainst } from './faultyDevice.ts';

const LB = 0x0c;

/** Flips the last byte of every non-empty get answer (the hash of the array read back). */
const corruptReads: Fault = rewriteResponse(LB, (body) => {
  const config = body.get(0x01);
  if (config instanceof Uint8Array && config.length > 0) {
    const copy = Uint8Array.from(config);
    copy[copy.length - 1]! ^= 0x01;
    body.set(0x01, copy);
  }
});

/**
 * A device that refuses a serialized array (CTAP2_ERR_INTEGRITY_FAILURE) but stores it anyway: the host
 * hears the refusal, and reads the refused array back from then on.
 */
function storesRefusedArray(): Fault {
  let stored: Uint8Array | undefined;
  return async (cmd, p, next) => {
    const a = await next(p);
    if (cmd !== LB) return a;
    const set = p?.get(0x02);
    if (a.status === S.CTAP2_ERR_INTEGRITY_FAILURE && set instanceof Uint8Array) stored = set;
    const get = p?.get(0x01);
    if (stored && typeof get === 'number') {
      const offset = p?.get(0x03) as number;
      return { status: 0, body: new Map([[0x01, stored.subarray(offset, offset + get)]]) };
    }
    return a;
  };
}

describe('large-blob suite (CTAP 2.1 §6.10, §12.3)', () => {
  it('should pass every check on the clean simulator', async () => {
    const results = await runAgainst({ suites: ['large-blob'] });
    expectEveryCheckPasses(results, largeBlobChecks.map((c) => c.id));
  });

  const got = (expected: string, actual: string) => `expected ${expected}, got ${actual}`;
  const OK = '0x00 CTAP2_OK';
  const INVALID_PARAMETER = '0x02 CTAP1_ERR_INVALID_PARAMETER';
  const statusCases: Array<[string, number, number, Record<string, string | RegExp>]> = [
    ['wrong offset accepted', S.CTAP1_ERR_INVALID_SEQ, S.CTAP2_OK, { 'LB-SEQ-001': `set at offset 48 when 32 was expected: ${got('0x04 CTAP1_ERR_INVALID_SEQ', OK)}` }],
    [
      'bad lengths and get+set accepted',
      S.CTAP1_ERR_INVALID_PARAMETER,
      S.CTAP2_OK,
      {
        'LB-LEN-001': `set at offset 0 without length: ${got(INVALID_PARAMETER, OK)}`,
        'LB-LEN-002': `set announcing 16 bytes: ${got(INVALID_PARAMETER, OK)}`,
        'LB-LEN-004': `fragment 8 bytes past the announced length: ${got(INVALID_PARAMETER, OK)}`,
        'LB-PARAM-001': `get with set: ${got(INVALID_PARAMETER, OK)}`,
      },
    ],
    ['an oversize array accepted', S.CTAP2_ERR_LARGE_BLOB_STORAGE_FULL, S.CTAP2_OK, { 'LB-LEN-003': `set announcing 4097 bytes: ${got('0x18 CTAP2_ERR_LARGE_BLOB_STORAGE_FULL', OK)}` }],
    ['an oversize array refused with another code', S.CTAP2_ERR_LARGE_BLOB_STORAGE_FULL, S.CTAP2_ERR_LIMIT_EXCEEDED, { 'LB-LEN-003': `set announcing 4097 bytes: ${got('0x18 CTAP2_ERR_LARGE_BLOB_STORAGE_FULL', '0x15 CTAP2_ERR_LIMIT_EXCEEDED')}` }],
    ['an oversize get accepted', S.CTAP1_ERR_INVALID_LENGTH, S.CTAP2_OK, { 'LB-LEN-005': /^get of \d+ bytes: expected 0x03 CTAP1_ERR_INVALID_LENGTH, got 0x00 CTAP2_OK$/ }],
    ['a wrong hash accepted', S.CTAP2_ERR_INTEGRITY_FAILURE, S.CTAP2_OK, { 'LB-HASH-001': `array with a flipped hash bit: ${got('0x3d CTAP2_ERR_INTEGRITY_FAILURE', OK)}` }],
    ['a write without pinUvAuthParam accepted', S.CTAP2_ERR_PUAT_REQUIRED, S.CTAP2_OK, { 'LB-AUTH-001': `set without pinUvAuthParam: ${got('0x36 CTAP2_ERR_PUAT_REQUIRED', OK)}` }],
    [
      'a token without lbw or a wrong pinUvAuthParam accepted',
      S.CTAP2_ERR_PIN_AUTH_INVALID,
      S.CTAP2_OK,
      {
        'LB-AUTH-002': /^set with a token of permissions 0x[0-9a-f]+ \(no lbw\): expected 0x33 CTAP2_ERR_PIN_AUTH_INVALID, got 0x00 CTAP2_OK$/,
        'LB-AUTH-003': `set with a flipped pinUvAuthParam bit: ${got('0x33 CTAP2_ERR_PIN_AUTH_INVALID', OK)}`,
      },
    ],
  ];
  for (const [what, from, to, expected] of statusCases) {
    const ids = Object.keys(expected);
    it(`should fail ${ids.join(', ')} when ${what}`, async () => {
      const results = await runAgainst({ checks: ids, fault: rewriteStatus(LB, from, to) });
      expectFailures(results, expected);
    });
  }

  it('should fail the read-back checks when the array read back is not what was stored', async () => {
    const results = await runAgainst({ checks: ['LB-READ-001', 'LB-WRITE-001', 'LB-KEY-001'], fault: corruptReads });
    expectFailures(results, {
      'LB-READ-001': 'the array after reset is not the initial one',
      'LB-WRITE-001': 'the array read back differs from the one written',
      'LB-KEY-001': 'CLIENT_BAD_RESPONSE: large-blob array hash does not match (§6.10.2)',
    });
  });

  it('should fail LB-KEY-001 when getAssertion returns no largeBlobKey, and LB-KEY-002 when false is taken', async () => {
    const noKey = await runAgainst({ checks: ['LB-KEY-001'], fault: rewriteResponse(0x02, (body) => body.delete(0x07)) });
    expectFailures(noKey, { 'LB-KEY-001': "getAssertion largeBlobKey (0x07) differs from makeCredential's" });
    const falseTaken = await runAgainst({ checks: ['LB-KEY-002'], fault: rewriteStatus(0x01, S.CTAP2_ERR_INVALID_OPTION, S.CTAP1_ERR_INVALID_PARAMETER) });
    expectFailures(falseTaken, { 'LB-KEY-002': `makeCredential with largeBlobKey: false: expected 0x2c CTAP2_ERR_INVALID_OPTION, got ${INVALID_PARAMETER}` });
  });

  it('should fail LB-INFO-001 when maxSerializedLargeBlobArray is below 1024', async () => {
    const results = await runAgainst({ checks: ['LB-INFO-001'], fault: rewriteResponse(0x04, (info) => info.set(0x0b, 512)) });
    expectFailures(results, { 'LB-INFO-001': 'maxSerializedLargeBlobArray is 512, expected at least 1024' });
  });
});

describe('large-blob suite: the other ways a device gets it wrong', () => {
  it('LB-INFO-001: maxSerializedLargeBlobArray absent or 1023 fails, 1024 passes; largeBlobKey missing from extensions fails', async () => {
    const info = (edit: (b: Map<CborValue, CborValue>) => void) => runAgainst({ checks: ['LB-INFO-001'], fault: rewriteResponse(0x04, edit) });
    expectFailures(await info((b) => b.delete(0x0b)), { 'LB-INFO-001': 'maxSerializedLargeBlobArray is absent, expected at least 1024' });
    expectFailures(await info((b) => b.set(0x0b, 1023)), { 'LB-INFO-001': 'maxSerializedLargeBlobArray is 1023, expected at least 1024' });
    expect((await info((b) => b.set(0x0b, 1024))).get('LB-INFO-001')!.status).toBe('pass');
    const noKey = await info((b) => b.set(0x02, (b.get(0x02) as string[]).filter((e) => e !== 'largeBlobKey')));
    expectFailures(noKey, { 'LB-INFO-001': 'largeBlobs offered but the largeBlobKey extension is not listed' });
  });

  it('LB-PARAM-001: a request with neither get nor set accepted fails', async () => {
    const neither: Fault = async (cmd, p, next) => (cmd === LB && p && !p.has(0x01) && !p.has(0x02) ? { status: 0, body: new Map([[0x01, new Uint8Array(0)]]) } : next(p));
    expectFailures(await runAgainst({ checks: ['LB-PARAM-001'], fault: neither }), { 'LB-PARAM-001': 'neither get nor set: expected 0x02 CTAP1_ERR_INVALID_PARAMETER, got 0x00 CTAP2_OK' });
  });

  it('LB-HASH-001: a device that refuses the array but stores it anyway fails', async () => {
    const storesAnyway = storesRefusedArray();
    expectFailures(await runAgainst({ checks: ['LB-HASH-001'], fault: storesAnyway }), { 'LB-HASH-001': 'the refused array replaced the stored one' });
  });

  it('reads and writes that go wrong fail with what went wrong', async () => {
    const getRefused = rewriteStatus(LB, S.CTAP2_OK, S.CTAP1_ERR_OTHER);
    expectFailures(await runAgainst({ checks: ['LB-READ-001'], fault: getRefused }), { 'LB-READ-001': /^get of \d+ bytes at offset 0: expected 0x00 CTAP2_OK, got 0x7f CTAP1_ERR_OTHER$/ });
    expectFailures(await runAgainst({ checks: ['LB-WRITE-001', 'LB-SEQ-001'], fault: getRefused }), {
      'LB-WRITE-001': 'set of 64 bytes at offset 0: expected 0x00 CTAP2_OK, got 0x7f CTAP1_ERR_OTHER',
      'LB-SEQ-001': 'first fragment: expected 0x00 CTAP2_OK, got 0x7f CTAP1_ERR_OTHER',
    });
    const noConfig = rewriteResponse(LB, (b) => b.delete(0x01));
    expectFailures(await runAgainst({ checks: ['LB-READ-001'], fault: noConfig }), { 'LB-READ-001': 'get at offset 0 answered no config (0x01) byte string' });
    const tooLong = rewriteResponse(LB, (b) => {
      const c = b.get(0x01);
      if (c instanceof Uint8Array) b.set(0x01, new Uint8Array(Buffer.concat([c, new Uint8Array(60)])));
    });
    expectFailures(await runAgainst({ checks: ['LB-WRITE-001'], fault: tooLong }), { 'LB-WRITE-001': /^get of 50 bytes answered \d+$/ });
  });

  it('LB-KEY-001: a key of the wrong length, or a blob that does not read back, fails', async () => {
    const shortKey = rewriteResponse(0x01, (b) => b.has(0x05) && b.set(0x05, new Uint8Array(16)));
    expectFailures(await runAgainst({ checks: ['LB-KEY-001'], fault: shortKey }), { 'LB-KEY-001': "makeCredential largeBlobKey (0x05) is 16 bytes, expected 32 bytes" });
    const noKey = rewriteResponse(0x01, (b) => b.delete(0x05));
    expectFailures(await runAgainst({ checks: ['LB-KEY-001'], fault: noKey }), { 'LB-KEY-001': 'makeCredential largeBlobKey (0x05) is missing, expected 32 bytes' });
    // the write is answered CTAP2_OK but not stored: the blob is not found when read back
    const dropWrites: Fault = async (cmd, p, next) => (cmd === LB && p?.has(0x02) ? { status: 0 } : next(p));
    expectFailures(await runAgainst({ checks: ['LB-KEY-001'], fault: dropWrites }), { 'LB-KEY-001': 'the blob written under the largeBlobKey did not read back' });
    const writeRefused: Fault = async (cmd, p, next) => (cmd === LB && p?.has(0x02) ? { status: S.CTAP2_ERR_LARGE_BLOB_STORAGE_FULL } : next(p));
    expectFailures(await runAgainst({ checks: ['LB-KEY-001'], fault: writeRefused }), { 'LB-KEY-001': 'writing the blob answered 0x18 CTAP2_ERR_LARGE_BLOB_STORAGE_FULL' });
  });

  it('LB-AUTH-002 skips, with the reason, on a key that grants a token by PIN no permission but lbw', async () => {
    const onlyLbw = rewriteResponse(0x04, (b) => {
      const o = new Map(b.get(0x04) as Map<string, boolean>);
      for (const name of ['credMgmt', 'credentialMgmtPreview', 'authnrCfg', 'bioEnroll', 'userVerificationMgmtPreview']) o.delete(name);
      o.set('noMcGaPermissionsWithClientPin', true);
      b.set(0x04, o);
    });
    const r = await runAgainst({ checks: ['LB-AUTH-002'], fault: onlyLbw });
    expect(r.get('LB-AUTH-002')).toEqual({ status: 'skip', message: 'the key grants no permission but lbw to a token by PIN' });
  });
});

describe('large-blob suite: skips, evidence and what the checks send', () => {
  const ids = largeBlobChecks.map((c) => c.id);
  const options = (edit: (o: Map<string, boolean>) => void) =>
    rewriteResponse(0x04, (b) => {
      const o = new Map(b.get(0x04) as Map<string, boolean>);
      edit(o);
      b.set(0x04, o);
    });

  it('should skip every check, saying why, on a key without largeBlobs (false or no options at all)', async () => {
    const skip = 'skip: largeBlobs not offered (getInfo option)';
    for (const fault of [options((o) => o.set('largeBlobs', false)), rewriteResponse(0x04, (b) => b.delete(0x04))]) {
      expect(outcomes(await runAgainst({ suites: ['large-blob'], fault }))).toEqual(Object.fromEntries(ids.map((id) => [id, skip])));
    }
  });

  it('should skip the largeBlobKey checks, saying why, on a key without discoverable credentials', async () => {
    const results = await runAgainst({ checks: ['LB-KEY-001', 'LB-KEY-002'], quirks: ['no-resident-keys'] });
    const skip = 'skip: discoverable credentials not offered (rk)';
    expect(outcomes(results)).toEqual({ 'LB-KEY-001': skip, 'LB-KEY-002': skip });
  });

  it('LB-INFO-001: getInfo without an extensions list fails', async () => {
    expectFailures(await runAgainst({ checks: ['LB-INFO-001'], fault: rewriteResponse(0x04, (b) => b.delete(0x02)) }), { 'LB-INFO-001': 'largeBlobs offered but the largeBlobKey extension is not listed' });
  });

  it('should give what it expected and what it read back', async () => {
    const results = await runAgainst({ checks: ['LB-READ-001', 'LB-WRITE-001'], fault: corruptReads, evidence: true });
    expect(results.get('LB-READ-001')).toMatchObject({ status: 'fail', expected: '8076be8b528d0075f7aae98d6fa57a6d3c', actual: '8076be8b528d0075f7aae98d6fa57a6d3d' });
    const write = results.get('LB-WRITE-001')!;
    expect(write.expected).toMatch(/^[0-9a-f]{400}$/);
    expect(write.actual).toHaveLength(400);
    expect(write.actual).not.toBe(write.expected);
    const otherKey = await runAgainst({ checks: ['LB-KEY-001'], fault: rewriteResponse(0x02, (b) => b.has(0x07) && b.set(0x07, new Uint8Array(32))), evidence: true });
    expect(otherKey.get('LB-KEY-001')).toMatchObject({ status: 'fail', message: "getAssertion largeBlobKey (0x07) differs from makeCredential's", expected: expect.stringMatching(/^[0-9a-f]{64}$/), actual: '00'.repeat(32) });
  });

  it('LB-HASH-001: the refused array read back is given as seen', async () => {
    const storesAnyway = storesRefusedArray();
    const r = (await runAgainst({ checks: ['LB-HASH-001'], fault: storesAnyway, evidence: true })).get('LB-HASH-001')!;
    expect(r.status).toBe('fail');
    expect(r.expected).toMatch(/^[0-9a-f]+$/);
    expect(r.actual).toHaveLength(r.expected!.length);
    expect(r.actual).not.toBe(r.expected);
  });

  it('should stop reading after 512 gets from a key that never ends the array', async () => {
    let gets = 0;
    const endless: Fault = async (cmd, p, next) => {
      if (cmd !== LB || typeof p?.get(0x01) !== 'number') return next(p);
      gets++;
      return { status: 0, body: new Map([[0x01, new Uint8Array(p.get(0x01) as number)]]) };
    };
    expectFailures(await runAgainst({ checks: ['LB-READ-001'], fault: endless }), { 'LB-READ-001': 'the array after reset is not the initial one' });
    expect(gets).toBe(512);
  });

  it('should fail, naming it, on a get answer that does not decode, and on a blob that cannot be read back', async () => {
    const textConfig = rewriteResponse(LB, (b) => b.has(0x01) && b.set(0x01, 'text'));
    expectFailures(await runAgainst({ checks: ['LB-READ-001'], fault: textConfig }), { 'LB-READ-001': /^CTAP_MALFORMED_RESPONSE: authenticatorLargeBlobs response/ });
    const emptyOk: Fault = async (cmd, p, next) => (cmd === LB && p?.has(0x01) ? { status: 0 } : next(p));
    expectFailures(await runAgainst({ checks: ['LB-READ-001'], fault: emptyOk }), { 'LB-READ-001': 'get at offset 0 answered no config (0x01) byte string' });
    // gets refused once the blob is written: the write went through, the read did not
    let written = false;
    const readRefused: Fault = async (cmd, p, next) => {
      if (cmd === LB && written && p?.has(0x01)) return { status: S.CTAP1_ERR_OTHER };
      const a = await next(p);
      if (cmd === LB && p?.has(0x02) && a.status === S.CTAP2_OK) written = true;
      return a;
    };
    expectFailures(await runAgainst({ checks: ['LB-KEY-001'], fault: readRefused }), { 'LB-KEY-001': 'reading the blob answered 0x7f CTAP1_ERR_OTHER' });
  });

  it('should name the size of the get over maxFragmentLength (maxMsgSize 7609 - 64 + 1)', async () => {
    const r = await runAgainst({ checks: ['LB-LEN-005'], fault: rewriteStatus(LB, S.CTAP1_ERR_INVALID_LENGTH, S.CTAP2_OK) });
    expectFailures(r, { 'LB-LEN-005': 'get of 7546 bytes: expected 0x03 CTAP1_ERR_INVALID_LENGTH, got 0x00 CTAP2_OK' });
  });

  it('should send LB-LEN-004\'s second fragment exactly 8 bytes past the announced length', async () => {
    const sent: CborMap[] = [];
    await runAgainst({ checks: ['LB-LEN-004'], fault: recordRequests(LB, sent) });
    const sets = sent.filter((p) => p.has(0x02));
    expect(sets).toHaveLength(2);
    const announced = sets[0]!.get(0x04) as number;
    expect([sets[0]!.get(0x03), (sets[0]!.get(0x02) as Uint8Array).length]).toEqual([0, 32]);
    expect([sets[1]!.get(0x03), 32 + (sets[1]!.get(0x02) as Uint8Array).length - announced]).toEqual([32, 8]);
  });

  it('should make the largeBlobKey credentials on their checks\' RP IDs and read the key back silently', async () => {
    const made: CborMap[] = [];
    const asked: CborMap[] = [];
    const mc = recordRequests(0x01, made);
    const ga = recordRequests(0x02, asked);
    const results = await runAgainst({ checks: ['LB-KEY-001', 'LB-KEY-002'], fault: (cmd, p, next) => mc(cmd, p, (q) => ga(cmd, q, next)) });
    expect(notPassing(results)).toEqual({});
    expect(made.map((p) => [(p.get(0x02) as CborMap).get('id'), (p.get(0x06) as CborMap).get('largeBlobKey')])).toEqual([
      ['lb-key-001.fido-harness.test', true],
      ['lb-key-002.fido-harness.test', false],
    ]);
    expect(asked.map((p) => [p.get(0x01), (p.get(0x05) as CborMap).get('up'), (p.get(0x04) as CborMap).get('largeBlobKey')])).toEqual([['lb-key-001.fido-harness.test', false, true]]);
  });

  it('LB-AUTH-002 asks its token for the other permission it found, without lbw', async () => {
    const sent: CborMap[] = [];
    await runAgainst({ checks: ['LB-AUTH-002'], fault: recordRequests(0x06, sent) });
    // getPinUvAuthTokenUsingPinWithPermissions (0x09), permissions (0x09): acfg (0x20), the first the simulator grants other than lbw
    expect(sent.filter((p) => p.get(0x02) === 0x09).map((p) => p.get(0x09))).toEqual([0x20]);
  });
});

