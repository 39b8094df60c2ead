/**
 * A simulated built-in user verification method (CTAP 2.1 §6.5.5.7.3 performBuiltInUv, getInfo `uv`,
 * `uvModality`). Off unless `AuthenticatorOptions.builtInUv` is given: the default simulator is a PIN-only
 * key, as most roaming keys are.
 */
export interface BuiltInUvAttempt {
  /** what asked for the verification */
  reason: 'getPinUvAuthTokenUsingUvWithPermissions' | 'makeCredential' | 'getAssertion';
  rpId?: string;
  signal?: AbortSignal;
}

export type BuiltInUvOutcome = 'match' | 'nomatch' | 'timeout';

export interface BuiltInUv {
  /**
   * The user-verification modality bit reported as getInfo `uvModality` (FIDO Registry §3.1, e.g.
   * 0x00000002 USER_VERIFY_FINGERPRINT_INTERNAL, 0x00000004 USER_VERIFY_PASSCODE_INTERNAL).
   */
  readonly modality: number;
  /** false models a method the user has not enrolled yet (getInfo `uv`: false) */
  readonly configured: boolean;
  /** whether the verification gesture also proves user presence (a fingerprint touch does) */
  readonly establishesPresence: boolean;
  /** one attempt at verifying the user */
  verify(attempt: BuiltInUvAttempt): Promise<BuiltInUvOutcome>;
}

/** FIDO Registry of Predefined Values §3.1 user verification methods used by the simulator. */
export const UvModality = {
  fingerprintInternal: 0x00000002,
  passcodeInternal: 0x00000004,
} as const;

/**
 * A scripted built-in UV: answers the queued outcomes in order, then `fallback` (default 'match').
 * Tests push 'nomatch' / 'timeout' to walk the error paths.
 */
export class ScriptedBuiltInUv implements BuiltInUv {
  readonly modality: number;
  readonly configured: boolean;
  readonly establishesPresence: boolean;
  readonly queue: BuiltInUvOutcome[] = [];
  attempts = 0;
  constructor(
    options: {
      modality?: number;
      configured?: boolean;
      establishesPresence?: boolean;
      fallback?: BuiltInUvOutcome;
    } = {},
  ) {
    this.modality = options.modality ?? UvModality.fingerprintInternal;
    this.configured = options.configured ?? true;
    this.establishesPresence = options.establishesPresence ?? true;
    this.fallback = options.fallback ?? 'match';
  }
  private readonly fallback: BuiltInUvOutcome;
  async verify(): Promise<BuiltInUvOutcome> {
    this.attempts++;
    return this.queue.shift() ?? this.fallback;
  }
}

/** Named methods for `--uv NAME` style selection by the CLI lane. */
export function builtInUvByName(name: 'fingerprint' | 'passcode' | 'none'): BuiltInUv | undefined {
  if (name === 'none') return undefined;
  return new ScriptedBuiltInUv({
    modality: name === 'fingerprint' ? UvModality.fingerprintInternal : UvModality.passcodeInternal,
    establishesPresence: name === 'fingerprint',
  });
}
