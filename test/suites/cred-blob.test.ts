import { describe, expect, it } from 'vitest';
import { credBlobChecks } from '../../harness/suites/cred-blob/credBlobChecks.ts';
import type { CborMap } from '../../harness/protocol/index.ts';
import { editAuthData, expectEveryCheckPasses, failed, notPassing, recordRequests, rewriteResponse, runAgainst, stripExtensions } from './faultyDevice.ts';

describe('cred-blob suite (CTAP 2.1 §12.2)', () => {
  it('should pass every check on the clean simulator', async () => {
    const results = await runAgainst({ suites: ['cred-blob'] });
    expectEveryCheckPasses(results, credBlobChecks.map((c) => c.id));
  });

  it('should fail STORE (limit below 32) and OVERSIZE (a longer blob stored) when maxCredBlobLength is understated', async () => {
    // getInfo 0x0F maxCredBlobLength: 16, while the simulator stores up to 32.
    const results = await runAgainst({ suites: ['cred-blob'], fault: rewriteResponse(0x04, (info) => info.set(0x0f, 16)) });
    expect(notPassing(results)).toEqual({
      'CREDBLOB-STORE-001': 'fail: getInfo maxCredBlobLength is 16; with credBlob it must be at least 32',
      'CREDBLOB-OVERSIZE-001': 'fail: makeCredential credBlob output is true for a 17-byte blob, expected false',
    });
  });

  it('should fail every check when getAssertion ignores credBlob: true', async () => {
    const results = await runAgainst({ suites: ['cred-blob'], fault: stripExtensions(0x02, 0x04, 'credBlob') });
    expect(notPassing(results)).toEqual({
      'CREDBLOB-STORE-001': 'fail: getAssertion returned a different credBlob',
      'CREDBLOB-OVERSIZE-001': 'fail: getAssertion credBlob is missing, expected an empty byte string',
      'CREDBLOB-NONE-001': 'fail: getAssertion credBlob is missing, expected an empty byte string',
    });
  });
});

describe('cred-blob suite: the other ways a device gets it wrong', () => {
  const MC = 0x01;
  const GA = 0x02;
  const ids = credBlobChecks.map((c) => c.id);

  it('should skip every check with the reason on a key without credBlob or without discoverable credentials', async () => {
    const noExt = await runAgainst({ suites: ['cred-blob'], fault: rewriteResponse(0x04, (b) => b.set(0x02, (b.get(0x02) as string[]).filter((e) => e !== 'credBlob'))) });
    expect(notPassing(noExt, true)).toEqual(Object.fromEntries(ids.map((id) => [id, 'skip: the credBlob extension is not offered in getInfo'])));
    const noRk = await runAgainst({ suites: ['cred-blob'], quirks: ['no-resident-keys'] });
    expect(notPassing(noRk, true)).toEqual(Object.fromEntries(ids.map((id) => [id, 'skip: discoverable credentials not offered (rk)'])));
  });

  it('should fail CREDBLOB-STORE-001 on an absent maxCredBlobLength, with what it expected, and take 32 for the oversize blob', async () => {
    const results = await runAgainst({ suites: ['cred-blob'], fault: rewriteResponse(0x04, (info) => info.delete(0x0f)), evidence: true });
    expect(Object.fromEntries(results)).toEqual({
      'CREDBLOB-STORE-001': { status: 'fail', message: 'getInfo maxCredBlobLength is absent; with credBlob it must be at least 32', expected: '>= 32', actual: 'undefined' },
      // a 33-byte blob: the simulator (32 at most) refuses it
      'CREDBLOB-OVERSIZE-001': { status: 'pass', message: 'as specified' },
      'CREDBLOB-NONE-001': { status: 'pass', message: 'as specified' },
    });
  });

  it('should pass CREDBLOB-STORE-001 with exactly 32 and fail it with 31', async () => {
    const at = (n: number) => runAgainst({ checks: ['CREDBLOB-STORE-001'], fault: rewriteResponse(0x04, (info) => info.set(0x0f, n)), evidence: true });
    expect((await at(32)).get('CREDBLOB-STORE-001')!.status).toBe('pass');
    expect((await at(31)).get('CREDBLOB-STORE-001')).toEqual({ status: 'fail', message: 'getInfo maxCredBlobLength is 31; with credBlob it must be at least 32', expected: '>= 32', actual: '31' });
  });

  it('should fail the makeCredential output checks when the output is missing or not a boolean', async () => {
    const missing = await runAgainst({ checks: ['CREDBLOB-STORE-001', 'CREDBLOB-OVERSIZE-001'], fault: editAuthData(MC, (a) => a.extensions?.delete('credBlob')) });
    expect(notPassing(missing)).toEqual({
      'CREDBLOB-STORE-001': 'fail: makeCredential credBlob output is missing for a 32-byte blob, expected true',
      'CREDBLOB-OVERSIZE-001': 'fail: makeCredential credBlob output is missing for a 33-byte blob, expected false',
    });
    const number = await runAgainst({ checks: ['CREDBLOB-STORE-001', 'CREDBLOB-OVERSIZE-001'], fault: editAuthData(MC, (a) => a.extensions?.has('credBlob') && a.extensions.set('credBlob', 1)) });
    expect(notPassing(number)).toEqual({
      'CREDBLOB-STORE-001': 'fail: makeCredential credBlob output is 1 for a 32-byte blob, expected true',
      'CREDBLOB-OVERSIZE-001': 'fail: makeCredential credBlob output is 1 for a 33-byte blob, expected false',
    });
  });

  it('should fail the read-back checks on a blob other than the one stored, or a non-empty one where none is', async () => {
    const threeBytes = editAuthData(GA, (a) => a.extensions?.has('credBlob') && a.extensions.set('credBlob', new Uint8Array(3)));
    const results = await runAgainst({ suites: ['cred-blob'], fault: threeBytes, evidence: true });
    expect(results.get('CREDBLOB-STORE-001')).toEqual({ status: 'fail', message: 'getAssertion returned a different credBlob', expected: expect.stringMatching(/^[0-9a-f]{64}$/), actual: '000000' });
    expect(notPassing(results)).toMatchObject({
      'CREDBLOB-OVERSIZE-001': 'fail: getAssertion credBlob is 3 bytes, expected an empty byte string',
      'CREDBLOB-NONE-001': 'fail: getAssertion credBlob is 3 bytes, expected an empty byte string',
    });
    const stripped = await runAgainst({ checks: ['CREDBLOB-STORE-001'], fault: stripExtensions(GA, 0x04, 'credBlob'), evidence: true });
    expect(stripped.get('CREDBLOB-STORE-001')).toMatchObject({ expected: expect.stringMatching(/^[0-9a-f]{64}$/), actual: 'undefined' });
  });

  it('should read every blob back silently (up false), without an allowList', async () => {
    const sent: CborMap[] = [];
    const results = await runAgainst({ suites: ['cred-blob'], fault: recordRequests(GA, sent) });
    expect(failed(results)).toEqual([]);
    expect(sent.map((p) => [(p.get(0x05) as CborMap).get('up'), p.has(0x03), (p.get(0x04) as CborMap).get('credBlob')])).toEqual([
      [false, false, true],
      [false, false, true],
      [false, false, true],
    ]);
  });

  it('should fail the read-back checks on a credBlob that is not a byte string', async () => {
    const asTrue = await runAgainst({ suites: ['cred-blob'], fault: editAuthData(GA, (a) => a.extensions?.has('credBlob') && a.extensions.set('credBlob', true)), evidence: true });
    expect(asTrue.get('CREDBLOB-STORE-001')).toMatchObject({ status: 'fail', message: 'getAssertion returned a different credBlob', actual: 'true' });
    expect(notPassing(asTrue)).toMatchObject({ 'CREDBLOB-NONE-001': 'fail: getAssertion credBlob is true (not a byte string), expected an empty byte string' });
    // an empty text string is not an empty byte string (§12.2)
    const emptyText = await runAgainst({ checks: ['CREDBLOB-OVERSIZE-001', 'CREDBLOB-NONE-001'], fault: editAuthData(GA, (a) => a.extensions?.has('credBlob') && a.extensions.set('credBlob', '')) });
    expect(notPassing(emptyText)).toEqual({
      'CREDBLOB-OVERSIZE-001': 'fail: getAssertion credBlob is "" (not a byte string), expected an empty byte string',
      'CREDBLOB-NONE-001': 'fail: getAssertion credBlob is "" (not a byte string), expected an empty byte string',
    });
  });

  it('should make each credential on the RP ID of its check, discoverable, with user verification', async () => {
    const sent: CborMap[] = [];
    await runAgainst({ checks: ['CREDBLOB-STORE-001', 'CREDBLOB-OVERSIZE-001'], fault: recordRequests(MC, sent) });
    expect(sent.map((p) => [(p.get(0x02) as CborMap).get('id'), (p.get(0x07) as CborMap).get('rk'), p.has(0x08), ((p.get(0x06) as CborMap).get('credBlob') as Uint8Array).length])).toEqual([
      ['credblob-store-001.fido-harness.test', true, true, 32],
      ['credblob-oversize-001.fido-harness.test', true, true, 33],
    ]);
  });
});

