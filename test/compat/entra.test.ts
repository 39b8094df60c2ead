import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_STRENGTHS,
  EntraPolicyError,
  evaluateCompat,
  evaluateEntra,
  FIDO2_CONFIGURATION_PATH,
  mdsUsed,
  parseAuthStrengths,
  parseEntraPolicy,
  type EntraInput,
  type EntraPolicy,
} from '../../harness/compat/index.ts';
import { verifyAttestation } from '../../mds/attestation/verifyAttestation.ts';
import { OTHER_AAGUID, passingChecks, realMdsStore, REAL_MDS_TIME, SIM_AAGUID, simRegistration, testMds } from './compatFixtures.ts';

const TYPE = '#microsoft.graph.fido2AuthenticationMethodConfiguration';
const ALL = { id: 'all_users', targetType: 'group', isRegistrationRequired: false };

const legacy = (extra: Record<string, unknown> = {}): EntraPolicy =>
  parseEntraPolicy({ '@odata.type': TYPE, id: 'Fido2', state: 'enabled', isAttestationEnforced: false, includeTargets: [ALL], excludeTargets: [], ...extra });

const profile = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: id,
  passkeyTypes: 'deviceBound,synced',
  attestationEnforcement: 'disabled',
  keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] },
  ...extra,
});

const withProfiles = (targets: { id: string; allowedPasskeyProfiles: string[] }[], profiles: unknown[], extra: Record<string, unknown> = {}): EntraPolicy =>
  parseEntraPolicy({ id: 'Fido2', state: 'enabled', includeTargets: targets.map((t) => ({ targetType: 'group', ...t })), excludeTargets: [], passkeyProfiles: profiles, ...extra });

/** what a Graph PATCH does: the members sent replace the policy's (collections whole) */
const applyPatch = (policy: EntraPolicy, body: Record<string, unknown>): EntraPolicy => {
  const { '@odata.type': _t, ...members } = body;
  return parseEntraPolicy({ ...policy, ...members });
};

const input = async (): Promise<EntraInput> => (await simRegistration()).input;
const reason = (ev: ReturnType<typeof evaluateEntra>, id: string) => ev.reasons.filter((r) => r.id === id);

async function expectMinimalPatch(base: EntraInput, policy: EntraPolicy, changed: string[]) {
  const ev = evaluateEntra({ ...base, policy });
  expect(ev.fix?.kind).toBe('policy');
  if (ev.fix?.kind !== 'policy') return ev;
  expect(ev.fix.method).toBe('PATCH');
  expect(ev.fix.path).toBe(FIDO2_CONFIGURATION_PATH);
  expect(Object.keys(ev.fix.body).sort()).toEqual(['@odata.type', ...changed].sort());
  expect(ev.suggestedPolicy).toEqual(ev.fix.body);
  const after = evaluateEntra({ ...base, policy: applyPatch(policy, ev.fix.body) });
  expect(after.verdict).toBe('allowed');
  return ev;
}

describe('Entra policy files (Graph fido2AuthenticationMethodConfiguration)', () => {
  it('should accept the whole authenticationMethodsPolicy response by picking its fido2 configuration', () => {
    const doc = {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#authenticationMethodsPolicy',
      id: 'authenticationMethodsPolicy',
      authenticationMethodConfigurations: [
        { '@odata.type': '#microsoft.graph.smsAuthenticationMethodConfiguration', id: 'Sms', state: 'enabled' },
        { '@odata.type': TYPE, id: 'Fido2', state: 'disabled', includeTargets: [ALL], futureMember: { kept: true } },
      ],
    };
    const p = parseEntraPolicy(JSON.stringify(doc));
    expect(p.state).toBe('disabled');
    expect((p as Record<string, unknown>).futureMember).toEqual({ kept: true });
  });

  it.each([
    ['{"foo":1}', '/state'],
    ['[]', ''],
    ['"text"', ''],
    [JSON.stringify({ authenticationMethodConfigurations: [{ id: 'Sms', state: 'enabled' }] }), '/authenticationMethodConfigurations'],
    [JSON.stringify({ state: 'on', includeTargets: [] }), '/state'],
    [JSON.stringify({ state: 'enabled' }), '/includeTargets'],
    [JSON.stringify({ state: 'enabled', includeTargets: [], isAttestationEnforced: 'yes' }), '/isAttestationEnforced'],
    [JSON.stringify({ state: 'enabled', includeTargets: [], keyRestrictions: { isEnforced: true, enforcementType: 'deny' } }), '/keyRestrictions/enforcementType'],
    [JSON.stringify({ state: 'enabled', includeTargets: [{ id: 'g', allowedPasskeyProfiles: [1] }] }), '/includeTargets/0/allowedPasskeyProfiles/0'],
    [JSON.stringify({ state: 'enabled', includeTargets: [], passkeyProfiles: [{ id: 'p', passkeyTypes: 'deviceBound,cloud' }] }), '/passkeyProfiles/0/passkeyTypes'],
    [JSON.stringify({ state: 'enabled', includeTargets: [], passkeyProfiles: [{ id: 'p', attestationEnforcement: 'always' }] }), '/passkeyProfiles/0/attestationEnforcement'],
    [JSON.stringify({ '@odata.type': '#microsoft.graph.smsAuthenticationMethodConfiguration', state: 'enabled', includeTargets: [] }), '/@odata.type'],
  ])('should refuse %s with one line naming %s', (text, path) => {
    let error: unknown;
    try {
      parseEntraPolicy(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EntraPolicyError);
    expect((error as EntraPolicyError).path).toBe(path);
    expect((error as Error).message).not.toContain('\n');
  });

  it('should refuse text that is not JSON', () => {
    expect(() => parseEntraPolicy('{')).toThrow(/not JSON/);
  });
});

describe('Entra scope: state, include and exclude targets, group membership', () => {
  it('should allow the simulator under the defaults and under a legacy policy for all users', async () => {
    const base = await input();
    expect(evaluateEntra(base).verdict).toBe('allowed');
    const ev = evaluateEntra({ ...base, policy: legacy() });
    expect(ev.verdict).toBe('allowed');
    expect(ev.fix).toEqual({ kind: 'none', text: expect.stringContaining('nothing to change') });
    expect(ev.suggestedPolicy).toEqual({});
  });

  it('should block when the method is disabled, and the PATCH enables it', async () => {
    const ev = await expectMinimalPatch(await input(), legacy({ state: 'disabled' }), ['state']);
    expect(ev.verdict).toBe('blocked');
    expect(ev.fix?.kind === 'policy' && ev.fix.body.state).toBe('enabled');
  });

  it('should block when all users are excluded (exclusion wins), and the PATCH lifts the exclusion', async () => {
    const policy = legacy({ excludeTargets: [{ id: 'all_users', targetType: 'group' }] });
    const ev = await expectMinimalPatch(await input(), policy, ['excludeTargets']);
    expect(ev.verdict).toBe('blocked');
    expect(reason(ev, 'EN-TARGETS')[0]).toMatchObject({ status: 'fail', message: expect.stringContaining('exclusion wins') });
  });

  it('should block a legacy policy whose includeTargets is empty (it scopes nobody)', async () => {
    const ev = await expectMinimalPatch(await input(), legacy({ includeTargets: [] }), ['includeTargets']);
    expect(ev.verdict).toBe('blocked');
    expect(reason(ev, 'EN-TARGETS')[0]!.message).toMatch(/applies to nobody/);
  });

  it('should say "depends on group" for a group target when the user\'s groups are unknown, never allowed', async () => {
    const base = await input();
    const policy = legacy({ includeTargets: [{ id: 'g-fido', targetType: 'group' }] });
    const unknown = evaluateEntra({ ...base, policy });
    expect(unknown.verdict).toBe('depends-on-group');
    expect(unknown.fix?.kind).toBe('none');
    expect(reason(unknown, 'EN-TARGETS')[0]!.message).toMatch(/depends on group membership/);
    expect(evaluateEntra({ ...base, policy, userGroups: ['G-FIDO'] }).verdict).toBe('allowed');
    const outside = evaluateEntra({ ...base, policy, userGroups: ['g-other'] });
    expect(outside.verdict).toBe('blocked');
    // the PATCH includes the user's group
    expect(outside.fix?.kind === 'policy' && outside.fix.body.includeTargets).toEqual([{ id: 'g-fido', targetType: 'group' }, { id: 'g-other', targetType: 'group', isRegistrationRequired: false }]);
  });

  it('should say "depends on group" when an exclude group of unknown membership could take the user out', async () => {
    const base = await input();
    const policy = legacy({ excludeTargets: [{ id: 'g-contractors', targetType: 'group' }] });
    expect(evaluateEntra({ ...base, policy }).verdict).toBe('depends-on-group');
    expect(evaluateEntra({ ...base, policy, userGroups: ['g-staff'] }).verdict).toBe('allowed');
    expect(evaluateEntra({ ...base, policy, userGroups: ['g-contractors'] }).verdict).toBe('blocked');
  });
});

describe('Entra key restrictions and attestation enforcement', () => {
  it('should compare AAGUIDs case-insensitively in allow and block lists', async () => {
    const base = await input();
    const upper = SIM_AAGUID.toUpperCase();
    expect(evaluateEntra({ ...base, policy: legacy({ keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [upper] } }) }).verdict).toBe('allowed');
    expect(evaluateEntra({ ...base, policy: legacy({ keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [upper] } }) }).verdict).toBe('blocked');
  });

  it('should block a key missing from an enforced allow list; the PATCH adds its AAGUID and keeps the others', async () => {
    const policy = legacy({ keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [OTHER_AAGUID] } });
    const ev = await expectMinimalPatch(await input(), policy, ['keyRestrictions']);
    expect(ev.fix?.kind === 'policy' && ev.fix.body.keyRestrictions).toEqual({ isEnforced: true, enforcementType: 'allow', aaGuids: [OTHER_AAGUID, SIM_AAGUID] });
  });

  it('should block with attestation enforced when the AAGUID is absent from a real BLOB (not "incomplete")', async () => {
    const at = REAL_MDS_TIME;
    const store = await realMdsStore();
    const feitian = JSON.parse(readFileSync(new URL('../fixtures/mds/attestation/tweag/packed-01.json', import.meta.url), 'utf8'));
    const attestation = await verifyAttestation(feitian, { store, at });
    const ev = evaluateEntra({ attestation, mds: mdsUsed(store), at, ceremony: { uv: true, residentKey: true }, policy: legacy({ isAttestationEnforced: true }) });
    expect(reason(ev, 'EN-ATTESTATION')[0]!.status).toBe('fail');
    expect(reason(ev, 'EN-ATTESTATION')[0]!.message).toMatch(/MS-MDS-LISTED fail/);
    expect(ev.verdict).toBe('blocked');
  });

  it('should block with attestation enforced when the AAGUID is not in the MDS, and the PATCH turns enforcement off', async () => {
    const mds = await testMds({ aaguid: OTHER_AAGUID });
    const { input: base } = await simRegistration([], { mds });
    const ev = await expectMinimalPatch(base, legacy({ isAttestationEnforced: true }), ['isAttestationEnforced']);
    expect(ev.verdict).toBe('blocked');
  });

  it('should name the key, not the policy, for packed self attestation (Entra refuses it with or without enforcement)', async () => {
    const { input: base } = await simRegistration(['self-attestation']);
    const ev = evaluateEntra({ ...base, policy: legacy({ isAttestationEnforced: true }) });
    expect(ev.verdict).toBe('blocked');
    expect(ev.fix).toEqual({ kind: 'device', text: 'fix the key: EN-ATTESTATION-FORMAT', checks: ['EN-ATTESTATION-FORMAT'] });
  });
});

describe('Entra passkey profiles', () => {
  it('should allow when one profile that applies to the user allows the key', async () => {
    const base = await input();
    const policy = withProfiles(
      [
        { id: 'all_users', allowedPasskeyProfiles: ['strict'] },
        { id: 'g-admins', allowedPasskeyProfiles: ['open'] },
      ],
      [profile('strict', { keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [OTHER_AAGUID] } }), profile('open')],
    );
    expect(evaluateEntra({ ...base, policy, userGroups: ['g-admins'] }).verdict).toBe('allowed');
    expect(evaluateEntra({ ...base, policy }).verdict).toBe('depends-on-group');
    expect(evaluateEntra({ ...base, policy, userGroups: [] }).verdict).toBe('blocked');
  });

  it('should edit the profile that targets the user, not another', async () => {
    const base = await input();
    const policy = withProfiles(
      [
        { id: 'g-sales', allowedPasskeyProfiles: ['sales'] },
        { id: 'g-eng', allowedPasskeyProfiles: ['eng'] },
      ],
      [
        profile('sales', { keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [OTHER_AAGUID] } }),
        profile('eng', { passkeyTypes: 'synced', keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [OTHER_AAGUID] } }),
      ],
    );
    const ev = await expectMinimalPatch({ ...base, userGroups: ['g-eng'] }, policy, ['passkeyProfiles']);
    const sent = (ev.fix?.kind === 'policy' ? ev.fix.body.passkeyProfiles : []) as { id: string; passkeyTypes: string; keyRestrictions: { aaGuids: string[] } }[];
    expect(sent.find((p) => p.id === 'sales')).toEqual(policy.passkeyProfiles![0]); // untouched, sent whole (a PATCH replaces the collection)
    expect(sent.find((p) => p.id === 'eng')).toMatchObject({ passkeyTypes: 'synced,deviceBound', keyRestrictions: { aaGuids: [OTHER_AAGUID, SIM_AAGUID] } });
  });

  it('should turn attestation enforcement off in the profile when it is what blocks the key', async () => {
    const { input: base } = await simRegistration([], { mds: await testMds({ aaguid: OTHER_AAGUID }) });
    const policy = withProfiles([{ id: 'all_users', allowedPasskeyProfiles: ['p'] }], [profile('p', { attestationEnforcement: 'registrationOnly' })]);
    const ev = await expectMinimalPatch(base, policy, ['passkeyProfiles']);
    expect((ev.fix?.kind === 'policy' ? ev.fix.body.passkeyProfiles : []) as unknown[]).toEqual([expect.objectContaining({ attestationEnforcement: 'disabled' })]);
  });
});

describe('a device defect is not fixed by a policy change', () => {
  it('should print "fix the key" with the failing checks and no PATCH (counter-stuck: Entra sign-in fails)', async () => {
    const base = await input();
    const ev = evaluateEntra({ ...base, checks: passingChecks({ 'WEBAUTHN-ENTRA-002': 'fail', 'GA-COUNTER-001': 'fail' }), policy: legacy({ state: 'disabled' }) });
    expect(ev.verdict).toBe('blocked');
    expect(ev.fix).toEqual({ kind: 'device', text: 'fix the key: WEBAUTHN-ENTRA-002', checks: ['WEBAUTHN-ENTRA-002'] });
    expect(ev.suggestedPolicy).toEqual({});
  });

  it('should block a key that sets UV without verification (uv-without-pin)', async () => {
    const { input: base } = await simRegistration(['uv-without-pin'], { checks: { 'UV-FLAG-001': 'fail', 'MC-FLAGS-002': 'fail' } });
    const ev = evaluateEntra(base);
    expect(reason(ev, 'EN-UV')[0]!.status).toBe('fail');
    expect(ev.verdict).toBe('blocked');
    expect(ev.fix?.kind).toBe('device');
  });
});

describe('Conditional Access authentication strengths (EN-AUTH-STRENGTH)', () => {
  const custom = (extra: Record<string, unknown>) => ({ id: 'c0ffee00-0000-0000-0000-000000000001', displayName: 'Keys only', policyType: 'custom', allowedCombinations: ['fido2'], ...extra });

  it('should know the built-in strengths without a file and pass the phishing-resistant one for a FIDO2 key with UV', async () => {
    const ev = evaluateEntra(await input());
    expect(ev.authStrengths?.map((s) => s.displayName)).toEqual(BUILT_IN_STRENGTHS.map((s) => s.displayName));
    const pr = ev.authStrengths!.find((s) => s.id === '00000000-0000-0000-0000-000000000004')!;
    expect(pr).toMatchObject({ status: 'pass', from: 'built in', displayName: 'Phishing-resistant MFA' });
    expect(reason(ev, 'EN-AUTH-STRENGTH')).toHaveLength(3);
  });

  it('should fail a custom strength without fido2, and print the updateAllowedCombinations request', async () => {
    const strengths = parseAuthStrengths(JSON.stringify(custom({ allowedCombinations: ['password,sms'] })), 'strength.json');
    const ev = evaluateEntra({ ...(await input()), authStrengths: strengths });
    const s = ev.authStrengths!.find((x) => x.from === 'strength.json')!;
    expect(s.status).toBe('fail');
    expect(s.fix).toMatchObject({ kind: 'policy', method: 'POST', path: expect.stringMatching(/\/c0ffee00-0000-0000-0000-000000000001\/updateAllowedCombinations$/), body: { allowedCombinations: ['password,sms', 'fido2'] } });
    expect(ev.verdict).toBe('blocked');
  });

  it('should fail when the fido2 combination configuration omits the AAGUID, with the minimal PATCH; pass when it lists it (any case)', async () => {
    const base = await input();
    const config = (aaguids: string[]) => [{ '@odata.type': '#microsoft.graph.fido2CombinationConfiguration', id: 'cfg-1', appliesToCombinations: ['fido2'], allowedAAGUIDs: aaguids }];
    const omit = evaluateEntra({ ...base, authStrengths: parseAuthStrengths(custom({ combinationConfigurations: config([OTHER_AAGUID]) }), 'f') });
    const s = omit.authStrengths!.find((x) => x.from === 'f')!;
    expect(s.status).toBe('fail');
    expect(omit.verdict).toBe('blocked');
    expect(omit.fix).toEqual({ kind: 'none', text: expect.stringContaining('the method policy allows this key; an authentication strength does not') });
    expect(s.fix).toEqual({
      kind: 'policy',
      text: expect.any(String),
      method: 'PATCH',
      path: '/identity/conditionalAccess/authenticationStrength/policies/c0ffee00-0000-0000-0000-000000000001/combinationConfigurations/cfg-1',
      body: { '@odata.type': '#microsoft.graph.fido2CombinationConfiguration', allowedAAGUIDs: [OTHER_AAGUID, SIM_AAGUID] },
    });
    const listed = evaluateEntra({ ...base, authStrengths: parseAuthStrengths(custom({ combinationConfigurations: config([SIM_AAGUID.toUpperCase()]) }), 'f') });
    expect(listed.authStrengths!.find((x) => x.from === 'f')!.status).toBe('pass');
    expect(listed.verdict).toBe('allowed');
  });

  it('should read the list response of GET …/authenticationStrength/policies', () => {
    const list = { '@odata.context': 'x', value: [custom({}), { ...custom({}), id: 'second', allowedCombinations: ['password,sms'] }] };
    expect(parseAuthStrengths(JSON.stringify(list), 'list.json').map((s) => s.policy.id)).toEqual(['c0ffee00-0000-0000-0000-000000000001', 'second']);
  });

  it.each([
    ['{"foo":1}', /\/id/],
    [JSON.stringify({ id: 'x', allowedCombinations: 'fido2' }), /\/allowedCombinations/],
    [JSON.stringify({ value: [] }), /\/value/],
    [JSON.stringify({ value: [{ id: 'x', allowedCombinations: [], combinationConfigurations: [{ allowedAAGUIDs: ['nope'] }] }] }), /\/value\/0\/combinationConfigurations\/0\/allowedAAGUIDs\/0/],
    ['not json', /not JSON/],
  ])('should refuse a malformed strength file %s', (text, why) => {
    expect(() => parseAuthStrengths(text, 'f')).toThrow(why);
  });

  it('should fail every strength for a key that cannot verify the user (fix the key)', async () => {
    const base = await input();
    const ev = evaluateCompat({ ...base, checks: passingChecks({ 'WEBAUTHN-ENTRA-001': 'fail' }) }).entra;
    for (const s of ev.authStrengths!) expect(s, s.displayName).toMatchObject({ status: 'fail', fix: { kind: 'device', text: 'fix the key: WEBAUTHN-ENTRA-001', checks: ['WEBAUTHN-ENTRA-001'] } });
  });
});

describe('hostile policy files (crafted inputs that once came out allowed)', () => {
  it('a key-restriction AAGUID that is not an AAGUID (braces, a name) is refused with its JSON pointer, never read as "not listed"', async () => {
    for (const bad of [`{${SIM_AAGUID.toUpperCase()}}`, 'YubiKey 5 NFC', '']) {
      const policy = { state: 'enabled', includeTargets: [ALL], keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [bad] } };
      expect(() => parseEntraPolicy(policy)).toThrow(EntraPolicyError);
      expect(() => parseEntraPolicy(policy)).toThrow(/^\/keyRestrictions\/aaGuids\/0: /);
      const profiled = { state: 'enabled', includeTargets: [{ ...ALL, allowedPasskeyProfiles: ['p'] }], passkeyProfiles: [profile('p', { keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [bad] } })] };
      expect(() => parseEntraPolicy(profiled)).toThrow(/^\/passkeyProfiles\/0\/keyRestrictions\/aaGuids\/0: /);
    }
    // Graph's own spelling in any case, with stray whitespace, still blocks the key
    const blocked = legacy({ keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [` ${SIM_AAGUID.toUpperCase()} `] } });
    const ev = evaluateEntra({ ...(await input()), policy: blocked });
    expect(ev.verdict).toBe('blocked');
    expect(reason(ev, 'EN-KEY-RESTRICTIONS')[0]?.status).toBe('fail');
  });
});

describe('hostile policy files, continued', () => {
  it('another method\'s configuration without @odata.type (id "Email") is not taken for the passkey policy', () => {
    expect(() => parseEntraPolicy({ id: 'Email', state: 'enabled', includeTargets: [ALL] })).toThrow(/^\/id: .*"Fido2"/);
    expect(parseEntraPolicy({ id: 'fido2', state: 'enabled', includeTargets: [ALL] }).state).toBe('enabled');
  });

  it('a profile admitting deviceBound only: without a verified registration the passkey type is skip (incomplete), never assumed', async () => {
    const base = await input();
    const { attestation: _a, ...noRegistration } = base;
    const policy = withProfiles([{ id: 'all_users', allowedPasskeyProfiles: ['p'] }], [profile('p', { passkeyTypes: 'deviceBound' })]);
    const unknown = evaluateEntra({ ...noRegistration, policy });
    expect(reason(unknown, 'EN-PASSKEY-TYPE')[0]?.status).toBe('skip');
    expect(unknown.verdict).not.toBe('allowed');
    // the registration's BE flag clear shows it: allowed
    expect(reason(evaluateEntra({ ...base, policy }), 'EN-PASSKEY-TYPE')[0]?.status).toBe('pass');
  });
});

describe('hostile authentication strengths', () => {
  const strength = (config: Record<string, unknown>) =>
    JSON.stringify({ id: 'c0ffee00-0000-0000-0000-0000000000aa', displayName: 'crafted', allowedCombinations: ['fido2'], combinationConfigurations: [{ id: 'cfg', ...config }] });

  it('a fido2 combination configuration spelled in another case, or without its type, still restricts the AAGUIDs', async () => {
    const base = await input();
    for (const config of [
      { '@odata.type': '#microsoft.graph.FIDO2CombinationConfiguration', allowedAAGUIDs: [OTHER_AAGUID] },
      { appliesToCombinations: ['fido2'], allowedAAGUIDs: [OTHER_AAGUID] },
    ]) {
      const ev = evaluateEntra({ ...base, authStrengths: parseAuthStrengths(strength(config), 'f') });
      expect(ev.authStrengths!.find((x) => x.from === 'f')!.status).toBe('fail');
      expect(ev.verdict).toBe('blocked');
    }
    // a configuration of another method says nothing about fido2
    const other = evaluateEntra({ ...base, authStrengths: parseAuthStrengths(strength({ '@odata.type': '#microsoft.graph.x509CertificateCombinationConfiguration', appliesToCombinations: ['x509CertificateMultiFactor'] }), 'f') });
    expect(other.authStrengths!.find((x) => x.from === 'f')!.status).toBe('pass');
  });
});
