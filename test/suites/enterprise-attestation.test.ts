import { describe, expect, it } from 'vitest';
import { CtapStatus as S } from '../../harness/protocol/index.ts';
import { enterpriseAttestationChecks } from '../../harness/suites/enterprise-attestation/enterpriseAttestationChecks.ts';
import type { CborMap } from '../../harness/protocol/index.ts';
import { expectEveryCheckPasses, notPassing, type Fault, recordRequests, rewriteResponse, rewriteStatus, runAgainst } from './faultyDevice.ts';

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
      'the attestation is signed over another RP ID hash',
      { quirks: ['wrong-rpid-hash'] },
      { 'EA-PLATFORM-001': 'fail: the enterprise attestation does not verify: ATT_RP_ID_MISMATCH: authData.rpIdHash is not SHA-256("ea-platform-001.fido-harness.test") (§7.1 step 13)' },
    ],
    [
      'the attestation signature is wrong',
      { quirks: ['bad-attestation-signature'] },
      { 'EA-PLATFORM-001': 'fail: the enterprise attestation does not verify: ATT_SIGNATURE_INVALID: packed signature (ES256) does not verify with the x5c leaf' },
    ],
    [
      'the enterprise attestation has format none',
      { fault: rewriteResponse(MC, (b) => (b.set(0x01, 'none'), b.set(0x03, new Map()))) },
      { 'EA-PLATFORM-001': 'fail: the enterprise attestation has format none' },
    ],
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

  it('should skip EA-VENDOR-002, saying why, when the key\'s pre-configured RP IDs are not known, and judge EA-REGULAR-001 on an RP of its own', async () => {
    for (const enterpriseRpIds of [[], null]) {
      const unknown = await runAgainst({ suites: ['enterprise-attestation'], enterpriseRpIds });
      expect(notPassing(unknown, true)).toEqual({ 'EA-VENDOR-002': "skip: the key's pre-configured enterprise RP IDs are not known to the harness (the simulator's are)" });
      const everyEpAtt = await runAgainst({ checks: ['EA-REGULAR-001'], enterpriseRpIds, fault: rewriteResponse(MC, (b) => b.set(0x04, true)) });
      expect(notPassing(everyEpAtt)).toEqual({ 'EA-REGULAR-001': 'fail: epAtt true for ea-regular-001.fido-harness.test although the request did not ask for enterprise attestation' });
    }
  });

  it('should enable enterprise attestation once for the whole area (it stays on), with the subcommand of §6.11.1', async () => {
    const sent: CborMap[] = [];
    const results = await runAgainst({ suites: ['enterprise-attestation'], fault: recordRequests(0x0d, sent) });
    expect(notPassing(results)).toEqual({});
    expect(sent.map((p) => p.get(0x01))).toEqual([0x01]);
  });

  it('should ask each check\'s enterpriseAttestation value of the RP it names', async () => {
    const sent: CborMap[] = [];
    await runAgainst({ suites: ['enterprise-attestation'], fault: recordRequests(MC, sent) });
    // the pool and PIN set-up make no credential here: every makeCredential is a check's
    expect(sent.map((p) => [(p.get(0x02) as CborMap).get('id'), p.get(0x0a)])).toEqual([
      ['ea-value-001.fido-harness.test', 3],
      ['ea-platform-001.fido-harness.test', 2],
      [expect.stringMatching(/^unlisted-[0-9a-z]+\.ea-vendor-001\.fido-harness\.test$/), 1],
      ['enterprise.fido-harness.test', 1],
      ['enterprise.fido-harness.test', undefined],
    ]);
  });

  it('should fail, naming enableEnterpriseAttestation, when the key refuses to enable it', async () => {
    const results = await runAgainst({ checks: ['EA-VALUE-001'], fault: rewriteStatus(0x0d, S.CTAP2_OK, S.CTAP1_ERR_OTHER, (p) => p?.get(0x01) === 0x01) });
    expect(notPassing(results)).toEqual({ 'EA-VALUE-001': 'fail: enableEnterpriseAttestation: expected 0x00 CTAP2_OK, got 0x7f CTAP1_ERR_OTHER' });
  });

  it('should skip every check, saying why, when getInfo has no options at all', async () => {
    const results = await runAgainst({ suites: ['enterprise-attestation'], fault: rewriteResponse(0x04, (b) => b.delete(0x04)) });
    expect(notPassing(results, true)).toEqual(Object.fromEntries(ids.map((id) => [id, 'skip: ep option absent: the key has no enterprise attestation'])));
  });
});

