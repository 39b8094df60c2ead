import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateMicrosoft, MICROSOFT_REQUIREMENTS, MICROSOFT_REQUIREMENT_IDS, mdsUsed, reliedOn, TEST_MDS_NOTE, type CompatInput } from '../../harness/compat/index.ts';
import { ALL_CHECKS } from '../../harness/suites/index.ts';
import { verifyAttestation } from '../../mds/attestation/verifyAttestation.ts';
import { passingChecks, realMdsStore, REAL_MDS_TIME, simRegistration, testMds } from './compatFixtures.ts';

const statusOf = (ev: ReturnType<typeof evaluateMicrosoft>, id: string) => ev.requirements.find((r) => r.id === id)!;
const REAL_AT = REAL_MDS_TIME;
const realBlob = realMdsStore;
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/mds/attestation/${name}`, import.meta.url), 'utf8'));

describe('Microsoft-compatible evaluation', () => {
  it('should list every MS-* requirement verbatim, with sources, and name only checks the suites define', () => {
    expect(MICROSOFT_REQUIREMENT_IDS).toEqual(['MS-FIDO2', 'MS-CERTIFIED', 'MS-MDS-LISTED', 'MS-UV', 'MS-RK', 'MS-HMAC', 'MS-MULTI-ACCOUNT', 'MS-ATTESTATION', 'MS-AAGUID']);
    const defined = new Set(ALL_CHECKS.map((c) => c.id));
    for (const r of MICROSOFT_REQUIREMENTS) {
      const ids = reliedOn(r);
      expect(ids.filter((id) => !defined.has(id)), r.id).toEqual([]);
      expect(new Set(ids).size, `${r.id} names a check twice`).toBe(ids.length);
      expect(r.source).toMatch(/^S\d/);
    }
  });

  it('should judge the clean simulator compatible against its test MDS, and say the MDS is test material', async () => {
    const { input } = await simRegistration();
    const ev = evaluateMicrosoft(input);
    expect(ev.requirements.filter((r) => r.status !== 'pass').map((r) => `${r.id} ${r.status}: ${r.evidence.join('; ')}`)).toEqual([]);
    expect(ev.verdict).toBe('compatible');
    expect(ev.mdsNote).toBe(TEST_MDS_NOTE);
    expect(ev.information?.map((i) => i.id)).toContain('INFO-CREDPROTECT');
  });

  // every check a requirement relies on can fail it: a renamed or ignored check would leave it passing
  const cases = MICROSOFT_REQUIREMENTS.flatMap((r) => reliedOn(r).map((id) => [r.id, id] as const));
  it.each(cases)('should fail %s when %s fails', async (req, check) => {
    const { input } = await simRegistration();
    const ev = evaluateMicrosoft({ ...input, checks: passingChecks({ [check]: 'fail' }) });
    expect(statusOf(ev, req).status).toBe('fail');
    expect(statusOf(ev, req).evidence.join('\n')).toContain(check);
    expect(ev.verdict).toBe('not-compatible');
  });

  it('should not pass a requirement whose needed check was not run', async () => {
    const { input } = await simRegistration();
    const ev = evaluateMicrosoft({ ...input, checks: passingChecks().filter((c) => c.id !== 'RK-MULTI-001') });
    expect(statusOf(ev, 'MS-MULTI-ACCOUNT').status).toBe('skip');
    expect(statusOf(ev, 'MS-MULTI-ACCOUNT').evidence.join()).toContain('RK-MULTI-001 was not run');
    expect(ev.verdict).toBe('incomplete');
  });

  it('should fail MS-ATTESTATION on a wrong rpIdHash even when every check passed (wrong-rpid-hash)', async () => {
    const { input } = await simRegistration(['wrong-rpid-hash']);
    const ev = evaluateMicrosoft(input);
    expect(statusOf(ev, 'MS-ATTESTATION').status).toBe('fail');
    expect(statusOf(ev, 'MS-ATTESTATION').evidence.join()).toContain('ATT_RP_ID_MISMATCH');
  });

  it('should fail MS-ATTESTATION on a bad attestation signature', async () => {
    const { input } = await simRegistration(['bad-attestation-signature']);
    expect(statusOf(evaluateMicrosoft(input), 'MS-ATTESTATION').status).toBe('fail');
  });

  it('should skip MS-MDS-LISTED, MS-CERTIFIED and MS-UV with "AAGUID not verified" on self attestation', async () => {
    const { input } = await simRegistration(['self-attestation']);
    const ev = evaluateMicrosoft(input);
    for (const id of ['MS-MDS-LISTED', 'MS-CERTIFIED', 'MS-UV']) {
      expect(statusOf(ev, id).status, id).toBe('skip');
      expect(statusOf(ev, id).evidence.join(), id).toContain('AAGUID not verified');
    }
    expect(statusOf(ev, 'MS-ATTESTATION').status).toBe('fail');
    expect(ev.verdict).toBe('not-compatible');
  });

  it('should skip the MDS-learned points for a "none" attestation (nothing vouches for the AAGUID)', async () => {
    const { attestation, mds } = await simRegistration();
    const none = { ...attestation, format: 'none', attestationType: 'none' as const, signatureValid: true, chainValid: false, trustPath: [], chainPath: [] };
    const { rootSource: _r, ...noneResult } = none;
    const ev = evaluateMicrosoft({ attestation: noneResult, mds: mds.used, at: new Date() });
    for (const id of ['MS-MDS-LISTED', 'MS-CERTIFIED', 'MS-UV']) expect(statusOf(ev, id).evidence.join(), id).toContain('AAGUID not verified');
  });

  it('should fail MS-CERTIFIED on a REVOKED MDS status (mds-revoked)', async () => {
    const mds = await testMds({ statusReports: [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' }, { status: 'REVOKED', effectiveDate: '2025-01-01' }] });
    const { input } = await simRegistration([], { mds });
    const ev = evaluateMicrosoft(input);
    expect(statusOf(ev, 'MS-CERTIFIED').status).toBe('fail');
    expect(statusOf(ev, 'MS-CERTIFIED').evidence.join()).toMatch(/REVOKED/);
  });

  it('should fail MS-MDS-LISTED when a real BLOB is consulted and the AAGUID is absent from it', async () => {
    const store = await realBlob();
    const used = mdsUsed(store, 'blob-2023-no23.jwt');
    expect(used.testMaterial).toBe(false);
    const { input } = await simRegistration([], { mds: null });
    const ev = evaluateMicrosoft({ ...input, mds: used, at: REAL_AT });
    expect(statusOf(ev, 'MS-MDS-LISTED').status).toBe('fail');
    expect(statusOf(ev, 'MS-MDS-LISTED').evidence.join()).toMatch(/not in the MDS BLOB consulted \(serial 23\)/);
    expect(ev.mdsNote).toBeUndefined();
  });

  it('should pass the MDS-learned points for a real key attested to its MDS root (YubiKey, real BLOB)', async () => {
    const store = await realBlob();
    const attestation = await verifyAttestation(fixture('tweag/packed-02.json'), { store, at: REAL_AT });
    const input: CompatInput = { attestation, mds: mdsUsed(store), at: REAL_AT };
    const ev = evaluateMicrosoft(input);
    expect(statusOf(ev, 'MS-ATTESTATION').status).toBe('pass');
    expect(statusOf(ev, 'MS-MDS-LISTED').status).toBe('pass');
    expect(statusOf(ev, 'MS-FIDO2').status).toBe('pass');
    // what needs getInfo or the run's checks cannot be judged from a registration
    expect(statusOf(ev, 'MS-HMAC').status).toBe('skip');
    expect(statusOf(ev, 'MS-MULTI-ACCOUNT').evidence.join()).toContain('nothing could be measured');
    expect(ev.verdict).not.toBe('compatible');
  });

  it('should fail MS-UV when UV behaviour fails (uv-without-pin: UV flags set without verification)', async () => {
    const { input } = await simRegistration(['uv-without-pin'], { checks: { 'UV-FLAG-001': 'fail', 'MC-FLAGS-002': 'fail', 'GA-FLAGS-002': 'fail' } });
    const ev = evaluateMicrosoft(input);
    expect(statusOf(ev, 'MS-UV').status).toBe('fail');
  });

  it('should count biometric UV for MS-UV: a fingerprint token passes it without PIN checks, a finger that any match fails it', async () => {
    const bio = await simRegistration([], { checks: { 'BIO-UV-001': 'pass', 'PIN-TOKEN-001': 'skip', 'PIN-TOKEN-002': 'skip', 'UV-BUILTIN-001': 'skip' } });
    const ok = statusOf(evaluateMicrosoft(bio.input), 'MS-UV');
    expect(ok.status).toBe('pass');
    expect(ok.evidence.join('\n')).toMatch(/BIO-UV-001/);
    const anyFinger = await simRegistration(['bio-uv-any-finger'], { checks: { 'BIO-UV-001': 'pass', 'BIO-UV-002': 'fail' } });
    expect(statusOf(evaluateMicrosoft(anyFinger.input), 'MS-UV').status).toBe('fail');
  });
});

describe('Microsoft section information', () => {
  it('should say what the key was tested over (information, never a requirement)', async () => {
    const { input } = await simRegistration();
    const ev = evaluateMicrosoft({ ...input, transport: 'nfc' });
    expect(ev.information?.[0]).toEqual({ id: 'INFO-TESTED-OVER', title: 'Tested over', value: 'NFC (PC/SC)' });
    expect(ev.requirements.map((r) => r.id)).not.toContain('INFO-TESTED-OVER');
  });
});
