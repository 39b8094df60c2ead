import { ClientPin, pinUvAuthProtocol, type PinUvAuthTokenHandle } from '../client/index.ts';
import { CtapStatusError, formatCtapStatus, PinUvAuthPermission, type MakeCredentialRequest, type GetAssertionRequest } from '../protocol/index.ts';
import { CheckFailed, CheckSkipped } from '../runner/Check.ts';
import { getAssertion, makeCredential, mcRequest, gaRequest, type GotAssertion, type MadeCredential } from './ops.ts';
import type { SuiteContext } from './SuiteContext.ts';

/**
 * Helpers for checks that run with a PIN set (`needs: {pin: 'set'}`): pinUvAuthTokens by PIN and the
 * makeCredential/getAssertion requests that carry pinUvAuthParam = authenticate(token, clientDataHash)
 * (CTAP 2.1 §6.1.2 step 11, §6.2.2 step 6).
 */

/** The PIN/UV auth protocol a check uses: the device's first preference, or `version` when it offers it. */
export function protocolVersion(ctx: SuiteContext, version?: 1 | 2): 1 | 2 {
  const offered = ctx.info.pinUvAuthProtocols ?? [1];
  if (version !== undefined) {
    if (!offered.includes(version)) throw new CheckSkipped(`PIN/UV auth protocol ${version} is not offered (pinUvAuthProtocols ${JSON.stringify(offered)})`);
    return version;
  }
  return offered.find((p): p is 1 | 2 => p === 1 || p === 2) ?? 1;
}

/** A pinUvAuthToken by PIN with the given permissions (getPinUvAuthTokenUsingPinWithPermissions, §6.5.5.7.2). */
export async function pinToken(ctx: SuiteContext, permissions: number, rpId?: string, version?: 1 | 2): Promise<PinUvAuthTokenHandle> {
  const client = new ClientPin(ctx.ctap2, pinUvAuthProtocol(protocolVersion(ctx, version)));
  return failOnStatus('getPinUvAuthTokenUsingPinWithPermissions', () => client.getPinToken(ctx.pin, rpId === undefined ? { permissions } : { permissions, rpId }));
}

/** A ClientPin for key agreement (hmac-secret) with the given protocol. */
export function clientPin(ctx: SuiteContext, version?: 1 | 2): ClientPin {
  return new ClientPin(ctx.ctap2, pinUvAuthProtocol(protocolVersion(ctx, version)));
}

/** A makeCredential request with user verification by a fresh mc token bound to the RP ID. */
export async function mcUvRequest(ctx: SuiteContext, rpId: string, overrides: Partial<MakeCredentialRequest> = {}): Promise<MakeCredentialRequest> {
  const token = await pinToken(ctx, PinUvAuthPermission.mc, rpId);
  const req = mcRequest(rpId, overrides);
  return { ...req, pinUvAuthParam: token.protocol.authenticate(token.token, req.clientDataHash), pinUvAuthProtocol: token.protocol.version };
}

/** makeCredential that must succeed, with user verification by a fresh mc token. */
export async function makeCredentialUv(
  ctx: SuiteContext,
  rpId: string,
  overrides: Partial<MakeCredentialRequest> = {},
  signal?: AbortSignal,
): Promise<MadeCredential> {
  return makeCredential(ctx, rpId, await mcUvRequest(ctx, rpId, overrides), signal);
}

/** The pinUvAuthParam members for a getAssertion with user verification (a fresh ga token). */
export async function uvParams(ctx: SuiteContext, req: GetAssertionRequest, version?: 1 | 2): Promise<GetAssertionRequest> {
  const token = await pinToken(ctx, PinUvAuthPermission.ga, req.rpId, version);
  return { ...req, pinUvAuthParam: token.protocol.authenticate(token.token, req.clientDataHash), pinUvAuthProtocol: token.protocol.version };
}

/** getAssertion that must succeed, with user verification. */
export async function getAssertionUv(ctx: SuiteContext, rpId: string, overrides: Partial<GetAssertionRequest> = {}, signal?: AbortSignal): Promise<GotAssertion> {
  return getAssertion(ctx, await uvParams(ctx, gaRequest(rpId, overrides)), signal);
}

/** `rk: true` in a makeCredential options map. */
export const rkOption = () => new Map([['rk', true]]);

/** A skip reason unless getInfo lists `extension`. */
export function needsExtension(ctx: SuiteContext, extension: string): string | undefined {
  return ctx.info.extensions?.includes(extension) ? undefined : `the ${extension} extension is not offered in getInfo`;
}

/** A skip reason unless discoverable credentials are offered. */
export function needsRk(ctx: SuiteContext): string | undefined {
  return ctx.info.options?.rk === true ? undefined : 'discoverable credentials not offered (rk)';
}

/** A skip reason when the device has a built-in user verification method (getInfo option uv present). */
export function needsNoBuiltInUv(ctx: SuiteContext): string | undefined {
  return 'uv' in (ctx.info.options ?? {}) ? 'device has a built-in user verification method' : undefined;
}

/** A skip reason unless the device has clientPin (these checks verify the user with a PIN). */
export function needsClientPin(ctx: SuiteContext): string | undefined {
  return ctx.info.options?.clientPin === undefined ? 'no clientPin: these checks verify the user with a PIN' : undefined;
}

/**
 * Runs a client-helper call (ClientPin, CredentialManagement, LargeBlobs), turning a CTAP status it throws
 * into the check's failure with the status named; other errors stay errors.
 */
export async function failOnStatus<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CtapStatusError) {
      throw new CheckFailed(`${what} answered ${formatCtapStatus(err.code)}`, { actual: formatCtapStatus(err.code) });
    }
    throw err;
  }
}
