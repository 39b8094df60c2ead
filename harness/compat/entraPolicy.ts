import { z } from 'zod';

/**
 * The Entra FIDO2 policy as Microsoft Graph returns it (S6: GET
 * /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2 →
 * fido2AuthenticationMethodConfiguration). Both shapes: the legacy `isAttestationEnforced` /
 * `keyRestrictions` members and the newer `passkeyProfiles[]` with `includeTargets[].allowedPasskeyProfiles`.
 * Unknown members are accepted and kept (forward compatible: Graph adds members); known members of the wrong
 * type are refused with the first violation's path.
 */
const keyRestrictions = z.looseObject({
  isEnforced: z.boolean().optional(),
  /** allow | block | unknownFutureValue (any other text is kept and treated as not understood) */
  enforcementType: z.string().optional(),
  aaGuids: z.array(z.string()).optional(),
});

const target = z.looseObject({
  id: z.string(),
  targetType: z.string().optional(),
  isRegistrationRequired: z.boolean().optional(),
  allowedPasskeyProfiles: z.array(z.string()).optional(),
});

const passkeyProfile = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  /** comma-separated flags: "deviceBound,synced" */
  passkeyTypes: z.string().optional(),
  /** disabled | registrationOnly | unknownFutureValue */
  attestationEnforcement: z.string().optional(),
  keyRestrictions: keyRestrictions.optional(),
});

export const entraPolicySchema = z.looseObject({
  id: z.string().optional(),
  /** enabled | disabled */
  state: z.string().optional(),
  isSelfServiceRegistrationAllowed: z.boolean().optional(),
  isAttestationEnforced: z.boolean().optional(),
  keyRestrictions: keyRestrictions.optional(),
  includeTargets: z.array(target).optional(),
  excludeTargets: z.array(target).optional(),
  passkeyProfiles: z.array(passkeyProfile).optional(),
});

export type EntraPolicy = z.infer<typeof entraPolicySchema>;
export type EntraKeyRestrictions = z.infer<typeof keyRestrictions>;
export type EntraPasskeyProfile = z.infer<typeof passkeyProfile>;

export class EntraPolicyError extends Error {
  override readonly name = 'EntraPolicyError';
  constructor(
    readonly code: 'ENTRA_POLICY_NOT_JSON' | 'ENTRA_POLICY_INVALID',
    /** JSON Pointer of the first violation */
    readonly path: string,
    readonly reason: string,
  ) {
    super(`Entra policy ${path || '/'}: ${reason}`);
  }
}

/** A parsed Graph response (object) or its JSON text → EntraPolicy, or EntraPolicyError. */
export function parseEntraPolicy(input: unknown): EntraPolicy {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new EntraPolicyError('ENTRA_POLICY_NOT_JSON', '', `not JSON: ${(e as Error).message}`);
    }
  }
  const result = entraPolicySchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new EntraPolicyError('ENTRA_POLICY_INVALID', issue.path.map((p) => `/${String(p)}`).join(''), issue.message);
  }
  return result.data;
}

/** The default passkey profile Graph shows in a tenant that has not changed it (S6 update example). */
export const DEFAULT_PASSKEY_PROFILE_ID = '00000000-0000-0000-0000-000000000001';

/**
 * Entra's defaults, used when no policy is given. The choice (S6's example of the default profile):
 * passkeys enabled for all users with the default profile, both passkey types, attestation not enforced,
 * no key restrictions.
 */
export function defaultEntraPolicy(attestationEnforced = false): EntraPolicy {
  return {
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
