import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateEntra, FIDO2_CONFIGURATION_PATH, membership, parseEntraPolicy, scopeOf, type CompatInput, type EntraPolicy } from '../../harness/compat/index.ts';
import { OTHER_AAGUID, passingChecks, SIM_AAGUID, simRegistration, type SimRegistration } from './compatFixtures.ts';

/**
 * Who a fido2AuthenticationMethodConfiguration applies to (includeTargets, excludeTargets,
 * allowedPasskeyProfiles) and the smallest Graph PATCH that would allow the key.
 */
let clean: SimRegistration;
beforeAll(async () => {
  clean = await simRegistration();
});

const TYPE = '#microsoft.graph.fido2AuthenticationMethodConfiguration';
const group = (id: string, extra: Record<string, unknown> = {}) => ({ id, targetType: 'group' as const, ...extra });
const policy = (extra: Record<string, unknown>): EntraPolicy => parseEntraPolicy({ state: 'enabled', includeTargets: [group('all_users')], ...extra });
const both = { passkeyTypes: 'deviceBound,synced' };

describe('membership and scope', () => {
  it('all_users (any case) includes everybody; a group needs the user\'s groups (any case)', () => {
    expect(membership(group('ALL_USERS'), undefined)).toBe('yes');
    expect(membership(group('g1'), undefined)).toBe('unknown');
    expect(membership(group('g1'), ['G1'])).toBe('yes');
    expect(membership(group('G1'), ['x', 'g1'])).toBe('yes');
    expect(membership(group('g1'), [])).toBe('no');
  });

  it('says who is in or out, and why', () => {
    const scope = (extra: Record<string, unknown>, groups?: string[]) => {
      const s = scopeOf(policy(extra), groups);
      return `${s.status}: ${s.text}`;
    };
    expect(scope({ includeTargets: [] })).toBe('out: includeTargets is empty: the method applies to nobody');
    expect(scope({ excludeTargets: [group('g1'), group('g2'), group('g3')] }, ['g1', 'g2'])).toBe('out: the user is excluded by g1, g2 (exclusion wins)');
    expect(scope({ includeTargets: [group('g1'), group('g2')] }, ['g3'])).toBe('out: the user is in none of the include targets (g1, g2)');
    expect(scope({ includeTargets: [group('g1'), group('g2')] })).toBe("depends: only group targets include the method (g1, g2) and the user's groups are not known");
    expect(scope({ includeTargets: [group('g1')], excludeTargets: [group('x1'), group('x2')] })).toBe(
      "depends: only group targets include the method (g1) and the user's groups are not known; membership of exclude target(s) x1, x2 unknown",
    );
    expect(scope({ includeTargets: [group('all_users'), group('g1')] }, ['g1'])).toBe('in: included by all_users, g1');
    expect(scope({ excludeTargets: [group('x1')] })).toBe('depends: included by all_users; membership of exclude target(s) x1 unknown');
    const s = scopeOf(policy({ includeTargets: [group('g1'), group('g2')], excludeTargets: [group('x1'), group('all_users')] }), ['g1']);
    expect(s).toMatchObject({ status: 'out', excludedBy: [{ id: 'all_users' }], unknownExclusions: [], includedBy: [{ id: 'g1' }], profiles: [], possibleProfiles: [] });
  });

  it('the legacy members are one profile; passkey profiles are the ones the targets name (ids in any case), each once', () => {
    expect(scopeOf(policy({ isAttestationEnforced: true, keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [SIM_AAGUID] } }), undefined).profiles).toEqual([
      { label: 'legacy policy', attestationEnforced: true, keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [SIM_AAGUID] } },
    ]);
    expect(scopeOf(policy({}), undefined).profiles).toEqual([{ label: 'legacy policy', attestationEnforced: false }]);
    const p = policy({
      includeTargets: [group('all_users', { allowedPasskeyProfiles: ['A', 'b'] }), group('g1', { allowedPasskeyProfiles: ['a'] }), group('g2', { allowedPasskeyProfiles: ['c', 'b'] })],
      passkeyProfiles: [
        { id: 'a', name: 'Alpha', passkeyTypes: ' deviceBound , synced ', attestationEnforcement: 'registrationOnly', keyRestrictions: { isEnforced: false } },
        { id: 'b', attestationEnforcement: 'disabled' },
        { id: 'c', passkeyTypes: 'synced' },
      ],
    });
    const s = scopeOf(p, undefined);
    expect(s.profiles).toEqual([
      { label: 'profile "Alpha"', profileId: 'a', attestationEnforced: true, keyRestrictions: { isEnforced: false }, passkeyTypes: ['deviceBound', 'synced'] },
      { label: 'profile "b"', profileId: 'b', attestationEnforced: false, passkeyTypes: [] },
    ]);
    // g1 names only "a", already certain; g2 adds "c"
    expect(s.possibleProfiles).toEqual([{ label: 'profile "c"', profileId: 'c', attestationEnforced: false, passkeyTypes: ['synced'] }]);
    expect(scopeOf(p, ['g2']).profiles.map((x) => x.profileId)).toEqual(['a', 'b', 'c']);
  });
});

describe('the smallest PATCH (Graph fido2AuthenticationMethodConfiguration)', () => {
  const fix = (p: EntraPolicy, input: CompatInput = clean.input, userGroups?: string[]) => evaluateEntra({ ...input, policy: p, ...(userGroups ? { userGroups } : {}) }).fix;

  it('enables the method, lifts the exclusion and includes the user, in one PATCH of what changed', () => {
    const p = policy({ state: 'disabled', includeTargets: [group('g1')], excludeTargets: [group('g2'), group('x')] });
    expect(fix(p, clean.input, ['g2', 'g3'])).toEqual({
      kind: 'policy',
      text: `PATCH ${FIDO2_CONFIGURATION_PATH} (state, excludeTargets, includeTargets)`,
      method: 'PATCH',
      path: FIDO2_CONFIGURATION_PATH,
      body: { '@odata.type': TYPE, state: 'enabled', excludeTargets: [group('x')], includeTargets: [group('g1'), { id: 'g2', targetType: 'group', isRegistrationRequired: false }] },
    });
    // groups unknown: all users are included, with the first passkey profile
    const profiled = policy({ includeTargets: [], passkeyProfiles: [{ id: 'p1', ...both }, { id: 'p2', ...both }] });
    expect(fix(profiled)).toMatchObject({ body: { includeTargets: [{ id: 'all_users', targetType: 'group', isRegistrationRequired: false, allowedPasskeyProfiles: ['p1'] }] } });
  });

  it('a target that includes the user but names no profile gets the first profile', () => {
    const p = policy({
      includeTargets: [group('g0', { allowedPasskeyProfiles: ['zzz'] }), group('all_users', { allowedPasskeyProfiles: ['zzz'] }), group('g2')],
      passkeyProfiles: [{ id: 'p1', ...both }],
    });
    expect(fix(p, clean.input, ['g2'])).toMatchObject({
      kind: 'policy',
      body: { includeTargets: [group('g0', { allowedPasskeyProfiles: ['zzz'] }), group('all_users', { allowedPasskeyProfiles: ['zzz', 'p1'] }), group('g2')] },
    });
    const noNames = policy({ includeTargets: [group('g2'), group('all_users')], passkeyProfiles: [{ id: 'p1', ...both }] });
    expect(fix(noNames, clean.input, [])).toMatchObject({ body: { includeTargets: [group('g2'), group('all_users', { allowedPasskeyProfiles: ['p1'] })] } });
  });

  it('takes the AAGUID off a block list (any case) and sets legacy enforcement off, both in one PATCH', () => {
    const p = policy({ isAttestationEnforced: true, keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [SIM_AAGUID.toUpperCase(), OTHER_AAGUID] } });
    const rooted = { ...clean.input, attestation: { ...clean.attestation, rootSource: 'given' as const } };
    expect(fix(p, rooted)).toEqual({
      kind: 'policy',
      text: `PATCH ${FIDO2_CONFIGURATION_PATH} (keyRestrictions, isAttestationEnforced)`,
      method: 'PATCH',
      path: FIDO2_CONFIGURATION_PATH,
      body: { '@odata.type': TYPE, keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [OTHER_AAGUID] }, isAttestationEnforced: false },
    });
  });

  it('edits the certain profile with the fewest failing points, adding deviceBound to its types', () => {
    const p = policy({
      includeTargets: [group('all_users', { allowedPasskeyProfiles: ['worse', 'better'] })],
      passkeyProfiles: [
        { id: 'worse', passkeyTypes: 'synced', keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [OTHER_AAGUID] } },
        { id: 'better', passkeyTypes: 'synced' },
      ],
    });
    const f = fix(p);
    expect(f?.kind).toBe('policy');
    expect(f?.kind === 'policy' && f.body.passkeyProfiles).toEqual([p.passkeyProfiles![0], { id: 'better', passkeyTypes: 'synced,deviceBound' }]);
  });

  it('no fix when the verdict depends on the groups or is incomplete; the key named when only it blocks', () => {
    expect(fix(policy({ includeTargets: [group('g1')] }))).toEqual({ kind: 'none', text: "the verdict depends on the user's group membership: give it with --entra-user-groups" });
    expect(fix(policy({ keyRestrictions: { isEnforced: true, enforcementType: 'unknownFutureValue', aaGuids: [] } }))).toEqual({ kind: 'none', text: 'not every point could be judged; no policy change is suggested' });
    // a disabled method hides that the key's own attestation format is refused: once enabled, the key is named
    const self = { ...clean.input, attestation: { ...clean.attestation, attestationType: 'self' as const, chainValid: false, trustPath: [], chainPath: [] } };
    expect(fix(policy({ state: 'disabled' }), self)).toEqual({ kind: 'device', text: 'fix the key: EN-ATTESTATION-FORMAT', checks: ['EN-ATTESTATION-FORMAT'] });
    // the failing checks a device reason relies on are named rather than the reason (errors too)
    const failing = { ...clean.input, checks: passingChecks({ 'RK-DISCOVER-001': 'error', 'RK-SUPPORT-001': 'fail', 'INFO-ALGORITHMS-001': 'skip' }) };
    expect(fix(policy({}), failing)).toEqual({ kind: 'device', text: 'fix the key: RK-DISCOVER-001, RK-SUPPORT-001', checks: ['RK-DISCOVER-001', 'RK-SUPPORT-001'] });
    const noRk = { ...clean.input, info: { ...clean.info, options: { ...clean.info.options, rk: false } } };
    expect(fix(policy({}), noRk)).toEqual({ kind: 'device', text: 'fix the key: EN-RK', checks: ['EN-RK'] });
  });

  it('says so when no policy change allows the key', () => {
    // the only profile the user's target names does not exist, and the user's target is not found to fix
    const p = policy({ includeTargets: [group('g1', { allowedPasskeyProfiles: ['nope'] })], passkeyProfiles: [{ id: 'p1', passkeyTypes: 'synced', keyRestrictions: { isEnforced: true, enforcementType: 'unknownFutureValue' } }] });
    const f = fix(p, clean.input, ['g1']);
    expect(f).toEqual({ kind: 'none', text: 'no policy change found that allows this key (incomplete)' });
  });
});
