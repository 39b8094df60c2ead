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
import { supportedExtensions } from '../extensions/index.ts';
import { MAX_CRED_BLOB_LENGTH } from '../extensions/credBlob.ts';
import { MAX_RPIDS_FOR_SET_MIN_PIN_LENGTH } from './config.ts';
import { MAX_SERIALIZED_LARGE_BLOB_ARRAY } from './largeBlobs.ts';

/** The most credentials the simulator accepts in an allowList or excludeList (getInfo 0x07). */
export const MAX_CREDENTIAL_COUNT_IN_LIST = 8;

/**
 * authenticatorGetInfo (CTAP 2.1 §6.4), built from what the simulator implements and its current state,
 * so getInfo never advertises what is not there.
 */
export function buildInfo(a: Authenticator): AuthenticatorInfo {
  const b = a.behaviour;
  // Options for what the PIN/UV lane implements (CTAP 2.1 §6.4 option IDs): clientPIN with both
  // protocols, credential management (also as the 2.1 preview), authenticatorConfig, large blobs.
  const options: Record<string, boolean> = {
    plat: false,
    rk: b.residentKeys,
    up: true,
    clientPin: a.pinIsSet,
    pinUvAuthToken: true,
    // §6.4: with alwaysUv on, makeCredUvNotRqd is treated as false (§6.1.2 step 6.1), so it is reported so.
    makeCredUvNotRqd: !a.state.alwaysUv,
    alwaysUv: a.state.alwaysUv,
    credMgmt: true,
    credentialMgmtPreview: true,
    authnrCfg: true,
    setMinPINLength: true,
    largeBlobs: true,
    ep: a.state.enterpriseAttestation,
  };
  if (a.builtInUv) options.uv = a.builtInUv.configured;
  if (a.fingerprint) {
    // §6.4 bioEnroll / userVerificationMgmtPreview: true once a fingerprint is enrolled, false before.
    const enrolled = (a.state.bioTemplates ?? []).length > 0;
    options.bioEnroll = enrolled;
    options.userVerificationMgmtPreview = enrolled;
  }
  const info: AuthenticatorInfo = {
    // U2F_V2: CTAP1/U2F over CTAPHID_MSG (ctap1/); not offered while alwaysUv is on (CTAP 2.1 §7.2).
    versions: [
      ...(a.state.alwaysUv ? [] : [CtapVersion.U2F_V2]),
      CtapVersion.FIDO_2_0,
      CtapVersion.FIDO_2_1_PRE,
      CtapVersion.FIDO_2_1,
    ],
    extensions: supportedExtensions(a),
    aaguid: a.aaguid,
    options,
    maxMsgSize: MAX_MESSAGE_SIZE,
    pinUvAuthProtocols: [2, 1],
    maxCredentialCountInList: MAX_CREDENTIAL_COUNT_IN_LIST,
    maxCredentialIdLength: CREDENTIAL_ID_LENGTH,
    // CTAP 2.1 §6.4: the transports it supports; the simulator is a CTAPHID device and a card (sim --pcsc)
    transports: ['nfc', 'usb'],
    algorithms: SUPPORTED_ALGORITHMS.map((alg) => ({ type: PUBLIC_KEY, alg })),
    maxSerializedLargeBlobArray: MAX_SERIALIZED_LARGE_BLOB_ARRAY,
    minPINLength: a.state.minPinLength,
    firmwareVersion: a.firmwareVersion,
    maxCredBlobLength: MAX_CRED_BLOB_LENGTH,
    maxRPIDsForSetMinPINLength: MAX_RPIDS_FOR_SET_MIN_PIN_LENGTH,
    remainingDiscoverableCredentials: b.residentKeys
      ? Math.max(0, a.maxDiscoverableCredentials - a.state.credentials.length)
      : 0,
  };
  if (a.state.forcePinChange) info.forcePINChange = true;
  if (a.builtInUv) info.uvModality = a.builtInUv.modality;
  return b.getInfo(info);
}

export async function getInfo(a: Authenticator): Promise<CborMap> {
  return encodeGetInfoResponse(buildInfo(a));
}
