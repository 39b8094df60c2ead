import { describe, expect, it } from 'vitest';
import { credProtectChecks } from '../../harness/suites/cred-protect/credProtectChecks.ts';
import { expectEveryCheckPasses, notPassing, rewriteRequest, runAgainst } from './faultyDevice.ts';

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
});
