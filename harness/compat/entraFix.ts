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

function allowAaguid(kr: EntraKeyRestrictions | undefined, aaguid: string): EntraKeyRestrictions | undefined {
  if (!kr?.isEnforced) return undefined;
  const list = kr.aaGuids ?? [];
  if (kr.enforcementType === 'allow' && !list.some((x) => normaliseAaguid(x) === aaguid)) return { ...kr, aaGuids: [...list, aaguid] };
  if (kr.enforcementType === 'block' && list.some((x) => normaliseAaguid(x) === aaguid)) return { ...kr, aaGuids: list.filter((x) => normaliseAaguid(x) !== aaguid) };
  return undefined;
}

/** the policy-side reasons that fail for one profile */
function failingCount(reasons: readonly EntraReason[]): number {
  return reasons.filter((r) => r.status === 'fail' && !DEVICE_REASONS.has(r.id)).length;
}

/** One step towards "allowed": the smallest change that removes the first thing blocking the key. */
function step(policy: EntraPolicy, j: PolicyJudgement, aaguid: string | undefined, groups: readonly string[] | undefined): PatchBody | undefined {
  if (policy.state !== 'enabled') return { state: 'enabled' };
  const targets = j.reasons.find((r) => r.id === 'EN-TARGETS');
  const profiles = policy.passkeyProfiles ?? [];
  if (targets?.status === 'fail') {
    const excludes = policy.excludeTargets ?? [];
    const excluding = excludes.filter((t) => membership(t, groups) === 'yes');
    if (excluding.length) return { excludeTargets: excludes.filter((t) => !excluding.includes(t)) };
    // include the user: through one of their groups when known, else all users
    const id = groups?.[0] ?? 'all_users';
    const profile = profiles[0];
    return {
      includeTargets: [...policy.includeTargets, { id, targetType: 'group', isRegistrationRequired: false, ...(profile ? { allowedPasskeyProfiles: [profile.id] } : {}) }],
    };
  }
  if (!j.profiles.length && profiles.length) {
    // the targets that include the user name no profile: let the first of them allow the first profile
    const index = policy.includeTargets.findIndex((t) => membership(t, groups) === 'yes');
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
  const kr = failing(reasons, 'EN-KEY-RESTRICTIONS') && aaguid ? allowAaguid(p.keyRestrictions, aaguid) : undefined;
  const attestation = failing(reasons, 'EN-ATTESTATION');
  const type = failing(reasons, 'EN-PASSKEY-TYPE');
  if (!kr && !attestation && !type) return undefined;
  if (!p.profileId) {
    return { ...(kr ? { keyRestrictions: kr } : {}), ...(attestation ? { isAttestationEnforced: false } : {}) };
  }
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
    const relied = r.id in ENTRA_DEVICE_CHECKS ? reliedOn(ENTRA_DEVICE_CHECKS[r.id as keyof typeof ENTRA_DEVICE_CHECKS]) : [];
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
  const checks = deviceChecks(f, j);
  if (checks.length) return { kind: 'device', text: `fix the key: ${checks.join(', ')}`, checks };
  if (j.verdict === 'depends-on-group') return { kind: 'none', text: "the verdict depends on the user's group membership: give it with --entra-user-groups" };
  if (j.verdict === 'incomplete') return { kind: 'none', text: 'not every point could be judged; no policy change is suggested' };
  let current = policy;
  let body: PatchBody = {};
  let judgement = j;
  for (let i = 0; i < 5 && judgement.verdict !== 'allowed'; i++) {
    const change = step(current, judgement, f.aaguid, groups);
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

