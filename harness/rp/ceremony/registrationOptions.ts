import { generateRegistrationOptions } from '@simplewebauthn/server';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';

/**
 * Entra ID's registration request (docs/microsoft-entra.md, S6 creationOptions): a discoverable credential,
 * user verification required, direct attestation, ES256 only.
 */
export const ENTRA_PROFILE = {
  attestation: 'direct',
  residentKey: 'required',
  userVerification: 'required',
  algorithms: [-7],
} as const;

/** what the page and the conformance API ask for; undefined members take WebAuthn's defaults */
export interface RegistrationChoices {
  profile: 'entra' | 'custom';
  attestation?: 'none' | 'indirect' | 'direct' | 'enterprise';
  residentKey?: 'required' | 'preferred' | 'discouraged';
  userVerification?: 'required' | 'preferred' | 'discouraged';
  authenticatorAttachment?: 'platform' | 'cross-platform';
  algorithms?: number[];
}

export interface ResolvedRegistrationChoices {
  profile: 'entra' | 'custom';
  attestation: 'none' | 'indirect' | 'direct' | 'enterprise';
  residentKey: 'required' | 'preferred' | 'discouraged';
  userVerification: 'required' | 'preferred' | 'discouraged';
  authenticatorAttachment?: 'platform' | 'cross-platform';
  algorithms: number[];
}

/** ES256, EdDSA, RS256: what authenticators commonly do (WebAuthn L3 §5.4 example order puts ES256 first) */
export const DEFAULT_ALGORITHMS = [-7, -8, -257];

/** The Entra preset wins over individual choices, except the attachment, which Entra leaves open. */
export function resolveRegistrationChoices(c: RegistrationChoices): ResolvedRegistrationChoices {
  if (c.profile === 'entra') {
    return { profile: 'entra', ...ENTRA_PROFILE, algorithms: [...ENTRA_PROFILE.algorithms], ...(c.authenticatorAttachment ? { authenticatorAttachment: c.authenticatorAttachment } : {}) };
  }
  return {
    profile: 'custom',
    // WebAuthn L3 §5.4 defaults: attestation "none", residentKey "discouraged", userVerification "preferred"
    attestation: c.attestation ?? 'none',
    residentKey: c.residentKey ?? 'discouraged',
    userVerification: c.userVerification ?? 'preferred',
    algorithms: c.algorithms ?? DEFAULT_ALGORITHMS,
    ...(c.authenticatorAttachment ? { authenticatorAttachment: c.authenticatorAttachment } : {}),
  };
}

export interface BuildRegistrationOptionsInput {
  rpName: string;
  rpId: string;
  username: string;
  displayName: string;
  userId: Uint8Array;
  challenge: Uint8Array;
  timeoutMs: number;
  excludeCredentials: { id: string; transports: string[] }[];
  choices: ResolvedRegistrationChoices;
  extensions?: Record<string, unknown>;
}

/** PublicKeyCredentialCreationOptionsJSON (WebAuthn L3 §5.4) for navigator.credentials.create(). */
export async function buildRegistrationOptions(i: BuildRegistrationOptionsInput): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { choices } = i;
  const options = await generateRegistrationOptions({
    rpName: i.rpName,
    rpID: i.rpId,
    userName: i.username,
    userDisplayName: i.displayName,
    userID: new Uint8Array(i.userId),
    challenge: new Uint8Array(i.challenge),
    timeout: i.timeoutMs,
    // simplewebauthn knows only direct/enterprise/none; "indirect" is set below as asked
    attestationType: choices.attestation === 'indirect' ? 'none' : choices.attestation,
    excludeCredentials: i.excludeCredentials,
    authenticatorSelection: {
      residentKey: choices.residentKey,
      requireResidentKey: choices.residentKey === 'required',
      userVerification: choices.userVerification,
      ...(choices.authenticatorAttachment ? { authenticatorAttachment: choices.authenticatorAttachment } : {}),
    },
    supportedAlgorithmIDs: choices.algorithms,
    // credProps lets the page say whether a discoverable credential was made (WebAuthn L3 §10.1.3)
    extensions: { credProps: true, ...(i.extensions ?? {}) } as never,
  });
  options.attestation = choices.attestation;
  return options;
}
