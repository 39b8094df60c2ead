import type { AuthenticatorOptions } from '../Authenticator.ts';
import type { Behaviour } from '../behaviour.ts';
import { badAssertionSignature } from './badAssertionSignature.ts';
import { badAttestationSignature } from './badAttestationSignature.ts';
import { bioEnrollNeverCompletes } from './bioEnrollNeverCompletes.ts';
import { bioUvAnyFinger } from './bioUvAnyFinger.ts';
import { enterpriseAttestationAnyRp } from './enterpriseAttestationAnyRp.ts';
import { assertionWithoutTouch } from './assertionWithoutTouch.ts';
import { attestationPreferenceIgnored } from './attestationPreferenceIgnored.ts';
import { counterResetOnReset } from './counterResetOnReset.ts';
import { counterStuck } from './counterStuck.ts';
import { credProtectIgnored } from './credProtectIgnored.ts';
import { ctaphidIgnoreSeq } from './ctaphidIgnoreSeq.ts';
import { evilStrings } from './evilStrings.ts';
import { excludeListIgnored } from './excludeListIgnored.ts';
import { hmacSecretFreshCredRandom } from './hmacSecretFreshCredRandom.ts';
import { hmacSecretNoUvSplit } from './hmacSecretNoUvSplit.ts';
import { hmacSecretSalt2Ignored } from './hmacSecretSalt2Ignored.ts';
import { hmacSecretSaltIgnored } from './hmacSecretSaltIgnored.ts';
import { laxCborRequests } from './laxCborRequests.ts';
import { mdsRevoked } from './mdsRevoked.ts';
import { mdsRootCompromised } from './mdsRootCompromised.ts';
import { nfcSelectAnyAid } from './nfcSelectAnyAid.ts';
import { nfcNoSelectNeeded } from './nfcNoSelectNeeded.ts';
import { nfcWrongVersion } from './nfcWrongVersion.ts';
import { nfcNoCommandChaining } from './nfcNoCommandChaining.ts';
import { nfcNoResponseChaining } from './nfcNoResponseChaining.ts';
import { nfcExtendedAsShort } from './nfcExtendedAsShort.ts';
import { nfcStatusUpdatesUnasked } from './nfcStatusUpdatesUnasked.ts';
import { nfcLaxApdus } from './nfcLaxApdus.ts';
import { noHmacSecret } from './noHmacSecret.ts';
import { noncanonicalCbor } from './noncanonicalCbor.ts';
import { noResidentKeys } from './noResidentKeys.ts';
import { pinRetriesNotDecremented } from './pinRetriesNotDecremented.ts';
import { pinTokenPresence } from './pinTokenPresence.ts';
import { rkOldestFirst } from './rkOldestFirst.ts';
import type { Quirk } from './Quirk.ts';
import { selfAttestation } from './selfAttestation.ts';
import { unsupportedPermissionGranted } from './unsupportedPermissionGranted.ts';
import { touchWhenUpFalse } from './touchWhenUpFalse.ts';
import { upWithoutTouch } from './upWithoutTouch.ts';
import { uvWithoutPin } from './uvWithoutPin.ts';
import { wrongRpIdHash } from './wrongRpIdHash.ts';
import { zeroAaguid } from './zeroAaguid.ts';

export type { Quirk } from './Quirk.ts';
export { EVIL_TEXT } from './evilStrings.ts';
export { WRONG_RP_ID } from './wrongRpIdHash.ts';

/** Every quirk, the first fifteen being the original set, in its order. */
export const QUIRKS: readonly Quirk[] = [
  counterStuck,
  badAssertionSignature,
  badAttestationSignature,
  wrongRpIdHash,
  uvWithoutPin,
  noHmacSecret,
  noResidentKeys,
  zeroAaguid,
  selfAttestation,
  noncanonicalCbor,
  pinRetriesNotDecremented,
  ctaphidIgnoreSeq,
  excludeListIgnored,
  evilStrings,
  mdsRevoked,
  // beyond the original fifteen
  hmacSecretNoUvSplit,
  credProtectIgnored,
  mdsRootCompromised,
  // the fingerprint sensor (CTAP 2.1 §6.7, §6.5.5.7.3)
  bioEnrollNeverCompletes,
  bioUvAnyFinger,
  // enterprise attestation (CTAP 2.1 §7.1)
  enterpriseAttestationAnyRp,
  // CTAP 2.2
  attestationPreferenceIgnored,
  // the simulator as a card (CTAP 2.1 §11.3; seen with `run --device sim:nfc` or `sim --pcsc`)
  nfcSelectAnyAid,
  nfcNoSelectNeeded,
  nfcWrongVersion,
  nfcNoCommandChaining,
  nfcNoResponseChaining,
  nfcExtendedAsShort,
  nfcStatusUpdatesUnasked,
  nfcLaxApdus,
  // requests and presence as the host sees them (CTAP 2.1 §8, §6.1.2 step 14, §6.2.2 step 9)
  laxCborRequests,
  pinTokenPresence,
  upWithoutTouch,
  touchWhenUpFalse,
  assertionWithoutTouch,
  // pinUvAuthToken permissions (CTAP 2.1 §6.5.5.7.2 step 4)
  unsupportedPermissionGranted,
  // the signature counter across authenticatorReset (WebAuthn L3 §6.1.1; a warning, not a failure)
  counterResetOnReset,
  // discoverable credentials in the order CTAP 2.1 §6.2.2 step 7 gives them (most recent first)
  rkOldestFirst,
  // hmac-secret outputs (CTAP 2.1 §12.5: HMAC-SHA-256(CredRandom, salt1) [|| (…, salt2)], CredRandom kept per credential)
  hmacSecretSalt2Ignored,
  hmacSecretFreshCredRandom,
  hmacSecretSaltIgnored,
];

export class QuirkError extends Error {
  override readonly name = 'QuirkError';
  constructor(
    readonly code: 'SIM_UNKNOWN_QUIRK' | 'SIM_QUIRK_CONFLICT',
    message: string,
  ) {
    super(message);
  }
}

/** The quirks with their descriptions (for `fido-harness sim --list-quirks`). */
export function listQuirks(): readonly Quirk[] {
  return QUIRKS;
}

export function findQuirk(name: string): Quirk | undefined {
  return QUIRKS.find((q) => q.name === name);
}

/**
 * The Behaviour overrides for a set of quirk names. Unknown names are refused; two quirks that override
 * the same member are refused too (none of the original fifteen do), so a combination never silently drops one.
 */
export function behaviourForQuirks(names: readonly string[]): Partial<Behaviour> {
  const merged: Partial<Behaviour> = {};
  const owner = new Map<string, string>();
  for (const name of new Set(names)) {
    const quirk = findQuirk(name);
    if (!quirk) {
      throw new QuirkError(
        'SIM_UNKNOWN_QUIRK',
        `unknown quirk "${name}"; known: ${QUIRKS.map((q) => q.name).join(', ')}`,
      );
    }
    for (const [member, value] of Object.entries(quirk.behaviour)) {
      const previous = owner.get(member);
      if (previous) {
        throw new QuirkError('SIM_QUIRK_CONFLICT', `quirks "${previous}" and "${name}" both change ${member}`);
      }
      owner.set(member, name);
      (merged as Record<string, unknown>)[member] = value;
    }
  }
  return merged;
}

/** AuthenticatorOptions that make the simulator misbehave as the named quirks say. */
export function authenticatorOptionsForQuirks(names: readonly string[]): Pick<AuthenticatorOptions, 'behaviour'> {
  return { behaviour: behaviourForQuirks(names) };
}

/** The test-MDS status the named quirks ask for (`mds-revoked`, `mds-root-compromised`). */
export function testMdsStatusForQuirks(names: readonly string[]): Quirk['testMdsStatus'] {
  return names.map(findQuirk).find((q) => q?.testMdsStatus)?.testMdsStatus;
}
