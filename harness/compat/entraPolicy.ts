import { z } from 'zod';
import { aaguidToString } from '../../mds/aaguid.ts';

/**
 * The passkey (FIDO2) method policy as Microsoft Graph returns it: `fido2AuthenticationMethodConfiguration`
 * (GET /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2), in its legacy shape
 * (`isAttestationEnforced`, `keyRestrictions`) and with `passkeyProfiles[]` and
 * `includeTargets[].allowedPasskeyProfiles`. The whole `authenticationMethodsPolicy` response is accepted too:
 * its fido2 configuration is picked. Graph's enumerations are checked (with their `unknownFutureValue`);
 * members Graph may add later are kept.
 */
const graphEnum = <T extends string>(values: readonly T[]) => z.enum([...values, 'unknownFutureValue'] as unknown as [T | 'unknownFutureValue', ...(T | 'unknownFutureValue')[]]);

/**
 * An AAGUID as Graph writes it (8-4-4-4-12 hex digits; compared case-insensitively). Anything else — braces,
 * a model name — is refused: it can match no key, so in a block list it would silently block nothing.
 */
export const aaguidText = z.string().refine((s) => normaliseAaguid(s) !== undefined, 'not an AAGUID (8-4-4-4-12 hex digits)');

/** fido2KeyRestrictions */
const keyRestrictions = z.looseObject({
  isEnforced: z.boolean().optional(),
  enforcementType: graphEnum(['allow', 'block']).optional(),
  aaGuids: z.array(aaguidText).nullable().optional(),
});

/** authenticationMethodTarget (includeTargets) / excludeTarget */
const target = z.looseObject({
  id: z.string().min(1),
  targetType: graphEnum(['user', 'group']).optional(),
  isRegistrationRequired: z.boolean().optional(),
  allowedPasskeyProfiles: z.array(z.string()).nullable().optional(),
});

/** passkeyTypes is a flags enumeration: a comma-separated list of deviceBound, synced */
const passkeyTypes = z.string().refine((s) => s.split(',').every((t) => ['deviceBound', 'synced', 'unknownFutureValue'].includes(t.trim())), {
  message: 'passkeyTypes is a comma-separated list of deviceBound, synced',
});

/** passkeyProfile */
const passkeyProfile = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  passkeyTypes: passkeyTypes.optional(),
  attestationEnforcement: graphEnum(['disabled', 'registrationOnly']).optional(),
  keyRestrictions: keyRestrictions.optional(),
});

export const FIDO2_CONFIGURATION_TYPE = '#microsoft.graph.fido2AuthenticationMethodConfiguration';

export const entraPolicySchema = z.looseObject({
  '@odata.type': z.literal(FIDO2_CONFIGURATION_TYPE).optional(),
  // Graph names the passkey configuration "Fido2": another method's configuration (Email, Sms… have state and
  // includeTargets too) without its @odata.type must not be judged as the passkey policy
  id: z
    .string()
    .refine((id) => id.toLowerCase() === 'fido2', 'the id of a fido2AuthenticationMethodConfiguration is "Fido2"')
    .optional(),
  /** authenticationMethodState */
  state: z.enum(['enabled', 'disabled']),
  isSelfServiceRegistrationAllowed: z.boolean().optional(),
  isAttestationEnforced: z.boolean().optional(),
  keyRestrictions: keyRestrictions.optional(),
  includeTargets: z.array(target),
  excludeTargets: z.array(target).optional(),
  passkeyProfiles: z.array(passkeyProfile).optional(),
});

export type EntraPolicy = z.infer<typeof entraPolicySchema>;
export type EntraKeyRestrictions = z.infer<typeof keyRestrictions>;
export type EntraPasskeyProfile = z.infer<typeof passkeyProfile>;
export type EntraTarget = z.infer<typeof target>;

export class EntraPolicyError extends Error {
  override readonly name = 'EntraPolicyError';
  constructor(
    readonly code: 'ENTRA_POLICY_NOT_JSON' | 'ENTRA_POLICY_INVALID',
    /** JSON Pointer of the first violation */
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path ? `${path}: ` : ''}${reason}`);
  }
}

/** The first violation of a zod parse as "JSON-pointer: message". */
export function firstIssue(error: z.ZodError): { path: string; message: string } {
  const issue = error.issues[0]!;
  return { path: issue.path.map((p) => `/${String(p)}`).join(''), message: issue.message };
}

/** An AAGUID as text in any case → canonical lowercase UUID text, or undefined when it is not one. */
export function normaliseAaguid(text: string): string | undefined {
  try {
    return aaguidToString(text.trim());
  } catch {
    // not an AAGUID
  }
  return undefined;
}

/** JSON text → its value (EntraPolicyError when it is not JSON); a parsed value as it is. */
export function jsonValue(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input);
  } catch (e) {
    throw new EntraPolicyError('ENTRA_POLICY_NOT_JSON', '', `not JSON: ${(e as Error).message}`);
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * JSON text or a parsed value → the fido2 configuration, or EntraPolicyError with one line. An
 * `authenticationMethodsPolicy` (its `authenticationMethodConfigurations[]`) gives its fido2 member; any other
 * document is refused.
 */
export function parseEntraPolicy(input: unknown): EntraPolicy {
  let value = jsonValue(input);
  let prefix = '';
  if (isObject(value) && Array.isArray(value['authenticationMethodConfigurations'])) {
    const list = value['authenticationMethodConfigurations'] as unknown[];
    const index = list.findIndex((c) => isObject(c) && (c['@odata.type'] === FIDO2_CONFIGURATION_TYPE || String(c['id']).toLowerCase() === 'fido2'));
    if (index < 0) throw new EntraPolicyError('ENTRA_POLICY_INVALID', '/authenticationMethodConfigurations', 'an authenticationMethodsPolicy without a fido2 configuration');
    value = list[index];
    prefix = `/authenticationMethodConfigurations/${index}`;
  }
  if (!isObject(value)) throw new EntraPolicyError('ENTRA_POLICY_INVALID', '', 'not a fido2AuthenticationMethodConfiguration (a JSON object)');
  const result = entraPolicySchema.safeParse(value);
  if (!result.success) {
    const { path, message } = firstIssue(result.error);
    throw new EntraPolicyError('ENTRA_POLICY_INVALID', prefix + path, `not a fido2AuthenticationMethodConfiguration: ${message}`);
  }
  return result.data;
}

/** The default passkey profile's id in a tenant (Graph's fido2AuthenticationMethodConfiguration update example). */
export const DEFAULT_PASSKEY_PROFILE_ID = '00000000-0000-0000-0000-000000000001';

/**
 * Entra's defaults, used when no policy is given: passkeys enabled for all users with the default profile,
 * both passkey types, attestation not enforced (or enforced, for the second scenario), no key restrictions.
 */
export function defaultEntraPolicy(attestationEnforced = false): EntraPolicy {
  return {
    '@odata.type': FIDO2_CONFIGURATION_TYPE,
    id: 'Fido2',
    state: 'enabled',
    isSelfServiceRegistrationAllowed: true,
    includeTargets: [{ id: 'all_users', targetType: 'group', isRegistrationRequired: false, allowedPasskeyProfiles: [DEFAULT_PASSKEY_PROFILE_ID] }],
    excludeTargets: [],
    passkeyProfiles: [
      {
        id: DEFAULT_PASSKEY_PROFILE_ID,
        name: 'Default passkey profile',
        passkeyTypes: 'deviceBound,synced',
        attestationEnforcement: attestationEnforced ? 'registrationOnly' : 'disabled',
        keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] },
      },
    ],
  };
}
