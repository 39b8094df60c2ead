import { describe, expect, it } from 'vitest';
import { credProtectChecks } from '../../harness/suites/cred-protect/credProtectChecks.ts';
import { expectEveryCheckPasses, failed, rewriteRequest, runAgainst } from './faultyDevice.ts';

const GA = 0x02;

describe('cred-protect suite (CTAP 2.1 §12.1)', () => {
  it('should pass every check on the clean simulator', async () => {
    const results = await runAgainst({ suites: ['cred-protect'] });
    expectEveryCheckPasses(results, credProtectChecks.map((c) => c.id));
  });

  it('should fail the level, enforcement and credMgmt checks under cred-protect-ignored', async () => {
    const results = await runAgainst({ suites: ['cred-protect'], quirks: ['cred-protect-ignored'] });
    expect(failed(results).sort()).toEqual(['CREDPROTECT-CM-001', 'CREDPROTECT-L2-001', 'CREDPROTECT-L3-001', 'CREDPROTECT-L3-003', 'CREDPROTECT-MC-001']);
  });

  it('should fail the "found after UV" checks when the device does not count the PIN token as UV', async () => {
    const noUv = rewriteRequest(GA, (p) => {
      p.delete(0x06);
      p.delete(0x07);
    });
    const results = await runAgainst({ checks: ['CREDPROTECT-L2-003', 'CREDPROTECT-L3-002', 'CREDPROTECT-L3-003'], fault: noUv });
    expect(failed(results).sort()).toEqual(['CREDPROTECT-L2-003', 'CREDPROTECT-L3-002', 'CREDPROTECT-L3-003']);
  });

  it('should fail CREDPROTECT-L2-002 when an allowList does not reveal a level-2 credential', async () => {
    const results = await runAgainst({ checks: ['CREDPROTECT-L2-002'], fault: rewriteRequest(GA, (p) => p.delete(0x03)) });
    expect(failed(results)).toEqual(['CREDPROTECT-L2-002']);
  });

  it('should skip with a reason on a device without discoverable credentials', async () => {
    const results = await runAgainst({ suites: ['cred-protect'], quirks: ['no-resident-keys'] });
    expect(failed(results)).toEqual([]);
    expect(results.get('CREDPROTECT-L2-001')!.message).toMatch(/rk/);
  });
});
