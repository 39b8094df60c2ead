import { describe, expect, it } from 'vitest';
import { CtapStatus as S } from '../../harness/protocol/index.ts';
import { hmacSecretChecks } from '../../harness/suites/hmac-secret/hmacSecretChecks.ts';
import { expectEveryCheckPasses, failed, rewriteStatus, runAgainst, stripExtensions } from './faultyDevice.ts';

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
});
