import { beforeAll, describe, expect, it } from 'vitest';
import { defaultEntraPolicy, evaluateEntra, parseAuthStrengths, parseEntraPolicy, type CompatInput, type EntraPolicy, type MdsUsed } from '../../harness/compat/index.ts';
import type { StatusEvaluation } from '../../mds/evaluateStatus.ts';
import { passingChecks, simRegistration, type SimRegistration } from './compatFixtures.ts';

/** Entra's reasons as reports show them (id, status, source), and how strengths and scope make the verdict. */
let clean: SimRegistration;
beforeAll(async () => {
  clean = await simRegistration();
});
const policy = (extra: Record<string, unknown>): EntraPolicy => parseEntraPolicy({ state: 'enabled', includeTargets: [{ id: 'all_users' }], ...extra });
const withAttestation = (change: Record<string, unknown>): CompatInput => ({ ...clean.input, attestation: { ...clean.attestation, ...change } as CompatInput['attestation'] });
const reason = (ev: ReturnType<typeof evaluateEntra>, id: string) => ev.reasons.find((r) => r.id === id);

describe('reasons with their sources', () => {
  it('names the source of every reason, enforced or not', () => {
    const shown = (p: EntraPolicy) => evaluateEntra({ ...clean.input, policy: p }).reasons.map((r) => `${r.id} ${r.status} ${r.source}`);
    expect(shown(policy({}))).toEqual([
      'EN-METHOD-STATE pass S6',
      'EN-TARGETS pass S6',
      'EN-UV pass S1, S6',
      'EN-RK pass S6',
      'EN-ES256 pass S6',
      'WIN-CREDPROTECT warn vendor guidance',
      'EN-KEY-RESTRICTIONS pass S3, S6',
      'EN-ATTESTATION pass S3, S6',
      'EN-ATTESTATION-FORMAT pass S1',
      'EN-PASSKEY-TYPE pass S3, S6',
      'EN-AUTH-STRENGTH pass S6',
      'EN-AUTH-STRENGTH pass S6',
      'EN-AUTH-STRENGTH pass S6',
    ]);
    expect(shown(policy({ isAttestationEnforced: true })).filter((l) => l.startsWith('EN-ATTESTATION'))).toEqual(['EN-ATTESTATION pass S3, S6']);
    expect(reason(evaluateEntra({ ...clean.input, policy: policy({}) }), 'EN-TARGETS')).toEqual({ id: 'EN-TARGETS', status: 'pass', message: 'included by all_users', source: 'S6' });
    const none = parseEntraPolicy({ state: 'enabled', includeTargets: [{ id: 'all_users', allowedPasskeyProfiles: ['x'] }], passkeyProfiles: [{ id: 'p' }] });
    const ev = evaluateEntra({ ...clean.input, policy: none });
    expect(reason(ev, 'EN-KEY-RESTRICTIONS')?.source).toBe('S3, S6');
    expect(ev.verdict).toBe('blocked');
  });

  it('the MDS status under enforcement names each failing finding, and only those', () => {
    const report = { status: 'X', effectiveDate: '2024-01-01' };
    const status: StatusEvaluation = {
      verdict: 'fail',
      certified: true,
      certificationLevel: 'FIDO_CERTIFIED_L1',
      findings: [
        { status: 'REVOKED', severity: 'fail', message: 'revoked', report },
        { status: 'UPDATE_AVAILABLE', severity: 'warn', message: 'update', report },
        { status: 'USER_VERIFICATION_BYPASS', severity: 'fail', message: 'uv bypass', report },
      ],
      history: [],
    };
    const ev = evaluateEntra({ ...withAttestation({ status }), policy: policy({ isAttestationEnforced: true }) });
    expect(reason(ev, 'EN-ATTESTATION')?.message).toMatch(/; MDS status: revoked; uv bypass$/);
  });

  it('names the passkey types as the profile lists them', () => {
    const typed = (passkeyTypes: string, input: CompatInput) =>
      reason(evaluateEntra({ ...input, policy: parseEntraPolicy({ state: 'enabled', includeTargets: [{ id: 'all_users', allowedPasskeyProfiles: ['p'] }], passkeyProfiles: [{ id: 'p', passkeyTypes }] }) }), 'EN-PASSKEY-TYPE');
    expect(typed('synced,unknownFutureValue', clean.input)?.message).toBe('profile "p": passkeyTypes "synced,unknownFutureValue" exclude deviceBound');
    const { attestation: _a, ...noReg } = clean.input;
    expect(typed('deviceBound,unknownFutureValue', noReg)?.message).toMatch(/^profile "p": passkeyTypes "deviceBound,unknownFutureValue": no registration was verified/);
  });
});

describe('the verdict with strengths and defaults', () => {
  it('a strength that refuses the key blocks it also where the method policy depends on groups', () => {
    const strengths = parseAuthStrengths({ id: 's', allowedCombinations: ['password,sms'] }, 'f');
    const ev = evaluateEntra({ ...clean.input, policy: policy({ includeTargets: [{ id: 'g1' }] }), authStrengths: strengths });
    expect(ev.scenarios?.[0]?.verdict).toBe('depends-on-group');
    expect(ev.verdict).toBe('blocked');
  });

  it('EN-UV with a warning leaves every strength that allows fido2 unjudged: incomplete, not allowed', () => {
    const ev = evaluateEntra({ ...clean.input, checks: passingChecks({ 'WEBAUTHN-ENTRA-002': 'warn' }) });
    expect(reason(ev, 'EN-UV')?.status).toBe('warn');
    expect(ev.scenarios?.[0]?.verdict).toBe('allowed');
    expect(ev.authStrengths?.map((s) => s.status)).toEqual(['skip', 'skip', 'skip']);
    expect(ev.verdict).toBe('incomplete');
    // a policy that blocks stays blocked
    expect(evaluateEntra({ ...clean.input, checks: passingChecks({ 'WEBAUTHN-ENTRA-002': 'warn' }), policy: policy({ state: 'disabled' }) }).verdict).toBe('blocked');
  });

  it('a strength without fido2 keeps its own fix when the key fails (its POST is still needed)', () => {
    const strengths = parseAuthStrengths({ id: 's', policyType: 'custom', allowedCombinations: ['password,sms'] }, 'f');
    const ev = evaluateEntra({ ...clean.input, checks: passingChecks({ 'WEBAUTHN-ENTRA-001': 'fail' }), authStrengths: strengths });
    expect(ev.fix?.kind).toBe('device');
    expect(ev.authStrengths?.find((s) => s.from === 'f')?.fix).toMatchObject({ kind: 'policy', method: 'POST' });
  });

  it('without a policy the defaults as given are reported', () => {
    expect(evaluateEntra(clean.input).policy).toEqual(defaultEntraPolicy());
  });

  it('the model of a verified AAGUID whose entry has no description', () => {
    const entry = { ...clean.attestation.mdsEntry!, metadataStatement: undefined };
    const mds: MdsUsed = { store: { byAaguid: () => entry }, testMaterial: true };
    expect(evaluateEntra({ ...clean.input, mds }).authenticationMethod?.model).toBe('(no description)');
  });
});
