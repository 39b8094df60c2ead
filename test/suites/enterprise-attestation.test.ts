import { describe, expect, it } from 'vitest';
import { CtapStatus as S } from '../../harness/protocol/index.ts';
import { enterpriseAttestationChecks } from '../../harness/suites/enterprise-attestation/enterpriseAttestationChecks.ts';
import { expectEveryCheckPasses, failed, type Fault, rewriteResponse, rewriteStatus, runAgainst } from './faultyDevice.ts';

const MC = 0x01;
const ids = enterpriseAttestationChecks.map((c) => c.id);

describe('enterprise-attestation suite (CTAP 2.1 §7.1, §6.1.2 step 9, §6.11.1)', () => {
  it('should pass every check on the clean simulator', async () => {
    const results = await runAgainst({ suites: ['enterprise-attestation'] });
    expectEveryCheckPasses(results, ids);
  });

  it('should skip every check with a reason on a key without enterprise attestation (no ep option)', async () => {
    const noEp = rewriteResponse(0x04, (b) => (b.get(0x04) as Map<string, boolean>).delete('ep'));
    const results = await runAgainst({ suites: ['enterprise-attestation'], fault: noEp });
    expect([...results.values()].every((r) => r.status === 'skip' && /no enterprise attestation/.test(r.message))).toBe(true);
  });

  const cases: Array<[string, { fault?: Fault; quirks?: string[] }, string[]]> = [
    ['enterpriseAttestation 3 is accepted', { fault: rewriteStatus(MC, S.CTAP2_ERR_INVALID_OPTION, S.CTAP1_ERR_OTHER) }, ['EA-VALUE-001']],
    ['epAtt is never sent', { fault: rewriteResponse(MC, (b) => b.delete(0x04)) }, ['EA-PLATFORM-001', 'EA-VENDOR-002']],
    ['vendor-facilitated EA goes to any RP', { quirks: ['ea-any-rp'] }, ['EA-VENDOR-001']],
    ['every attestation claims epAtt', { fault: rewriteResponse(MC, (b) => b.set(0x04, true)) }, ['EA-VENDOR-001', 'EA-REGULAR-001']],
  ];
  for (const [what, layer, checks] of cases) {
    it(`should fail ${checks.join(', ')} when ${what}`, async () => {
      const results = await runAgainst({ checks, ...layer });
      expect(failed(results).sort()).toEqual([...checks].sort());
    });
  }
});
