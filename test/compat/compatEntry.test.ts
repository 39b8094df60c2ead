import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateCompat, mdsUsed, parseAuthStrengths, parseEntraPolicy, parseEntraPolicy as parse, registrationInput, summarizeMds, type MdsUsed } from '../../harness/compat/index.ts';
import { EntraPolicyError } from '../../harness/compat/entraPolicy.ts';
import { gatherFacts } from '../../harness/compat/evidence.ts';
import type { StatusEvaluation } from '../../mds/evaluateStatus.ts';
import { realMdsStore, simRegistration, type SimRegistration } from './compatFixtures.ts';

/** The entry points' own pieces: which MDS was used, a registration's input, the MDS summary, both evaluations. */
let clean: SimRegistration;
beforeAll(async () => {
  clean = await simRegistration();
});

describe('mdsUsed', () => {
  it('is test material unless the BLOB chains to a bundled FIDO Alliance root; names its source only when given', async () => {
    expect(mdsUsed(clean.mds.store, 'simulator test MDS')).toStrictEqual({ store: clean.mds.store, testMaterial: true, source: 'simulator test MDS' });
    expect(mdsUsed(clean.mds.store)).toStrictEqual({ store: clean.mds.store, testMaterial: true });
    const real = await realMdsStore();
    expect(mdsUsed(real, 'blob.jwt')).toStrictEqual({ store: real, testMaterial: false, source: 'blob.jwt' });
  });
});

describe('registrationInput', () => {
  it('leaves out what the ceremony did not show', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const noKey = { ...clean.attestation, authData: { ...clean.attestation.authData, uv: false, attestedCredentialData: undefined } };
    expect(registrationInput(noKey, undefined, at)).toStrictEqual({ attestation: noKey, at, ceremony: { uv: false } });
    expect(registrationInput(clean.attestation, clean.input.mds, at)).toStrictEqual({ attestation: clean.attestation, mds: clean.input.mds, at, ceremony: { uv: clean.attestation.authData.uv, credentialAlg: -7 } });
  });
});

describe('summarizeMds', () => {
  it('lists each status finding with its severity, and leaves out the serial and next update a BLOB lacks', () => {
    const report = { status: 'X', effectiveDate: '2024-01-01' };
    const status: StatusEvaluation = {
      verdict: 'warn',
      certified: true,
      certificationLevel: 'FIDO_CERTIFIED_L2',
      latestStatus: 'UPDATE_AVAILABLE',
      findings: [
        { status: 'UPDATE_AVAILABLE', severity: 'warn', message: 'firmware update available', report },
        { status: 'FIDO_CERTIFIED_L2', severity: 'info', message: 'certified L2', report },
      ],
      history: [],
    };
    const bare: MdsUsed = { store: { byAaguid: (a) => clean.mds.store.byAaguid(a) }, testMaterial: false };
    const entry = clean.attestation.mdsEntry!;
    const s = summarizeMds(gatherFacts({ ...clean.input, mds: bare, attestation: { ...clean.attestation, status, mdsEntry: entry } }));
    expect(s).toStrictEqual({
      found: true,
      testMaterial: false,
      description: 'fido-harness simulator',
      latestStatus: 'UPDATE_AVAILABLE',
      certificationLevel: 'FIDO_CERTIFIED_L2',
      statusVerdict: 'warn',
      findings: ['warn: firmware update available', 'info: certified L2'],
      attestationTypes: ['basic_full'],
    });
  });
});

describe('evaluateCompat', () => {
  it('judges Entra with the input\'s policy, groups and strengths, and summarizes the MDS', () => {
    const policy = parseEntraPolicy({ state: 'enabled', includeTargets: [{ id: 'g1' }] });
    const authStrengths = parseAuthStrengths({ id: 's', allowedCombinations: ['password,sms'] }, 'f.json');
    const c = evaluateCompat({ ...clean.input, policy, userGroups: ['g1'], authStrengths });
    expect(c.entra.policySource).toBe('file');
    expect(c.entra.userGroups).toEqual(['g1']);
    expect(c.entra.authStrengths?.map((s) => s.from)).toContain('f.json');
    expect(c.entra.verdict).toBe('blocked');
    expect(c.microsoft.verdict).toBe('compatible');
    expect(c.mds).toStrictEqual(summarizeMds(gatherFacts(clean.input)));
    const { mds: _m, ...noMds } = clean.input;
    expect(evaluateCompat(noMds)).not.toHaveProperty('mds');
  });
});

describe('an authenticationMethodsPolicy whose first member is the fido2 configuration', () => {
  it('is read from index 0, and a document without one is refused with its code', () => {
    const fido2 = { id: 'Fido2', state: 'enabled', includeTargets: [{ id: 'all_users' }] };
    expect(parse({ authenticationMethodConfigurations: [fido2, { id: 'Sms' }] })).toEqual(fido2);
    let error: unknown;
    try {
      parse({ authenticationMethodConfigurations: [{ id: 'Sms' }] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EntraPolicyError);
    expect(error).toMatchObject({ code: 'ENTRA_POLICY_INVALID', path: '/authenticationMethodConfigurations' });
  });
});
