import type {
  EntraEvaluation,
  EntraReason,
  EntraScenario,
  EntraVerdict,
  Fido2AuthenticationMethodView,
  MicrosoftEvaluation,
} from '../../reports/model.ts';
import { CoseAlgorithm, CtapExtension } from '../protocol/index.ts';
import { aaguidToString } from '../../mds/aaguid.ts';
import { checkFacts, combineFacts, gatherFacts, type CompatInput, type DeviceFacts, type Fact } from './compatInput.ts';
import { evaluateMicrosoft } from './microsoft.ts';
import { defaultEntraPolicy, type EntraKeyRestrictions, type EntraPasskeyProfile, type EntraPolicy } from './entraPolicy.ts';

/**
 * The Entra ID passkey (FIDO2) evaluation (MICROSOFT-ENTRA.md, table "Entra ID passkey (FIDO2) policy";
 * S1, S3, S6). Device reasons (EN-UV, EN-RK, EN-ES256) hold under every policy; policy reasons
 * (EN-KEY-RESTRICTIONS, EN-ATTESTATION, EN-PASSKEY-TYPE, EN-ATTESTATION-FORMAT) are judged per passkey
 * profile scoped to the user, and the key is allowed when at least one scoped profile allows it (S3).
 * WIN-CREDPROTECT is a warning that never decides the verdict.
 */
export interface EntraInput extends CompatInput {
  /** the parsed policy (parseEntraPolicy); undefined → Entra's defaults and "attestation enforced" */
  policy?: EntraPolicy;
  /** the Microsoft evaluation of the same input (computed when not given) */
  microsoft?: MicrosoftEvaluation;
  /** ids of the groups the user is in; default: the user is in every include target */
  userGroups?: string[];
}

const GRAPH_TYPE = '#microsoft.graph.fido2AuthenticationMethodConfiguration';
/** attestation statement formats of the WebAuthn registry (WebAuthn L3 §8; IANA "WebAuthn Attestation Statement Format Identifiers") */
const REGISTERED_FORMATS = new Set(['packed', 'tpm', 'android-key', 'android-safetynet', 'fido-u2f', 'apple', 'none', 'compound']);

/** A policy reduced to what one evaluation needs: one passkey profile, or the legacy members. */
interface EffectiveProfile {
  /** "legacy" for the legacy members; the profile's name or id otherwise */
  label: string;
  profileId?: string;
  attestationEnforced: boolean;
  keyRestrictions?: EntraKeyRestrictions;
  /** undefined in the legacy shape (no passkey type restriction) */
  passkeyTypes?: string[];
}

function reason(id: string, source: string, facts: Fact[], prefix = ''): EntraReason {
  const status = combineFacts(facts);
  const message = facts.map((f) => (f.status === 'info' || f.status === status ? f.text : `${f.status}: ${f.text}`)).join('; ');
  return { id, status, message: prefix + message, source };
}

function normaliseAaguid(text: string): string | undefined {
  try {
    return aaguidToString(text.trim());
  } catch {
    return undefined;
  }
}

/** The profiles that apply to the user (S3: includeTargets[].allowedPasskeyProfiles), or the legacy members. */
export function scopedProfiles(policy: EntraPolicy, userGroups?: string[]): EffectiveProfile[] {
  const profiles = policy.passkeyProfiles ?? [];
  if (!profiles.length) {
    return [{ label: 'legacy policy', attestationEnforced: policy.isAttestationEnforced === true, ...(policy.keyRestrictions ? { keyRestrictions: policy.keyRestrictions } : {}) }];
  }
  const targets = (policy.includeTargets ?? []).filter((t) => !userGroups || t.id === 'all_users' || userGroups.includes(t.id));
  const named = new Set(targets.flatMap((t) => t.allowedPasskeyProfiles ?? []));
  // the spec is silent on targets that name no profile: then every profile is taken to apply
  const chosen = named.size ? profiles.filter((p) => named.has(p.id)) : profiles;
  return chosen.map((p: EntraPasskeyProfile) => ({
    label: `profile "${p.name ?? p.id}"`,
    profileId: p.id,
    attestationEnforced: p.attestationEnforcement === 'registrationOnly',
    ...(p.keyRestrictions ? { keyRestrictions: p.keyRestrictions } : {}),
    passkeyTypes: (p.passkeyTypes ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  }));
}

function deviceReasons(f: DeviceFacts, input: EntraInput): EntraReason[] {
  const info = input.info;
  const noInfo: Fact = { status: 'skip', text: 'getInfo not available' };
  const o = info?.options ?? {};
  const uv: Fact = !info ? noInfo : 'clientPin' in o || 'uv' in o ? { status: 'pass', text: 'getInfo offers clientPin/uv' } : { status: 'fail', text: 'getInfo has neither clientPin nor uv: Entra requires userVerification "required"' };
  const rk: Fact = !info ? noInfo : o.rk === true ? { status: 'pass', text: 'getInfo options.rk true' } : { status: 'fail', text: `getInfo options.rk ${o.rk ?? 'absent'}: Entra requires a discoverable credential` };
  const es256: Fact = !info
    ? noInfo
    : !info.algorithms
      ? { status: 'pass', text: 'getInfo lists no algorithms; ES256 is assumed (mandatory since CTAP 2.0)' }
      : info.algorithms.some((a) => a.alg === CoseAlgorithm.ES256)
        ? { status: 'pass', text: 'getInfo algorithms include ES256 (-7)' }
        : { status: 'fail', text: `getInfo algorithms ${info.algorithms.map((a) => a.alg).join(', ')} lack ES256 (-7)` };
  const credProtect = info?.extensions?.includes(CtapExtension.credProtect);
  return [
    reason('EN-UV', 'S1, S6', [uv, ...checkFacts(f, ['WEBAUTHN-ENTRA-001', 'WEBAUTHN-ENTRA-002'])]),
    reason('EN-RK', 'S6', [rk, ...checkFacts(f, ['RK-DISCOVER-001'])]),
    reason('EN-ES256', 'S6', [es256]),
    {
      id: 'WIN-CREDPROTECT',
      status: credProtect ? 'warn' : 'pass',
      message: credProtect
        ? 'credProtect is supported: a credential created at credProtect > 1 is reported to break Windows 10 sign-in (vendor guidance); keep the default at 1'
        : 'credProtect not offered',
      source: 'vendor guidance',
    },
  ];
}

function profileReasons(p: EffectiveProfile, f: DeviceFacts, input: EntraInput, ms: MicrosoftEvaluation): EntraReason[] {
  const prefix = `${p.label}: `;
  const out: EntraReason[] = [];
  // EN-KEY-RESTRICTIONS (S3, S6 fido2KeyRestrictions)
  const kr = p.keyRestrictions;
  const aaguid = f.aaguid ?? f.attestedAaguid;
  let krFact: Fact;
  if (!kr?.isEnforced) krFact = { status: 'pass', text: 'key restrictions not enforced' };
  else if (!aaguid) krFact = { status: 'skip', text: 'AAGUID unknown (no getInfo or attestation)' };
  else {
    const listed = (kr.aaGuids ?? []).map(normaliseAaguid).includes(aaguid);
    if (kr.enforcementType === 'allow') krFact = listed ? { status: 'pass', text: `AAGUID ${aaguid} is in the allow list` } : { status: 'fail', text: `AAGUID ${aaguid} is not in the allow list (${kr.aaGuids?.length ?? 0} entries)` };
    else if (kr.enforcementType === 'block') krFact = listed ? { status: 'fail', text: `AAGUID ${aaguid} is in the block list` } : { status: 'pass', text: `AAGUID ${aaguid} is not in the block list` };
    else krFact = { status: 'skip', text: `enforcementType "${kr.enforcementType ?? '(absent)'}" is not allow or block` };
  }
  out.push(reason('EN-KEY-RESTRICTIONS', 'S3, S6', [krFact], prefix));
  // EN-ATTESTATION (S3): attestation enforced → MS-ATTESTATION must hold at registration, and the MDS must
  // list the AAGUID without an undesired status
  if (p.attestationEnforced) {
    const req = (id: string) => ms.requirements.find((r) => r.id === id);
    const facts: Fact[] = [];
    for (const id of ['MS-ATTESTATION', 'MS-MDS-LISTED']) {
      const r = req(id);
      facts.push(r ? { status: r.status, text: `attestation enforced; ${id} ${r.status}${r.status !== 'pass' ? ` (${r.evidence.filter((e) => !e.startsWith('pass')).join('; ')})` : ''}` } : { status: 'skip', text: `${id} not evaluated` });
    }
    if (f.mdsStatus?.verdict === 'fail') {
      facts.push({ status: 'fail', text: `MDS status: ${f.mdsStatus.findings.filter((x) => x.severity === 'fail').map((x) => x.message).join('; ')}` });
    }
    out.push(reason('EN-ATTESTATION', 'S3, S6', facts, prefix));
  } else {
    out.push(reason('EN-ATTESTATION', 'S3, S6', [{ status: 'pass', text: 'attestation not enforced' }], prefix));
    // EN-ATTESTATION-FORMAT (S1): without enforcement Entra accepts none, tpm, packed (AttCA, i.e. with x5c)
    // or a custom format of at most 32 characters; the other registered formats and packed self are refused
    const a = input.attestation;
    let fmt: Fact;
    if (!a) {
      const c = f.checkStatus('WEBAUTHN-ENTRA-001');
      fmt = c?.status === 'pass' ? { status: 'pass', text: 'Entra-profile registration with direct attestation verified (WEBAUTHN-ENTRA-001)' } : { status: 'skip', text: 'no attestation object given and WEBAUTHN-ENTRA-001 did not pass' };
    } else if (a.fmt === 'none' || a.fmt === 'tpm') fmt = { status: 'pass', text: `format "${a.fmt}" accepted` };
    else if (a.fmt === 'packed') fmt = f.attestationCertificate ? { status: 'pass', text: 'packed with x5c (AttCA) accepted' } : { status: 'fail', text: 'packed self attestation is not accepted (only AttCA)' };
    else if (REGISTERED_FORMATS.has(a.fmt)) fmt = { status: 'fail', text: `format "${a.fmt}" is not among none, tpm, packed (AttCA)` };
    else fmt = a.fmt.length <= 32 ? { status: 'pass', text: `custom format "${a.fmt}" (<= 32 characters) accepted` } : { status: 'fail', text: 'custom format longer than 32 characters' };
    out.push(reason('EN-ATTESTATION-FORMAT', 'S1', [fmt], prefix));
  }
  // EN-PASSKEY-TYPE (S3, S6 passkeyTypes): a security key's passkey is device-bound (BE flag clear)
  const type = input.attestation?.authData.be ? 'synced' : 'deviceBound';
  const typeFact: Fact = !p.passkeyTypes
    ? { status: 'pass', text: 'legacy policy: no passkey type restriction' }
    : p.passkeyTypes.includes(type)
      ? { status: 'pass', text: `passkeyTypes "${p.passkeyTypes.join(',')}" include ${type}` }
      : { status: 'fail', text: `passkeyTypes "${p.passkeyTypes.join(',')}" exclude ${type}` };
  out.push(reason('EN-PASSKEY-TYPE', 'S3, S6', [typeFact], prefix));
  return out;
}

function verdictOf(reasons: readonly EntraReason[]): EntraVerdict {
  const deciding = reasons.filter((r) => r.id.startsWith('EN-'));
  if (deciding.some((r) => r.status === 'fail')) return 'blocked';
  if (deciding.some((r) => r.status === 'skip')) return 'incomplete';
  return 'allowed';
}

function evaluatePolicy(name: string, policy: EntraPolicy, f: DeviceFacts, input: EntraInput, ms: MicrosoftEvaluation): EntraScenario {
  const device = deviceReasons(f, input);
  if (policy.state === 'disabled') {
    return { name, verdict: 'blocked', reasons: [{ id: 'EN-METHOD-STATE', status: 'fail', message: 'the passkey (FIDO2) method is disabled in this policy', source: 'S6' }, ...device] };
  }
  const profiles = scopedProfiles(policy, input.userGroups);
  if (!profiles.length) {
    return { name, verdict: 'blocked', reasons: [{ id: 'EN-KEY-RESTRICTIONS', status: 'fail', message: 'no passkey profile is scoped to the user', source: 'S3, S6' }, ...device] };
  }
  const perProfile = profiles.map((p) => profileReasons(p, f, input, ms));
  const verdicts = perProfile.map((r) => verdictOf([...device, ...r]));
  // S3: the key is allowed when at least one profile scoped to the user allows it
  const verdict: EntraVerdict = verdicts.includes('allowed') ? 'allowed' : verdicts.includes('incomplete') ? 'incomplete' : 'blocked';
  return { name, verdict, reasons: [...device, ...perProfile.flat()] };
}

function fixedKeyRestrictions(kr: EntraKeyRestrictions | undefined, aaguid: string): EntraKeyRestrictions {
  if (!kr?.isEnforced) return { isEnforced: false, enforcementType: kr?.enforcementType ?? 'block', aaGuids: kr?.aaGuids ?? [] };
  const list = kr.aaGuids ?? [];
  if (kr.enforcementType === 'allow') return { ...kr, aaGuids: list.some((x) => normaliseAaguid(x) === aaguid) ? list : [...list, aaguid] };
  if (kr.enforcementType === 'block') return { ...kr, aaGuids: list.filter((x) => normaliseAaguid(x) !== aaguid) };
  return kr;
}

/**
 * The fido2AuthenticationMethodConfiguration fragment an admin would PATCH so this AAGUID is allowed: the
 * AAGUID added to an enforced allow list or removed from an enforced block list; attestation enforcement
 * turned off only when it is what blocks the key; deviceBound added when the passkey type blocks it. In the
 * passkeyProfiles shape the whole collection is sent (Graph replaces collections on PATCH) with the first
 * scoped profile changed. An unenforced restriction is left as it is (an allow list of one would block every
 * other key).
 */
export function suggestPolicy(policy: EntraPolicy, scenario: EntraScenario, aaguid: string | undefined, userGroups?: string[]): Record<string, unknown> {
  if (!aaguid) return {};
  const blockedBy = (id: string) => scenario.reasons.some((r) => r.id === id && r.status === 'fail');
  const profiles = policy.passkeyProfiles ?? [];
  if (!profiles.length) {
    return {
      '@odata.type': GRAPH_TYPE,
      keyRestrictions: fixedKeyRestrictions(policy.keyRestrictions, aaguid),
      ...(policy.isAttestationEnforced && blockedBy('EN-ATTESTATION') ? { isAttestationEnforced: false } : {}),
    };
  }
  const target = scopedProfiles(policy, userGroups)[0]?.profileId;
  return {
    '@odata.type': GRAPH_TYPE,
    passkeyProfiles: profiles.map((p) => {
      if (p.id !== target) return p;
      const types = (p.passkeyTypes ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      return {
        ...p,
        keyRestrictions: fixedKeyRestrictions(p.keyRestrictions, aaguid),
        ...(p.attestationEnforcement === 'registrationOnly' && blockedBy('EN-ATTESTATION') ? { attestationEnforcement: 'disabled' } : {}),
        ...(blockedBy('EN-PASSKEY-TYPE') && !types.includes('deviceBound') ? { passkeyTypes: [...types, 'deviceBound'].join(',') } : {}),
      };
    }),
  };
}

export function authenticationMethodView(f: DeviceFacts, input: CompatInput, ms: MicrosoftEvaluation): Fido2AuthenticationMethodView | undefined {
  const aaGuid = f.aaguid ?? f.attestedAaguid;
  if (!aaGuid) return undefined;
  const attested = ms.requirements.find((r) => r.id === 'MS-ATTESTATION')?.status === 'pass' && !!f.mdsEntry;
  return {
    aaGuid,
    model: f.mdsEntry?.metadataStatement?.description ?? 'unknown (not in MDS)',
    attestationLevel: attested ? 'attested' : 'notAttested',
    passkeyType: input.attestation?.authData.be ? 'synced' : 'deviceBound',
  };
}

export function evaluateEntra(input: EntraInput): EntraEvaluation {
  const facts = gatherFacts(input);
  const ms = input.microsoft ?? evaluateMicrosoft(input);
  const given = input.policy;
  const scenarios = given
    ? [evaluatePolicy('policy as given', given, facts, input, ms)]
    : [
        evaluatePolicy("Entra's defaults", defaultEntraPolicy(false), facts, input, ms),
        evaluatePolicy('attestation enforced', defaultEntraPolicy(true), facts, input, ms),
      ];
  const main = scenarios[0]!;
  const policy = given ?? defaultEntraPolicy(false);
  const view = authenticationMethodView(facts, input, ms);
  return {
    verdict: main.verdict,
    policySource: given ? 'file' : 'default',
    policy: policy as Record<string, unknown>,
    reasons: main.reasons,
    suggestedPolicy: suggestPolicy(policy, main, facts.aaguid ?? facts.attestedAaguid, input.userGroups),
    ...(view ? { authenticationMethod: view } : {}),
    scenarios,
  };
}

