import { CtapCommand, type CborMap } from '../../harness/protocol/index.ts';
import type { Authenticator, HandleOptions } from '../Authenticator.ts';
import { getAssertion, getNextAssertion } from './getAssertion.ts';
import { getInfo } from './getInfo.ts';
import { makeCredential } from './makeCredential.ts';
import { reset, selection } from './reset.ts';
import { clientPin } from './clientPin.ts';
import { config } from './config.ts';
import { credentialManagementHandler } from './credentialManagement.ts';
import { largeBlobs } from './largeBlobs.ts';
import { bioEnrollment } from './bioEnrollment.ts';
import { isCtap21, speaksCtap2, type SimFeatures } from '../profile/SimFeatures.ts';

export interface CommandHandler {
  /** whether the command carries a CBOR parameter map */
  takesParameters: boolean;
  run(a: Authenticator, params: unknown, options: HandleOptions): Promise<CborMap | null>;
}

/** The simulator's CTAP2 command table (CTAP 2.1 §6). */
export const handlers: ReadonlyMap<number, CommandHandler> = new Map<number, CommandHandler>([
  [CtapCommand.authenticatorMakeCredential, { takesParameters: true, run: makeCredential }],
  [CtapCommand.authenticatorGetAssertion, { takesParameters: true, run: getAssertion }],
  [CtapCommand.authenticatorGetInfo, { takesParameters: false, run: getInfo }],
  [CtapCommand.authenticatorReset, { takesParameters: false, run: reset }],
  [CtapCommand.authenticatorGetNextAssertion, { takesParameters: false, run: getNextAssertion }],
  [CtapCommand.authenticatorSelection, { takesParameters: false, run: selection }],
  [CtapCommand.authenticatorClientPIN, { takesParameters: true, run: clientPin }],
  [
    CtapCommand.authenticatorCredentialManagement,
    { takesParameters: true, run: credentialManagementHandler(CtapCommand.authenticatorCredentialManagement) },
  ],
  [
    CtapCommand.prototypeCredentialManagement,
    { takesParameters: true, run: credentialManagementHandler(CtapCommand.prototypeCredentialManagement) },
  ],
  [CtapCommand.authenticatorLargeBlobs, { takesParameters: true, run: largeBlobs }],
  [CtapCommand.authenticatorConfig, { takesParameters: true, run: config }],
  [CtapCommand.authenticatorBioEnrollment, { takesParameters: true, run: bioEnrollment }],
  [CtapCommand.prototypeBioEnrollment, { takesParameters: true, run: bioEnrollment }],
]);

/**
 * Whether the model has `command` (CTAP 2.1 §6.4 options and versions): clientPIN with the clientPin option,
 * credential management with credMgmt (0x0A) or credentialMgmtPreview (0x41), large blobs with largeBlobs,
 * authenticatorConfig with authnrCfg, authenticatorSelection from FIDO_2_1; nothing without a FIDO_2_x version.
 */
export function commandOffered(f: SimFeatures, command: number): boolean {
  if (!speaksCtap2(f)) return false;
  switch (command) {
    case CtapCommand.authenticatorClientPIN:
      // with clientPin, or built-in UV reached through getPinUvAuthTokenUsingUvWithPermissions (§6.5.5.7.3)
      return f.clientPin || (f.builtInUv !== undefined && f.pinUvAuthToken);
    case CtapCommand.authenticatorCredentialManagement:
      return f.credMgmt;
    case CtapCommand.prototypeCredentialManagement:
      return f.credMgmtPreview;
    case CtapCommand.authenticatorLargeBlobs:
      return f.largeBlobs;
    case CtapCommand.authenticatorConfig:
      return f.authnrCfg;
    case CtapCommand.authenticatorSelection:
      return isCtap21(f);
    default:
      return true;
  }
}
