import {
  CtapVersion,
  encodeGetInfoResponse,
  PUBLIC_KEY,
  type AuthenticatorInfo,
  type CborMap,
} from '../../harness/protocol/index.ts';
import type { Authenticator } from '../Authenticator.ts';
import { CREDENTIAL_ID_LENGTH } from '../credentialId.ts';
import { SUPPORTED_ALGORITHMS } from '../credentialKeys.ts';
import { MAX_MESSAGE_SIZE } from '../../harness/protocol/index.ts';

/** The most credentials the simulator accepts in an allowList or excludeList (getInfo 0x07). */
export const MAX_CREDENTIAL_COUNT_IN_LIST = 8;

/**
 * authenticatorGetInfo (CTAP 2.1 §6.4), built from what the simulator implements and its current state,
 * so getInfo never advertises what is not there.
 */
export function buildInfo(a: Authenticator): AuthenticatorInfo {
  const b = a.behaviour;
  const options: Record<string, boolean> = {
    plat: false,
    rk: b.residentKeys,
    up: true,
    clientPin: a.pinIsSet,
    pinUvAuthToken: true,
    makeCredUvNotRqd: true,
  };
  const info: AuthenticatorInfo = {
    versions: [CtapVersion.FIDO_2_0, CtapVersion.FIDO_2_1_PRE, CtapVersion.FIDO_2_1],
    aaguid: a.aaguid,
    options,
    maxMsgSize: MAX_MESSAGE_SIZE,
    pinUvAuthProtocols: [2, 1],
    maxCredentialCountInList: MAX_CREDENTIAL_COUNT_IN_LIST,
    maxCredentialIdLength: CREDENTIAL_ID_LENGTH,
    transports: ['usb'],
    algorithms: SUPPORTED_ALGORITHMS.map((alg) => ({ type: PUBLIC_KEY, alg })),
    minPINLength: a.state.minPinLength,
    firmwareVersion: a.firmwareVersion,
    remainingDiscoverableCredentials: b.residentKeys
      ? Math.max(0, a.maxDiscoverableCredentials - a.state.credentials.length)
      : 0,
  };
  if (a.state.forcePinChange) info.forcePINChange = true;
  return b.getInfo(info);
}

export async function getInfo(a: Authenticator): Promise<CborMap> {
  return encodeGetInfoResponse(buildInfo(a));
}
