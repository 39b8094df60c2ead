import { beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_STRENGTHS, EntraPolicyError, evaluateAuthStrengths, parseAuthStrengths, STRENGTH_POLICIES_PATH, type AuthStrengthInput, type CompatInput } from '../../harness/compat/index.ts';
import { gatherFacts } from '../../harness/compat/evidence.ts';
import type { EntraReason } from '../../reports/model.ts';
import { OTHER_AAGUID, SIM_AAGUID, simRegistration, type SimRegistration } from './compatFixtures.ts';

/**
 * Conditional Access authentication strengths (Graph authenticationStrengthPolicy, fido2CombinationConfiguration):
 * each outcome with its message and the Graph request that would fix it.
 */
let clean: SimRegistration;
beforeAll(async () => {
  clean = await simRegistration();
});

const FIDO2_CONFIG = '#microsoft.graph.fido2CombinationConfiguration';
const uv = (status: EntraReason['status']): EntraReason[] => [{ id: 'EN-UV', status, message: '', source: 'S6' }];
const custom = (extra: Record<string, unknown> = {}): AuthStrengthInput => ({ policy: { id: 'c1', displayName: 'Custom', policyType: 'custom', allowedCombinations: ['fido2'], ...extra }, from: 'f.json' });
const judge = (s: AuthStrengthInput, reasons: EntraReason[] = uv('pass'), input: CompatInput = clean.input) => {
  const all = evaluateAuthStrengths([s], gatherFacts(input), reasons);
  return all.find((x) => x.from === s.from)!;
};

describe('evaluateAuthStrengths', () => {
  it('judges the three built-in strengths unless a file gives one of them, then the files', () => {
    const all = evaluateAuthStrengths([], gatherFacts(clean.input), uv('pass'));
    expect(all.map((s) => [s.id, s.displayName, s.policyType, s.from, s.status])).toEqual(BUILT_IN_STRENGTHS.map((b) => [b.id, b.displayName, 'builtIn', 'built in', 'pass']));
    const replaced = { policy: { ...BUILT_IN_STRENGTHS[2]!, id: BUILT_IN_STRENGTHS[2]!.id.toUpperCase(), allowedCombinations: ['password,sms'] }, from: 'mine.json' };
    const withFile = evaluateAuthStrengths([replaced], gatherFacts(clean.input), uv('pass'));
    expect(withFile.map((s) => `${s.from} ${s.status}`)).toEqual(['built in pass', 'built in pass', 'mine.json fail']);
    // a strength without a name or type: its id, and "custom"
    const bare = judge({ policy: { id: 'bare', allowedCombinations: ['fido2'] }, from: 'b' });
    expect(bare).toMatchObject({ id: 'bare', displayName: 'bare', policyType: 'custom', status: 'pass' });
  });

  it('without fido2: a custom strength gets the updateAllowedCombinations POST, a built-in one cannot be changed', () => {
    expect(judge(custom({ allowedCombinations: ['password,sms', 'windowsHelloForBusiness'] }))).toEqual({
      id: 'c1',
      displayName: 'Custom',
      policyType: 'custom',
      from: 'f.json',
      status: 'fail',
      message: '"fido2" is not among its allowedCombinations (password,sms; windowsHelloForBusiness)',
      fix: {
        kind: 'policy',
        text: `POST ${STRENGTH_POLICIES_PATH}/c1/updateAllowedCombinations`,
        method: 'POST',
        path: `${STRENGTH_POLICIES_PATH}/c1/updateAllowedCombinations`,
        body: { allowedCombinations: ['password,sms', 'windowsHelloForBusiness', 'fido2'] },
      },
    });
    expect(judge(custom({ allowedCombinations: [] })).message).toBe('"fido2" is not among its allowedCombinations (none)');
    const builtIn = judge(custom({ policyType: 'builtIn', allowedCombinations: ['password,sms'] }));
    expect(builtIn).toMatchObject({ status: 'fail', fix: { kind: 'none', text: 'a built-in strength cannot be changed: require a custom strength that allows fido2' } });
  });

  it('a key failing EN-UV satisfies no strength; EN-UV not judged leaves an unrestricted fido2 strength a skip', () => {
    expect(judge(custom(), uv('fail'))).toMatchObject({ status: 'fail', message: 'a passkey sign-in verifies the user, and this key fails EN-UV', fix: { kind: 'device', text: 'fix the key: EN-UV', checks: ['EN-UV'] } });
    expect(judge(custom(), uv('skip'))).toMatchObject({ status: 'skip', message: 'fido2 is allowed; whether the key verifies the user could not be judged (EN-UV skip)', fix: { kind: 'none', text: 'nothing to change' } });
    expect(judge(custom(), [])).toMatchObject({ status: 'skip', message: 'fido2 is allowed; whether the key verifies the user could not be judged (EN-UV not evaluated)' });
    expect(judge(custom(), uv('warn')).status).toBe('skip');
    expect(judge(custom(), uv('pass'))).toMatchObject({ status: 'pass', message: 'fido2 is allowed with no AAGUID restriction', fix: { kind: 'none', text: 'nothing to change' } });
  });

  it('an AAGUID restriction: listed passes (any case), unlisted fails with the PATCH that adds it, unknown AAGUID is a skip', () => {
    const restricted = (allowedAAGUIDs: string[], id: string | null = 'cfg') => custom({ combinationConfigurations: [{ '@odata.type': FIDO2_CONFIG, ...(id ? { id } : {}), appliesToCombinations: ['fido2'], allowedAAGUIDs }] });
    expect(judge(restricted([SIM_AAGUID.toUpperCase()]))).toMatchObject({ status: 'pass', message: `fido2 is allowed and AAGUID ${SIM_AAGUID} is in its fido2 combination configuration` });
    expect(judge(restricted([SIM_AAGUID]), uv('skip'))).toMatchObject({ status: 'skip', message: `AAGUID ${SIM_AAGUID} is allowed; whether the key verifies the user could not be judged` });
    const path = `${STRENGTH_POLICIES_PATH}/c1/combinationConfigurations/cfg`;
    expect(judge(restricted([OTHER_AAGUID]))).toMatchObject({
      status: 'fail',
      message: `AAGUID ${SIM_AAGUID} is not among the allowedAAGUIDs of its fido2 combination configuration (1 entries)`,
      fix: { kind: 'policy', text: `PATCH ${path}`, method: 'PATCH', path, body: { '@odata.type': FIDO2_CONFIG, allowedAAGUIDs: [OTHER_AAGUID, SIM_AAGUID] } },
    });
    expect(judge(restricted([], null)).fix).toMatchObject({ path: `${STRENGTH_POLICIES_PATH}/c1/combinationConfigurations/{combinationConfigurationId}` });
    expect(judge(restricted([], null)).message).toContain('(0 entries)');
    expect(judge(restricted([SIM_AAGUID]), uv('pass'), { ceremony: { uv: true } })).toMatchObject({ status: 'skip', message: 'fido2 is restricted to listed AAGUIDs and the AAGUID is unknown' });
  });

  it('every fido2 configuration must list the AAGUID; a configuration typed fido2 without a list allows none', () => {
    const two = custom({
      combinationConfigurations: [
        { '@odata.type': FIDO2_CONFIG, id: 'a', allowedAAGUIDs: [SIM_AAGUID] },
        { '@odata.type': FIDO2_CONFIG, id: 'b', allowedAAGUIDs: [OTHER_AAGUID] },
      ],
    });
    expect(judge(two).fix).toMatchObject({ path: `${STRENGTH_POLICIES_PATH}/c1/combinationConfigurations/b` });
    const noList = judge(custom({ combinationConfigurations: [{ '@odata.type': FIDO2_CONFIG, id: 'x' }] }));
    expect(noList.status).toBe('fail');
    expect(noList.fix).toMatchObject({ body: { allowedAAGUIDs: [SIM_AAGUID] } });
    // applying to fido2 without a list and without the type restricts nothing; listing without applying to fido2 neither
    expect(judge(custom({ combinationConfigurations: [{ appliesToCombinations: ['fido2'] }] })).status).toBe('pass');
    expect(judge(custom({ combinationConfigurations: [{ appliesToCombinations: ['x509CertificateMultiFactor'], allowedAAGUIDs: [OTHER_AAGUID] }] })).status).toBe('pass');
  });
});

describe('parseAuthStrengths', () => {
  const policy = { id: 's1', displayName: 'One', allowedCombinations: ['fido2'] };
  it('reads one policy or a list, each tagged with where it came from', () => {
    expect(parseAuthStrengths(JSON.stringify(policy), 'one.json')).toEqual([{ policy, from: 'one.json' }]);
    expect(parseAuthStrengths({ value: [policy, { ...policy, id: 's2' }] }, 'list.json').map((s) => `${s.policy.id} ${s.from}`)).toEqual(['s1 list.json', 's2 list.json']);
  });

  it('names the failing member by JSON pointer, inside the list when it is one', () => {
    const error = (input: unknown) => {
      try {
        parseAuthStrengths(input, 'f');
      } catch (e) {
        return e as EntraPolicyError;
      }
      throw new Error('accepted');
    };
    expect(error({ value: [] })).toMatchObject({ code: 'ENTRA_POLICY_INVALID', path: '/value', reason: 'the list holds no authenticationStrengthPolicy' });
    const inList = error({ value: [policy, { id: 's2' }] });
    expect(inList).toBeInstanceOf(EntraPolicyError);
    expect(inList).toMatchObject({ code: 'ENTRA_POLICY_INVALID', path: '/value/1/allowedCombinations' });
    expect(inList.reason).toMatch(/^not an authenticationStrengthPolicy: /);
    expect(error({ id: 's1' })).toMatchObject({ path: '/allowedCombinations' });
    expect(error('{')).toMatchObject({ code: 'ENTRA_POLICY_NOT_JSON', path: '' });
  });
});
