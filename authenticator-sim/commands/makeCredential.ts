import {
  AuthDataFlag,
  buildAuthenticatorData,
  CredProtect,
  CtapStatus,
  CtapStatusError,
  decodeMakeCredentialRequest,
  encodeMakeCredentialResponse,
  PinUvAuthPermission,
  PUBLIC_KEY,
  type CborMap,
} from '../../harness/protocol/index.ts';
import { isCtap21 } from '../profile/SimFeatures.ts';
import type { Authenticator, HandleOptions } from '../Authenticator.ts';
import { unwrapCredentialId, wrapCredentialId, WrappedKeyFlag } from '../credentialId.ts';
import { credentialKey, generatePrivateKey, signWith } from '../credentialKeys.ts';
import { chooseAttestationFormat, createAttestationStatement } from '../attestationStatement.ts';
import {
  answerTouchProbe,
  builtInUvReady,
  isProtectedByUv,
  performBuiltInUvForRequest,
  selectProtocol,
  uvRequired,
  verifyPinUvAuthParam,
} from './pinUvAuthChecks.ts';
import { finishMakeCredentialExtensions, processMakeCredentialExtensions } from '../extensions/index.ts';
import type { StoredCredential } from '../state.ts';

/** WebAuthn L3 §5.4.3: user.id is at most 64 bytes. */
const MAX_USER_ID_LENGTH = 64;

/** authenticatorMakeCredential, CTAP 2.1 §6.1.2 (steps cited inline). */
export async function makeCredential(a: Authenticator, params: unknown, { signal }: HandleOptions): Promise<CborMap> {
  const req = decodeMakeCredentialRequest(params);
  if (req.user.id.length > MAX_USER_ID_LENGTH) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_LIMIT_EXCEEDED, 'user.id longer than 64 bytes');
  }
  if (req.clientDataHash.length !== 32) {
    // The spec does not name a status for a hash of the wrong size; it is a malformed parameter.
    throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'clientDataHash is not 32 bytes');
  }

  // Step 1: zero-length pinUvAuthParam is the platform's "touch to select" probe.
  if (req.pinUvAuthParam && req.pinUvAuthParam.length === 0) {
    return answerTouchProbe(a, 'pinUvAuthParam-probe', signal);
  }
  // Step 2: the protocol must accompany the param and be supported.
  const protocol = req.pinUvAuthParam ? selectProtocol(a, req.pinUvAuthProtocol) : undefined;

  // Step 3: the first supported algorithm of type "public-key"; other types are ignored.
  const chosen = req.pubKeyCredParams.find(
    (p) => p.type === PUBLIC_KEY && a.features.algorithms.includes(p.alg),
  );
  if (!chosen) throw new CtapStatusError(CtapStatus.CTAP2_ERR_UNSUPPORTED_ALGORITHM);

  // Step 5: options. Unknown options are ignored.
  const rk = req.options?.get('rk') ?? false;
  // 5.4: discoverable credentials not offered (getInfo rk false).
  if (rk && !(a.behaviour.residentKeys && a.features.rk)) throw new CtapStatusError(CtapStatus.CTAP2_ERR_UNSUPPORTED_OPTION, 'rk');
  if (req.options?.get('up') === false) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_INVALID_OPTION, 'up=false is not allowed in makeCredential');
  }
  // 5.1-5.2: with a pinUvAuthParam the "uv" option is treated as false.
  let uvOption = protocol ? false : (req.options?.get('uv') ?? false);
  // 5.3: "uv" needs a built-in method that is enabled.
  if (uvOption && !builtInUvReady(a)) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_INVALID_OPTION, 'no enabled built-in user verification');
  }

  // Step 6: alwaysUv. makeCredUvNotRqd is then treated as false (getInfo reports it so); a model without the
  // option requires user verification of a protected authenticator for every credential (steps 7-8).
  const makeCredUvNotRqd = a.features.makeCredUvNotRqd && !a.state.alwaysUv;
  if (a.state.alwaysUv) {
    // 6.2: not protected at all: clientPin is supported, so a token is what the platform must get.
    if (!isProtectedByUv(a)) throw uvRequired('alwaysUv: set a PIN and send a pinUvAuthToken');
    // 6.3: without a pinUvAuthParam, a configured built-in UV is used.
    if (!protocol && !uvOption && builtInUvReady(a)) uvOption = true;
    // 6.4
    if (!protocol && !uvOption) throw uvRequired('alwaysUv: a pinUvAuthToken is required');
  }
  // A CTAP 2.0 key (no FIDO_2_1) asks for pinAuth whenever a PIN is set and nothing else (CTAP 2.0 §5.1
  // step 6, CTAP2_ERR_PIN_REQUIRED, the code PUAT_REQUIRED has in 2.1).
  if (!isCtap21(a.features)) {
    if (a.pinIsSet && !uvOption && !protocol) throw uvRequired('CTAP 2.0: a PIN is set, pinAuth required');
  } else if (isProtectedByUv(a) && !uvOption && !protocol && (rk || !makeCredUvNotRqd)) {
    // Steps 7-8: a protected authenticator needs user verification, except (makeCredUvNotRqd) for a
    // non-discoverable credential. 7.1.1/8.1.1: PUAT_REQUIRED when clientPin is set, else OPERATION_DENIED.
    if (a.pinIsSet) throw uvRequired('user verification required: send a pinUvAuthToken');
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_OPERATION_DENIED, 'user verification required: use "uv"');
  }

  // Step 9 (enterpriseAttestation): only when enabled through authenticatorConfig.
  let epAtt = false;
  if (req.enterpriseAttestation !== undefined) {
    if (!a.state.enterpriseAttestation) {
      throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'enterprise attestation is not enabled');
    }
    if (req.enterpriseAttestation !== 1 && req.enterpriseAttestation !== 2) {
      throw new CtapStatusError(CtapStatus.CTAP2_ERR_INVALID_OPTION, 'enterpriseAttestation must be 1 or 2');
    }
    // §7.1: 2 = platform-managed: the platform decides, so it is given. 1 = vendor-facilitated: only for
    // the RP IDs pre-configured (AuthenticatorOptions.enterpriseRpIds); any other RP gets a regular one.
    epAtt = req.enterpriseAttestation === 2 || a.enterpriseRpIds.includes(req.rp.id) || a.behaviour.enterpriseAttestationForAnyRp;
  }

  // Step 11: user verification.
  let userVerified = false;
  if (protocol && req.pinUvAuthParam) {
    // 11.1: verify the token, mc permission, RP ID binding, userVerified flag (pinUvAuthChecks.ts).
    verifyPinUvAuthParam(a, protocol, req.pinUvAuthParam, req.clientDataHash, PinUvAuthPermission.mc, req.rp.id);
    userVerified = true;
  } else if (uvOption) {
    // 11.2: built-in user verification.
    await performBuiltInUvForRequest(a, 'makeCredential', req.rp.id, signal);
    userVerified = true;
  }

  const rpIdHash = a.rpIdHash(req.rp.id);

  // Step 11 (excludeList): a listed credential of ours for this RP ends the operation after a touch,
  // unless it is credProtect level 3 and the user is not verified (§6.1.2 step 11, §12.1).
  if (req.excludeList && req.excludeList.length > a.features.maxCredentialCountInList) {
    // Not stated for makeCredential; the same limit as getInfo's maxCredentialCountInList applies.
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_LIMIT_EXCEEDED, 'excludeList longer than maxCredentialCountInList');
  }
  if (a.behaviour.honourExcludeList) {
    for (const d of req.excludeList ?? []) {
      if (d.type !== PUBLIC_KEY) continue;
      const key = unwrapCredentialId(a.state.masterKey, rpIdHash, d.id);
      if (!key) continue;
      if (key.credProtect === CredProtect.userVerificationRequired && !userVerified) continue;
      // 11.1: userPresentFlagValue from the token (getUserPresentFlagValue()) or from built-in UV's gesture;
      // only without it does the authenticator wait for a touch before answering.
      const present = protocol ? a.pinUvAuthToken.userPresent : uvOption && a.builtInUv?.establishesPresence === true;
      if (!present) await a.requestUserPresence({ reason: 'excluded', rpId: req.rp.id, signal });
      throw new CtapStatusError(CtapStatus.CTAP2_ERR_CREDENTIAL_EXCLUDED);
    }
  }

  // Step 12: extensions (credProtect, hmac-secret, credBlob, largeBlobKey, minPinLength; extensions/).
  const ext = processMakeCredentialExtensions(a, req, rk);

  // Step 13-14: user presence, unless the token (or a built-in UV gesture) already carries it.
  const presenceShown = protocol ? a.pinUvAuthToken.userPresent : uvOption && a.builtInUv?.establishesPresence === true;
  if (!presenceShown) {
    const outcome = await a.requestUserPresence({ reason: 'makeCredential', rpId: req.rp.id, signal });
    if (outcome === 'timeout') throw new CtapStatusError(CtapStatus.CTAP2_ERR_USER_ACTION_TIMEOUT);
    if (outcome !== 'approved') throw new CtapStatusError(CtapStatus.CTAP2_ERR_OPERATION_DENIED);
  }
  if (protocol) {
    // §6.1.2 step 14: the token's presence and verification are consumed, and its mc/ga permissions.
    a.pinUvAuthToken.userPresent = false;
    a.pinUvAuthToken.userVerified = false;
    a.pinUvAuthToken.clearPermissionsExceptLbw();
  }

  // Step 16-17: the credential.
  if (rk && a.state.credentials.length >= a.maxDiscoverableCredentials) {
    const replacing = a.state.credentials.some(
      (c) => c.rpId === req.rp.id && Buffer.compare(c.userId, req.user.id) === 0,
    );
    if (!replacing) throw new CtapStatusError(CtapStatus.CTAP2_ERR_KEY_STORE_FULL);
  }
  const privateKey = generatePrivateKey(chosen.alg, a.rng);
  const credentialId = wrapCredentialId(
    a.state.masterKey,
    rpIdHash,
    {
      alg: chosen.alg,
      credProtect: ext.credProtect,
      flags:
        (rk ? WrappedKeyFlag.discoverable : 0) |
        (ext.stored.hmacSecret ? WrappedKeyFlag.hmacSecret : 0) |
        (ext.stored.thirdPartyPayment ? WrappedKeyFlag.thirdPartyPayment : 0),
      privateKey,
    },
    a.rng,
  );
  const { keyObject, cose } = credentialKey(chosen.alg, privateKey);
  finishMakeCredentialExtensions(a, ext, credentialId, userVerified);
  if (rk) {
    const stored: StoredCredential = {
      id: credentialId,
      rpId: req.rp.id,
      userId: req.user.id,
      alg: chosen.alg,
      credProtect: ext.credProtect,
      created: ++a.state.creationCounter,
    };
    if (req.rp.name !== undefined) stored.rpName = req.rp.name;
    if (req.user.name !== undefined) stored.userName = req.user.name;
    if (req.user.displayName !== undefined) stored.userDisplayName = req.user.displayName;
    Object.assign(stored, ext.stored);
    // A discoverable credential for the same RP and user.id replaces the old one (§6.1.2 step 17).
    a.state.credentials = a.state.credentials.filter(
      (c) => !(c.rpId === req.rp.id && Buffer.compare(c.userId, req.user.id) === 0),
    );
    a.state.credentials.push(stored);
  }

  let flags = AuthDataFlag.UP;
  if (userVerified || a.behaviour.claimUvWithoutVerification) flags |= AuthDataFlag.UV;
  const authData = buildAuthenticatorData({
    rpIdHash: a.authDataRpIdHash(req.rp.id),
    flags: a.behaviour.authDataFlags(flags),
    signCount: a.nextSignCount(),
    attestedCredentialData: {
      aaguid: a.aaguid,
      credentialId,
      credentialPublicKey: cose,
    },
    extensions: ext.outputs,
  });
  const format = chooseAttestationFormat(a, req.attestationFormatsPreference, chosen.alg);
  const u2f =
    format === 'fido-u2f'
      ? { rpIdHash: a.authDataRpIdHash(req.rp.id), credentialId, publicKeyU2f: new Uint8Array(Buffer.concat([Uint8Array.of(4), cose.get(-2) as Uint8Array, cose.get(-3) as Uint8Array])) }
      : undefined;
  const attestation = createAttestationStatement(a, authData, req.clientDataHash, (data) => signWith(chosen.alg, keyObject(), data), chosen.alg, format, u2f);
  a.persist();
  return encodeMakeCredentialResponse({
    fmt: attestation.fmt,
    authData,
    attStmt: attestation.attStmt,
    ...(epAtt ? { epAtt: true } : {}),
    ...(ext.largeBlobKey ? { largeBlobKey: ext.largeBlobKey } : {}),
  });
}
