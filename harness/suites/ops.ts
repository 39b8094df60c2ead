import { createHash, randomBytes } from 'node:crypto';
import { CtapRequest } from '../ctap/index.ts';
import {
  CtapStatus,
  decodeGetAssertionResponse,
  encodeCborAsGiven,
  formatCtapStatus,
  type AuthenticatorInfo,
  PinUvAuthPermission,
  parseAuthenticatorData,
  type AuthenticatorData,
  type CborMap,
  type GetAssertionRequest,
  type GetAssertionResponse,
  type MakeCredentialRequest,
  type MakeCredentialResponse,
} from '../protocol/index.ts';
import { CheckFailed, CheckSkipped } from '../runner/Check.ts';
import { pinToken } from './pinOps.ts';
import type { CallResult, SuiteContext } from './SuiteContext.ts';

export const sha256 = (data: string | Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest());

/** A fresh 32-byte clientDataHash (checks do not need real clientDataJSON; the webauthn suite does). */
export const newClientDataHash = () => new Uint8Array(randomBytes(32));

export function mcRequest(rpId: string, overrides: Partial<MakeCredentialRequest> = {}): MakeCredentialRequest {
  return {
    clientDataHash: newClientDataHash(),
    rp: { id: rpId, name: 'fido-harness check' },
    user: { id: new Uint8Array(randomBytes(16)), name: 'check@fido-harness.test', displayName: 'Check User' },
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    ...overrides,
  };
}

export interface MadeCredential {
  result: CallResult<MakeCredentialResponse>;
  request: MakeCredentialRequest;
  response: MakeCredentialResponse;
  authData: AuthenticatorData;
  credentialId: Uint8Array;
  publicKey: CborMap;
}

/** makeCredential that must succeed (a failure here is the check's failure, with the status named). */
export async function makeCredential(
  ctx: SuiteContext,
  rpId: string,
  overrides: Partial<MakeCredentialRequest> = {},
  signal?: AbortSignal,
): Promise<MadeCredential> {
  const request = mcRequest(rpId, overrides);
  const result = await ctx.request(CtapRequest.makeCredential, request, signal);
  if (!result.ok) {
    skipWhenUvRequired(ctx.info, result.status, request.pinUvAuthParam !== undefined || request.options?.get('uv') === true, request.options?.get('rk') === true, 'makeCredential');
    if (result.status === CtapStatus.CTAP2_ERR_KEY_STORE_FULL && request.options?.get('rk') === true) {
      // §6.1.2 step 18.1: the right answer of a full key; the run's earlier checks filled it.
      throw new CheckSkipped(`the key's discoverable-credential storage is full (the run's earlier checks filled its ${ctx.info.remainingDiscoverableCredentials ?? 'unlisted number of'} slots); answered ${formatCtapStatus(result.status)}`);
    }
    throw new CheckFailed(`makeCredential answered ${formatCtapStatus(result.status)}`, { actual: formatCtapStatus(result.status) });
  }
  const response = result.response;
  const authData = decodeOrFail(() => parseAuthenticatorData(response.authData, { canonical: 'report' }), 'authenticatorData');
  const acd = authData.attestedCredentialData;
  if (!acd) throw new CheckFailed('makeCredential authenticatorData has no attested credential data (AT flag clear)');
  return { result, request, response, authData, credentialId: acd.credentialId, publicKey: acd.credentialPublicKey };
}

export interface GotAssertion {
  result: CallResult;
  response: GetAssertionResponse;
  authData: AuthenticatorData;
}

export function gaRequest(rpId: string, overrides: Partial<GetAssertionRequest> = {}): GetAssertionRequest {
  return { rpId, clientDataHash: newClientDataHash(), ...overrides };
}

/** getAssertion that must succeed. */
export async function getAssertion(ctx: SuiteContext, request: GetAssertionRequest, signal?: AbortSignal): Promise<GotAssertion> {
  const result = await ctx.request(CtapRequest.getAssertion, request, signal);
  if (!result.ok) skipWhenUvRequired(ctx.info, result.status, request.pinUvAuthParam !== undefined || request.options?.get('uv') === true, false, 'getAssertion');
  return decodeAssertion(result);
}

/** The assertion of a getAssertion / getNextAssertion answer that must be CTAP2_OK. */
export function decodeAssertion(result: CallResult<unknown>): GotAssertion {
  if (!result.ok) {
    throw new CheckFailed(`getAssertion answered ${formatCtapStatus(result.status)}`, { actual: formatCtapStatus(result.status) });
  }
  const response = decodeOrFail(() => decodeGetAssertionResponse(result.value), 'getAssertion response');
  const authData = decodeOrFail(() => parseAuthenticatorData(response.authData, { canonical: 'report' }), 'authenticatorData');
  return { result: { ...result, response: result.value }, response, authData };
}

export function decodeOrFail<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (err) {
    throw new CheckFailed(`${what} is malformed: ${(err as Error).message}`);
  }
}

export const allowListOf = (...ids: Uint8Array[]) => ids.map((id) => ({ type: 'public-key', id }));

/** `rk: true` in a makeCredential options map. */
export const rkOption = () => new Map([['rk', true]]);

/** A pinUvAuthToken as checks hold it: the token and the protocol it was made for. */
export interface TokenLike {
  token: Uint8Array;
  protocol: { version: 1 | 2; authenticate(key: Uint8Array, message: Uint8Array): Uint8Array };
}

/** pinUvAuthParam = authenticate(token, clientDataHash) (CTAP 2.1 §6.1.2 step 11.1.1, §6.2.2 step 6.1.1), unless the request has one. */
function withToken<R extends { clientDataHash: Uint8Array; pinUvAuthParam?: Uint8Array; pinUvAuthProtocol?: number }>(req: R, t: TokenLike): R {
  return { ...req, pinUvAuthProtocol: t.protocol.version, pinUvAuthParam: req.pinUvAuthParam ?? t.protocol.authenticate(t.token, req.clientDataHash) };
}

/** makeCredential with pinUvAuthParam made with `token`; the status is the check's to judge. */
export function mcWithToken(ctx: SuiteContext, token: TokenLike, rpId: string, overrides: Partial<MakeCredentialRequest> = {}, signal?: AbortSignal): Promise<CallResult<MakeCredentialResponse>> {
  return ctx.request(CtapRequest.makeCredential, withToken(mcRequest(rpId, overrides), token), signal);
}

/** getAssertion with pinUvAuthParam made with `token`; the status is the check's to judge. */
export function gaWithToken(ctx: SuiteContext, token: TokenLike, rpId: string, overrides: Partial<GetAssertionRequest> = {}, signal?: AbortSignal): Promise<CallResult<GetAssertionResponse>> {
  return ctx.request(CtapRequest.getAssertion, withToken(gaRequest(rpId, overrides), token), signal);
}

/** A makeCredential request with user verification by a fresh mc token bound to the RP ID. */
export async function mcUvRequest(ctx: SuiteContext, rpId: string, overrides: Partial<MakeCredentialRequest> = {}, signal?: AbortSignal): Promise<MakeCredentialRequest> {
  return withToken(mcRequest(rpId, overrides), await pinToken(ctx, { permissions: PinUvAuthPermission.mc, rpId }, signal));
}

/** makeCredential that must succeed, with user verification by a fresh mc token. */
export async function makeCredentialUv(ctx: SuiteContext, rpId: string, overrides: Partial<MakeCredentialRequest> = {}, signal?: AbortSignal): Promise<MadeCredential> {
  return makeCredential(ctx, rpId, await mcUvRequest(ctx, rpId, overrides, signal), signal);
}

/** The request with user verification by a fresh ga token (protocol `v`, default the device's preference). */
export async function uvParams(ctx: SuiteContext, req: GetAssertionRequest, v?: 1 | 2, signal?: AbortSignal): Promise<GetAssertionRequest> {
  return withToken(req, await pinToken(ctx, { permissions: PinUvAuthPermission.ga, rpId: req.rpId, ...(v === undefined ? {} : { v }) }, signal));
}

/** getAssertion that must succeed, with user verification. */
export async function getAssertionUv(ctx: SuiteContext, rpId: string, overrides: Partial<GetAssertionRequest> = {}, signal?: AbortSignal): Promise<GotAssertion> {
  return getAssertion(ctx, await uvParams(ctx, gaRequest(rpId, overrides), undefined, signal), signal);
}

/**
 * A key that must verify the user for this request refuses it without UV, rightly: alwaysUv (CTAP 2.1
 * §6.1.2 step 6, §6.2.2 step 5); a protected 2.1 key without makeCredUvNotRqd, or any protected key for a
 * discoverable credential (§6.1.2 steps 7-8); a CTAP 2.0 key with a PIN set (CTAP 2.0 §5.1 step 6,
 * CTAP2_ERR_PIN_REQUIRED). The check that sent it without UV is then not applicable: skipped with that reason.
 */
function skipWhenUvRequired(info: AuthenticatorInfo, status: number, verified: boolean, rk: boolean, what: 'makeCredential' | 'getAssertion'): void {
  if (verified || (status !== CtapStatus.CTAP2_ERR_PUAT_REQUIRED && status !== CtapStatus.CTAP2_ERR_OPERATION_DENIED)) return;
  const o = info.options ?? {};
  const isProtected = o.clientPin === true || o.uv === true;
  let why: string | undefined;
  if (o.alwaysUv === true) why = 'alwaysUv is on (CTAP 2.1 §6.1.2 step 6, §6.2.2 step 5)';
  else if (what === 'makeCredential' && isProtected && info.versions.includes('FIDO_2_1') && (rk || o.makeCredUvNotRqd !== true)) why = 'it is protected by user verification and has no makeCredUvNotRqd (CTAP 2.1 §6.1.2 steps 7-8)';
  else if (what === 'makeCredential' && o.clientPin === true && !info.versions.includes('FIDO_2_1')) why = 'it is a CTAP 2.0 key with a PIN set (CTAP 2.0 §5.1 step 6)';
  if (why) throw new CheckSkipped(`the key verifies the user for every ${what} because ${why}; this check sends one without (answered ${formatCtapStatus(status)})`);
}

/**
 * A request's parameters with its top-level keys in descending order: well-formed CBOR that is not CTAP2
 * canonical (CTAP 2.1 §8 sorts map keys), so a device that checks the encoding refuses it.
 */
export function outOfOrderRequest(params: CborMap): Uint8Array {
  return encodeCborAsGiven(new Map([...params.entries()].sort(([a], [b]) => Number(b) - Number(a))));
}
