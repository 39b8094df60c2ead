import { beforeAll, describe, expect, it } from 'vitest';
import { checkFacts, combineFacts, evidenceLines, gatherFacts, mdsFact, reliedOn, type CompatInput, type Fact, type Facts } from '../../harness/compat/evidence.ts';
import { registrationInput, summarizeMds } from '../../harness/compat/index.ts';
import type { CheckResult } from '../../reports/model.ts';
import type { StatusEvaluation } from '../../mds/evaluateStatus.ts';
import { simRegistration, testMds, TEST_TIME, type SimRegistration } from './compatFixtures.ts';

/**
 * The evidence layer every Microsoft and Entra verdict is built on: how facts combine into a status, how the
 * suites' results become facts, which AAGUID is the key's and when it counts as vouched for (WebAuthn L3
 * §7.1 steps 19-24, MDS3 §3.1.1), and which MDS status applies (MDS3 §3.1.4).
 */
let clean: SimRegistration;
beforeAll(async () => {
  clean = await simRegistration();
});

const fact = (status: Fact['status'], text = status): Fact => ({ status, text });
const withAttestation = (change: Record<string, unknown>): CompatInput => ({ ...clean.input, attestation: { ...clean.attestation, ...change } as CompatInput['attestation'] });
/** facts whose check results are exactly `results` (anything else: not run) */
const withChecks = (results: Record<string, CheckResult['status']>, messages: Record<string, string> = {}): Facts =>
  gatherFacts({ checks: Object.entries(results).map(([id, status]) => ({ id, status, message: messages[id] ?? '' })) });

describe('combineFacts: fail > skip > warn > pass; information never decides', () => {
  it.each([
    [[], 'skip'],
    [[fact('info')], 'skip'],
    [[fact('pass'), fact('info')], 'pass'],
    [[fact('pass'), fact('warn')], 'warn'],
    [[fact('warn'), fact('skip'), fact('pass')], 'skip'],
    [[fact('skip'), fact('fail'), fact('warn')], 'fail'],
    [[fact('pass'), fact('fail')], 'fail'],
  ] as const)('%j → %s', (facts, status) => {
    expect(combineFacts(facts)).toBe(status);
  });

  it('shows a judged fact as "status: text" and information bare', () => {
    expect(evidenceLines([{ status: 'pass', text: 'a' }, { status: 'info', text: 'b' }, { status: 'fail', text: 'c' }])).toEqual(['pass: a', 'b', 'fail: c']);
  });

  it('names every relied-on check once, alternatives flattened, failsOn last', () => {
    expect(reliedOn({ needs: ['A-1', ['B-1', 'B-2']] as never, failsOn: ['C-1'] as never })).toEqual(['A-1', 'B-1', 'B-2', 'C-1']);
    expect(reliedOn({})).toEqual([]);
  });
});

describe('checkFacts: the suites\' results as facts', () => {
  it('gives nothing where no check was run at all (attestation verify, the RP page)', () => {
    expect(checkFacts(gatherFacts({}), { needs: ['INFO-VERSIONS-001'], failsOn: ['RK-SUPPORT-001'] })).toEqual([]);
  });

  it('a needed check: pass/warn as they are, error is a fail, skip or not run is a skip', () => {
    const f = withChecks({ 'INFO-VERSIONS-001': 'pass', 'INFO-AAGUID-001': 'warn', 'RK-DISCOVER-001': 'error', 'RK-MULTI-001': 'skip' }, { 'RK-DISCOVER-001': 'timed out', 'INFO-AAGUID-001': 'odd' });
    expect(checkFacts(f, { needs: ['INFO-VERSIONS-001', 'INFO-AAGUID-001', 'RK-DISCOVER-001', 'RK-MULTI-001', 'HMAC-SUPPORT-001'] })).toEqual([
      { status: 'pass', text: 'INFO-VERSIONS-001 pass' },
      { status: 'warn', text: 'INFO-AAGUID-001 warn: odd' },
      { status: 'fail', text: 'RK-DISCOVER-001 error: timed out' },
      { status: 'skip', text: 'RK-MULTI-001 skip' },
      { status: 'skip', text: 'HMAC-SUPPORT-001 was not run' },
    ]);
  });

  it('alternatives: one failing fails (only the failures shown), one passing is enough (the others information), none passing is a skip', () => {
    const group = { needs: [['PIN-TOKEN-001', 'UV-BUILTIN-001', 'BIO-UV-001']] } as never;
    expect(checkFacts(withChecks({ 'PIN-TOKEN-001': 'pass', 'UV-BUILTIN-001': 'error', 'BIO-UV-001': 'fail' }), group)).toEqual([
      { status: 'fail', text: 'UV-BUILTIN-001 error' },
      { status: 'fail', text: 'BIO-UV-001 fail' },
    ]);
    expect(checkFacts(withChecks({ 'PIN-TOKEN-001': 'skip', 'UV-BUILTIN-001': 'warn' }), group)).toEqual([
      { status: 'info', text: 'PIN-TOKEN-001 skip' },
      { status: 'warn', text: 'UV-BUILTIN-001 warn' },
      { status: 'info', text: 'BIO-UV-001 was not run' },
    ]);
    expect(checkFacts(withChecks({ 'PIN-TOKEN-001': 'pass' }), group).map((x) => x.status)).toEqual(['pass', 'info', 'info']);
    expect(checkFacts(withChecks({ 'PIN-TOKEN-001': 'skip' }), group)).toEqual([
      { status: 'skip', text: 'none of PIN-TOKEN-001, UV-BUILTIN-001, BIO-UV-001 passed (PIN-TOKEN-001 skip; UV-BUILTIN-001 was not run; BIO-UV-001 was not run)' },
    ]);
  });

  it('failsOn: a fail or error fails, a warn warns, pass, skip and not run say nothing', () => {
    const f = withChecks({ 'RK-SUPPORT-001': 'fail', 'RK-OVERWRITE-001': 'error', 'RK-NONRK-001': 'warn', 'HMAC-MC-001': 'pass', 'HMAC-GA-001': 'skip' });
    expect(checkFacts(f, { failsOn: ['RK-SUPPORT-001', 'RK-OVERWRITE-001', 'RK-NONRK-001', 'HMAC-MC-001', 'HMAC-GA-001', 'HMAC-GA-002'] })).toEqual([
      { status: 'fail', text: 'RK-SUPPORT-001 fail' },
      { status: 'fail', text: 'RK-OVERWRITE-001 error' },
      { status: 'warn', text: 'RK-NONRK-001 warn' },
    ]);
  });
});

describe('gatherFacts: the key\'s AAGUID and whether it is vouched for', () => {
  it('the clean registration: both AAGUIDs, verified, its MDS entry and the status its verification found', () => {
    const f = gatherFacts(clean.input);
    expect(f).toMatchObject({ infoAaguid: clean.aaguid, attestedAaguid: clean.aaguid, aaguid: clean.aaguid, aaguidVerified: true, notVerified: '' });
    expect(f.entry?.aaguid).toBe(clean.aaguid);
    expect(f.status).toBe(clean.attestation.status);
    expect(f.check('RK-DISCOVER-001')).toMatchObject({ id: 'RK-DISCOVER-001', status: 'pass' });
    expect(f.check('NOPE-001' as never)).toBeUndefined();
  });

  it('the attested AAGUID wins over getInfo\'s; a malformed getInfo AAGUID is none at all', () => {
    const other = Uint8Array.from(clean.info.aaguid, (b) => b ^ 0xff);
    const f = gatherFacts({ ...clean.input, info: { ...clean.info, aaguid: other } });
    expect(f.aaguid).toBe(clean.aaguid);
    expect(f.infoAaguid).not.toBe(clean.aaguid);
    const bad = gatherFacts({ info: { ...clean.info, aaguid: new Uint8Array(3) } });
    expect(bad).not.toHaveProperty('infoAaguid');
    expect(bad).not.toHaveProperty('aaguid');
    expect(bad.aaguidVerified).toBe(false);
    expect(bad.notVerified).toBe('no registration was verified');
    // getInfo alone: its AAGUID is what the key claims, looked up but never vouched for
    const infoOnly = gatherFacts({ info: clean.info, mds: clean.input.mds! });
    expect(infoOnly).toMatchObject({ aaguid: clean.aaguid, aaguidVerified: false });
    expect(infoOnly.entry?.aaguid).toBe(clean.aaguid);
  });

  it('a registration without attested credential data has no attested AAGUID and vouches for nothing', () => {
    const f = gatherFacts(withAttestation({ authData: { ...clean.attestation.authData, attestedCredentialData: undefined } }));
    expect(f).not.toHaveProperty('attestedAaguid');
    expect(f.aaguid).toBe(clean.aaguid); // getInfo's
    expect(f.aaguidVerified).toBe(false);
  });

  it.each([
    // as verifyAttestation reports them: no x5c, so no chain
    [{ attestationType: 'self', chainValid: false, trustPath: [], chainPath: [] }, "self attestation: the AAGUID is the key's own claim"],
    [{ attestationType: 'none', chainValid: false, trustPath: [], chainPath: [] }, '"none" attestation: nothing vouches for the AAGUID'],
    [{ format: 'none', chainValid: false, trustPath: [], chainPath: [] }, '"none" attestation: nothing vouches for the AAGUID'],
    [{ signatureValid: false }, 'the attestation signature does not verify'],
    [{ problems: [{ code: 'ATT_AAGUID_MISMATCH', severity: 'fail', message: 'x' }] }, "the certificate's AAGUID extension differs from authData"],
    [{ chainValid: false }, "the attestation chain does not end in the MDS entry's roots"],
    [{ rootSource: 'given' }, "the attestation chain does not end in the MDS entry's roots"],
    [{ problems: [{ code: 'ATT_MALFORMED', severity: 'fail', message: 'x' }] }, 'not verified'],
  ])('not verified when %j: "%s"', (change, why) => {
    const f = gatherFacts(withAttestation(change));
    expect(f.aaguidVerified).toBe(false);
    expect(f.notVerified).toBe(why);
  });

  it('a warning-level AAGUID mismatch (fido-u2f) still withholds verification', () => {
    expect(gatherFacts(withAttestation({ problems: [{ code: 'ATT_AAGUID_MISMATCH', severity: 'warn', message: 'x' }] })).aaguidVerified).toBe(false);
    expect(gatherFacts(withAttestation({ problems: [{ code: 'ATT_STATUS', severity: 'fail', message: 'x' }] })).aaguidVerified).toBe(true);
  });

  it('never looks the all-zero AAGUID up, even when an MDS lists it', async () => {
    const zero = '00000000-0000-0000-0000-000000000000';
    const mds = await testMds({ aaguid: zero });
    const f = gatherFacts({ info: { ...clean.info, aaguid: new Uint8Array(16) }, mds: mds.used });
    expect(f.aaguid).toBe(zero);
    expect(mds.store.byAaguid(zero)).toBeDefined();
    expect(f).not.toHaveProperty('entry');
    expect(f).not.toHaveProperty('status');
  });

  it('uses the status the attestation was verified with for its own entry, else judges the entry as of `at`', async () => {
    const marker = { verdict: 'warn', certified: true, findings: [], history: [] } as StatusEvaluation;
    expect(gatherFacts(withAttestation({ status: marker })).status).toBe(marker);
    // an entry the attestation was not verified against: judged here, with `at`
    const mds = await testMds({ info: clean.info, statusReports: [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' }, { status: 'REVOKED', effectiveDate: '2030-01-01' }] });
    const before = gatherFacts({ ...clean.input, mds: mds.used, at: new Date('2029-12-31T00:00:00Z') });
    expect(before.status).toMatchObject({ verdict: 'pass', latestStatus: 'FIDO_CERTIFIED_L1' });
    const after = gatherFacts({ ...clean.input, mds: mds.used, at: new Date('2030-01-02T00:00:00Z') });
    expect(after.status).toMatchObject({ verdict: 'fail', latestStatus: 'REVOKED' });
  });

  it('a key-compromise report naming any certificate of the attestation (leaf, intermediate, root) concerns this key', async () => {
    const chain = [...clean.attestation.trustPath, ...clean.attestation.chainPath];
    expect(chain.length).toBeGreaterThan(1);
    for (const cert of [chain[0]!, chain[chain.length - 1]!]) {
      const certificate = Buffer.from(new Uint8Array(cert.rawData)).toString('base64');
      const mds = await testMds({ info: clean.info, statusReports: [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' }, { status: 'ATTESTATION_KEY_COMPROMISE', effectiveDate: '2024-02-01', certificate }] });
      const f = gatherFacts({ ...clean.input, mds: mds.used, at: TEST_TIME });
      expect(f.status?.verdict).toBe('fail');
    }
    // without an attestation the report cannot be tied to this key
    const mds = await testMds({ info: clean.info, statusReports: [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' }, { status: 'ATTESTATION_KEY_COMPROMISE', effectiveDate: '2024-02-01', certificate: Buffer.from(new Uint8Array(chain[0]!.rawData)).toString('base64') }] });
    expect(gatherFacts({ info: clean.info, mds: mds.used, at: TEST_TIME }).status?.verdict).not.toBe('fail');
  });
});

describe('mdsFact: what the MDS entry says counts only for a vouched-for AAGUID', () => {
  const judge = () => ({ status: 'pass' as const, text: 'judged' });
  it('skips without an MDS, without an entry, and for an unverified AAGUID; judges otherwise', () => {
    const { mds: _m, ...noMds } = clean.input;
    expect(mdsFact(gatherFacts(noMds), judge)).toEqual([{ status: 'skip', text: 'no MDS BLOB was consulted' }]);
    expect(mdsFact(gatherFacts({ mds: clean.input.mds! }), judge)).toEqual([{ status: 'skip', text: 'AAGUID (unknown) has no MDS entry' }]);
    const other = Uint8Array.from(clean.info.aaguid, (b) => b ^ 0xff);
    const unlisted = gatherFacts({ info: { ...clean.info, aaguid: other }, mds: clean.input.mds! });
    expect(mdsFact(unlisted, judge)).toEqual([{ status: 'skip', text: `AAGUID ${unlisted.aaguid} has no MDS entry` }]);
    expect(mdsFact(gatherFacts(withAttestation({ attestationType: 'self', chainValid: false, trustPath: [], chainPath: [] })), judge)).toEqual([
      { status: 'skip', text: "AAGUID not verified (self attestation: the AAGUID is the key's own claim): the MDS entry may describe another model" },
    ]);
    expect(mdsFact(gatherFacts(clean.input), judge)).toEqual([{ status: 'pass', text: 'judged' }]);
    expect(mdsFact(gatherFacts(clean.input), () => [judge(), { status: 'info', text: 'more' }])).toHaveLength(2);
  });
});

describe('summarizeMds and registrationInput', () => {
  it('summarizes the entry found, its status and the BLOB; nothing without an MDS', () => {
    const s = summarizeMds(gatherFacts(clean.input))!;
    expect(s).toEqual({
      found: true,
      testMaterial: true,
      source: 'test',
      ...(clean.mds.store.no !== undefined ? { blobNo: clean.mds.store.no } : {}),
      ...(clean.mds.store.nextUpdate !== undefined ? { nextUpdate: clean.mds.store.nextUpdate } : {}),
      description: 'fido-harness simulator',
      latestStatus: 'FIDO_CERTIFIED_L1',
      certificationLevel: 'FIDO_CERTIFIED_L1',
      statusVerdict: 'pass',
      findings: clean.attestation.status!.findings.map((x) => `${x.severity}: ${x.message}`),
      attestationTypes: ['basic_full'],
    });
    expect(s.blobNo).toBeTypeOf('number');
    expect(s.nextUpdate).toMatch(/^\d{4}-\d\d-\d\d$/);
    const { mds: _m, ...noMds } = clean.input;
    expect(summarizeMds(gatherFacts(noMds))).toBeUndefined();
    const { source: _s, ...unnamed } = clean.input.mds!;
    const other = Uint8Array.from(clean.info.aaguid, (b) => b ^ 0xff);
    expect(summarizeMds(gatherFacts({ info: { ...clean.info, aaguid: other }, mds: unnamed }))).toEqual({
      found: false,
      testMaterial: true,
      ...(clean.mds.store.no !== undefined ? { blobNo: clean.mds.store.no } : {}),
      ...(clean.mds.store.nextUpdate !== undefined ? { nextUpdate: clean.mds.store.nextUpdate } : {}),
    });
  });

  it('registrationInput: the attestation, the MDS, the time and what the ceremony showed (UV flag, credProps.rk, COSE alg)', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    expect(registrationInput(clean.attestation, clean.input.mds, at, true)).toEqual({ attestation: clean.attestation, mds: clean.input.mds, at, ceremony: { uv: clean.attestation.authData.uv, residentKey: true, credentialAlg: -7 } });
    expect(registrationInput(clean.attestation, undefined, at)).toEqual({ attestation: clean.attestation, at, ceremony: { uv: clean.attestation.authData.uv, credentialAlg: -7 } });
    const noKey = { ...clean.attestation, authData: { ...clean.attestation.authData, uv: true, attestedCredentialData: undefined } };
    expect(registrationInput(noKey, undefined, at, false).ceremony).toEqual({ uv: true, residentKey: false });
  });
});
