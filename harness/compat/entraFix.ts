import type { EntraFix, EntraReason, MicrosoftEvaluation } from '../../reports/model.ts';
import type { Facts } from './evidence.ts';
import { reliedOn } from './evidence.ts';
import { FIDO2_CONFIGURATION_TYPE, normaliseAaguid, type EntraKeyRestrictions, type EntraPasskeyProfile, type EntraPolicy } from './entraPolicy.ts';
import { membership, splitPasskeyTypes, type EffectiveProfile } from './entraScope.ts';
import { DEVICE_REASONS, ENTRA_DEVICE_CHECKS, judgePolicy, type PolicyJudgement } from './entra.ts';

export const FIDO2_CONFIGURATION_PATH = '/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2';

/** The members a PATCH may set; Graph replaces a collection member (targets, profiles) as a whole. */
type PatchBody = Partial<Pick<EntraPolicy, 'state' | 'includeTargets' | 'excludeTargets' | 'passkeyProfiles' | 'keyRestrictions' | 'isAttestationEnforced'>>;

const failing = (reasons: readonly EntraReason[], id: string) => reasons.some((r) => r.id === id && r.status === 'fail');

/**
 * Key restrictions that let the AAGUID through. Called only where EN-KEY-RESTRICTIONS fails: they are enforced,
 * and the AAGUID is missing from the allow list or on the block list.
 */
function allowAaguid(kr: EntraKeyRestrictions, aaguid: string): EntraKeyRestrictions {
  const list = kr.aaGuids ?? [];
  if (kr.enforcementType === 'allow') return { ...kr, aaGuids: [...list, aaguid] };
  return { ...kr, aaGuids: list.filter((x) => normaliseAaguid(x) !== aaguid) };
}

/** the policy-side reasons that fail for one profile */
function failingCount(reasons: readonly EntraReason[]): number {
  return reasons.filter((r) => r.status === 'fail' && !DEVICE_REASONS.has(r.id)).length;
}

/** One step towards "allowed": the smallest change that removes the first thing blocking the key. */
function step(policy: EntraPolicy, j: PolicyJudgement, aaguid: string | undefined, groups: readonly string[] | undefined): PatchBody | undefined {
  if (policy.state !== 'enabled') return { state: 'enabled' };
  // an enabled method is always judged for its targets
  const targets = j.reasons.find((r) => r.id === 'EN-TARGETS')!;
  const profiles = policy.passkeyProfiles ?? [];
  if (targets.status === 'fail') {
    const excludes = policy.excludeTargets ?? [];
    const excluding = excludes.filter((t) => membership(t, groups) === 'yes');
    if (excluding.length) return { excludeTargets: excludes.filter((t) => !excluding.includes(t)) };
    // include the user: through one of their groups when known, else all users
    const id = groups?.[0] ?? 'all_users';
    const profile = profiles[0];
    return {
      // Stryker disable next-line ObjectLiteral,ArrayDeclaration: without the profile here the next step adds it to this same target, and the PATCH is the same
      includeTargets: [...policy.includeTargets, { id, targetType: 'group', isRegistrationRequired: false, ...(profile ? { allowedPasskeyProfiles: [profile.id] } : {}) }],
    };
  }
  if (!j.profiles.length && profiles.length) {
    // the targets that include the user name no profile: let the first of them allow the first profile
    const index = policy.includeTargets.findIndex((t) => membership(t, groups) === 'yes');
    // Stryker disable next-line ConditionalExpression: index -1 changes no target, so no step helps either way
    if (index < 0) return undefined;
    return { includeTargets: policy.includeTargets.map((t, i) => (i === index ? { ...t, allowedPasskeyProfiles: [...(t.allowedPasskeyProfiles ?? []), profiles[0]!.id] } : t)) };
  }
  // edit the profile that applies to the user and needs the fewest changes
  const candidates = j.profiles.filter((x) => x.certain).sort((a, b) => failingCount(a.reasons) - failingCount(b.reasons));
  const target = candidates[0];
  if (!target) return undefined;
  return editProfile(policy, target.profile, target.reasons, aaguid);
}

function editProfile(policy: EntraPolicy, p: EffectiveProfile, reasons: readonly EntraReason[], aaguid: string | undefined): PatchBody | undefined {
  // EN-KEY-RESTRICTIONS fails only for enforced restrictions and a known AAGUID
  const kr = failing(reasons, 'EN-KEY-RESTRICTIONS') ? allowAaguid(p.keyRestrictions!, aaguid!) : undefined;
  const attestation = failing(reasons, 'EN-ATTESTATION');
  const type = failing(reasons, 'EN-PASSKEY-TYPE');
  // Stryker disable next-line ConditionalExpression: an empty change leaves the verdict as it is, and the loop ends the same
  if (!kr && !attestation && !type) return undefined;
  if (!p.profileId) {
    return { ...(kr ? { keyRestrictions: kr } : {}), ...(attestation ? { isAttestationEnforced: false } : {}) };
  }
  // Stryker disable next-line ArrayDeclaration: a profile with an id comes from the policy's passkeyProfiles
  const profiles = (policy.passkeyProfiles ?? []).map((q): EntraPasskeyProfile => {
    if (q.id !== p.profileId) return q;
    const types = splitPasskeyTypes(q.passkeyTypes);
    return {
      ...q,
      ...(kr ? { keyRestrictions: kr } : {}),
      ...(attestation ? { attestationEnforcement: 'disabled' as const } : {}),
      ...(type ? { passkeyTypes: [...types, 'deviceBound'].join(',') } : {}),
    };
  });
  return { passkeyProfiles: profiles };
}

function deviceChecks(f: Facts, j: PolicyJudgement): string[] {
  const ids = new Set<string>();
  for (const r of j.reasons) {
    if (!DEVICE_REASONS.has(r.id) || r.status !== 'fail') continue;
    // Stryker disable next-line ArrayDeclaration: a made-up id names no failed check, like no id at all
    const relied = r.id in ENTRA_DEVICE_CHECKS ? reliedOn(ENTRA_DEVICE_CHECKS[r.id as keyof typeof ENTRA_DEVICE_CHECKS]) : [];
    // Stryker disable next-line StringLiteral: any text that is not fail or error says "not failed"
    const failed = relied.filter((id) => ['fail', 'error'].includes(f.check(id)?.status ?? ''));
    if (failed.length) failed.forEach((id) => ids.add(id));
    else ids.add(r.id);
  }
  return [...ids];
}

/**
 * What would allow the key (Graph fido2AuthenticationMethodConfiguration): nothing when it is allowed; the
 * key's failing checks when the key itself fails (no policy change can help); otherwise the smallest PATCH,
 * found by applying one change at a time — enable the method, lift an exclusion or include the user, edit the
 * one profile that applies to the user — until the policy allows the key. Only the members that change are
 * sent, collections whole (a PATCH replaces them).
 */
export function entraFix(policy: EntraPolicy, j: PolicyJudgement, f: Facts, ms: MicrosoftEvaluation, groups: readonly string[] | undefined): EntraFix {
  if (j.verdict === 'allowed') return { kind: 'none', text: 'nothing to change: the policy allows this key' };
  // a key failing on its own blocks under every policy (never "depends" or "incomplete"): the loop below takes the
  // policy out of the way first, so the checks named are all the key's, also those a disabled method hides
  if (j.verdict === 'depends-on-group') return { kind: 'none', text: "the verdict depends on the user's group membership: give it with --entra-user-groups" };
  if (j.verdict === 'incomplete') return { kind: 'none', text: 'not every point could be judged; no policy change is suggested' };
  let current = policy;
  let body: PatchBody = {};
  let judgement = j;
  // each step removes one failing point for good, so at most five are taken (state, exclusion, inclusion, profile
  // named, profile edited); the bound only guards against a step that would not
  // Stryker disable next-line EqualityOperator,ConditionalExpression,StringLiteral: the steps end before the bound
  for (let i = 0; i < 5 && judgement.verdict !== 'allowed'; i++) {
    const change = step(current, judgement, f.aaguid, groups);
    // Stryker disable next-line ConditionalExpression: without a change the judgement stays the same until the bound
    if (!change) break;
    body = { ...body, ...change };
    current = { ...current, ...change };
    judgement = judgePolicy(judgement.name, current, f, ms, groups);
  }
  if (judgement.verdict !== 'allowed') {
    // what still blocks the key once the policy is out of the way is the key's own doing
    const left = deviceChecks(f, judgement);
    if (left.length) return { kind: 'device', text: `fix the key: ${left.join(', ')}`, checks: left };
    return { kind: 'none', text: `no policy change found that allows this key (${judgement.verdict})` };
  }
  const what = Object.keys(body).join(', ');
  return { kind: 'policy', text: `PATCH ${FIDO2_CONFIGURATION_PATH} (${what})`, method: 'PATCH', path: FIDO2_CONFIGURATION_PATH, body: { '@odata.type': FIDO2_CONFIGURATION_TYPE, ...body } };
}

