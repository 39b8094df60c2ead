import { createHash } from 'node:crypto';
import {
  CtapExtension,
  CtapVersion,
  encodeGetInfoResponse,
  encryptPersistentInfo,
  PUBLIC_KEY,
  type AuthenticatorInfo,
  type CborMap,
} from '../../harness/protocol/index.ts';
import type { Authenticator } from '../Authenticator.ts';
import { CREDENTIAL_ID_LENGTH } from '../credentialId.ts';
import { supportedExtensions } from '../extensions/index.ts';
import { MAX_PIN_BYTES } from '../pinUvAuth/pinPolicy.ts';

/**
 * authenticatorGetInfo (CTAP 2.1 §6.4), built from the features the simulator offers (profile/SimFeatures.ts)
 * and its current state, so getInfo never advertises what is not there.
 */
export function buildInfo(a: Authenticator): AuthenticatorInfo {
  const b = a.behaviour;
  const f = a.features;
  // Options (CTAP 2.1 §6.4 option IDs): those the simulator keeps state for follow it; the others as listed.
  const options: Record<string, boolean> = { ...f.staticOptions };
  if (f.rk || f.listed === undefined || 'rk' in f.staticOptions) options.rk = b.residentKeys && f.rk;
  if (f.clientPin) options.clientPin = a.pinIsSet;
  if (f.pinUvAuthToken) options.pinUvAuthToken = true;
  // §6.4: with alwaysUv on, makeCredUvNotRqd is treated as false (§6.1.2 step 6.1), so it is reported so.
  if (f.makeCredUvNotRqd || f.alwaysUv) options.makeCredUvNotRqd = f.makeCredUvNotRqd && !a.state.alwaysUv;
  if (f.alwaysUv) options.alwaysUv = a.state.alwaysUv;
  if (f.credMgmt) options.credMgmt = true;
  if (f.credMgmtPreview) options.credentialMgmtPreview = true;
  if (f.authnrCfg) options.authnrCfg = true;
  if (f.setMinPINLength) options.setMinPINLength = true;
  if (f.largeBlobs) options.largeBlobs = true;
  if (f.ep) options.ep = a.state.enterpriseAttestation;
  if (a.builtInUv) options.uv = a.builtInUv.configured;
  // CTAP 2.2 §6.4 perCredMgmtRO: credential management by a persistent (pcmr) token.
  if (a.ctap22) options.perCredMgmtRO = true;
  if (a.fingerprint) {
    // §6.4 bioEnroll / userVerificationMgmtPreview: true once a fingerprint is enrolled, false before.
    const enrolled = (a.state.bioTemplates ?? []).length > 0;
    options.bioEnroll = enrolled;
    options.userVerificationMgmtPreview = enrolled;
  }
  const info: AuthenticatorInfo = {
    // U2F_V2: CTAP1/U2F over CTAPHID_MSG (ctap1/); not offered while alwaysUv is on (CTAP 2.1 §7.2).
    versions: f.versions.filter((v) => v !== CtapVersion.U2F_V2 || !a.state.alwaysUv),
    extensions: supportedExtensions(a),
    aaguid: a.aaguid,
    options,
    maxMsgSize: f.maxMsgSize,
    pinUvAuthProtocols: [...f.pinUvAuthProtocols],
    maxCredentialCountInList: f.maxCredentialCountInList,
    maxCredentialIdLength: Math.max(f.maxCredentialIdLength, CREDENTIAL_ID_LENGTH),
    // CTAP 2.1 §6.4: the transports it supports (the simulator is a CTAPHID device and a card, sim --pcsc)
    transports: [...f.transports],
    algorithms: f.algorithms.map((alg) => ({ type: PUBLIC_KEY, alg })),
    maxSerializedLargeBlobArray: f.maxSerializedLargeBlobArray,
    minPINLength: a.state.minPinLength,
    firmwareVersion: a.firmwareVersion,
    maxCredBlobLength: f.maxCredBlobLength,
    maxRPIDsForSetMinPINLength: f.maxRPIDsForSetMinPINLength,
    remainingDiscoverableCredentials: b.residentKeys && f.rk ? Math.max(0, a.maxDiscoverableCredentials - a.state.credentials.length) : 0,
  };
  if (f.certifications) info.certifications = { ...f.certifications };
  // Stryker disable next-line ConditionalExpression: an undefined member is left out by the encoder as well
  if (f.preferredPlatformUvAttempts !== undefined) info.preferredPlatformUvAttempts = f.preferredPlatformUvAttempts;
  if (a.state.forcePinChange) info.forcePINChange = true;
  if (a.ctap22) Object.assign(info, ctap22Info(a));
  if (a.builtInUv) info.uvModality = a.builtInUv.modality;
  if (f.listed) {
    // A model that leaves a member out of its getInfo: the simulator leaves it out too (state-driven
    // members, forcePINChange and uvModality, stay when they say something).
    for (const k of Object.keys(info) as (keyof AuthenticatorInfo)[]) {
      if (!ALWAYS_LISTED.has(k) && !f.listed.has(k)) delete info[k];
    }
  }
  if (!b.listLargeBlobs) {
    // Stryker disable next-line OptionalChaining: options is always set above
    delete info.options?.largeBlobs;
    delete info.maxSerializedLargeBlobArray;
    // Stryker disable next-line OptionalChaining: extensions is always set above
    info.extensions = info.extensions?.filter((e) => e !== CtapExtension.largeBlobKey);
  }
  return b.getInfo(info);
}

/** getInfo members every answer carries (versions, aaguid: CTAP 2.1 §6.4 required) or that follow state. */
const ALWAYS_LISTED = new Set<string>(['versions', 'aaguid', 'options', 'forcePINChange', 'uvModality']);

export async function getInfo(a: Authenticator): Promise<CborMap> {
  return encodeGetInfoResponse(buildInfo(a));
}

/** The attestation statement formats the simulator makes (CTAP 2.2 attestationFormats, preference order of the key). */
export const ATTESTATION_FORMATS = ['packed', 'fido-u2f', 'none'] as const;

/**
 * CTAP 2.2 §6.4 getInfo members: attestationFormats, longTouchForReset, transportsForReset,
 * pinComplexityPolicy, maxPINLength, and, once a persistent token exists, encIdentifier and
 * encCredStoreState (harness/protocol persistentTokenInfo.ts).
 */
function ctap22Info(a: Authenticator): Partial<AuthenticatorInfo> {
  const out: Partial<AuthenticatorInfo> = {
    attestationFormats: [...ATTESTATION_FORMATS],
    longTouchForReset: false,
    transportsForReset: a.features.transports.filter((t) => t === 'usb'),
    pinComplexityPolicy: false,
    maxPINLength: MAX_PIN_BYTES,
  };
  const token = a.state.persistentToken;
  if (token) {
    const id = (a.state.deviceIdentifier ??= a.rng.bytes(16));
    out.encIdentifier = encryptPersistentInfo(token, 'encIdentifier', id, a.rng.bytes(16));
    out.encCredStoreState = encryptPersistentInfo(token, 'encCredStoreState', credStoreState(a), a.rng.bytes(16));
  }
  return out;
}

/** 16 bytes that change whenever the discoverable credentials do: a hash of their IDs and user data. */
function credStoreState(a: Authenticator): Uint8Array {
  const h = createHash('sha256');
  for (const c of a.state.credentials) h.update(c.id).update(c.userId).update(c.userName ?? '').update(c.userDisplayName ?? '');
  return new Uint8Array(h.digest().subarray(0, 16));
}
