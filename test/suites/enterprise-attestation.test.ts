import { describe, expect, it } from 'vitest';
import { CtapStatus as S } from '../../harness/protocol/index.ts';
import { enterpriseAttestationChecks } from '../../harness/suites/enterprise-attestation/enterpriseAttestationChecks.ts';
import { expectEveryCheckPasses, notPassing, type Fault, rewriteResponse, rewriteStatus, runAgainst } from './faultyDevice.ts';

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
    expect(notPassing(results, true)).toEqual(Object.fromEntries(ids.map((id) => [id, 'skip: ep option absent: the key has no enterprise attestation'])));
  });

  const toAnyRp = expect.stringMatching(/^fail: an RP that is not pre-configured \(unlisted-[0-9a-z]+\.ea-vendor-001\.fido-harness\.test\) got epAtt true with enterpriseAttestation 1$/);
  const cases: Array<[string, { fault?: Fault; quirks?: string[] }, Record<string, unknown>]> = [
    [
      'enterpriseAttestation 3 is refused with the wrong status',
      { fault: rewriteStatus(MC, S.CTAP2_ERR_INVALID_OPTION, S.CTAP1_ERR_OTHER) },
      { 'EA-VALUE-001': 'fail: makeCredential with enterpriseAttestation 3: expected 0x2c CTAP2_ERR_INVALID_OPTION, got 0x7f CTAP1_ERR_OTHER' },
    ],
    [
      'epAtt is never sent',
      { fault: rewriteResponse(MC, (b) => b.delete(0x04)) },
      { 'EA-PLATFORM-001': 'fail: epAtt is undefined for enterpriseAttestation 2', 'EA-VENDOR-002': 'fail: epAtt is undefined for the pre-configured RP enterprise.fido-harness.test' },
    ],
    ['vendor-facilitated EA goes to any RP', { quirks: ['ea-any-rp'] }, { 'EA-VENDOR-001': toAnyRp }],
    [
      'every attestation claims epAtt',
      { fault: rewriteResponse(MC, (b) => b.set(0x04, true)) },
      { 'EA-VENDOR-001': toAnyRp, 'EA-REGULAR-001': 'fail: epAtt true for enterprise.fido-harness.test although the request did not ask for enterprise attestation' },
    ],
  ];
  for (const [what, layer, expected] of cases) {
    it(`should fail ${Object.keys(expected).join(', ')} when ${what}`, async () => {
      const results = await runAgainst({ checks: Object.keys(expected), ...layer });
      expect(notPassing(results)).toEqual(expected);
    });
  }
});
