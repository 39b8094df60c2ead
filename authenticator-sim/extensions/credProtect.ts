import { CredProtect, CtapExtension, type CborMap } from '../../harness/protocol/index.ts';
import { extensionInput, isUint } from './extensionInput.ts';

/**
 * credProtect at registration (CTAP 2.1 §12.1): the requested level (1-3) is kept with the credential and
 * echoed in the authenticator extension outputs. A value outside 1-3 is not a level this authenticator
 * knows; as with an unknown extension, it is ignored (the spec names no status for it) and the credential
 * gets the default, userVerificationOptional.
 */
export function credProtectAtRegistration(inputs: CborMap | undefined): { level: number; output?: number } {
  const requested = extensionInput(inputs, CtapExtension.credProtect, isUint, 'an unsigned integer');
  if (
    requested === CredProtect.userVerificationOptional ||
    requested === CredProtect.userVerificationOptionalWithCredentialIDList ||
    requested === CredProtect.userVerificationRequired
  ) {
    return { level: requested, output: requested };
  }
  return { level: CredProtect.userVerificationOptional };
}
