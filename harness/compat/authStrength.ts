import { z } from 'zod';
import type { AuthStrengthResult, EntraFix, EntraReason } from '../../reports/model.ts';
import type { Facts } from './evidence.ts';
import { aaguidText, EntraPolicyError, firstIssue, isObject, jsonValue, normaliseAaguid } from './entraPolicy.ts';

/**
 * Conditional Access authentication strengths (Graph authenticationStrengthPolicy,
 * authenticationCombinationConfiguration / fido2CombinationConfiguration): a sign-in with a security key
 * satisfies a strength when `fido2` is one of its allowedCombinations and, if the strength has a fido2
 * combination configuration, the key's AAGUID is among its allowedAAGUIDs. Entra's passkey sign-in always
 * verifies the user, so a key that cannot (EN-UV) satisfies none.
 */
const FIDO2_COMBINATION_TYPE = '#microsoft.graph.fido2CombinationConfiguration';
export const STRENGTH_POLICIES_PATH = '/identity/conditionalAccess/authenticationStrength/policies';

const combinationConfiguration = z.looseObject({
  '@odata.type': z.string().optional(),
  id: z.string().optional(),
  appliesToCombinations: z.array(z.string()).optional(),
  allowedAAGUIDs: z.array(aaguidText).optional(),
});

export const authStrengthPolicySchema = z.looseObject({
  id: z.string().min(1),
  displayName: z.string().optional(),
  policyType: z.string().optional(),
  allowedCombinations: z.array(z.string()),
  combinationConfigurations: z.array(combinationConfiguration).optional(),
});

export type AuthStrengthPolicy = z.infer<typeof authStrengthPolicySchema>;

export interface AuthStrengthInput {
  policy: AuthStrengthPolicy;
  /** "built in" or the file it came from */
  from: string;
}

/** The three built-in strengths (Graph "List authenticationStrengthPolicies": ids …0002-…0004, read-only). */
export const BUILT_IN_STRENGTHS: readonly AuthStrengthPolicy[] = [
  {
    id: '00000000-0000-0000-0000-000000000002',
    displayName: 'Multifactor authentication',
    policyType: 'builtIn',
    allowedCombinations: ['windowsHelloForBusiness', 'fido2', 'x509CertificateMultiFactor', 'deviceBasedPush', 'temporaryAccessPassOneTime', 'temporaryAccessPassMultiUse', 'password,microsoftAuthenticatorPush', 'password,softwareOath', 'password,hardwareOath', 'password,sms', 'password,voice', 'federatedMultiFactor'],
    combinationConfigurations: [],
  },
  {
    id: '00000000-0000-0000-0000-000000000003',
    displayName: 'Passwordless MFA',
    policyType: 'builtIn',
    allowedCombinations: ['windowsHelloForBusiness', 'fido2', 'x509CertificateMultiFactor', 'deviceBasedPush'],
    combinationConfigurations: [],
  },
  {
    id: '00000000-0000-0000-0000-000000000004',
    displayName: 'Phishing-resistant MFA',
    policyType: 'builtIn',
    allowedCombinations: ['windowsHelloForBusiness', 'fido2', 'x509CertificateMultiFactor'],
    combinationConfigurations: [],
  },
];

/** A strength document (one authenticationStrengthPolicy, or a list response `{ value: [...] }`) → its strengths. */
export function parseAuthStrengths(input: unknown, from: string): AuthStrengthInput[] {
  const value = jsonValue(input);
  const list = isObject(value) && Array.isArray(value['value']) ? (value['value'] as unknown[]) : undefined;
  const items = list ?? [value];
  if (list && !list.length) throw new EntraPolicyError('ENTRA_POLICY_INVALID', '/value', 'the list holds no authenticationStrengthPolicy');
  return items.map((item, i) => {
    const r = authStrengthPolicySchema.safeParse(item);
    if (!r.success) {
      const { path, message } = firstIssue(r.error);
      throw new EntraPolicyError('ENTRA_POLICY_INVALID', `${list ? `/value/${i}` : ''}${path}`, `not an authenticationStrengthPolicy: ${message}`);
    }
    return { policy: r.data, from };
  });
}

function judge(s: AuthStrengthInput, f: Facts, uv: EntraReason | undefined): Pick<AuthStrengthResult, 'status' | 'message' | 'fix'> {
  const p = s.policy;
  const builtIn = p.policyType === 'builtIn';
  const base = `${STRENGTH_POLICIES_PATH}/${p.id}`;
  if (!p.allowedCombinations.includes('fido2')) {
    return {
      status: 'fail',
      message: `"fido2" is not among its allowedCombinations (${p.allowedCombinations.join('; ') || 'none'})`,
      fix: builtIn
        ? { kind: 'none', text: 'a built-in strength cannot be changed: require a custom strength that allows fido2' }
        : { kind: 'policy', text: `POST ${base}/updateAllowedCombinations`, method: 'POST', path: `${base}/updateAllowedCombinations`, body: { allowedCombinations: [...p.allowedCombinations, 'fido2'] } },
    };
  }
  if (uv?.status === 'fail') return { status: 'fail', message: 'a passkey sign-in verifies the user, and this key fails EN-UV', fix: { kind: 'device', text: 'fix the key: EN-UV', checks: ['EN-UV'] } };
  // a fido2 restriction however it is spelled: the type in any case, or a configuration applying to fido2 that
  // lists AAGUIDs (reading a restriction as absent would let any key through)
  // Stryker disable next-line ArrayDeclaration: a made-up entry is no fido2 configuration, like none at all
  const configs = (p.combinationConfigurations ?? []).filter(
    (c) => c['@odata.type']?.toLowerCase() === FIDO2_COMBINATION_TYPE.toLowerCase() || (c.appliesToCombinations?.includes('fido2') && c.allowedAAGUIDs),
  );
  const none: EntraFix = { kind: 'none', text: 'nothing to change' };
  if (!configs.length) {
    if (uv?.status !== 'pass') return { status: 'skip', message: `fido2 is allowed; whether the key verifies the user could not be judged (EN-UV ${uv?.status ?? 'not evaluated'})`, fix: none };
    return { status: 'pass', message: 'fido2 is allowed with no AAGUID restriction', fix: none };
  }
  if (!f.aaguid) return { status: 'skip', message: 'fido2 is restricted to listed AAGUIDs and the AAGUID is unknown', fix: none };
  // Stryker disable next-line ArrayDeclaration: a made-up entry is no AAGUID, like an empty list
  const missing = configs.find((c) => !(c.allowedAAGUIDs ?? []).some((a) => normaliseAaguid(a) === f.aaguid));
  if (!missing) {
    if (uv?.status !== 'pass') return { status: 'skip', message: `AAGUID ${f.aaguid} is allowed; whether the key verifies the user could not be judged`, fix: none };
    return { status: 'pass', message: `fido2 is allowed and AAGUID ${f.aaguid} is in its fido2 combination configuration`, fix: none };
  }
  const path = `${base}/combinationConfigurations/${missing.id ?? '{combinationConfigurationId}'}`;
  return {
    status: 'fail',
    message: `AAGUID ${f.aaguid} is not among the allowedAAGUIDs of its fido2 combination configuration (${(missing.allowedAAGUIDs ?? []).length} entries)`,
    fix: { kind: 'policy', text: `PATCH ${path}`, method: 'PATCH', path, body: { '@odata.type': FIDO2_COMBINATION_TYPE, allowedAAGUIDs: [...(missing.allowedAAGUIDs ?? []), f.aaguid] } },
  };
}

/** The built-in strengths (unless a file gives one of them) and the given ones, each judged for this key. */
export function evaluateAuthStrengths(given: readonly AuthStrengthInput[], f: Facts, reasons: readonly EntraReason[]): AuthStrengthResult[] {
  // the built-in ids are digits: no case to ignore
  const ids = new Set(given.map((g) => g.policy.id));
  const all = [...BUILT_IN_STRENGTHS.filter((b) => !ids.has(b.id)).map((policy) => ({ policy, from: 'built in' })), ...given];
  const uv = reasons.find((r) => r.id === 'EN-UV');
  return all.map((s) => ({
    id: s.policy.id,
    displayName: s.policy.displayName ?? s.policy.id,
    policyType: s.policy.policyType ?? 'custom',
    from: s.from,
    ...judge(s, f, uv),
  }));
}
