import type { EntraKeyRestrictions, EntraPolicy, EntraTarget } from './entraPolicy.ts';

/**
 * Who a fido2AuthenticationMethodConfiguration applies to, and with which passkey profiles (Graph
 * fido2AuthenticationMethodConfiguration: includeTargets, excludeTargets, includeTargets[].allowedPasskeyProfiles):
 * a user is in scope when an include target names them (`all_users`, or a group/user id they are) and no
 * exclude target does — exclusion wins, and an empty include list scopes nobody. Membership is an input:
 * without the user's groups, a group target "depends on group membership", never "in".
 */

/** A policy reduced to what one judgement needs: one passkey profile, or the legacy members. */
export interface EffectiveProfile {
  /** "legacy policy" or `profile "NAME"` */
  label: string;
  /** the passkeyProfile id (absent for the legacy members) */
  profileId?: string;
  attestationEnforced: boolean;
  keyRestrictions?: EntraKeyRestrictions;
  /** undefined in the legacy shape (no passkey type restriction) */
  passkeyTypes?: string[];
}

export type Membership = 'yes' | 'no' | 'unknown';

export interface Scope {
  /** in: certainly in scope; out: certainly not; depends: only through groups whose membership is unknown */
  status: 'in' | 'out' | 'depends';
  text: string;
  /** profiles that apply for certain */
  profiles: EffectiveProfile[];
  /** profiles that apply only if the user is in a group whose membership is unknown */
  possibleProfiles: EffectiveProfile[];
  /** exclude targets whose membership is unknown (each could take the user out of scope) */
  unknownExclusions: EntraTarget[];
  /** exclude targets that take the user out of scope */
  excludedBy: EntraTarget[];
  /** include targets that apply for certain */
  includedBy: EntraTarget[];
}

export const ALL_USERS = 'all_users';

export function membership(t: EntraTarget, groups: readonly string[] | undefined): Membership {
  if (t.id.toLowerCase() === ALL_USERS) return 'yes';
  if (!groups) return 'unknown';
  return groups.some((g) => g.toLowerCase() === t.id.toLowerCase()) ? 'yes' : 'no';
}

function legacyProfile(policy: EntraPolicy): EffectiveProfile {
  return {
    label: 'legacy policy',
    attestationEnforced: policy.isAttestationEnforced === true,
    ...(policy.keyRestrictions ? { keyRestrictions: policy.keyRestrictions } : {}),
  };
}

export function splitPasskeyTypes(text: string | undefined): string[] {
  return (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** the passkey profiles an include target allows (the legacy members when the policy has no profiles) */
function profilesOf(policy: EntraPolicy, t: EntraTarget): EffectiveProfile[] {
  const profiles = policy.passkeyProfiles ?? [];
  if (!profiles.length) return [legacyProfile(policy)];
  // Stryker disable next-line ArrayDeclaration: a target without allowedPasskeyProfiles names no profile; a made-up entry matches none either
  const named = new Set((t.allowedPasskeyProfiles ?? []).map((id) => id.toLowerCase()));
  return profiles
    .filter((p) => named.has(p.id.toLowerCase()))
    .map((p) => ({
      label: `profile "${p.name ?? p.id}"`,
      profileId: p.id,
      attestationEnforced: p.attestationEnforcement === 'registrationOnly',
      ...(p.keyRestrictions ? { keyRestrictions: p.keyRestrictions } : {}),
      passkeyTypes: splitPasskeyTypes(p.passkeyTypes),
    }));
}

function unique(list: EffectiveProfile[]): EffectiveProfile[] {
  const seen = new Set<string>();
  return list.filter((p) => {
    const key = p.profileId ?? p.label;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function scopeOf(policy: EntraPolicy, groups: readonly string[] | undefined): Scope {
  const includes = policy.includeTargets;
  const excludes = policy.excludeTargets ?? [];
  const excludedBy = excludes.filter((t) => membership(t, groups) === 'yes');
  const unknownExclusions = excludes.filter((t) => membership(t, groups) === 'unknown');
  const includedBy = includes.filter((t) => membership(t, groups) === 'yes');
  const maybe = includes.filter((t) => membership(t, groups) === 'unknown');
  const base = { excludedBy, unknownExclusions, includedBy, profiles: [] as EffectiveProfile[], possibleProfiles: [] as EffectiveProfile[] };
  if (!includes.length) return { ...base, status: 'out', text: 'includeTargets is empty: the method applies to nobody' };
  if (excludedBy.length) return { ...base, status: 'out', text: `the user is excluded by ${excludedBy.map((t) => t.id).join(', ')} (exclusion wins)` };
  const profiles = unique(includedBy.flatMap((t) => profilesOf(policy, t)));
  const possibleProfiles = unique(maybe.flatMap((t) => profilesOf(policy, t))).filter((p) => !profiles.some((q) => (q.profileId ?? q.label) === (p.profileId ?? p.label)));
  if (!includedBy.length && !maybe.length) {
    return { ...base, status: 'out', text: `the user is in none of the include targets (${includes.map((t) => t.id).join(', ')})` };
  }
  const unknownNote = unknownExclusions.length ? `; membership of exclude target(s) ${unknownExclusions.map((t) => t.id).join(', ')} unknown` : '';
  if (!includedBy.length) {
    return { ...base, profiles, possibleProfiles, status: 'depends', text: `only group targets include the method (${maybe.map((t) => t.id).join(', ')}) and the user's groups are not known${unknownNote}` };
  }
  return {
    ...base,
    profiles,
    possibleProfiles,
    status: unknownExclusions.length ? 'depends' : 'in',
    text: `included by ${includedBy.map((t) => t.id).join(', ')}${unknownNote}`,
  };
}
