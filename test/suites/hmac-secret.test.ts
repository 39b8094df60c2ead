import { describe, expect, it } from 'vitest';
import { buildAuthenticatorData, CtapStatus as S, parseAuthenticatorData, type CborMap, type CborValue } from '../../harness/protocol/index.ts';
import { hmacSecretChecks } from '../../harness/suites/hmac-secret/hmacSecretChecks.ts';
import { acceptInstead, expectEveryCheckPasses, expectFailures, failed, type Fault, rewriteResponse, rewriteStatus, runAgainst, stripExtensions } from './faultyDevice.ts';

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

  it('should fail the checks that compare outputs on a key that ignores salt2, or draws CredRandom anew for every assertion', async () => {
    const salt2 = await runAgainst({ checks: ['HMAC-GA-002', 'HMAC-GA-004'], quirks: ['hmac-secret-salt2-ignored'] });
    expectFailures(salt2, { 'HMAC-GA-002': 'output1 equals output2 for two different salts', 'HMAC-GA-004': 'output1 equals output2 for two different salts' });
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

/** Rewrites the authenticatorData (member 2) of `command`'s answers. */
function editAuthData(command: number, edit: (a: { flags: number; extensions?: CborMap }, params: CborMap | undefined) => void): Fault {
  return rewriteResponse(command, (body, params) => {
    const raw = body.get(2);
    if (!(raw instanceof Uint8Array)) return;
    const a = parseAuthenticatorData(raw);
    const changed: { flags: number; extensions?: CborMap } = { flags: a.flags, ...(a.extensions ? { extensions: new Map(a.extensions) } : {}) };
    edit(changed, params);
    body.set(
      2,
      buildAuthenticatorData({
        rpIdHash: a.rpIdHash,
        flags: changed.flags,
        signCount: a.signCount,
        ...(a.attestedCredentialData ? { attestedCredentialData: a.attestedCredentialData } : {}),
        ...(changed.extensions ? { extensions: changed.extensions } : {}),
      }),
    );
  });
}

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
