import { describe, expect, it } from 'vitest';
import { EntraPolicyError, evaluateEntra, parseEntraPolicy, type EntraPolicy } from '../../harness/compat/index.ts';
import { simCompatInput } from './compatFixtures.ts';

const SIM = 'be7c888f-f407-45b9-bab1-f1e15cedc047';
const OTHER = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';

/** the sim's getInfo with its extensions listed (buildInfo omits them today; Entra does not read them except credProtect) */
async function sim(quirks: string[] = []) {
  return (await simCompatInput(quirks)).input;
}

const legacy = (extra: Partial<EntraPolicy>): EntraPolicy =>
  parseEntraPolicy({ '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration', id: 'Fido2', state: 'enabled', isAttestationEnforced: false, ...extra });

const profiles = (list: unknown[], allowed: string[] | Record<string, string[]>): EntraPolicy =>
  parseEntraPolicy({
    id: 'Fido2',
    state: 'enabled',
    includeTargets: Array.isArray(allowed)
      ? [{ id: 'all_users', targetType: 'group', allowedPasskeyProfiles: allowed }]
      : Object.entries(allowed).map(([id, p]) => ({ id, targetType: 'group', allowedPasskeyProfiles: p })),
    passkeyProfiles: list,
  });

const reason = (ev: ReturnType<typeof evaluateEntra>, id: string) => ev.reasons.filter((r) => r.id === id);

describe('Entra policy parsing', () => {
  it('should accept unknown members (forward compatible) and keep them', () => {
    const p = parseEntraPolicy({ isAttestationEnforced: true, futureMember: { a: 1 }, passkeyProfiles: [{ id: 'p', somethingNew: true }] });
    expect((p as Record<string, unknown>).futureMember).toEqual({ a: 1 });
    expect(p.passkeyProfiles?.[0]).toMatchObject({ id: 'p', somethingNew: true });
  });

  it.each([
    [{ isAttestationEnforced: 'yes' }, '/isAttestationEnforced'],
    [{ keyRestrictions: { isEnforced: true, aaGuids: 'x' } }, '/keyRestrictions/aaGuids'],
    [{ passkeyProfiles: [{ id: 'p', keyRestrictions: { aaGuids: [5] } }] }, '/passkeyProfiles/0/keyRestrictions/aaGuids/0'],
    [{ includeTargets: [{ id: 'g', allowedPasskeyProfiles: [1] }] }, '/includeTargets/0/allowedPasskeyProfiles/0'],
    [[], ''],
  ])('should refuse wrong types with the first violation (%j)', (policy, path) => {
    let error: unknown;
    try {
      parseEntraPolicy(policy);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EntraPolicyError);
    expect((error as EntraPolicyError).code).toBe('ENTRA_POLICY_INVALID');
    expect((error as EntraPolicyError).path).toBe(path);
  });

  it('should refuse text that is not JSON with ENTRA_POLICY_NOT_JSON', () => {
    expect(() => parseEntraPolicy('{nope')).toThrow(expect.objectContaining({ code: 'ENTRA_POLICY_NOT_JSON' }));
  });
});

describe('Entra evaluation, no policy', () => {
  it("should evaluate the simulator against Entra's defaults and against attestation enforced", async () => {
    const ev = evaluateEntra(await sim());
    expect(ev.policySource).toBe('default');
    expect(ev.scenarios?.map((s) => [s.name, s.verdict])).toEqual([
      ["Entra's defaults", 'allowed'],
      ['attestation enforced', 'allowed'],
    ]);
    expect(ev.verdict).toBe('allowed');
    expect(ev.authenticationMethod).toEqual({ aaGuid: SIM, model: 'fido-harness simulator', attestationLevel: 'attested', passkeyType: 'deviceBound' });
  });

  it('should block self attestation (packed without x5c is not AttCA) and block it harder when attestation is enforced', async () => {
    const ev = evaluateEntra(await sim(['self-attestation']));
    expect(ev.scenarios?.map((s) => s.verdict)).toEqual(['blocked', 'blocked']);
    expect(reason(ev, 'EN-ATTESTATION-FORMAT')[0]).toMatchObject({ status: 'fail' });
    const enforced = ev.scenarios![1]!.reasons.find((r) => r.id === 'EN-ATTESTATION')!;
    expect(enforced.status).toBe('fail');
    expect(enforced.message).toMatch(/MS-ATTESTATION fail/);
    expect(ev.authenticationMethod?.attestationLevel).toBe('notAttested');
  });

  it('should allow an MDS-revoked key without enforcement and block it when attestation is enforced', async () => {
    const ev = evaluateEntra(await sim(['mds-revoked']));
    expect(ev.scenarios?.map((s) => s.verdict)).toEqual(['allowed', 'blocked']);
    expect(ev.scenarios![1]!.reasons.find((r) => r.id === 'EN-ATTESTATION')!.message).toMatch(/REVOKED/);
  });

  it('should block a zero AAGUID when attestation is enforced (it cannot be in MDS)', async () => {
    const ev = evaluateEntra(await sim(['zero-aaguid']));
    expect(ev.scenarios![1]!.verdict).toBe('blocked');
  });

  it('should block a key without discoverable credentials (EN-RK)', async () => {
    const ev = evaluateEntra(await sim(['no-resident-keys']));
    expect(ev.verdict).toBe('blocked');
    expect(reason(ev, 'EN-RK')[0]!.status).toBe('fail');
  });
});

describe('Entra evaluation, legacy policy shape', () => {
  it('should allow an AAGUID in an enforced allow list (any case) and block one that is not', async () => {
    const input = await sim();
    const allowed = evaluateEntra({ ...input, policy: legacy({ keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [SIM.toUpperCase()] } }) });
    expect(allowed.verdict).toBe('allowed');
    expect(allowed.policySource).toBe('file');
    const policy = legacy({ keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [OTHER] } });
    const blocked = evaluateEntra({ ...input, policy });
    expect(blocked.verdict).toBe('blocked');
    expect(reason(blocked, 'EN-KEY-RESTRICTIONS')[0]).toMatchObject({ status: 'fail' });
    expect(blocked.suggestedPolicy).toEqual({
      '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration',
      keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [OTHER, SIM] },
    });
    // the suggested fragment, applied, allows the key
    const patched = evaluateEntra({ ...input, policy: { ...policy, ...(blocked.suggestedPolicy as EntraPolicy) } });
    expect(patched.verdict).toBe('allowed');
  });

  it('should block an AAGUID in an enforced block list and suggest removing it', async () => {
    const input = await sim();
    const ev = evaluateEntra({ ...input, policy: legacy({ keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [OTHER, SIM] } }) });
    expect(ev.verdict).toBe('blocked');
    expect((ev.suggestedPolicy.keyRestrictions as { aaGuids: string[] }).aaGuids).toEqual([OTHER]);
    const notEnforced = evaluateEntra({ ...input, policy: legacy({ keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [SIM] } }) });
    expect(notEnforced.verdict).toBe('allowed');
  });

  it('should require MS-ATTESTATION when isAttestationEnforced is true', async () => {
    const self = await sim(['self-attestation']);
    const ev = evaluateEntra({ ...self, policy: legacy({ isAttestationEnforced: true }) });
    expect(ev.verdict).toBe('blocked');
    expect(reason(ev, 'EN-ATTESTATION')[0]!.status).toBe('fail');
    expect(ev.suggestedPolicy.isAttestationEnforced).toBe(false);
    expect(evaluateEntra({ ...(await sim()), policy: legacy({ isAttestationEnforced: true }) }).verdict).toBe('allowed');
  });
});

describe('Entra evaluation, passkey profiles', () => {
  const restricted = { id: 'p-restricted', name: 'Restricted', passkeyTypes: 'deviceBound', attestationEnforcement: 'registrationOnly', keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [OTHER] } };
  const open = { id: 'p-open', name: 'Open', passkeyTypes: 'deviceBound,synced', attestationEnforcement: 'disabled', keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] } };
  const syncedOnly = { id: 'p-synced', name: 'Synced only', passkeyTypes: 'synced', attestationEnforcement: 'disabled' };

  it('should allow when at least one profile scoped to the user allows the key', async () => {
    const input = await sim();
    expect(evaluateEntra({ ...input, policy: profiles([restricted, open], ['p-restricted', 'p-open']) }).verdict).toBe('allowed');
    const only = evaluateEntra({ ...input, policy: profiles([restricted, open], ['p-restricted']) });
    expect(only.verdict).toBe('blocked');
    expect(only.reasons.find((r) => r.id === 'EN-KEY-RESTRICTIONS')!.message).toMatch(/Restricted.*not in the allow list/);
  });

  it('should scope profiles by the groups the user is in', async () => {
    const input = await sim();
    const policy = profiles([restricted, open], { 'group-a': ['p-restricted'], 'group-b': ['p-open'] });
    expect(evaluateEntra({ ...input, policy, userGroups: ['group-a'] }).verdict).toBe('blocked');
    expect(evaluateEntra({ ...input, policy, userGroups: ['group-b'] }).verdict).toBe('allowed');
  });

  it('should enforce attestation for a registrationOnly profile', async () => {
    const self = await sim(['self-attestation']);
    const enforcing = { ...open, id: 'p-att', attestationEnforcement: 'registrationOnly' };
    const ev = evaluateEntra({ ...self, policy: profiles([enforcing], ['p-att']) });
    expect(ev.verdict).toBe('blocked');
    expect(reason(ev, 'EN-ATTESTATION')[0]!.status).toBe('fail');
    expect((ev.suggestedPolicy.passkeyProfiles as { attestationEnforcement: string }[])[0]!.attestationEnforcement).toBe('disabled');
  });

  it('should block a security key under a synced-only profile (EN-PASSKEY-TYPE) and suggest deviceBound', async () => {
    const input = await sim();
    const ev = evaluateEntra({ ...input, policy: profiles([syncedOnly], ['p-synced']) });
    expect(ev.verdict).toBe('blocked');
    expect(reason(ev, 'EN-PASSKEY-TYPE')[0]!.status).toBe('fail');
    const fixed = (ev.suggestedPolicy.passkeyProfiles as { passkeyTypes: string }[])[0]!;
    expect(fixed.passkeyTypes).toBe('synced,deviceBound');
  });

  it('should add the AAGUID to the scoped allow-list profile in the suggested PATCH and keep the others', async () => {
    const input = await sim();
    const ev = evaluateEntra({ ...input, policy: profiles([restricted, open], ['p-restricted']) });
    const list = ev.suggestedPolicy.passkeyProfiles as typeof restricted[];
    expect(list.map((p) => p.id)).toEqual(['p-restricted', 'p-open']);
    expect(list[0]!.keyRestrictions.aaGuids).toEqual([OTHER, SIM]);
    expect(list[1]).toEqual(open);
  });

  it('should block when the method is disabled', async () => {
    const ev = evaluateEntra({ ...(await sim()), policy: legacy({ state: 'disabled' }) });
    expect(ev.verdict).toBe('blocked');
    expect(ev.reasons[0]!.id).toBe('EN-METHOD-STATE');
  });
});
