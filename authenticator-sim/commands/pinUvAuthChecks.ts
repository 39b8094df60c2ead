import { CtapStatus, CtapStatusError } from '../../harness/protocol/index.ts';
import type { Authenticator } from '../Authenticator.ts';
import type { UserPresenceRequest } from '../env.ts';
import type { PinUvAuthProtocol } from '../pinUvAuth/protocols.ts';

/**
 * The zero-length pinUvAuthParam "touch to select" probe (CTAP 2.1 §6.1.2 step 1, §6.2.2 step 1): the
 * platform asks which authenticator the user touches, before it has a PIN to send.
 */
export async function answerTouchProbe(
  a: Authenticator,
  reason: UserPresenceRequest['reason'],
  signal: AbortSignal | undefined,
): Promise<never> {
  const outcome = await a.requestUserPresence({ reason, signal });
  if (outcome !== 'approved') throw new CtapStatusError(CtapStatus.CTAP2_ERR_OPERATION_DENIED, 'no touch');
  throw new CtapStatusError(a.pinIsSet ? CtapStatus.CTAP2_ERR_PIN_INVALID : CtapStatus.CTAP2_ERR_PIN_NOT_SET);
}

/** §6.1.2 step 2 / §6.2.2 step 2: the protocol must be given with the param, and be one we support. */
export function selectProtocol(a: Authenticator, version: number | undefined): PinUvAuthProtocol {
  if (version === undefined) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_MISSING_PARAMETER, 'pinUvAuthProtocol missing');
  }
  const protocol = a.protocols.get(version);
  if (!protocol) throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, `pinUvAuthProtocol ${version}`);
  return protocol;
}

/**
 * Verifies pinUvAuthParam = authenticate(pinUvAuthToken, message) and the token's permission and RP ID
 * binding (CTAP 2.1 §6.1.2 step 11.1, §6.2.2 step 6.1). Binds an unbound token to `rpId`.
 */
export function verifyPinUvAuthParam(
  a: Authenticator,
  protocol: PinUvAuthProtocol,
  param: Uint8Array,
  message: Uint8Array,
  permission: number,
  rpId: string | undefined,
): void {
  const token = a.pinUvAuthToken;
  if (!token.inUse || !protocol.verify(token.token, message, param)) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'pinUvAuthParam does not verify');
  }
  if ((token.permissions & permission) === 0) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'token lacks the permission');
  }
  if (rpId !== undefined && token.rpId !== undefined && token.rpId !== rpId) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'token is bound to another RP ID');
  }
  // §6.1.2 step 11.1.4-5 / §6.2.2 step 6.1.4-5: getUserVerifiedFlagValue() must be true. Unreachable today
  // (every path that clears the flag clears mc, ga and be with it, §6.1.2 step 14, §6.2.2 step 9.4, so the
  // permission check above fails first); kept as the spec's own step.
  // Stryker disable next-line ConditionalExpression,BlockStatement: unreachable, as said above
  if (!token.userVerified) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'token no longer carries user verification');
  }
  // §6.1.2 step 11.1.3: an unbound token is bound to the RP of its first use (bio enrollment gives none).
  if (token.rpId === undefined) token.rpId = rpId;
  token.touch();
}

/** "Protected by some form of user verification" (CTAP 2.1 §6.1.2 step 6-8): a PIN is set or built-in UV is enrolled. */
export function isProtectedByUv(a: Authenticator): boolean {
  return a.pinIsSet || builtInUvReady(a);
}

/** getInfo `uv` = true: a built-in UV method exists and is configured. */
export function builtInUvReady(a: Authenticator): boolean {
  return a.builtInUv?.configured === true;
}

/**
 * §6.1.2 step 6 / §6.2.2 step 5 and 7-8: the status for "user verification is required but the request
 * carries none": CTAP2_ERR_PUAT_REQUIRED when clientPin can supply a token (the simulator always supports
 * clientPin with mc/ga permissions), so it is always that here.
 */
export function uvRequired(detail: string): CtapStatusError {
  return new CtapStatusError(CtapStatus.CTAP2_ERR_PUAT_REQUIRED, detail);
}

/**
 * performBuiltInUv(internalRetry) for makeCredential / getAssertion with "uv": true (CTAP 2.1 §6.1.2
 * step 11.2, §6.2.2 step 6.2). The simulator makes one attempt per request (internalRetry lets an
 * authenticator retry on its own; it is not required). A failed attempt lowers uvRetries, persisted.
 */
export async function performBuiltInUvForRequest(
  a: Authenticator,
  reason: 'makeCredential' | 'getAssertion',
  rpId: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const uv = a.builtInUv;
  // Stryker disable next-line ConditionalExpression,LogicalOperator: callers refuse "uv" without a configured method first (§6.1.2 step 5.3)
  if (!uv || !uv.configured) throw new CtapStatusError(CtapStatus.CTAP2_ERR_INVALID_OPTION, 'no built-in UV');
  // §6.1.2 step 11.2.3.2: a blocked method answers CTAP2_ERR_PIN_BLOCKED (the platform falls back to the PIN).
  if (a.state.uvRetries === 0) throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_BLOCKED, 'built-in UV blocked');
  const outcome = await uv.verify({ reason, rpId, signal });
  if (outcome === 'match') {
    a.state.uvRetries = MAX_UV_RETRIES;
    return;
  }
  if (outcome === 'timeout') throw new CtapStatusError(CtapStatus.CTAP2_ERR_USER_ACTION_TIMEOUT);
  a.state.uvRetries = Math.max(0, a.state.uvRetries - 1);
  a.persist();
  if (a.state.uvRetries === 0) throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_BLOCKED, 'built-in UV now blocked');
  throw new CtapStatusError(CtapStatus.CTAP2_ERR_OPERATION_DENIED, 'built-in UV did not match');
}

/** CTAP 2.1 §6.5.2: maximum PIN retries (8) and, as chosen here, maximum built-in UV retries (8). */
export const MAX_PIN_RETRIES = 8;
export const MAX_UV_RETRIES = 8;
