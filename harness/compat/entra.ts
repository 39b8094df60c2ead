import type { EntraEvaluation, EntraFix, EntraReason, EntraScenario, EntraVerdict, Fido2AuthenticationMethodView, MicrosoftEvaluation } from '../../reports/model.ts';
import { CoseAlgorithm, CtapExtension } from '../protocol/index.ts';
import { checkFacts, combineFacts, gatherFacts, type CheckReliance, type CompatInput, type Fact, type Facts } from './evidence.ts';
import { evaluateMicrosoft } from './microsoft.ts';
import { defaultEntraPolicy, normaliseAaguid, type EntraPolicy } from './entraPolicy.ts';
import { scopeOf, type EffectiveProfile } from './entraScope.ts';
import { entraFix } from './entraFix.ts';
import { evaluateAuthStrengths, type AuthStrengthInput } from './authStrength.ts';
import { statementProblems } from '../../mds/attestation/AttestationProblem.ts';

/**
 * The Entra ID passkey (FIDO2) evaluation (docs/microsoft-entra.md; S1, S3, S6). Device reasons (EN-UV,
 * EN-RK, EN-ES256) hold under every policy; the method's state and targets decide whether a policy applies
 * to the user at all; the profile reasons (EN-KEY-RESTRICTIONS, EN-ATTESTATION, EN-PASSKEY-TYPE,
 * EN-ATTESTATION-FORMAT) are judged per passkey profile that applies, and the key is allowed when at least
 * one of them allows it (S3). WIN-CREDPROTECT is a warning that never decides the verdict.
 */
export interface EntraInput extends CompatInput {
  /** the parsed policy; undefined → Entra's defaults (and a second scenario with attestation enforced) */
  policy?: EntraPolicy;
  /** the Microsoft evaluation of the same input (computed when not given) */
  microsoft?: MicrosoftEvaluation;
  /** ids of the groups (or the user object id) the user is a member of; undefined: unknown */
  userGroups?: string[];
  /** Conditional Access authentication strengths to judge besides the built-in ones */
  authStrengths?: AuthStrengthInput[];
}

/** the reasons that belong to the key itself: no policy change can fix them */
export const DEVICE_REASONS = new Set(['EN-UV', 'EN-RK', 'EN-ES256', 'EN-ATTESTATION-FORMAT']);

/** attestation statement formats of the WebAuthn registry (WebAuthn L3 §8; IANA "WebAuthn Attestation Statement Format Identifiers") */
const REGISTERED_FORMATS = new Set(['packed', 'tpm', 'android-key', 'android-safetynet', 'fido-u2f', 'apple', 'none', 'compound']);

/** The checks each device reason relies on, named once. */
export const ENTRA_DEVICE_CHECKS = {
  'EN-UV': { needs: ['WEBAUTHN-ENTRA-001', 'WEBAUTHN-ENTRA-002'], failsOn: ['UV-FLAG-001', 'UV-FLAG-002', 'UV-FLAG-003', 'MC-FLAGS-002', 'GA-FLAGS-002'] },
  'EN-RK': { needs: ['RK-DISCOVER-001'], failsOn: ['RK-SUPPORT-001'] },
  'EN-ES256': { needs: ['INFO-ALGORITHMS-001'] },
} as const satisfies Record<string, CheckReliance>;

function reason(id: string, source: string, facts: Fact[], prefix = ''): EntraReason {
  const status = combineFacts(facts);
  const shown = facts.length ? facts : [{ status: 'skip' as const, text: 'nothing could be measured' }];
  const message = shown.map((f) => (f.status === 'info' || f.status === status ? f.text : `${f.status}: ${f.text}`)).join('; ');
  return { id, status, message: prefix + message, source };
}

export function deviceReasons(f: Facts): EntraReason[] {
  const { info, ceremony } = f.input;
  const o = info?.options ?? {};
  const uv: Fact[] = [];
  if (info) uv.push('clientPin' in o || 'uv' in o ? { status: 'pass', text: 'getInfo offers clientPin/uv' } : { status: 'fail', text: 'getInfo has neither clientPin nor uv: Entra requires userVerification "required"' });
  if (ceremony) uv.push(ceremony.uv ? { status: 'pass', text: 'the registration has the UV flag set' } : { status: 'fail', text: 'the registration has the UV flag clear: Entra requires user verification' });
  const rk: Fact[] = [];
  if (info) rk.push(o.rk === true ? { status: 'pass', text: 'getInfo options.rk true' } : { status: 'fail', text: `getInfo options.rk ${o.rk ?? 'absent'}: Entra requires a discoverable credential` });
  if (ceremony?.residentKey !== undefined) rk.push(ceremony.residentKey ? { status: 'pass', text: 'the registration created a discoverable credential' } : { status: 'fail', text: 'the registration did not create a discoverable credential (credProps.rk false)' });
  const es256: Fact[] = [];
  if (info) {
    es256.push(
      !info.algorithms
        ? { status: 'pass', text: 'getInfo lists no algorithms; ES256 is assumed (mandatory since CTAP 2.0)' }
        : info.algorithms.some((a) => a.alg === CoseAlgorithm.ES256)
          ? { status: 'pass', text: 'getInfo algorithms include ES256 (-7)' }
          : { status: 'fail', text: `getInfo algorithms ${info.algorithms.map((a) => a.alg).join(', ')} lack ES256 (-7)` },
    );
  }
  if (ceremony?.credentialAlg !== undefined) {
    es256.push(ceremony.credentialAlg === CoseAlgorithm.ES256 ? { status: 'pass', text: 'the credential is ES256 (-7)' } : { status: 'warn', text: `the credential algorithm is ${ceremony.credentialAlg}; Entra asks for ES256 (-7)` });
  }
  const credProtect = info?.extensions?.includes(CtapExtension.credProtect);
  return [
    reason('EN-UV', 'S1, S6', [...uv, ...checkFacts(f, ENTRA_DEVICE_CHECKS['EN-UV'])]),
    reason('EN-RK', 'S6', [...rk, ...checkFacts(f, ENTRA_DEVICE_CHECKS['EN-RK'])]),
    reason('EN-ES256', 'S6', [...es256, ...checkFacts(f, ENTRA_DEVICE_CHECKS['EN-ES256'])]),
    ...(info
      ? [
          {
            id: 'WIN-CREDPROTECT',
            status: credProtect ? ('warn' as const) : ('pass' as const),
            message: credProtect
              ? 'credProtect is supported: a credential created at credProtect > 1 is reported to break Windows 10 sign-in (vendor guidance); keep the default at 1'
              : 'credProtect not offered',
            source: 'vendor guidance',
          },
        ]
      : []),
  ];
}

function keyRestrictionFact(p: EffectiveProfile, aaguid: string | undefined): Fact {
  const kr = p.keyRestrictions;
  if (!kr?.isEnforced) return { status: 'pass', text: 'key restrictions not enforced' };
  if (!aaguid) return { status: 'skip', text: 'AAGUID unknown (no getInfo, no registration)' };
  // Stryker disable next-line ArrayDeclaration: a made-up entry is no AAGUID, like an empty list
  const listed = (kr.aaGuids ?? []).map(normaliseAaguid).includes(aaguid);
  if (kr.enforcementType === 'allow') return listed ? { status: 'pass', text: `AAGUID ${aaguid} is in the allow list` } : { status: 'fail', text: `AAGUID ${aaguid} is not in the allow list (${kr.aaGuids?.length ?? 0} entries)` };
  if (kr.enforcementType === 'block') return listed ? { status: 'fail', text: `AAGUID ${aaguid} is in the block list` } : { status: 'pass', text: `AAGUID ${aaguid} is not in the block list` };
  return { status: 'skip', text: `enforcementType ${JSON.stringify(kr.enforcementType ?? null)} is neither allow nor block` };
}

function profileReasons(p: EffectiveProfile, f: Facts, ms: MicrosoftEvaluation): EntraReason[] {
  const prefix = `${p.label}: `;
  const out: EntraReason[] = [reason('EN-KEY-RESTRICTIONS', 'S3, S6', [keyRestrictionFact(p, f.aaguid)], prefix)];
  if (p.attestationEnforced) {
    // S3: with attestation enforced Entra verifies the attestation against the MDS: MS-ATTESTATION and
    // MS-MDS-LISTED must hold, and the MDS entry must carry no undesired status
    const facts: Fact[] = ['MS-ATTESTATION', 'MS-MDS-LISTED', 'MS-CERTIFIED'].map((id) => {
      const r = ms.requirements.find((x) => x.id === id);
      if (!r) return { status: 'skip', text: `${id} not evaluated` };
      const why = r.status === 'pass' ? '' : ` (${r.evidence.filter((e) => !e.startsWith('pass')).join('; ')})`;
      // certification is not Entra's condition, an undesired status is
      if (id === 'MS-CERTIFIED') return f.status?.verdict === 'fail' ? { status: 'fail', text: `MDS status: ${f.status.findings.filter((x) => x.severity === 'fail').map((x) => x.message).join('; ')}` } : { status: 'info', text: 'no undesired MDS status' };
      return { status: r.status, text: `attestation enforced; ${id} ${r.status}${why}` };
    });
    out.push(reason('EN-ATTESTATION', 'S3, S6', facts, prefix));
  } else {
    out.push(reason('EN-ATTESTATION', 'S3, S6', [{ status: 'pass', text: 'attestation not enforced' }], prefix));
    // S1: without enforcement Entra accepts none, tpm, packed (AttCA, i.e. with x5c) or a custom format of
    // at most 32 characters; the other registered formats and packed self are refused
    const a = f.input.attestation;
    let fmt: Fact;
    // WebAuthn L3 §7.1 step 21: whatever the trust policy, the relying party runs the format's verification
    // procedure and refuses a statement that fails it (bad signature, broken certificate rules, false authData)
    const falseStatement = a ? statementProblems(a.problems) : [];
    if (falseStatement.length) fmt = { status: 'fail', text: `the attestation statement fails its verification (${falseStatement.map((p) => p.code).join(', ')}): refused even without attestation enforcement` };
    else if (!a) {
      const c = f.check('WEBAUTHN-ENTRA-001');
      fmt = c?.status === 'pass' ? { status: 'pass', text: 'the Entra-profile registration with direct attestation verified (WEBAUTHN-ENTRA-001)' } : { status: 'skip', text: 'no registration was verified and WEBAUTHN-ENTRA-001 did not pass' };
    } else if (a.format === 'none' || a.format === 'tpm') fmt = { status: 'pass', text: `format "${a.format}" accepted` };
    else if (a.format === 'packed') fmt = a.attestationType !== 'self' ? { status: 'pass', text: 'packed with x5c (AttCA) accepted' } : { status: 'fail', text: 'packed self attestation is not accepted (only AttCA)' };
    else if (REGISTERED_FORMATS.has(a.format)) fmt = { status: 'fail', text: `format "${a.format}" is not among none, tpm, packed (AttCA)` };
    else fmt = a.format.length <= 32 ? { status: 'pass', text: `custom format "${a.format}" (<= 32 characters) accepted` } : { status: 'fail', text: 'custom format longer than 32 characters' };
    out.push(reason('EN-ATTESTATION-FORMAT', 'S1', [fmt], prefix));
  }
  // S3, S6 passkeyTypes: device-bound when the registration's BE flag is clear (WebAuthn L3 §6.1.3); without a
  // registration the type is not known, which matters only when the profile admits one type alone
  const type = f.input.attestation?.authData.be ? 'synced' : 'deviceBound';
  const typeFact: Fact = !p.passkeyTypes
    ? { status: 'pass', text: 'no passkey type restriction' }
    : !f.input.attestation && !(p.passkeyTypes.includes('deviceBound') && p.passkeyTypes.includes('synced'))
      ? { status: 'skip', text: `passkeyTypes "${p.passkeyTypes.join(',')}": no registration was verified, so whether the key's passkey is device-bound (BE flag clear) is not known` }
      : p.passkeyTypes.includes(type)
      ? { status: 'pass', text: `passkeyTypes "${p.passkeyTypes.join(',')}" include ${type}` }
      : { status: 'fail', text: `passkeyTypes "${p.passkeyTypes.join(',')}" exclude ${type}` };
  out.push(reason('EN-PASSKEY-TYPE', 'S3, S6', [typeFact], prefix));
  return out;
}

function verdictOf(reasons: readonly EntraReason[]): EntraVerdict {
  // Stryker disable next-line MethodExpression,StringLiteral: the WIN-* reasons are pass or warn, which decide nothing anyway
  const deciding = reasons.filter((r) => r.id.startsWith('EN-'));
  if (deciding.some((r) => r.status === 'fail')) return 'blocked';
  if (deciding.some((r) => r.status === 'skip')) return 'incomplete';
  return 'allowed';
}

/** The best of several profiles' verdicts (S3: one profile that allows is enough). */
function best(verdicts: EntraVerdict[]): EntraVerdict | undefined {
  for (const v of ['allowed', 'depends-on-group', 'incomplete', 'blocked'] as const) if (verdicts.includes(v)) return v;
  return undefined;
}

export interface PolicyJudgement extends EntraScenario {
  /** per profile that applies (for certain, then possibly): its label, verdict and reasons */
  profiles: { profile: EffectiveProfile; certain: boolean; verdict: EntraVerdict; reasons: EntraReason[] }[];
}

export function judgePolicy(name: string, policy: EntraPolicy, f: Facts, ms: MicrosoftEvaluation, groups: readonly string[] | undefined): PolicyJudgement {
  const device = deviceReasons(f);
  if (policy.state !== 'enabled') {
    const reasons = [{ id: 'EN-METHOD-STATE', status: 'fail' as const, message: 'the passkey (FIDO2) method is disabled (state "disabled")', source: 'S6' }, ...device];
    return { name, verdict: 'blocked', reasons, profiles: [] };
  }
  const state: EntraReason = { id: 'EN-METHOD-STATE', status: 'pass', message: 'the passkey (FIDO2) method is enabled', source: 'S6' };
  const scope = scopeOf(policy, groups);
  const targets: EntraReason = {
    id: 'EN-TARGETS',
    status: scope.status === 'in' ? 'pass' : scope.status === 'out' ? 'fail' : 'skip',
    message: scope.status === 'depends' ? `depends on group membership: ${scope.text} (give the user's groups with --entra-user-groups)` : scope.text,
    source: 'S6',
  };
  if (scope.status === 'out') return { name, verdict: 'blocked', reasons: [state, targets, ...device], profiles: [] };
  const profiles = [
    ...scope.profiles.map((p) => ({ p, certain: true })),
    ...scope.possibleProfiles.map((p) => ({ p, certain: false })),
  ].map(({ p, certain }) => {
    const reasons = profileReasons(p, f, ms);
    return { profile: p, certain, reasons, verdict: verdictOf([...device, ...reasons]) };
  });
  const noProfile: EntraReason[] = profiles.length
    ? []
    : [{ id: 'EN-KEY-RESTRICTIONS', status: 'fail', message: 'no passkey profile applies: the include targets name none of the policy\'s passkeyProfiles', source: 'S3, S6' }];
  // each profile's verdict includes the device reasons: a key failing on its own is blocked under every profile;
  // with no profile at all the key is blocked (EN-KEY-RESTRICTIONS above)
  let verdict: EntraVerdict;
  const certain = best(profiles.filter((x) => x.certain).map((x) => x.verdict));
  // Stryker disable next-line MethodExpression: with no certain profile allowing, the best of all is the best of the possible ones
  const possible = best(profiles.filter((x) => !x.certain).map((x) => x.verdict));
  if (certain === 'allowed') verdict = scope.unknownExclusions.length ? 'depends-on-group' : 'allowed';
  else if (possible === 'allowed') verdict = 'depends-on-group';
  // Stryker disable next-line ArrayDeclaration: a made-up verdict is none of the four best() picks from
  else verdict = best([certain, possible].flatMap((v) => (v ? [v] : []))) ?? 'blocked';
  // never "allowed" while the scope depends on groups: a certain profile needs an include target the user is
  // in, so "depends" then means an exclusion of unknown membership, handled above
  return { name, verdict, reasons: [state, targets, ...device, ...noProfile, ...profiles.flatMap((x) => x.reasons)], profiles };
}

export function authenticationMethodView(f: Facts, ms: MicrosoftEvaluation): Fido2AuthenticationMethodView | undefined {
  if (!f.aaguid) return undefined;
  const attested = ms.requirements.find((r) => r.id === 'MS-ATTESTATION')?.status === 'pass' && f.aaguidVerified;
  return {
    aaGuid: f.aaguid,
    model: !f.entry ? 'unknown (not in MDS)' : f.aaguidVerified ? (f.entry.metadataStatement?.description ?? '(no description)') : 'unverified (AAGUID not attested)',
    attestationLevel: attested ? 'attested' : 'notAttested',
    passkeyType: f.input.attestation?.authData.be ? 'synced' : 'deviceBound',
  };
}

export function evaluateEntra(input: EntraInput, facts: Facts = gatherFacts(input)): EntraEvaluation {
  const ms = input.microsoft ?? evaluateMicrosoft(input, facts);
  const given = input.policy;
  const groups = input.userGroups;
  const judged = given
    ? [judgePolicy('policy as given', given, facts, ms, groups)]
    : [judgePolicy("Entra's defaults", defaultEntraPolicy(false), facts, ms, groups), judgePolicy('attestation enforced', defaultEntraPolicy(true), facts, ms, groups)];
  const main = judged[0]!;
  const policy = given ?? defaultEntraPolicy(false);
  const policyFix = entraFix(policy, main, facts, ms, groups);
  // a key that fails on its own fails every strength for the same checks
  const strengths = evaluateAuthStrengths(input.authStrengths ?? [], facts, main.reasons).map((s) => (s.fix.kind === 'device' && policyFix.kind === 'device' ? { ...s, fix: policyFix } : s));
  const strengthReasons: EntraReason[] = strengths.map((s) => ({ id: 'EN-AUTH-STRENGTH', status: s.status, message: `"${s.displayName}" (${s.from}): ${s.message}`, source: 'S6' }));
  // a strength that refuses the key blocks sign-in where Conditional Access requires it, whatever the method
  // policy says (also when that depends on the groups or could not be judged); one not judged leaves "allowed" open
  const verdict: EntraVerdict = strengths.some((s) => s.status === 'fail') ? 'blocked' : main.verdict === 'allowed' && strengths.some((s) => s.status === 'skip') ? 'incomplete' : main.verdict;
  const fix: EntraFix = verdict !== 'allowed' && main.verdict === 'allowed' ? { kind: 'none', text: 'the method policy allows this key; an authentication strength does not (EN-AUTH-STRENGTH, with its own fix)' } : policyFix;
  const view = authenticationMethodView(facts, ms);
  return {
    verdict,
    policySource: given ? 'file' : 'default',
    policy: policy as Record<string, unknown>,
    reasons: [...main.reasons, ...strengthReasons],
    suggestedPolicy: fix.kind === 'policy' ? fix.body : {},
    fix,
    ...(groups ? { userGroups: groups } : {}),
    authStrengths: strengths,
    ...(view ? { authenticationMethod: view } : {}),
    scenarios: judged.map(({ name, verdict: v, reasons }) => ({ name, verdict: v, reasons })),
  };
}

