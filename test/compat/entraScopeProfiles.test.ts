import { describe, expect, it } from 'vitest';
import { parseEntraPolicy, scopeOf } from '../../harness/compat/index.ts';

describe('passkey profiles in scope', () => {
  it('keeps two profiles that share a display name (a profile is its id)', () => {
    const policy = parseEntraPolicy({
      state: 'enabled',
      includeTargets: [{ id: 'all_users', allowedPasskeyProfiles: ['a'] }, { id: 'g1', allowedPasskeyProfiles: ['b', 'A'] }],
      passkeyProfiles: [
        { id: 'a', name: 'Same', passkeyTypes: 'deviceBound' },
        { id: 'b', name: 'Same', passkeyTypes: 'synced' },
      ],
    });
    expect(scopeOf(policy, ['g1']).profiles.map((p) => `${p.profileId} ${p.passkeyTypes?.join(',')}`)).toEqual(['a deviceBound', 'b synced']);
    expect(scopeOf(policy, undefined).possibleProfiles.map((p) => p.profileId)).toEqual(['b']);
  });
});
