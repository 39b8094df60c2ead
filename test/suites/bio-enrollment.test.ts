import { describe, expect, it } from 'vitest';
import { CtapStatus as S } from '../../harness/protocol/index.ts';
import { bioEnrollmentChecks } from '../../harness/suites/bio-enrollment/bioEnrollmentChecks.ts';
import { expectEveryCheckPasses, failed, type Fault, rewriteResponse, rewriteStatus, runAgainst, swallow } from './faultyDevice.ts';

const BIO = 0x09;
const sub = (n: number) => (p: Map<unknown, unknown> | undefined) => p?.get(0x02) === n;

describe('bio-enrollment suite (CTAP 2.1 §6.7, §6.5.5.7.3)', () => {
  it('should pass every check on the clean simulator', async () => {
    const results = await runAgainst({ suites: ['bio-enrollment'] });
    expectEveryCheckPasses(results, bioEnrollmentChecks.map((c) => c.id));
  });

  it('should skip every check with a reason on a key without a fingerprint sensor', async () => {
    const results = await runAgainst({ suites: ['bio-enrollment'], fingerprint: false });
    expect([...results.values()].every((r) => r.status === 'skip' && /bio enrollment not offered/.test(r.message))).toBe(true);
  });

  const cases: Array<[string, { fault?: Fault; quirks?: string[] }, string[]]> = [
    ['getModality answers another modality', { fault: rewriteResponse(BIO, (b, p) => p?.get(0x06) === true && b.set(0x01, 2)) }, ['BIO-MODALITY-001']],
    ['the sensor info has no fingerprintKind', { fault: rewriteResponse(BIO, (b) => b.delete(0x02)) }, ['BIO-SENSOR-001']],
    ['enrollment never completes', { quirks: ['bio-enroll-never-completes'] }, ['BIO-ENROLL-001', 'BIO-NAME-001', 'BIO-UV-001', 'BIO-UV-004']],
    ['getInfo keeps bioEnroll false', { fault: rewriteResponse(0x04, (b) => (b.get(0x04) as Map<string, boolean>).set('bioEnroll', false)) }, ['BIO-ENROLL-002']],
    ['a poor sample counts as good', { fault: rewriteResponse(BIO, (b) => b.has(0x05) && b.set(0x05, 0)) }, ['BIO-ENROLL-003']],
    ['a timeout is answered CTAP2_OK', { fault: rewriteStatus(BIO, S.CTAP2_ERR_USER_ACTION_TIMEOUT, S.CTAP2_OK) }, ['BIO-ENROLL-004']],
    ['cancel is ignored', { fault: swallow(BIO, sub(0x03)) }, ['BIO-CANCEL-001']],
    ['setFriendlyName does nothing', { fault: swallow(BIO, sub(0x05)) }, ['BIO-NAME-001']],
    ['removing an unknown template succeeds', { fault: rewriteStatus(BIO, S.CTAP2_ERR_INVALID_OPTION, S.CTAP2_OK) }, ['BIO-REMOVE-001']],
    ['bad tokens are accepted', { fault: rewriteStatus(BIO, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_OK) }, ['BIO-PERM-001', 'BIO-PERM-002']],
    ['UV matches any finger', { quirks: ['bio-uv-any-finger'] }, ['BIO-UV-002', 'BIO-UV-003']],
  ];
  for (const [what, layer, ids] of cases) {
    it(`should fail ${ids.join(', ')} when ${what}`, async () => {
      const results = await runAgainst({ checks: ids, ...layer });
      expect(failed(results).sort()).toEqual([...ids].sort());
    });
  }
});
