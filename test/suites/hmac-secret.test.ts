import { describe, expect, it } from 'vitest';
import { CtapStatus as S, type CborMap, type CborValue } from '../../harness/protocol/index.ts';
import { hmacSecretChecks } from '../../harness/suites/hmac-secret/hmacSecretChecks.ts';
import { acceptInstead, editAuthData, expectEveryCheckPasses, expectFailures, failed, type Fault, recordRequests, rewriteResponse, rewriteStatus, runAgainst, stripExtensions } from './faultyDevice.ts';

const GA = 0x02;
const MC = 0x01;
const all = hmacSecretChecks.map((c) => c.id);

describe('hmac-secret suite (CTAP 2.1 §12.5)', () => {
  it('should pass every check on the clean simulator', async () => {
    const results = await runAgainst({ suites: ['hmac-secret'] });
    expectEveryCheckPasses(results, all);
    expect(all).toEqual(expect.arrayContaining(['HMAC-SUPPORT-001', 'HMAC-STABLE-001', 'HMAC-UVSPLIT-001']));
  });

  it('should fail HMAC-SUPPORT-001 (and skip the rest with a reason) under no-hmac-secret', async () => {
    const results = await runAgainst({ suites: ['hmac-secret'], quirks: ['no-hmac-secret'] });
    expect(failed(results)).toEqual(['HMAC-SUPPORT-001']);
    for (const id of all.filter((i) => i !== 'HMAC-SUPPORT-001')) {
      expect(results.get(id)!.status).toBe('skip');
      expect(results.get(id)!.message).toMatch(/hmac-secret/);
    }
  });

  it('should fail HMAC-UVSPLIT-001 alone under hmac-secret-no-uv-split', async () => {
    const results = await runAgainst({ suites: ['hmac-secret'], quirks: ['hmac-secret-no-uv-split'] });
    expect(failed(results)).toEqual(['HMAC-UVSPLIT-001']);
    expect(results.get('HMAC-UVSPLIT-001')!.message).toMatch(/equals the output without UV/);
  });

  it('should fail the output checks when the device ignores the hmac-secret input', async () => {
    const checks = ['HMAC-GA-001', 'HMAC-GA-002', 'HMAC-GA-003', 'HMAC-GA-004', 'HMAC-STABLE-001', 'HMAC-STABLE-002', 'HMAC-UVSPLIT-001'];
    const results = await runAgainst({ checks, fault: stripExtensions(GA, 0x04, 'hmac-secret') });
    expect(failed(results).sort()).toEqual([...checks].sort());
  });

  it('should fail HMAC-MC-001 when makeCredential ignores hmac-secret: true', async () => {
    const results = await runAgainst({ checks: ['HMAC-MC-001'], fault: stripExtensions(MC, 0x06, 'hmac-secret') });
    expect(failed(results)).toEqual(['HMAC-MC-001']);
  });

  it('should fail HMAC-SALTAUTH-001 when a bad saltAuth is accepted', async () => {
    const results = await runAgainst({ checks: ['HMAC-SALTAUTH-001'], fault: rewriteStatus(GA, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_OK) });
    expect(failed(results)).toEqual(['HMAC-SALTAUTH-001']);
  });

  it('should fail HMAC-SALT-001/002 when 48 bytes of salt are accepted, and HMAC-SALT-002 alone for another error code', async () => {
    const accepted = await runAgainst({ checks: ['HMAC-SALT-001', 'HMAC-SALT-002'], fault: rewriteStatus(GA, S.CTAP1_ERR_INVALID_PARAMETER, S.CTAP2_OK) });
    expect(failed(accepted).sort()).toEqual(['HMAC-SALT-001', 'HMAC-SALT-002']);
    const otherCode = await runAgainst({ checks: ['HMAC-SALT-001', 'HMAC-SALT-002'], fault: rewriteStatus(GA, S.CTAP1_ERR_INVALID_PARAMETER, S.CTAP1_ERR_INVALID_LENGTH) });
    expect(failed(otherCode)).toEqual(['HMAC-SALT-002']);
  });

  it('should fail HMAC-PARAM-001 when an input without saltAuth is accepted', async () => {
    const results = await runAgainst({ checks: ['HMAC-PARAM-001'], fault: rewriteStatus(GA, S.CTAP2_ERR_MISSING_PARAMETER, S.CTAP2_OK) });
    expect(failed(results)).toEqual(['HMAC-PARAM-001']);
  });

  it('should fail the checks that compare outputs on a key that ignores salt2, or every salt, or draws CredRandom anew for every assertion', async () => {
    const salt2 = await runAgainst({ checks: ['HMAC-GA-002', 'HMAC-GA-004'], quirks: ['hmac-secret-salt2-ignored'] });
    expectFailures(salt2, { 'HMAC-GA-002': 'output1 equals output2 for two different salts', 'HMAC-GA-004': 'output1 equals output2 for two different salts' });
    const saltless = await runAgainst({ checks: ['HMAC-GA-001', 'HMAC-GA-002', 'HMAC-GA-003', 'HMAC-GA-004', 'HMAC-STABLE-001', 'HMAC-STABLE-002', 'HMAC-UVSPLIT-001'], quirks: ['hmac-secret-salt-ignored'] });
    expectFailures(saltless, {
      'HMAC-GA-002': 'output1 equals output2 for two different salts',
      'HMAC-GA-004': 'output1 equals output2 for two different salts',
      'HMAC-STABLE-001': 'a different salt gave the same output',
    });
    const fresh = await runAgainst({ checks: ['HMAC-GA-001', 'HMAC-GA-002', 'HMAC-GA-004', 'HMAC-STABLE-001', 'HMAC-STABLE-002', 'HMAC-UVSPLIT-001'], quirks: ['hmac-secret-fresh-credrandom'] });
    expectFailures(fresh, {
      'HMAC-GA-002': 'output1 with salt1 alone differs from output1 with salt1 and salt2',
      'HMAC-GA-004': 'output1 with salt1 alone differs from output1 with salt1 and salt2',
      'HMAC-STABLE-001': 'the output for one salt changed between assertions',
      'HMAC-STABLE-002': 'protocol 1 and protocol 2 give different outputs for one salt',
      'HMAC-UVSPLIT-001': 'the output with UV is not stable across assertions',
    });
  });

  it('should fail on what the device answers in place of the output', async () => {
    const checks = ['HMAC-GA-001', 'HMAC-GA-003'];
    const notBytes = await runAgainst({ checks, fault: editGaExtension((v) => (v instanceof Uint8Array ? true : v)) });
    expectFailures(notBytes, Object.fromEntries(checks.map((id) => [id, 'authenticatorData extensions have no hmac-secret byte string (got boolean)'])));
    const none = await runAgainst({ checks: ['HMAC-GA-001'], fault: editGaExtension(() => undefined) });
    expectFailures(none, { 'HMAC-GA-001': 'authenticatorData extensions have no hmac-secret byte string (got none)' });
    const cut = await runAgainst({ checks, fault: editGaExtension((v) => (v instanceof Uint8Array ? v.subarray(16) : v)) });
    expectFailures(cut, { 'HMAC-GA-001': 'hmac-secret output is 16 bytes; protocol 1 with one salt gives 32', 'HMAC-GA-003': 'hmac-secret output is 32 bytes; protocol 2 with one salt gives 48' });
    const cutTwo = await runAgainst({ checks: ['HMAC-GA-002', 'HMAC-GA-004'], fault: editGaExtension((v) => (v instanceof Uint8Array ? v.subarray(16) : v)) });
    expectFailures(cutTwo, { 'HMAC-GA-002': 'hmac-secret output is 48 bytes; protocol 1 with two salts gives 64', 'HMAC-GA-004': 'hmac-secret output is 64 bytes; protocol 2 with two salts gives 80' });
    const refused = await runAgainst({ checks: ['HMAC-GA-001'], fault: rewriteStatus(GA, S.CTAP2_OK, S.CTAP1_ERR_OTHER) });
    expectFailures(refused, { 'HMAC-GA-001': 'getAssertion with hmac-secret: expected 0x00 CTAP2_OK, got 0x7f CTAP1_ERR_OTHER' });
  });

  it('should fail HMAC-UVSPLIT-001 on UV flags that say otherwise, and HMAC-MC-001 on an output other than true', async () => {
    // pinUvAuthParam is getAssertion member 6
    const uvSet = await runAgainst({ checks: ['HMAC-UVSPLIT-001'], fault: editGaFlags((flags, p) => (p?.has(6) ? flags : flags | 0x04)) });
    expectFailures(uvSet, { 'HMAC-UVSPLIT-001': 'the assertion without pinUvAuthParam has the UV flag set' });
    const uvClear = await runAgainst({ checks: ['HMAC-UVSPLIT-001'], fault: editGaFlags((flags, p) => (p?.has(6) ? flags & ~0x04 : flags)) });
    expectFailures(uvClear, { 'HMAC-UVSPLIT-001': 'the assertion with pinUvAuthParam has the UV flag clear' });
    const mcFalse = await runAgainst({ checks: ['HMAC-MC-001'], fault: editAuthData(MC, (a) => a.extensions?.set('hmac-secret', false)) });
    expectFailures(mcFalse, { 'HMAC-MC-001': 'authData extensions hmac-secret is false, expected true' });
    const mcMissing = await runAgainst({ checks: ['HMAC-MC-001'], fault: editAuthData(MC, (a) => (a.extensions?.delete('hmac-secret'), a.extensions?.set('credProtect', 1))) });
    expectFailures(mcMissing, { 'HMAC-MC-001': 'authData extensions hmac-secret is missing, expected true' });
  });

  it('should fail the refusal checks on a key that accepts, with a well-formed assertion', async () => {
    expectFailures(await runAgainst({ checks: ['HMAC-SALTAUTH-001'], fault: acceptInstead(GA, S.CTAP2_ERR_PIN_AUTH_INVALID) }), {
      'HMAC-SALTAUTH-001': 'getAssertion with a flipped saltAuth bit: expected 0x33 CTAP2_ERR_PIN_AUTH_INVALID, got 0x00 CTAP2_OK',
    });
    expectFailures(await runAgainst({ checks: ['HMAC-SALT-001', 'HMAC-SALT-002'], fault: acceptInstead(GA, S.CTAP1_ERR_INVALID_PARAMETER) }), {
      'HMAC-SALT-001': 'getAssertion with 48 bytes of salt succeeded',
      'HMAC-SALT-002': 'getAssertion with 48 bytes of salt: expected 0x02 CTAP1_ERR_INVALID_PARAMETER, got 0x00 CTAP2_OK',
    });
    expectFailures(await runAgainst({ checks: ['HMAC-PARAM-001'], fault: acceptInstead(GA, S.CTAP2_ERR_MISSING_PARAMETER) }), {
      'HMAC-PARAM-001': 'getAssertion with hmac-secret lacking saltAuth: expected 0x14 CTAP2_ERR_MISSING_PARAMETER or 0x02 CTAP1_ERR_INVALID_PARAMETER or 0x33 CTAP2_ERR_PIN_AUTH_INVALID, got 0x00 CTAP2_OK',
    });
    // the other refusals the check allows pass
    for (const other of [S.CTAP1_ERR_INVALID_PARAMETER, S.CTAP2_ERR_PIN_AUTH_INVALID]) {
      expect((await runAgainst({ checks: ['HMAC-PARAM-001'], fault: rewriteStatus(GA, S.CTAP2_ERR_MISSING_PARAMETER, other) })).get('HMAC-PARAM-001')!.status).toBe('pass');
    }
  });

  it('should skip HMAC-STABLE-002 on a key with one PIN/UV auth protocol, and every check but SUPPORT-001 without hmac-secret', async () => {
    const one = await runAgainst({ checks: ['HMAC-STABLE-002'], fault: rewriteResponse(0x04, (b) => b.set(0x06, [2])) });
    expect(one.get('HMAC-STABLE-002')).toEqual({ status: 'skip', message: 'needs PIN/UV auth protocols 1 and 2' });
    expect((await runAgainst({ checks: ['HMAC-SUPPORT-001'], quirks: ['no-hmac-secret'] })).get('HMAC-SUPPORT-001')!.message).toBe(
      'getInfo extensions ["credProtect","credBlob","largeBlobKey","minPinLength","thirdPartyPayment"] have no "hmac-secret"',
    );
  });
});

const HEX32 = /^[0-9a-f]{64}$/;

describe('hmac-secret suite: evidence, requests and the ways a device fails', () => {
  it('should name the pool credential when making it fails', async () => {
    const results = await runAgainst({ checks: ['HMAC-MC-001'], fault: rewriteStatus(MC, S.CTAP2_OK, S.CTAP1_ERR_OTHER) });
    expectFailures(results, { 'HMAC-MC-001': 'making the pool credential "hmacSecret": makeCredential answered 0x7f CTAP1_ERR_OTHER' });
  });

  it('should fail an output check, naming getKeyAgreement, when the key agreement for the input is refused', async () => {
    // the pool credential is made first (its PIN token needs a key agreement); from then on getKeyAgreement fails
    let made = false;
    const fault: Fault = async (cmd, p, next) => {
      if (cmd === 0x06 && p?.get(0x02) === 0x02 && made) return { status: S.CTAP1_ERR_OTHER };
      const a = await next(p);
      if (cmd === MC && a.status === S.CTAP2_OK) made = true;
      return a;
    };
    expectFailures(await runAgainst({ checks: ['HMAC-GA-001'], fault }), { 'HMAC-GA-001': 'getKeyAgreement answered 0x7f CTAP1_ERR_OTHER' });
  });

  it('should fail on the ED flag when authenticatorData carries no extensions at all', async () => {
    const noGaExtensions = await runAgainst({ checks: ['HMAC-GA-001'], fault: editAuthData(GA, (a) => delete a.extensions) });
    expectFailures(noGaExtensions, { 'HMAC-GA-001': 'the ED flag is clear: no extension outputs in authenticatorData' });
    const noMcExtensions = await runAgainst({ checks: ['HMAC-MC-001'], fault: editAuthData(MC, (a) => delete a.extensions) });
    expectFailures(noMcExtensions, { 'HMAC-MC-001': 'the ED flag is clear: no extension outputs' });
  });

  it('should skip HMAC-STABLE-002 when getInfo names no PIN/UV auth protocols', async () => {
    const r = await runAgainst({ checks: ['HMAC-STABLE-002'], fault: rewriteResponse(0x04, (b) => b.delete(0x06)) });
    expect(r.get('HMAC-STABLE-002')).toEqual({ status: 'skip', message: 'needs PIN/UV auth protocols 1 and 2' });
  });

  it('should give the expected and seen values of a failed comparison', async () => {
    const missing = await runAgainst({ checks: ['HMAC-SUPPORT-001'], quirks: ['no-hmac-secret'], evidence: true });
    expect(missing.get('HMAC-SUPPORT-001')).toMatchObject({ expected: 'hmac-secret', actual: '["credProtect","credBlob","largeBlobKey","minPinLength","thirdPartyPayment"]' });
    const cut = await runAgainst({ checks: ['HMAC-GA-001'], fault: editGaExtension((v) => (v instanceof Uint8Array ? v.subarray(16) : v)), evidence: true });
    expect(cut.get('HMAC-GA-001')).toMatchObject({ status: 'fail', expected: '32', actual: '16' });
    const fresh = await runAgainst({ checks: ['HMAC-GA-002', 'HMAC-STABLE-001', 'HMAC-STABLE-002', 'HMAC-UVSPLIT-001'], quirks: ['hmac-secret-fresh-credrandom'], evidence: true });
    for (const id of ['HMAC-GA-002', 'HMAC-STABLE-001', 'HMAC-STABLE-002', 'HMAC-UVSPLIT-001']) {
      const r = fresh.get(id)!;
      expect(r.status, id).toBe('fail');
      expect(r.expected, id).toMatch(HEX32);
      expect(r.actual, id).toMatch(HEX32);
      expect(r.actual, id).not.toBe(r.expected);
    }
    const noSplit = await runAgainst({ checks: ['HMAC-UVSPLIT-001'], quirks: ['hmac-secret-no-uv-split'], evidence: true });
    expect(noSplit.get('HMAC-UVSPLIT-001')!.actual).toMatch(HEX32);
  });

  // What each check asks, assertion by assertion: the PIN/UV auth protocol of the hmac-secret input ('d' = the
  // key's first listed protocol) and whether a pinUvAuthParam (UV) goes with it. Every assertion is silent.
  const asked: Array<[string, string[]]> = [
    ['HMAC-GA-001', ['1']],
    ['HMAC-GA-002', ['1', '1']],
    ['HMAC-GA-003', ['2']],
    ['HMAC-GA-004', ['2', '2']],
    ['HMAC-STABLE-001', ['d', 'd', 'd']],
    ['HMAC-STABLE-002', ['1', '2']],
    ['HMAC-UVSPLIT-001', ['d', 'd uv', 'd uv']],
    ['HMAC-SALTAUTH-001', ['d']],
    ['HMAC-SALT-001', ['d']],
    ['HMAC-SALT-002', ['2']],
    ['HMAC-PARAM-001', ['d']],
  ];
  it('should list every check that sends an hmac-secret input', () => {
    expect(asked.map(([id]) => id).sort()).toEqual(all.filter((id) => id !== 'HMAC-SUPPORT-001' && id !== 'HMAC-MC-001').sort());
  });
  for (const order of [[2, 1], [1, 2]]) {
    for (const [id, want] of asked) {
      it(`${id} sends silent assertions over the protocols it names (key listing protocols ${order.join(', ')})`, async () => {
        const sent: CborMap[] = [];
        const listing: Fault = rewriteResponse(0x04, (b) => b.set(0x06, order));
        const record = recordRequests(GA, sent);
        const results = await runAgainst({ checks: [id], fault: (cmd, p, next) => record(cmd, p, (q) => listing(cmd, q, next)) });
        expect(results.get(id)!.status).toBe('pass');
        const seen = sent.map((p) => {
          const input = (p.get(0x04) as CborMap).get('hmac-secret') as CborMap;
          expect((p.get(0x05) as CborMap).get('up'), `${id} options.up`).toBe(false);
          return `${input.get(4) ?? 1}${p.has(0x06) ? ' uv' : ''}`;
        });
        expect(seen).toEqual(want.map((w) => w.replace('d', String(order[0]))));
      });
    }
  }
});

/** Replaces the hmac-secret output of getAssertion answers (undefined removes it, ED kept set by another member). */
const editGaExtension = (change: (v: CborValue | undefined) => CborValue | undefined): Fault =>
  editAuthData(GA, (a) => {
    const v = change(a.extensions?.get('hmac-secret'));
    if (v === undefined) {
      a.extensions?.delete('hmac-secret');
      a.extensions?.set('credProtect', 1);
    } else a.extensions?.set('hmac-secret', v);
  });

const editGaFlags = (change: (flags: number, params: CborMap | undefined) => number): Fault => editAuthData(GA, (a, p) => (a.flags = change(a.flags, p)));
