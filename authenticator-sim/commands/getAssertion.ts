import {
  AuthDataFlag,
  buildAuthenticatorData,
  CredProtect,
  CtapStatus,
  CtapStatusError,
  decodeGetAssertionRequest,
  encodeGetAssertionResponse,
  PinUvAuthPermission,
  PUBLIC_KEY,
  type CborMap,
  type UserEntity,
} from '../../harness/protocol/index.ts';
import type { Authenticator, HandleOptions, PendingAssertion } from '../Authenticator.ts';
import { unwrapCredentialId, WrappedKeyFlag } from '../credentialId.ts';
import { privateKeyObject, signWith } from '../credentialKeys.ts';
import type { StoredCredential } from '../state.ts';
import {
  answerTouchProbe,
  builtInUvReady,
  isProtectedByUv,
  performBuiltInUvForRequest,
  selectProtocol,
  uvRequired,
  verifyPinUvAuthParam,
} from './pinUvAuthChecks.ts';
import {
  prepareGetAssertionExtensions,
  processGetAssertionExtensions,
  type PreparedAssertionExtensions,
} from '../extensions/index.ts';

/** An allowList entry that opened, or a discoverable credential, ready to sign with. */
interface Candidate {
  stored: StoredCredential;
  privateKey: Uint8Array;
  /** true when the credential came from the allowList (user details are then not required) */
  fromAllowList: boolean;
}

/** authenticatorGetAssertion, CTAP 2.1 §6.2.2 (steps cited inline). */
export async function getAssertion(a: Authenticator, params: unknown, { signal }: HandleOptions): Promise<CborMap> {
  const req = decodeGetAssertionRequest(params);
  if (req.clientDataHash.length !== 32) {
    throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'clientDataHash is not 32 bytes');
  }
  // Step 1: the "touch to select" probe.
  if (req.pinUvAuthParam && req.pinUvAuthParam.length === 0) {
    return answerTouchProbe(a, 'pinUvAuthParam-probe', signal);
  }
  // Step 2.
  const protocol = req.pinUvAuthParam ? selectProtocol(a, req.pinUvAuthProtocol) : undefined;

  // Step 4: options. "rk" has no meaning here (§6.2.2 step 4: CTAP2_ERR_UNSUPPORTED_OPTION).
  if (req.options?.has('rk')) throw new CtapStatusError(CtapStatus.CTAP2_ERR_UNSUPPORTED_OPTION, 'rk in getAssertion');
  const up = req.options?.get('up') ?? true;
  // With a pinUvAuthParam the "uv" option is treated as false; "uv" needs an enabled built-in method.
  let uvOption = protocol ? false : (req.options?.get('uv') ?? false);
  if (uvOption && !builtInUvReady(a)) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_INVALID_OPTION, 'no enabled built-in user verification');
  }

  // Step 5: alwaysUv (when "up" is true).
  if (a.state.alwaysUv && up) {
    if (!isProtectedByUv(a)) throw uvRequired('alwaysUv: set a PIN and send a pinUvAuthToken');
    if (!protocol && !uvOption && builtInUvReady(a)) uvOption = true;
    if (!protocol && !uvOption) throw uvRequired('alwaysUv: a pinUvAuthToken is required');
  }

  // Extension inputs are checked before any user interaction (§6.2.2 step 5 "process extensions").
  const extensions = prepareGetAssertionExtensions(a, req.extensions);

  // Step 6: user verification, through the pinUvAuthToken or the built-in method.
  let userVerified = false;
  if (protocol && req.pinUvAuthParam) {
    verifyPinUvAuthParam(a, protocol, req.pinUvAuthParam, req.clientDataHash, PinUvAuthPermission.ga, req.rpId);
    userVerified = true;
  } else if (uvOption) {
    await performBuiltInUvForRequest(a, 'getAssertion', req.rpId, signal);
    userVerified = true;
  }

  // Step 7: locate credentials.
  const rpIdHash = a.rpIdHash(req.rpId);
  let candidates: Candidate[];
  if (req.allowList && req.allowList.length > 0) {
    if (req.allowList.length > a.features.maxCredentialCountInList) {
      // The spec leaves this to the platform (it must split lists, §6.2 allowList); refusing says why.
      throw new CtapStatusError(CtapStatus.CTAP2_ERR_LIMIT_EXCEEDED, 'allowList longer than maxCredentialCountInList');
    }
    candidates = [];
    for (const d of req.allowList) {
      if (d.type !== PUBLIC_KEY) continue;
      const key = unwrapCredentialId(a.state.masterKey, rpIdHash, d.id);
      if (!key) continue;
      // credProtect level 3 needs user verification even with an allowList (§12.1).
      if (key.credProtect === CredProtect.userVerificationRequired && !userVerified) continue;
      const resident = a.state.credentials.find((c) => Buffer.compare(c.id, d.id) === 0);
      const stored: StoredCredential = resident ?? {
        id: d.id,
        rpId: req.rpId,
        userId: new Uint8Array(0),
        alg: key.alg,
        credProtect: key.credProtect,
        created: 0,
        hmacSecret: (key.flags & WrappedKeyFlag.hmacSecret) !== 0,
        thirdPartyPayment: (key.flags & WrappedKeyFlag.thirdPartyPayment) !== 0,
      };
      if ((key.flags & WrappedKeyFlag.discoverable) !== 0 && !resident) continue; // deleted since
      candidates.push({ stored, privateKey: key.privateKey, fromAllowList: true });
      break; // §6.2.2 step 7: with an allowList, one credential is used
    }
  } else {
    // Discoverable credentials for this RP, most recent first; levels 2 and 3 need UV without allowList.
    candidates = a.state.credentials
      .filter((c) => c.rpId === req.rpId)
      .filter((c) => c.credProtect === CredProtect.userVerificationOptional || userVerified)
      .sort((x, y) => (a.behaviour.discoverableNewestFirst ? y.created - x.created : x.created - y.created))
      .flatMap((c) => {
        const key = unwrapCredentialId(a.state.masterKey, rpIdHash, c.id);
        return key ? [{ stored: c, privateKey: key.privateKey, fromAllowList: false }] : [];
      });
  }

  // Step 7.5: nothing applicable.
  if (candidates.length === 0) throw new CtapStatusError(CtapStatus.CTAP2_ERR_NO_CREDENTIALS);

  // Step 9-10: user presence (only once, for the first credential).
  if (up) {
    const presenceShown = protocol ? a.pinUvAuthToken.userPresent : uvOption && a.builtInUv?.establishesPresence === true;
    if (!presenceShown && a.behaviour.assertionAsksPresence) {
      const outcome = await a.requestUserPresence({ reason: 'getAssertion', rpId: req.rpId, signal });
      if (outcome === 'timeout') throw new CtapStatusError(CtapStatus.CTAP2_ERR_USER_ACTION_TIMEOUT);
      if (outcome !== 'approved') throw new CtapStatusError(CtapStatus.CTAP2_ERR_OPERATION_DENIED);
    }
    // Step 9.4: clearUserPresentFlag(), clearUserVerifiedFlag(), clearPinUvAuthTokenPermissionsExceptLbw(),
    // inside the "up" branch: a silent (up=false) assertion leaves the token as it was, so a platform's
    // up=false pre-flight and the assertion that follows can share one token.
    if (protocol) {
      a.pinUvAuthToken.userPresent = false;
      a.pinUvAuthToken.userVerified = false;
      a.pinUvAuthToken.clearPermissionsExceptLbw();
    }
  } else if (a.behaviour.presenceWithoutUp) {
    // a quirk: a wait for a touch the platform did not ask for (the UP flag still follows the option)
    await a.requestUserPresence({ reason: 'getAssertion', rpId: req.rpId, signal });
  }

  // Step 8: a built-in UV gesture that is itself evidence of user interaction (a finger on the sensor) sets
  // "up" whatever the "up" option said.
  const presenceByBuiltInUv = uvOption && userVerified && a.builtInUv?.establishesPresence === true;
  let flags = up || presenceByBuiltInUv ? AuthDataFlag.UP : 0;
  if (userVerified || a.behaviour.claimUvWithoutVerification) flags |= AuthDataFlag.UV;
  const first = candidates[0]!;
  // §6.2.2 step 12 (the `user` member): names only when the platform must choose among several accounts.
  const severalAccounts = !first.fromAllowList && candidates.length > 1;
  const response = signAssertion(a, req.rpId, req.clientDataHash, first, flags, userVerified, extensions, severalAccounts);
  if (severalAccounts) {
    response.set(0x05, candidates.length); // numberOfCredentials
    const pending: PendingAssertion = {
      rpId: req.rpId,
      clientDataHash: req.clientDataHash,
      credentials: candidates.slice(1).map((c) => c.stored),
      index: 0,
      flags,
      userVerified,
      lastAt: a.clock.now(),
      extensionInputs: req.extensions,
    };
    a.pendingAssertion = pending;
  }
  a.persist();
  return response;
}

/** Builds and signs one assertion response (§6.2.2 step 11-12; shared with getNextAssertion). */
export function signAssertion(
  a: Authenticator,
  rpId: string,
  clientDataHash: Uint8Array,
  candidate: Candidate,
  flags: number,
  userVerified: boolean,
  extensions: PreparedAssertionExtensions | undefined,
  severalAccounts: boolean,
): CborMap {
  const c = candidate.stored;
  const ext = processGetAssertionExtensions(a, c, extensions, userVerified);
  const authData = buildAuthenticatorData({
    rpIdHash: a.authDataRpIdHash(rpId),
    flags: a.behaviour.authDataFlags(flags),
    signCount: a.nextSignCount(),
    extensions: ext.outputs,
  });
  const key = privateKeyObject(c.alg, candidate.privateKey);
  const signed = a.behaviour.assertionSignedData(new Uint8Array(Buffer.concat([authData, clientDataHash])));
  const signature = signWith(c.alg, key, signed);
  let user: UserEntity | undefined;
  if (c.userId.length > 0) {
    // §6.2.2 step 12: the user id is returned for discoverable credentials; name and displayName only
    // after user verification and only when the platform must choose among several accounts (one account:
    // "id" alone; several: "id" and the other fields, for the platform's account chooser).
    user = { id: c.userId };
    if (userVerified && severalAccounts) {
      if (c.userName !== undefined) user.name = a.behaviour.decorateUserText(c.userName);
      if (c.userDisplayName !== undefined) user.displayName = a.behaviour.decorateUserText(c.userDisplayName);
    }
  }
  return encodeGetAssertionResponse({
    credential: { type: PUBLIC_KEY, id: c.id },
    authData,
    signature,
    ...(user ? { user } : {}),
    ...(ext.largeBlobKey ? { largeBlobKey: ext.largeBlobKey } : {}),
  });
}

/** authenticatorGetNextAssertion, CTAP 2.1 §6.3. */
export async function getNextAssertion(a: Authenticator): Promise<CborMap> {
  const p = a.pendingAssertion;
  // §6.3 steps 1-3: nothing remembered, all credentials returned, or the 30-second timer expired.
  if (!p || p.index >= p.credentials.length || a.clock.now() - p.lastAt > 30_000) {
    a.pendingAssertion = undefined;
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_NOT_ALLOWED, 'no pending getAssertion');
  }
  const stored = p.credentials[p.index++]!;
  const key = unwrapCredentialId(a.state.masterKey, a.rpIdHash(p.rpId), stored.id);
  if (!key) throw new CtapStatusError(CtapStatus.CTAP2_ERR_NOT_ALLOWED, 'credential no longer usable');
  const response = signAssertion(
    a,
    p.rpId,
    p.clientDataHash,
    { stored, privateKey: key.privateKey, fromAllowList: false },
    p.flags,
    p.userVerified,
    // The inputs were checked by getAssertion; preparing again gives the same shared secret.
    prepareGetAssertionExtensions(a, p.extensionInputs),
    true,
  );
  p.lastAt = a.clock.now();
  a.persist();
  return response;
}
