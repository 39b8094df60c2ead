import { describe, expect, it } from 'vitest';
import { DEFAULT_PASSKEY_PROFILE_ID, defaultEntraPolicy, EntraPolicyError, FIDO2_CONFIGURATION_TYPE, parseEntraPolicy } from '../../harness/compat/index.ts';
import { isObject, jsonValue, normaliseAaguid } from '../../harness/compat/entraPolicy.ts';
import { SIM_AAGUID } from './compatFixtures.ts';

/** Graph fido2AuthenticationMethodConfiguration as files give it: what is read, what is refused and where. */
const ALL = { id: 'all_users', targetType: 'group' };
const refusal = (input: unknown): EntraPolicyError => {
  try {
    parseEntraPolicy(input);
  } catch (e) {
    expect(e).toBeInstanceOf(EntraPolicyError);
    return e as EntraPolicyError;
  }
  throw new Error('accepted');
};

describe('parseEntraPolicy', () => {
  it('picks the fido2 member of an authenticationMethodsPolicy by type or by id (any case), skipping what is not an object', () => {
    const fido2 = { id: 'FIDO2', state: 'enabled', includeTargets: [ALL] };
    const doc = { authenticationMethodConfigurations: [null, 'Fido2', { id: 'Sms', state: 'enabled', includeTargets: [] }, fido2] };
    expect(parseEntraPolicy(doc)).toEqual(fido2);
    const typed = { '@odata.type': FIDO2_CONFIGURATION_TYPE, state: 'disabled', includeTargets: [] };
    expect(parseEntraPolicy({ authenticationMethodConfigurations: [{ id: 'Email', state: 'enabled', includeTargets: [] }, typed] }).state).toBe('disabled');
    // a violation inside is named by its pointer in the whole document
    const bad = refusal({ authenticationMethodConfigurations: [{ id: 'Sms' }, { id: 'Fido2', state: 'enabled', includeTargets: [{ id: '' }] }] });
    expect(bad.path).toBe('/authenticationMethodConfigurations/1/includeTargets/0/id');
    expect(bad.code).toBe('ENTRA_POLICY_INVALID');
    expect(bad.message).toBe(`/authenticationMethodConfigurations/1/includeTargets/0/id: ${bad.reason}`);
    expect(bad.reason).toMatch(/^not a fido2AuthenticationMethodConfiguration: /);
    expect(refusal({ authenticationMethodConfigurations: [] })).toMatchObject({ path: '/authenticationMethodConfigurations', reason: 'an authenticationMethodsPolicy without a fido2 configuration' });
  });

  it('refuses what is not an object, with no path and the reason alone as message', () => {
    for (const input of [null, [], 'null', '[1]', 42]) {
      const e = refusal(input);
      expect(e).toMatchObject({ name: 'EntraPolicyError', code: 'ENTRA_POLICY_INVALID', path: '', reason: 'not a fido2AuthenticationMethodConfiguration (a JSON object)' });
      expect(e.message).toBe('not a fido2AuthenticationMethodConfiguration (a JSON object)');
    }
    expect(refusal('{')).toMatchObject({ code: 'ENTRA_POLICY_NOT_JSON', path: '', message: expect.stringMatching(/^not JSON: /) });
  });

  it('checks Graph\'s enumerations (with unknownFutureValue), ids and passkeyTypes flags', () => {
    const base = { state: 'enabled', includeTargets: [ALL] };
    expect(parseEntraPolicy({ ...base, includeTargets: [{ id: 'g', targetType: 'unknownFutureValue' }] }).includeTargets[0]!.targetType).toBe('unknownFutureValue');
    expect(refusal({ ...base, includeTargets: [{ id: 'g', targetType: 'role' }] }).path).toBe('/includeTargets/0/targetType');
    expect(refusal({ ...base, excludeTargets: [{ id: '' }] }).path).toBe('/excludeTargets/0/id');
    expect(refusal({ ...base, passkeyProfiles: [{ id: '' }] }).path).toBe('/passkeyProfiles/0/id');
    expect(parseEntraPolicy({ ...base, passkeyProfiles: [{ id: 'p', passkeyTypes: ' deviceBound , synced ' }, { id: 'q', passkeyTypes: 'unknownFutureValue' }] }).passkeyProfiles).toHaveLength(2);
    const types = refusal({ ...base, passkeyProfiles: [{ id: 'p', passkeyTypes: 'deviceBound,' }] });
    expect(types.path).toBe('/passkeyProfiles/0/passkeyTypes');
    expect(types.reason).toContain('passkeyTypes is a comma-separated list of deviceBound, synced');
    expect(refusal({ ...base, id: 'Email' }).reason).toContain('the id of a fido2AuthenticationMethodConfiguration is "Fido2"');
    expect(parseEntraPolicy({ ...base, id: 'FiDo2' }).id).toBe('FiDo2');
    expect(refusal({ ...base, keyRestrictions: { aaGuids: ['not-an-aaguid'] } }).reason).toContain('not an AAGUID (8-4-4-4-12 hex digits)');
    expect(parseEntraPolicy({ ...base, keyRestrictions: { isEnforced: true, enforcementType: 'unknownFutureValue', aaGuids: null } }).keyRestrictions).toEqual({ isEnforced: true, enforcementType: 'unknownFutureValue', aaGuids: null });
  });
});

describe('helpers', () => {
  it('normaliseAaguid: any case and surrounding space → canonical lowercase; anything else → undefined', () => {
    expect(normaliseAaguid(` ${SIM_AAGUID.toUpperCase()}\n`)).toBe(SIM_AAGUID);
    expect(normaliseAaguid(`{${SIM_AAGUID}}`)).toBeUndefined();
    expect(normaliseAaguid('')).toBeUndefined();
  });

  it('jsonValue parses text and passes values through; isObject is a plain object only', () => {
    expect(jsonValue('{"a":[1]}')).toEqual({ a: [1] });
    const value = { a: 1 };
    expect(jsonValue(value)).toBe(value);
    expect(() => jsonValue('nope')).toThrow(/^not JSON: /);
    expect([isObject({}), isObject([]), isObject(null), isObject('x'), isObject(undefined)]).toEqual([true, false, false, false, false]);
  });

  it("Entra's defaults: enabled for all users with the default profile, both types, no restrictions, enforcement as asked", () => {
    const profile = (attestationEnforcement: string) => ({
      id: DEFAULT_PASSKEY_PROFILE_ID,
      name: 'Default passkey profile',
      passkeyTypes: 'deviceBound,synced',
      attestationEnforcement,
      keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] },
    });
    const expected = (attestationEnforcement: string) => ({
      '@odata.type': FIDO2_CONFIGURATION_TYPE,
      id: 'Fido2',
      state: 'enabled',
      isSelfServiceRegistrationAllowed: true,
      includeTargets: [{ id: 'all_users', targetType: 'group', isRegistrationRequired: false, allowedPasskeyProfiles: [DEFAULT_PASSKEY_PROFILE_ID] }],
      excludeTargets: [],
      passkeyProfiles: [profile(attestationEnforcement)],
    });
    expect(defaultEntraPolicy()).toEqual(expected('disabled'));
    expect(defaultEntraPolicy(true)).toEqual(expected('registrationOnly'));
    // what the defaults are is a valid policy document
    expect(parseEntraPolicy(JSON.stringify(defaultEntraPolicy(true)))).toEqual(expected('registrationOnly'));
  });
});
