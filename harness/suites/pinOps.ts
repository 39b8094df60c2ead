import { ClientPin, pinUvAuthProtocol, type PinSession, type PinUvAuthTokenHandle, type TokenAnswer } from '../client/index.ts';
import { CtapRequest, unwrapCtap } from '../ctap/index.ts';
import { CtapStatus, formatCtapStatus, type ClientPinRequest, type ClientPinResponse } from '../protocol/index.ts';
import { CheckFailed, CheckSkipped } from '../runner/Check.ts';
import { failOnStatus } from './failOnStatus.ts';
import type { CallResult, SuiteContext } from './SuiteContext.ts';

/**
 * The PIN side of talking to the key (CTAP 2.1 §6.5.5), for every check: key agreement, tokens by PIN or
 * built-in UV, setPIN/changePIN with bytes as the check means them, retry counters. All of it is
 * harness/client's ClientPin over the typed request API, so the device's status is a value the check
 * judges, every exchange lands in the check's evidence, and the PIN is hashed in one place
 * (harness/protocol pinHash).
 */

export type PinProtocolVersion = 1 | 2;
export type { PinSession };

/** The PIN/UV auth protocol a check uses: `v` when the device offers it (else the check skips), or its first preference. */
export function protocolVersion(ctx: SuiteContext, v?: PinProtocolVersion): PinProtocolVersion {
  const offered = ctx.info.pinUvAuthProtocols ?? [1];
  if (v !== undefined) {
    if (!offered.includes(v)) throw new CheckSkipped(`PIN/UV auth protocol ${v} is not offered (pinUvAuthProtocols ${JSON.stringify(offered)})`);
    return v;
  }
  return offered.find((p): p is PinProtocolVersion => p === 1 || p === 2) ?? 1;
}

/** A ClientPin for protocol `v` (or the device's preference) whose requests carry the check's signal. */
export function clientPin(ctx: SuiteContext, v?: PinProtocolVersion, signal?: AbortSignal): ClientPin {
  return new ClientPin(ctx.ctap2, pinUvAuthProtocol(protocolVersion(ctx, v)), signal ? { signal } : {});
}

/** One authenticatorClientPIN subcommand as given; the status is the check's to judge. */
export function pinCall(ctx: SuiteContext, req: ClientPinRequest, signal?: AbortSignal): Promise<CallResult<ClientPinResponse>> {
  return ctx.request(CtapRequest.clientPin, req, signal);
}

/** getKeyAgreement (§6.5.5.4) that must succeed, and the shared secret. */
export function openSession(ctx: SuiteContext, v: PinProtocolVersion, signal?: AbortSignal): Promise<PinSession> {
  // Stryker disable next-line StringLiteral: failOnStatus names the step itself ('getKeyAgreement answered …'), not the error's command
  return failOnStatus('getKeyAgreement', async () => unwrapCtap(await clientPin(ctx, v, signal).openSession(), 'getKeyAgreement'));
}

/** setPIN (§6.5.5.5) with a padded PIN as given (`paddedPin`); `param` rewrites pinUvAuthParam (bad-MAC checks). */
export function setPinRaw(
  ctx: SuiteContext,
  v: PinProtocolVersion,
  padded: Uint8Array,
  signal?: AbortSignal,
  param?: (good: Uint8Array) => Uint8Array,
): Promise<CallResult<ClientPinResponse>> {
  return failOnStatus('getKeyAgreement', () => clientPin(ctx, v, signal).requestSetPin(padded, param));
}

/** changePIN (§6.5.5.6): current PIN as text, new PIN padded as given. */
export function changePinRaw(
  ctx: SuiteContext,
  v: PinProtocolVersion,
  currentPin: string,
  newPadded: Uint8Array,
  signal?: AbortSignal,
): Promise<CallResult<ClientPinResponse>> {
  return failOnStatus('getKeyAgreement', () => clientPin(ctx, v, signal).requestChangePin(currentPin, newPadded));
}

export interface TokenOptions {
  /**
   * getPINToken (0x05, CTAP 2.0 style) instead of getPinUvAuthTokenUsingPinWithPermissions (0x09);
   * by default the former only where getInfo lacks the pinUvAuthToken option
   */
  legacy?: boolean;
  /** PinUvAuthPermission bits (default mc|ga) */
  permissions?: number;
  rpId?: string;
}

const legacyFor = (ctx: SuiteContext, opts: TokenOptions) => opts.legacy ?? ctx.info.options?.pinUvAuthToken !== true;

/** A token request by PIN; the status is the check's to judge (a refused key agreement fails the check). */
export function requestPinToken(
  ctx: SuiteContext,
  v: PinProtocolVersion,
  pin: string,
  opts: TokenOptions = {},
  signal?: AbortSignal,
): Promise<TokenAnswer> {
  return failOnStatus('getKeyAgreement', () =>
    // Stryker disable next-line StringLiteral: ClientPin.requestToken asks by PIN for anything but 'uv'
    clientPin(ctx, v, signal).requestToken({ by: 'pin', pin, ...opts, legacy: legacyFor(ctx, opts) }),
  );
}

/** A token by built-in UV (getPinUvAuthTokenUsingUvWithPermissions, §6.5.5.7.3); the status is the check's to judge. */
export function requestUvToken(
  ctx: SuiteContext,
  v: PinProtocolVersion,
  permissions: number,
  rpId?: string,
  signal?: AbortSignal,
): Promise<TokenAnswer> {
  // Stryker disable next-line ConditionalExpression: an rpId member left undefined is not encoded (encodeParams skips it)
  return failOnStatus('getKeyAgreement', () => clientPin(ctx, v, signal).requestToken({ by: 'uv', permissions, ...(rpId === undefined ? {} : { rpId }) }));
}

/**
 * A token by PIN that must be issued (a refusal is the check's failure): protocol `v` (default: the
 * device's preference), permissions mc|ga unless given, ctx.pin unless `pin`.
 */
export async function pinToken(
  ctx: SuiteContext,
  opts: TokenOptions & { v?: PinProtocolVersion; pin?: string } = {},
  signal?: AbortSignal,
): Promise<PinUvAuthTokenHandle> {
  const legacy = legacyFor(ctx, opts);
  const a = await requestPinToken(ctx, protocolVersion(ctx, opts.v), opts.pin ?? ctx.pin, { ...opts, legacy }, signal);
  if (!a.token) {
    const what = legacy ? 'getPINToken' : 'getPinUvAuthTokenUsingPinWithPermissions';
    throw new CheckFailed(`${what} with the correct PIN answered ${formatCtapStatus(a.result.status)}`, { actual: formatCtapStatus(a.result.status) });
  }
  return a.token;
}

/** The token the PIN checks ask for to prove a PIN works: mc only, bound to the check's RP ID. */
export const tokenOpts = (rpId: string): TokenOptions => ({ permissions: 0x01, rpId });

/**
 * Best effort after a check that may have sent wrong PINs, for its failure path (never throws): the right PIN
 * ends the streak of wrong ones and restores pinRetries (§6.5.5.7.2 step 10); if PIN entry is blocked
 * (§6.5.5.7.2 step 9.1.2), power-cycle first; failing that, reset the device (the runner sets the PIN again),
 * so one failing check does not block the next ones.
 */
export async function restorePinEntry(ctx: SuiteContext, v: PinProtocolVersion, rpId: string, signal?: AbortSignal): Promise<void> {
  try {
    let r = await requestPinToken(ctx, v, ctx.pin, tokenOpts(rpId), signal);
    if (r.result.status === CtapStatus.CTAP2_ERR_PIN_AUTH_BLOCKED && ctx.options.powerCycle) {
      await ctx.options.powerCycle();
      r = await requestPinToken(ctx, v, ctx.pin, tokenOpts(rpId), signal);
    }
    if (r.result.status !== CtapStatus.CTAP2_OK) await ctx.reset();
  } catch {
    await ctx.reset().catch(() => undefined);
  }
}

/** getPINRetries (§6.5.5.2) that must succeed. */
export async function pinRetries(ctx: SuiteContext, signal?: AbortSignal): Promise<{ pinRetries: number; powerCycleState?: boolean }> {
  const r = await clientPin(ctx, undefined, signal).requestRetries();
  if (!r.ok) throw new CheckFailed(`getPINRetries answered ${formatCtapStatus(r.status)}`);
  const { pinRetries: n, powerCycleState } = r.response;
  if (typeof n !== 'number') throw new CheckFailed('getPINRetries answer has no pinRetries (0x03)');
  return powerCycleState === undefined ? { pinRetries: n } : { pinRetries: n, powerCycleState };
}

/**
 * Runs `body` on a device whose state it may change beyond "PIN = ctx.pin" (config, a new PIN), then resets
 * it so the next check starts clean (the runner sets the PIN again where a check needs it).
 */
export async function thenReset<T>(ctx: SuiteContext, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } finally {
    await ctx.reset();
  }
}

/** Tells the context that the PIN now set on the device is ctx.pin (set by the check itself). */
export async function adoptPin(ctx: SuiteContext): Promise<void> {
  await ctx.refreshInfo();
  ctx.markPinSet();
}

/** A PIN other than ctx.pin that meets the device's current policy. */
export function otherPin(ctx: SuiteContext): string {
  const min = Math.max(ctx.info.minPINLength ?? 4, 4);
  const base = '97531864';
  let pin = base;
  // Stryker disable next-line EqualityOperator: one more round is cut off by the slice below
  while ([...pin].length < min) pin += base;
  pin = pin.slice(0, Math.max(min, 8));
  return pin === ctx.pin ? `${pin}0` : pin;
}

export const flipFirstBit = (b: Uint8Array): Uint8Array => {
  const c = new Uint8Array(b);
  c[0] = c[0]! ^ 0x01;
  return c;
};
