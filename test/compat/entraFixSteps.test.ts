import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateEntra, parseEntraPolicy, type CompatInput, type EntraPolicy } from '../../harness/compat/index.ts';
import { OTHER_AAGUID, passingChecks, SIM_AAGUID, simRegistration, type SimRegistration } from './compatFixtures.ts';

/** The smallest PATCH, step by step: key restrictions, which profile is edited, and when only the key can change. */
let clean: SimRegistration;
beforeAll(async () => {
  clean = await simRegistration();
});
const policy = (extra: Record<string, unknown>): EntraPolicy => parseEntraPolicy({ state: 'enabled', includeTargets: [{ id: 'all_users' }], ...extra });
const fix = (p: EntraPolicy, input: CompatInput = clean.input, userGroups?: string[]) => evaluateEntra({ ...input, policy: p, ...(userGroups ? { userGroups } : {}) }).fix;
const body = (f: ReturnType<typeof fix>) => (f?.kind === 'policy' ? f.body : undefined);

describe('key restrictions in the PATCH', () => {
  it('an enforced allow list without entries (null or empty) gets exactly the AAGUID', () => {
    for (const aaGuids of [null, []]) {
      expect(body(fix(policy({ keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids } }))), JSON.stringify(aaGuids)).toMatchObject({ keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [SIM_AAGUID] } });
    }
    expect(body(fix(policy({ keyRestrictions: { isEnforced: true, enforcementType: 'allow' } })))).toMatchObject({ keyRestrictions: { aaGuids: [SIM_AAGUID] } });
  });

  it('a block list naming only the AAGUID is emptied', () => {
    expect(body(fix(policy({ keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [SIM_AAGUID] } })))).toEqual({
      '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration',
      keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [] },
    });
  });
});

describe('which profile is edited', () => {
  const blockAll = { isEnforced: true, enforcementType: 'allow', aaGuids: [OTHER_AAGUID] };
  it('a profile that applies for certain, never one that applies only through a group of unknown membership', () => {
    const p = policy({
      includeTargets: [{ id: 'all_users', allowedPasskeyProfiles: ['certain'] }, { id: 'g1', allowedPasskeyProfiles: ['maybe'] }],
      passkeyProfiles: [
        { id: 'certain', passkeyTypes: 'synced', keyRestrictions: blockAll },
        { id: 'maybe', passkeyTypes: 'synced' },
      ],
    });
    const f = fix(p);
    expect(f?.kind).toBe('policy');
    expect((body(f)?.passkeyProfiles as { id: string }[] | undefined)?.find((x) => x.id === 'certain')).toMatchObject({ passkeyTypes: 'synced,deviceBound', keyRestrictions: { aaGuids: [OTHER_AAGUID, SIM_AAGUID] } });
  });

  it('none when only profiles of unknown membership apply and block: no policy change is found', () => {
    const p = policy({ includeTargets: [{ id: 'g1', allowedPasskeyProfiles: ['maybe'] }], passkeyProfiles: [{ id: 'maybe', passkeyTypes: 'deviceBound', keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [SIM_AAGUID] } }] });
    const ev = evaluateEntra({ ...clean.input, policy: p });
    expect(ev.verdict).toBe('blocked');
    expect(ev.fix).toEqual({ kind: 'none', text: 'no policy change found that allows this key (blocked)' });
  });
});

describe('when the key itself fails', () => {
  it('names the reason when none of its checks failed (a check not run says nothing)', () => {
    const { rk: _r, clientPin: _c, uv: _u, ...options } = clean.info.options ?? {};
    const input: CompatInput = { ...clean.input, info: { ...clean.info, options: { ...options, rk: true } }, checks: passingChecks().filter((c) => c.id !== 'WEBAUTHN-ENTRA-002') };
    expect(fix(policy({}), input)).toEqual({ kind: 'device', text: 'fix the key: EN-UV', checks: ['EN-UV'] });
  });

  it('names every defect of the key, also the attestation format a disabled method hides', () => {
    const self: CompatInput = {
      ...clean.input,
      attestation: { ...clean.attestation, attestationType: 'self', chainValid: false, trustPath: [], chainPath: [] },
      checks: passingChecks({ 'WEBAUTHN-ENTRA-002': 'fail' }),
    };
    expect(fix(policy({ state: 'disabled' }), self)).toEqual({ kind: 'device', text: 'fix the key: WEBAUTHN-ENTRA-002, EN-ATTESTATION-FORMAT', checks: ['WEBAUTHN-ENTRA-002', 'EN-ATTESTATION-FORMAT'] });
  });
});
