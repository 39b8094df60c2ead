import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHarness, runHarnessRaw } from './runHarness.ts';

const SIM_AAGUID = 'be7c888f-f407-45b9-bab1-f1e15cedc047';

function policyFile(policy: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'fido-harness-entra-')), 'policy.json');
  writeFileSync(file, JSON.stringify(policy));
  return file;
}

/** `run --entra-policy FILE`: the Graph policy decides the Entra verdict, and the report says how to allow the key. */
describe('run --entra-policy', () => {
  it('should report blocked for a legacy block list naming the AAGUID, and suggest a PATCH that allows it', async () => {
    const file = policyFile({
      '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration',
      id: 'Fido2',
      state: 'enabled',
      includeTargets: [{ id: 'all_users', targetType: 'group' }],
      isAttestationEnforced: false,
      keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [SIM_AAGUID] },
      someFutureMember: { kept: true },
    });
    const { report, code, stdout } = await runHarness(['--entra-policy', file]);
    expect(code).toBe(0); // the checks all pass; the policy verdict is information for the admin
    expect(stdout).toContain('EN-KEY-RESTRICTIONS');
    expect(stdout).toContain('To allow it, PATCH /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2 with:');
    expect(report.entra?.verdict).toBe('blocked');
    expect(report.entra?.policySource).toBe('file');
    expect(report.entra?.reasons.find((r) => r.id === 'EN-KEY-RESTRICTIONS')?.status).toBe('fail');
    expect(JSON.stringify(report.entra?.suggestedPolicy)).not.toContain(SIM_AAGUID);
  }, 60_000);

  it('should report allowed for an allow list naming the AAGUID with attestation enforced', async () => {
    const file = policyFile({
      state: 'enabled',
      includeTargets: [{ id: 'all_users', targetType: 'group' }],
      isAttestationEnforced: true,
      keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [SIM_AAGUID] },
    });
    const { report } = await runHarness(['--entra-policy', file]);
    expect(report.entra?.verdict).toBe('allowed');
  }, 60_000);

  it('should refuse a policy with wrong types (exit 2)', async () => {
    const file = policyFile({ state: 'enabled', includeTargets: [], keyRestrictions: { isEnforced: 'yes' } });
    const { code, stdout, stderr } = await runHarnessRaw(['--entra-policy', file, '--suite', 'getinfo']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^fido-harness run: --entra-policy .*keyRestrictions/);
    expect(stdout).toBe(''); // refused before any check ran
  });
});
