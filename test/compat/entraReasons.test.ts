import { beforeAll, describe, expect, it } from 'vitest';
import { deviceReasons, evaluateEntra, evaluateMicrosoft, judgePolicy, parseEntraPolicy, type CompatInput, type EntraInput, type EntraPolicy } from '../../harness/compat/index.ts';
import { gatherFacts } from '../../harness/compat/evidence.ts';
import type { AuthenticatorInfo } from '../../harness/protocol/index.ts';
import type { EntraReason, MicrosoftEvaluation } from '../../reports/model.ts';
import { OTHER_AAGUID, passingChecks, SIM_AAGUID, simRegistration, testMds, type SimRegistration } from './compatFixtures.ts';

/**
 * Each Entra reason's own facts (docs/microsoft-entra.md; S1, S3, S6), one input change at a time from the
 * clean simulator's registration: the status AND the message that says why, so a reason that reads the wrong
 * member, drops a fact or mislabels one fails here.
 */
let clean: SimRegistration;
beforeAll(async () => {
  clean = await simRegistration();
});

const ALL = { id: 'all_users', targetType: 'group' };
const legacy = (extra: Record<string, unknown> = {}): EntraPolicy => parseEntraPolicy({ state: 'enabled', includeTargets: [ALL], ...extra });
const profiled = (profile: Record<string, unknown>, extra: Record<string, unknown> = {}): EntraPolicy =>
  parseEntraPolicy({ state: 'enabled', includeTargets: [{ ...ALL, allowedPasskeyProfiles: ['p'] }], passkeyProfiles: [{ id: 'p', name: 'P', ...profile }], ...extra });
const withInfo = (change: Partial<AuthenticatorInfo>): CompatInput => ({ ...clean.input, info: { ...clean.info, ...change } });
const withAttestation = (change: Record<string, unknown>): CompatInput => ({ ...clean.input, attestation: { ...clean.attestation, ...change } as CompatInput['attestation'] });
const device = (input: CompatInput) => deviceReasons(gatherFacts(input));
const one = (reasons: readonly EntraReason[], id: string) => {
  const found = reasons.filter((r) => r.id === id);
  expect(found, id).toHaveLength(1);
  return { status: found[0]!.status, message: found[0]!.message };
};
const entra = (input: EntraInput) => evaluateEntra(input);

describe('device reasons (EN-UV, EN-RK, EN-ES256, WIN-CREDPROTECT)', () => {
  it('the clean simulator: every device reason passes, its facts and checks named', () => {
    expect(device(clean.input)).toEqual([
      { id: 'EN-UV', status: 'pass', message: 'getInfo offers clientPin/uv; WEBAUTHN-ENTRA-001 pass; WEBAUTHN-ENTRA-002 pass', source: 'S1, S6' },
      { id: 'EN-RK', status: 'pass', message: 'getInfo options.rk true; RK-DISCOVER-001 pass', source: 'S6' },
      { id: 'EN-ES256', status: 'pass', message: 'getInfo algorithms include ES256 (-7); INFO-ALGORITHMS-001 pass', source: 'S6' },
      {
        id: 'WIN-CREDPROTECT',
        status: 'warn',
        message: 'credProtect is supported: a credential created at credProtect > 1 is reported to break Windows 10 sign-in (vendor guidance); keep the default at 1',
        source: 'vendor guidance',
      },
    ]);
  });

  it('EN-UV: getInfo without clientPin and uv fails; either option alone is the capability', () => {
    expect(one(device(withInfo({ options: { rk: true } })), 'EN-UV')).toEqual({
      status: 'fail',
      message: 'getInfo has neither clientPin nor uv: Entra requires userVerification "required"; pass: WEBAUTHN-ENTRA-001 pass; pass: WEBAUTHN-ENTRA-002 pass',
    });
    expect(one(device(withInfo({ options: { rk: true, clientPin: false } })), 'EN-UV').status).toBe('pass');
    expect(one(device(withInfo({ options: { rk: true, uv: false } })), 'EN-UV').status).toBe('pass');
  });

  it('EN-UV and EN-RK read what the registration showed: the UV flag, credProps.rk', () => {
    const reg = (ceremony: CompatInput['ceremony']) => device({ ceremony });
    expect(reg({ uv: true, residentKey: true, credentialAlg: -7 })).toEqual([
      { id: 'EN-UV', status: 'pass', message: 'the registration has the UV flag set', source: 'S1, S6' },
      { id: 'EN-RK', status: 'pass', message: 'the registration created a discoverable credential', source: 'S6' },
      { id: 'EN-ES256', status: 'pass', message: 'the credential is ES256 (-7)', source: 'S6' },
    ]);
    expect(reg({ uv: false, residentKey: false, credentialAlg: -8 })).toEqual([
      { id: 'EN-UV', status: 'fail', message: 'the registration has the UV flag clear: Entra requires user verification', source: 'S1, S6' },
      { id: 'EN-RK', status: 'fail', message: 'the registration did not create a discoverable credential (credProps.rk false)', source: 'S6' },
      { id: 'EN-ES256', status: 'warn', message: 'the credential algorithm is -8; Entra asks for ES256 (-7)', source: 'S6' },
    ]);
    // not shown by the ceremony: not judged
    expect(reg({ uv: true }).map((r) => `${r.id} ${r.status}: ${r.message}`)).toEqual([
      'EN-UV pass: the registration has the UV flag set',
      'EN-RK skip: nothing could be measured',
      'EN-ES256 skip: nothing could be measured',
    ]);
    // getInfo and the ceremony together: the failing one decides, the passing one is shown with its status
    expect(one(device({ ...clean.input, ceremony: { uv: false } }), 'EN-UV')).toEqual({
      status: 'fail',
      message: 'pass: getInfo offers clientPin/uv; the registration has the UV flag clear: Entra requires user verification; pass: WEBAUTHN-ENTRA-001 pass; pass: WEBAUTHN-ENTRA-002 pass',
    });
  });

  it('EN-RK fails unless getInfo options.rk is true, naming the value', () => {
    expect(one(device(withInfo({ options: { clientPin: true, rk: false } })), 'EN-RK').message).toBe('getInfo options.rk false: Entra requires a discoverable credential; pass: RK-DISCOVER-001 pass');
    expect(one(device(withInfo({ options: { clientPin: true } })), 'EN-RK')).toEqual({ status: 'fail', message: 'getInfo options.rk absent: Entra requires a discoverable credential; pass: RK-DISCOVER-001 pass' });
  });

  it('EN-ES256: no algorithms list assumes ES256 (CTAP 2.0), a list without -7 fails', () => {
    const { algorithms: _a, ...noList } = clean.info;
    expect(one(device({ ...clean.input, info: noList }), 'EN-ES256').message).toBe('getInfo lists no algorithms; ES256 is assumed (mandatory since CTAP 2.0); INFO-ALGORITHMS-001 pass');
    expect(one(device(withInfo({ algorithms: [{ type: 'public-key', alg: -8 }, { type: 'public-key', alg: -257 }] })), 'EN-ES256')).toEqual({
      status: 'fail',
      message: 'getInfo algorithms -8, -257 lack ES256 (-7); pass: INFO-ALGORITHMS-001 pass',
    });
  });

  it('WIN-CREDPROTECT warns only when credProtect is offered, and is absent without getInfo', () => {
    expect(one(device(withInfo({ extensions: ['hmac-secret'] })), 'WIN-CREDPROTECT')).toEqual({ status: 'pass', message: 'credProtect not offered' });
    expect(one(device(withInfo({ extensions: undefined })), 'WIN-CREDPROTECT').status).toBe('pass');
    const { info: _i, ...noInfo } = clean.input;
    expect(device(noInfo).map((r) => r.id)).toEqual(['EN-UV', 'EN-RK', 'EN-ES256']);
  });

  it('each device reason fails on its own relied-on checks', () => {
    for (const [id, check] of [['EN-UV', 'WEBAUTHN-ENTRA-002'], ['EN-UV', 'UV-FLAG-003'], ['EN-RK', 'RK-SUPPORT-001'], ['EN-ES256', 'INFO-ALGORITHMS-001']] as const) {
      const r = one(device({ ...clean.input, checks: passingChecks({ [check]: 'fail' }) }), id);
      expect(r.status, check).toBe('fail');
      expect(r.message).toContain(`${check} fail: ${check} synthetic fail`);
    }
  });
});

describe('key restrictions (EN-KEY-RESTRICTIONS)', () => {
  const kr = (keyRestrictions: Record<string, unknown>, input: CompatInput = clean.input) => one(entra({ ...input, policy: legacy({ keyRestrictions }) }).reasons, 'EN-KEY-RESTRICTIONS');

  it('allow list: listed passes, missing fails naming the list size', () => {
    expect(kr({ isEnforced: true, enforcementType: 'allow', aaGuids: [OTHER_AAGUID, SIM_AAGUID] })).toEqual({ status: 'pass', message: `legacy policy: AAGUID ${SIM_AAGUID} is in the allow list` });
    expect(kr({ isEnforced: true, enforcementType: 'allow', aaGuids: [OTHER_AAGUID] })).toEqual({ status: 'fail', message: `legacy policy: AAGUID ${SIM_AAGUID} is not in the allow list (1 entries)` });
    expect(kr({ isEnforced: true, enforcementType: 'allow', aaGuids: null })).toEqual({ status: 'fail', message: `legacy policy: AAGUID ${SIM_AAGUID} is not in the allow list (0 entries)` });
    expect(kr({ isEnforced: true, enforcementType: 'allow' }).status).toBe('fail');
  });

  it('block list: listed fails, missing passes', () => {
    expect(kr({ isEnforced: true, enforcementType: 'block', aaGuids: [SIM_AAGUID] })).toEqual({ status: 'fail', message: `legacy policy: AAGUID ${SIM_AAGUID} is in the block list` });
    expect(kr({ isEnforced: true, enforcementType: 'block', aaGuids: [OTHER_AAGUID] })).toEqual({ status: 'pass', message: `legacy policy: AAGUID ${SIM_AAGUID} is not in the block list` });
  });

  it('not enforced passes whatever the list; an unknown enforcementType or AAGUID cannot be judged', () => {
    expect(kr({ isEnforced: false, enforcementType: 'allow', aaGuids: [OTHER_AAGUID] })).toEqual({ status: 'pass', message: 'legacy policy: key restrictions not enforced' });
    expect(kr({ enforcementType: 'allow', aaGuids: [OTHER_AAGUID] }).status).toBe('pass');
    expect(kr({ isEnforced: true, enforcementType: 'unknownFutureValue', aaGuids: [SIM_AAGUID] })).toEqual({ status: 'skip', message: 'legacy policy: enforcementType "unknownFutureValue" is neither allow nor block' });
    expect(kr({ isEnforced: true, aaGuids: [SIM_AAGUID] })).toEqual({ status: 'skip', message: 'legacy policy: enforcementType null is neither allow nor block' });
    expect(kr({ isEnforced: true, enforcementType: 'block', aaGuids: [SIM_AAGUID] }, { ceremony: { uv: true } })).toEqual({ status: 'skip', message: 'legacy policy: AAGUID unknown (no getInfo, no registration)' });
  });

  it('a profile\'s key restrictions are judged under its name', () => {
    const ev = entra({ ...clean.input, policy: profiled({ keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [SIM_AAGUID] } }) });
    expect(one(ev.reasons, 'EN-KEY-RESTRICTIONS')).toEqual({ status: 'fail', message: `profile "P": AAGUID ${SIM_AAGUID} is in the block list` });
    expect(ev.verdict).toBe('blocked');
  });
});

describe('attestation enforcement (EN-ATTESTATION) and the accepted formats (EN-ATTESTATION-FORMAT)', () => {
  it('enforced: MS-ATTESTATION and MS-MDS-LISTED must pass, and an undesired MDS status blocks', async () => {
    const enforced = legacy({ isAttestationEnforced: true });
    expect(one(entra({ ...clean.input, policy: enforced }).reasons, 'EN-ATTESTATION')).toEqual({
      status: 'pass',
      message: 'legacy policy: attestation enforced; MS-ATTESTATION pass; attestation enforced; MS-MDS-LISTED pass; no undesired MDS status',
    });
    const broken = one(entra({ ...withAttestation({ rootSource: 'given', rootSubject: 'CN=Other' }), policy: enforced }).reasons, 'EN-ATTESTATION');
    expect(broken.status).toBe('fail');
    expect(broken.message).toBe(
      "legacy policy: attestation enforced; MS-ATTESTATION fail (fail: the chain does not end in the MDS entry's attestationRootCertificates (it ends in \"CN=Other\", given); MDS attestationTypes: basic_full); " +
        `attestation enforced; MS-MDS-LISTED fail (fail: the attestation chain does not lead to the attestationRootCertificates of the MDS entry for AAGUID ${SIM_AAGUID}: the key is not the listed model); ` +
        'no undesired MDS status',
    );
    // the MDS entry's status: an undesired one blocks, a missing certification does not (it is not Entra's condition)
    const revoked = await simRegistration([], { mds: await testMds({ info: clean.info, statusReports: [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' }, { status: 'REVOKED', effectiveDate: '2024-06-01' }] }) });
    const r = one(entra({ ...revoked.input, policy: enforced }).reasons, 'EN-ATTESTATION');
    expect(r.status).toBe('fail');
    expect(r.message).toBe("legacy policy: pass: attestation enforced; MS-ATTESTATION pass; pass: attestation enforced; MS-MDS-LISTED pass; MDS status: REVOKED since 2024-06-01");
    const uncertified = await simRegistration([], { mds: await testMds({ info: clean.info, statusReports: [{ status: 'NOT_FIDO_CERTIFIED', effectiveDate: '2024-01-01' }] }) });
    expect(evaluateMicrosoft(uncertified.input).requirements.find((x) => x.id === 'MS-CERTIFIED')?.status).toBe('fail');
    expect(one(entra({ ...uncertified.input, policy: enforced }).reasons, 'EN-ATTESTATION').status).toBe('pass');
  });

  it('enforced: a Microsoft evaluation without the requirement is a skip, never a pass', () => {
    const ms: MicrosoftEvaluation = { ...evaluateMicrosoft(clean.input), requirements: [] };
    const r = one(entra({ ...clean.input, microsoft: ms, policy: legacy({ isAttestationEnforced: true }) }).reasons, 'EN-ATTESTATION');
    expect(r).toEqual({ status: 'skip', message: 'legacy policy: MS-ATTESTATION not evaluated; MS-MDS-LISTED not evaluated; MS-CERTIFIED not evaluated' });
  });

  it('not enforced: none, tpm, packed AttCA and a custom format of at most 32 characters pass; other registered formats and packed self fail', () => {
    const format = (change: Record<string, unknown>) => one(entra({ ...withAttestation(change), policy: legacy() }).reasons, 'EN-ATTESTATION-FORMAT');
    expect(format({})).toEqual({ status: 'pass', message: 'legacy policy: packed with x5c (AttCA) accepted' });
    expect(format({ format: 'none', attestationType: 'none' })).toEqual({ status: 'pass', message: 'legacy policy: format "none" accepted' });
    expect(format({ format: 'tpm', attestationType: 'attca' })).toEqual({ status: 'pass', message: 'legacy policy: format "tpm" accepted' });
    expect(format({ attestationType: 'self' })).toEqual({ status: 'fail', message: 'legacy policy: packed self attestation is not accepted (only AttCA)' });
    for (const fmt of ['fido-u2f', 'android-key', 'android-safetynet', 'apple', 'compound']) {
      expect(format({ format: fmt }), fmt).toEqual({ status: 'fail', message: `legacy policy: format "${fmt}" is not among none, tpm, packed (AttCA)` });
    }
    expect(format({ format: 'x'.repeat(32) })).toEqual({ status: 'pass', message: `legacy policy: custom format "${'x'.repeat(32)}" (<= 32 characters) accepted` });
    expect(format({ format: 'x'.repeat(33) })).toEqual({ status: 'fail', message: 'legacy policy: custom format longer than 32 characters' });
    expect(one(entra({ ...clean.input, policy: legacy() }).reasons, 'EN-ATTESTATION')).toEqual({ status: 'pass', message: 'legacy policy: attestation not enforced' });
  });

  it('not enforced: a statement that fails its verification is refused (WebAuthn L3 §7.1 step 21); without a registration WEBAUTHN-ENTRA-001 decides', () => {
    const bad = one(entra({ ...withAttestation({ problems: [{ code: 'ATT_SIGNATURE_INVALID', severity: 'fail', message: 'bad' }, { code: 'ATT_STATUS', severity: 'fail', message: 'revoked' }, { code: 'ATT_PUBKEY_MISMATCH', severity: 'fail', message: 'x' }] }), policy: legacy() }).reasons, 'EN-ATTESTATION-FORMAT');
    expect(bad).toEqual({ status: 'fail', message: 'legacy policy: the attestation statement fails its verification (ATT_SIGNATURE_INVALID, ATT_PUBKEY_MISMATCH): refused even without attestation enforcement' });
    // a problem that is not the statement's own (the MDS status) leaves the format to be judged
    expect(one(entra({ ...withAttestation({ problems: [{ code: 'ATT_STATUS', severity: 'fail', message: 'revoked' }] }), policy: legacy() }).reasons, 'EN-ATTESTATION-FORMAT').status).toBe('pass');
    const { attestation: _a, ...noReg } = clean.input;
    expect(one(entra({ ...noReg, policy: legacy() }).reasons, 'EN-ATTESTATION-FORMAT')).toEqual({ status: 'pass', message: 'legacy policy: the Entra-profile registration with direct attestation verified (WEBAUTHN-ENTRA-001)' });
    expect(one(entra({ ...noReg, checks: passingChecks({ 'WEBAUTHN-ENTRA-001': 'skip' }), policy: legacy() }).reasons, 'EN-ATTESTATION-FORMAT')).toEqual({
      status: 'skip',
      message: 'legacy policy: no registration was verified and WEBAUTHN-ENTRA-001 did not pass',
    });
  });

  it('a profile enforces attestation with attestationEnforcement "registrationOnly"', () => {
    const ev = entra({ ...withAttestation({ rootSource: 'given' }), policy: profiled({ attestationEnforcement: 'registrationOnly' }) });
    expect(one(ev.reasons, 'EN-ATTESTATION').status).toBe('fail');
    expect(ev.reasons.map((r) => r.id)).not.toContain('EN-ATTESTATION-FORMAT');
    expect(one(entra({ ...clean.input, policy: profiled({ attestationEnforcement: 'disabled' }) }).reasons, 'EN-ATTESTATION').message).toBe('profile "P": attestation not enforced');
  });
});

describe('passkey types (EN-PASSKEY-TYPE)', () => {
  const type = (input: CompatInput, passkeyTypes?: string) => one(entra({ ...input, policy: passkeyTypes === undefined ? legacy() : profiled({ passkeyTypes }) }).reasons, 'EN-PASSKEY-TYPE');

  it('device-bound when the BE flag is clear, synced when it is set (WebAuthn L3 §6.1.3)', () => {
    expect(type(clean.input, 'deviceBound')).toEqual({ status: 'pass', message: 'profile "P": passkeyTypes "deviceBound" include deviceBound' });
    expect(type(clean.input, 'synced')).toEqual({ status: 'fail', message: 'profile "P": passkeyTypes "synced" exclude deviceBound' });
    const backedUp = withAttestation({ authData: { ...clean.attestation.authData, be: true, bs: false } });
    expect(type(backedUp, 'deviceBound')).toEqual({ status: 'fail', message: 'profile "P": passkeyTypes "deviceBound" exclude synced' });
    expect(type(backedUp, 'synced').status).toBe('pass');
    // BS (backed up now) is not the type: a backup-eligible credential not yet backed up is still synced
    expect(type(withAttestation({ authData: { ...clean.attestation.authData, be: false, bs: true } }), 'deviceBound').status).toBe('pass');
  });

  it('a legacy policy restricts no type; without a registration only a profile admitting both types can be judged', () => {
    expect(type(clean.input)).toEqual({ status: 'pass', message: 'legacy policy: no passkey type restriction' });
    const { attestation: _a, ...noReg } = clean.input;
    expect(type(noReg, 'deviceBound,synced')).toEqual({ status: 'pass', message: 'profile "P": passkeyTypes "deviceBound,synced" include deviceBound' });
    expect(type(noReg, 'synced')).toEqual({
      status: 'skip',
      message: 'profile "P": passkeyTypes "synced": no registration was verified, so whether the key\'s passkey is device-bound (BE flag clear) is not known',
    });
  });
});

describe('judgePolicy: how state, targets, device and profiles make the verdict', () => {
  const judge = (policy: EntraPolicy, input: CompatInput = clean.input, groups?: string[]) => {
    const f = gatherFacts(input);
    return judgePolicy('t', policy, f, evaluateMicrosoft(input, f), groups);
  };

  it('a disabled method is blocked with the device reasons and no profile', () => {
    const j = judge(legacy({ state: 'disabled' }));
    expect(j).toMatchObject({ name: 't', verdict: 'blocked', profiles: [] });
    expect(j.reasons.map((r) => `${r.id} ${r.status}`)).toEqual(['EN-METHOD-STATE fail', 'EN-UV pass', 'EN-RK pass', 'EN-ES256 pass', 'WIN-CREDPROTECT warn']);
    expect(j.reasons[0]).toEqual({ id: 'EN-METHOD-STATE', status: 'fail', message: 'the passkey (FIDO2) method is disabled (state "disabled")', source: 'S6' });
  });

  it('out of scope: blocked with state, targets and device reasons; unknown membership: a skip that names the option', () => {
    const out = judge(legacy({ includeTargets: [{ id: 'g1', targetType: 'group' }] }), clean.input, ['g2']);
    expect(out.verdict).toBe('blocked');
    expect(out.profiles).toEqual([]);
    expect(out.reasons.slice(0, 2)).toEqual([
      { id: 'EN-METHOD-STATE', status: 'pass', message: 'the passkey (FIDO2) method is enabled', source: 'S6' },
      { id: 'EN-TARGETS', status: 'fail', message: 'the user is in none of the include targets (g1)', source: 'S6' },
    ]);
    expect(out.reasons.map((r) => r.id)).toEqual(['EN-METHOD-STATE', 'EN-TARGETS', 'EN-UV', 'EN-RK', 'EN-ES256', 'WIN-CREDPROTECT']);
    const unknown = judge(legacy({ includeTargets: [{ id: 'g1', targetType: 'group' }] }));
    expect(one(unknown.reasons, 'EN-TARGETS')).toEqual({
      status: 'skip',
      message: "depends on group membership: only group targets include the method (g1) and the user's groups are not known (give the user's groups with --entra-user-groups)",
    });
    expect(unknown.verdict).toBe('depends-on-group');
    expect(unknown.profiles.map((p) => ({ label: p.profile.label, certain: p.certain, verdict: p.verdict }))).toEqual([{ label: 'legacy policy', certain: false, verdict: 'allowed' }]);
  });

  it('a key failing on its own is blocked whatever the profiles say', () => {
    const j = judge(legacy(), withInfo({ options: { clientPin: true, rk: false } }));
    expect(j.verdict).toBe('blocked');
    expect(j.profiles.map((p) => p.verdict)).toEqual(['blocked']);
  });

  it('include targets that name no profile: blocked with the reason', () => {
    const policy = parseEntraPolicy({ state: 'enabled', includeTargets: [{ ...ALL, allowedPasskeyProfiles: ['q'] }], passkeyProfiles: [{ id: 'p', name: 'P' }] });
    const j = judge(policy);
    expect(j.verdict).toBe('blocked');
    expect(one(j.reasons, 'EN-KEY-RESTRICTIONS')).toEqual({ status: 'fail', message: "no passkey profile applies: the include targets name none of the policy's passkeyProfiles" });
  });

  it('the best certain profile decides; a possible one that allows makes it depend on the group; an unknown exclusion too', () => {
    const blocking = { keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [SIM_AAGUID] } };
    const policy = (certain: Record<string, unknown>, possible: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      parseEntraPolicy({
        state: 'enabled',
        includeTargets: [{ ...ALL, allowedPasskeyProfiles: ['a'] }, { id: 'g', targetType: 'group', allowedPasskeyProfiles: ['b'] }],
        passkeyProfiles: [{ id: 'a', name: 'A', passkeyTypes: 'deviceBound,synced', ...certain }, { id: 'b', name: 'B', passkeyTypes: 'deviceBound,synced', ...possible }],
        ...extra,
      });
    expect(judge(policy({}, blocking)).verdict).toBe('allowed');
    expect(judge(policy(blocking, {})).verdict).toBe('depends-on-group');
    expect(judge(policy(blocking, blocking)).verdict).toBe('blocked');
    expect(judge(policy({}, {}, { excludeTargets: [{ id: 'g-x', targetType: 'group' }] })).verdict).toBe('depends-on-group');
    // incomplete (a skip) is better than blocked, worse than allowed
    const incomplete = { keyRestrictions: { isEnforced: true, enforcementType: 'unknownFutureValue', aaGuids: [] } };
    expect(judge(policy(incomplete, blocking)).verdict).toBe('incomplete');
    expect(judge(policy(blocking, incomplete)).verdict).toBe('incomplete');
    expect(judge(policy(incomplete, {})).verdict).toBe('depends-on-group');
    const j = judge(policy(blocking, incomplete));
    expect(j.profiles.map((p) => `${p.profile.label} ${p.certain} ${p.verdict}`)).toEqual(['profile "A" true blocked', 'profile "B" false incomplete']);
    // the reasons: state, targets, device, then each profile's own
    expect(j.reasons.filter((r) => r.id === 'EN-KEY-RESTRICTIONS').map((r) => r.message.split(':')[0])).toEqual(['profile "A"', 'profile "B"']);
  });
});

describe('evaluateEntra: scenarios, the view Entra would show, strengths', () => {
  it('without a policy: Entra\'s defaults and the attestation-enforced scenario; with one: that policy alone', () => {
    const ev = entra(withAttestation({ rootSource: 'given' }));
    expect(ev.policySource).toBe('default');
    expect(ev.policy).toMatchObject({ state: 'enabled', includeTargets: [{ id: 'all_users' }] });
    expect(ev.scenarios?.map((s) => `${s.name}: ${s.verdict}`)).toEqual(["Entra's defaults: allowed", 'attestation enforced: blocked']);
    expect(ev.verdict).toBe('allowed');
    expect(ev).not.toHaveProperty('userGroups');
    const policy = legacy({ isAttestationEnforced: true });
    const given = entra({ ...withAttestation({ rootSource: 'given' }), policy, userGroups: ['g1'] });
    expect(given.policySource).toBe('file');
    expect(given.policy).toBe(policy);
    expect(given.userGroups).toEqual(['g1']);
    expect(given.scenarios?.map((s) => `${s.name}: ${s.verdict}`)).toEqual(['policy as given: blocked']);
    expect(given.verdict).toBe('blocked');
  });

  it('the fido2AuthenticationMethod view: model only for a verified AAGUID, attested only when MS-ATTESTATION passes', async () => {
    expect(entra(clean.input).authenticationMethod).toEqual({ aaGuid: SIM_AAGUID, model: 'fido-harness simulator', attestationLevel: 'attested', passkeyType: 'deviceBound' });
    const self = { ...clean.input, attestation: { ...clean.attestation, attestationType: 'self' as const, chainValid: false, trustPath: [], chainPath: [] } };
    expect(entra(self).authenticationMethod).toEqual({ aaGuid: SIM_AAGUID, model: 'unverified (AAGUID not attested)', attestationLevel: 'notAttested', passkeyType: 'deviceBound' });
    const unlisted = await simRegistration([], { mds: await testMds({ aaguid: OTHER_AAGUID }) });
    expect(entra(unlisted.input).authenticationMethod).toMatchObject({ model: 'unknown (not in MDS)', attestationLevel: 'notAttested' });
    // a verified AAGUID whose statement fails MS-ATTESTATION (UP clear) is not "attested"
    expect(entra(withAttestation({ authData: { ...clean.attestation.authData, up: false } })).authenticationMethod?.attestationLevel).toBe('notAttested');
    expect(entra(withAttestation({ authData: { ...clean.attestation.authData, be: true } })).authenticationMethod?.passkeyType).toBe('synced');
    expect(entra({ ceremony: { uv: true } })).not.toHaveProperty('authenticationMethod');
  });

  it('a strength that refuses the key blocks, one that cannot be judged leaves it incomplete; the policy fix says so', () => {
    const strength = (allowedCombinations: string[]) => ({ policy: { id: 's', displayName: 'S', allowedCombinations }, from: 'f.json' });
    const refused = entra({ ...clean.input, policy: legacy(), authStrengths: [strength(['password,sms'])] });
    expect(refused.verdict).toBe('blocked');
    expect(refused.fix).toEqual({ kind: 'none', text: 'the method policy allows this key; an authentication strength does not (EN-AUTH-STRENGTH, with its own fix)' });
    expect(refused.suggestedPolicy).toEqual({});
    expect(refused.reasons.at(-1)).toEqual({ id: 'EN-AUTH-STRENGTH', status: 'fail', message: '"S" (f.json): "fido2" is not among its allowedCombinations (password,sms)', source: 'S6' });
    // EN-UV not judged (no getInfo, no ceremony, no checks): every strength allowing fido2 is a skip
    const unjudged = entra({ attestation: clean.attestation, mds: clean.input.mds!, at: clean.input.at!, policy: legacy() });
    expect(unjudged.authStrengths?.map((s) => s.status)).toEqual(['skip', 'skip', 'skip']);
    expect(unjudged.verdict).not.toBe('allowed');
    // a policy that does not allow the key keeps its own verdict and fix
    const disabled = entra({ ...clean.input, policy: legacy({ state: 'disabled' }), authStrengths: [strength(['password,sms'])] });
    expect(disabled.verdict).toBe('blocked');
    expect(disabled.fix).toMatchObject({ kind: 'policy', body: { state: 'enabled' } });
    expect(disabled.suggestedPolicy).toEqual(disabled.fix?.kind === 'policy' ? disabled.fix.body : null);
  });
});
