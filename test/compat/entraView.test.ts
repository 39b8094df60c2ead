import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateEntra, parseEntraPolicy, type CompatInput } from '../../harness/compat/index.ts';
import { simRegistration, type SimRegistration } from './compatFixtures.ts';

/** The fido2AuthenticationMethod view and the verdict when the scope turns on group membership. */
let clean: SimRegistration;
beforeAll(async () => {
  clean = await simRegistration();
});
const withAttestation = (change: Record<string, unknown>): CompatInput => ({ ...clean.input, attestation: { ...clean.attestation, ...change } as CompatInput['attestation'] });

describe('the fido2AuthenticationMethod view', () => {
  it('is "attested" only for an AAGUID the attestation vouches for, even when MS-ATTESTATION passes', () => {
    // a chain to the entry's roots whose certificate names another AAGUID (a warning): MS-ATTESTATION passes, the AAGUID is not verified
    const input = withAttestation({ problems: [{ code: 'ATT_AAGUID_MISMATCH', severity: 'warn', message: 'x' }] });
    const ev = evaluateEntra(input);
    expect(ev.authenticationMethod).toEqual({ aaGuid: clean.aaguid, model: 'unverified (AAGUID not attested)', attestationLevel: 'notAttested', passkeyType: 'deviceBound' });
  });
});

describe('the verdict while membership is unknown', () => {
  it('an exclusion of unknown membership makes an allowing profile "depends on group", never allowed', () => {
    const policy = parseEntraPolicy({ state: 'enabled', includeTargets: [{ id: 'all_users' }], excludeTargets: [{ id: 'g-x' }] });
    const ev = evaluateEntra({ ...clean.input, policy });
    expect(ev.verdict).toBe('depends-on-group');
    expect(ev.reasons.find((r) => r.id === 'EN-TARGETS')).toMatchObject({ status: 'skip', message: expect.stringContaining('membership of exclude target(s) g-x unknown') });
    expect(evaluateEntra({ ...clean.input, policy, userGroups: ['g-y'] }).verdict).toBe('allowed');
  });
});
