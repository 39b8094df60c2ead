import { describe, expect, it } from 'vitest';
import { credProtectChecks } from '../../harness/suites/cred-protect/credProtectChecks.ts';
import { CtapStatus as S, type CborMap } from '../../harness/protocol/index.ts';
import { acceptedBody } from './acceptedBody.ts';
import { editAuthData, expectEveryCheckPasses, type Fault, notPassing, recordRequests, rewriteRequest, rewriteResponse, rewriteStatus, runAgainst } from './faultyDevice.ts';

const GA = 0x02;

describe('cred-protect suite (CTAP 2.1 §12.1)', () => {
  it('should pass every check on the clean simulator', async () => {
    const results = await runAgainst({ suites: ['cred-protect'] });
    expectEveryCheckPasses(results, credProtectChecks.map((c) => c.id));
  });

  it('should fail the level, enforcement and credMgmt checks under cred-protect-ignored', async () => {
    const results = await runAgainst({ suites: ['cred-protect'], quirks: ['cred-protect-ignored'] });
    expect(notPassing(results)).toEqual({
      'CREDPROTECT-MC-001': 'fail: credProtect 2 requested; authData extensions credProtect is 1',
      'CREDPROTECT-L2-001': 'fail: getAssertion without allowList or UV: expected 0x2e CTAP2_ERR_NO_CREDENTIALS, got 0x00 CTAP2_OK',
      'CREDPROTECT-L3-001': 'fail: getAssertion with allowList, no UV: expected 0x2e CTAP2_ERR_NO_CREDENTIALS, got 0x00 CTAP2_OK',
      'CREDPROTECT-L3-003': 'fail: getAssertion with allowList, no UV: expected 0x2e CTAP2_ERR_NO_CREDENTIALS, got 0x00 CTAP2_OK',
      'CREDPROTECT-CM-001': expect.stringMatching(/^fail: credential [0-9a-f]{16}… listed with credProtect 1, made with 2$/),
    });
  });

  it('should fail the "found after UV" checks when the device does not count the PIN token as UV', async () => {
    const noUv = rewriteRequest(GA, (p) => {
      p.delete(0x06);
      p.delete(0x07);
    });
    const results = await runAgainst({ checks: ['CREDPROTECT-L2-003', 'CREDPROTECT-L3-002', 'CREDPROTECT-L3-003'], fault: noUv });
    const notFound = 'fail: getAssertion answered 0x2e CTAP2_ERR_NO_CREDENTIALS';
    expect(notPassing(results)).toEqual({ 'CREDPROTECT-L2-003': notFound, 'CREDPROTECT-L3-002': notFound, 'CREDPROTECT-L3-003': notFound });
  });

  it('should fail CREDPROTECT-L2-002 when an allowList does not reveal a level-2 credential', async () => {
    const results = await runAgainst({ checks: ['CREDPROTECT-L2-002'], fault: rewriteRequest(GA, (p) => p.delete(0x03)) });
    expect(notPassing(results)).toEqual({
      'CREDPROTECT-L2-002': 'fail: getAssertion with the credential in the allowList, no UV: expected 0x00 CTAP2_OK, got 0x2e CTAP2_ERR_NO_CREDENTIALS',
    });
  });

  it('should skip with a reason on a device without discoverable credentials', async () => {
    const results = await runAgainst({ suites: ['cred-protect'], quirks: ['no-resident-keys'] });
    const noRk = 'skip: discoverable credentials not offered (rk)';
    expect(notPassing(results, true)).toEqual(Object.fromEntries(['CREDPROTECT-L2-001', 'CREDPROTECT-L2-002', 'CREDPROTECT-L2-003', 'CREDPROTECT-L3-001', 'CREDPROTECT-L3-002', 'CREDPROTECT-CM-001'].map((id) => [id, noRk])));
  });

  const MC = 0x01;
  const CM = 0x0a;
  const ids = credProtectChecks.map((c) => c.id);
  /** Answers of getAssertion requests that carry a pinUvAuthParam (member 6): the user-verified ones. */
  const verifiedAnswers = (change: (body: CborMap) => void): Fault => rewriteResponse(GA, (b, p) => p?.has(0x06) && change(b));

  it('should skip every check with the reason on a key without credProtect', async () => {
    const results = await runAgainst({ suites: ['cred-protect'], fault: rewriteResponse(0x04, (b) => b.set(0x02, (b.get(0x02) as string[]).filter((e) => e !== 'credProtect'))) });
    expect(notPassing(results, true)).toEqual(Object.fromEntries(ids.map((id) => [id, 'skip: the credProtect extension is not offered in getInfo'])));
  });

  it('should name the pool credentials when making them fails', async () => {
    const results = await runAgainst({ checks: ['CREDPROTECT-MC-001'], fault: rewriteStatus(MC, S.CTAP2_OK, S.CTAP1_ERR_OTHER) });
    expect(notPassing(results)).toEqual({ 'CREDPROTECT-MC-001': 'fail: making the pool credential "credProtect": makeCredential answered 0x7f CTAP1_ERR_OTHER' });
  });

  it('should fail CREDPROTECT-MC-001 when the output is missing, with or without other extensions, saying what it expected', async () => {
    const none = await runAgainst({ checks: ['CREDPROTECT-MC-001'], fault: editAuthData(MC, (a) => delete a.extensions), evidence: true });
    expect(none.get('CREDPROTECT-MC-001')).toEqual({ status: 'fail', message: 'credProtect 1 requested; authData extensions credProtect is missing', expected: '1', actual: 'undefined' });
    const other = await runAgainst({ checks: ['CREDPROTECT-MC-001'], fault: editAuthData(MC, (a) => (a.extensions?.delete('credProtect'), a.extensions?.set('hmac-secret', true))) });
    expect(notPassing(other)).toEqual({ 'CREDPROTECT-MC-001': 'fail: credProtect 1 requested; authData extensions credProtect is missing' });
    const ignored = await runAgainst({ checks: ['CREDPROTECT-MC-001', 'CREDPROTECT-CM-001'], quirks: ['cred-protect-ignored'], evidence: true });
    expect(ignored.get('CREDPROTECT-MC-001')).toMatchObject({ expected: '2', actual: '1' });
    expect(ignored.get('CREDPROTECT-CM-001')).toMatchObject({ expected: '2', actual: '1' });
  });

  it('should fail the "found after UV" checks when another credential, or an assertion without UV, comes back', async () => {
    const checks = ['CREDPROTECT-L2-003', 'CREDPROTECT-L3-002'];
    const otherId = await runAgainst({ checks, fault: verifiedAnswers((b) => b.set(0x01, new Map<string, unknown>([...(b.get(0x01) as Map<string, unknown>), ['id', new Uint8Array(16)]]) as never)) });
    expect(notPassing(otherId)).toEqual({ 'CREDPROTECT-L2-003': 'fail: a different credential was returned', 'CREDPROTECT-L3-002': 'fail: a different credential was returned without allowList' });
    const uvClear = await runAgainst({ checks, fault: editAuthData(GA, (a, p) => p?.has(0x06) && (a.flags &= ~0x04)) });
    const clear = 'fail: UV flag clear in an assertion with pinUvAuthParam';
    expect(notPassing(uvClear)).toEqual({ 'CREDPROTECT-L2-003': clear, 'CREDPROTECT-L3-002': clear });
  });

  it('should fail CREDPROTECT-L3-001 when a level-3 credential is found without UV and without an allowList', async () => {
    // a well-formed assertion in place of the refusal, for requests without an allowList (member 3)
    const found: Fault = async (cmd, p, next) => {
      const a = await next(p);
      return cmd === GA && a.status === S.CTAP2_ERR_NO_CREDENTIALS && !p?.has(0x03) ? { status: 0, body: acceptedBody(GA) } : a;
    };
    const results = await runAgainst({ checks: ['CREDPROTECT-L3-001'], fault: found });
    expect(notPassing(results)).toEqual({ 'CREDPROTECT-L3-001': 'fail: getAssertion without allowList, no UV: expected 0x2e CTAP2_ERR_NO_CREDENTIALS, got 0x00 CTAP2_OK' });
  });

  it('should make the level 1-3 pool credentials discoverable on RP IDs of their own, and L3-003 its non-discoverable one, and assert silently', async () => {
    const made: CborMap[] = [];
    const asked: CborMap[] = [];
    const record = recordRequests(MC, made);
    const ga = recordRequests(GA, asked);
    const results = await runAgainst({ suites: ['cred-protect'], fault: (cmd, p, next) => record(cmd, p, (q) => ga(cmd, q, next)) });
    expect(notPassing(results)).toEqual({});
    expect(made.map((p) => [(p.get(0x02) as CborMap).get('id'), (p.get(0x07) as CborMap | undefined)?.get('rk'), (p.get(0x06) as CborMap).get('credProtect')])).toEqual([
      ['pool-credprotect-1.fido-harness.test', true, 1],
      ['pool-credprotect-2.fido-harness.test', true, 2],
      ['pool-credprotect-3.fido-harness.test', true, 3],
      ['credprotect-l3-003.fido-harness.test', undefined, 3],
    ]);
    expect(asked.length).toBeGreaterThanOrEqual(9);
    expect(asked.filter((p) => (p.get(0x05) as CborMap | undefined)?.get('up') !== false)).toEqual([]);
  });

  it('should fail CREDPROTECT-CM-001 when credential management cannot list, lists two, or lists another credential', async () => {
    const refused = await runAgainst({ checks: ['CREDPROTECT-CM-001'], fault: rewriteStatus(CM, S.CTAP2_OK, S.CTAP1_ERR_OTHER, (p) => p?.get(0x01) === 0x04) });
    expect(notPassing(refused)).toEqual({ 'CREDPROTECT-CM-001': 'fail: enumerateCredentials answered 0x7f CTAP1_ERR_OTHER' });
    // enumerateCredentialsBegin (0x04) claims two, getNext (0x05) repeats the first
    let first: CborMap | undefined;
    const twice: Fault = async (cmd, p, next) => {
      if (cmd === CM && p?.get(0x01) === 0x05 && first) return { status: 0, body: first };
      const a = await next(p);
      if (cmd === CM && p?.get(0x01) === 0x04 && a.body) {
        first = new Map(a.body);
        first.delete(0x09);
        a.body.set(0x09, 2);
      }
      return a;
    };
    expect(notPassing(await runAgainst({ checks: ['CREDPROTECT-CM-001'], fault: twice }))).toEqual({ 'CREDPROTECT-CM-001': 'fail: enumerateCredentials listed 2 credentials for an RP with one' });
    const unknown = rewriteResponse(CM, (b) => b.has(0x07) && b.set(0x07, new Map<string, unknown>([['id', new Uint8Array(16)], ['type', 'public-key']]) as never));
    expect(notPassing(await runAgainst({ checks: ['CREDPROTECT-CM-001'], fault: unknown }))).toEqual({ 'CREDPROTECT-CM-001': 'fail: an unknown credential 00000000000000000000000000000000 was listed' });
  });

  it('should skip CREDPROTECT-CM-001 with the reason on a key without credential management', async () => {
    const noCm = rewriteResponse(0x04, (b) => {
      const o = new Map(b.get(0x04) as Map<string, boolean>);
      o.delete('credMgmt');
      o.delete('credentialMgmtPreview');
      b.set(0x04, o);
    });
    expect((await runAgainst({ checks: ['CREDPROTECT-CM-001'], fault: noCm })).get('CREDPROTECT-CM-001')).toEqual({ status: 'skip', message: 'credential management not offered' });
  });
});

