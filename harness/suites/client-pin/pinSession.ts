import { createHash } from 'node:crypto';
import { pinUvAuthProtocol, type ClientPinUvAuthProtocol } from '../../client/index.ts';
import {
  ClientPinSubCommand,
  CtapCommand,
  CtapStatus,
  CtapVersion,
  decodeClientPinResponse,
  encodeClientPinRequest,
  encodeGetAssertionRequest,
  encodeMakeCredentialRequest,
  formatCtapStatus,
  type CborMap,
  type ClientPinRequest,
  type GetAssertionRequest,
  type MakeCredentialRequest,
} from '../../protocol/index.ts';
import { CheckFailed } from '../../runner/Check.ts';
import { gaRequest, mcRequest, decodeOrFail } from '../ops.ts';
import type { CallResult, SuiteContext } from '../SuiteContext.ts';

/**
 * The clientPIN building blocks the PIN, UV, config and minPinLength checks share. Everything goes
 * through `ctx.call`, so a device's status is a value the check judges (never an exception), and every
 * exchange lands in the check's evidence. The platform side of the protocols is harness/client's.
 */

export type PinProtocolVersion = 1 | 2;

/** getInfo pinUvAuthProtocols; a device that lists none (CTAP 2.0) speaks protocol one (CTAP 2.1 §6.4). */
export function offersProtocol(ctx: SuiteContext, v: PinProtocolVersion): boolean {
  return (ctx.info.pinUvAuthProtocols ?? [1]).includes(v);
}

/** Skip reason unless the device has clientPin and offers protocol `v`. */
export function needsClientPin(v?: PinProtocolVersion) {
  return (ctx: SuiteContext): string | undefined => {
    if (ctx.info.options?.clientPin === undefined) return 'clientPin option absent: the device has no PIN';
    if (v !== undefined && !offersProtocol(ctx, v)) return `PIN/UV auth protocol ${v} not in getInfo pinUvAuthProtocols`;
    return undefined;
  };
}

/** Skip reason unless the device claims CTAP 2.1 (rules that 2.0 did not have). */
export function needsCtap21(ctx: SuiteContext): string | undefined {
  return ctx.info.versions.includes(CtapVersion.FIDO_2_1) ? undefined : 'device does not claim FIDO_2_1';
}

/** getPinUvAuthTokenUsingPinWithPermissions exists (getInfo pinUvAuthToken, CTAP 2.1 §6.5.5.7.2). */
export function needsPermissionsToken(ctx: SuiteContext): string | undefined {
  return ctx.info.options?.pinUvAuthToken === true ? undefined : 'pinUvAuthToken option absent (no getPinUvAuthTokenUsingPinWithPermissions)';
}

export const all = (...reqs: Array<(ctx: SuiteContext) => string | undefined>) => (ctx: SuiteContext) => {
  for (const r of reqs) {
    const reason = r(ctx);
    if (reason) return reason;
  }
  return undefined;
};

export function pinCall(ctx: SuiteContext, req: ClientPinRequest, signal?: AbortSignal): Promise<CallResult> {
  return ctx.call(CtapCommand.authenticatorClientPIN, encodeClientPinRequest(req), signal);
}

/** One key agreement: the platform key to send and the shared secret (CTAP 2.1 §6.5.5.4). */
export interface PinSession {
  v: PinProtocolVersion;
  protocol: ClientPinUvAuthProtocol;
  /** the authenticator's key-agreement key as it answered */
  peerKey: CborMap;
  /** the platform key-agreement key, sent as keyAgreement (0x03) */
  keyAgreement: CborMap;
  sharedSecret: Uint8Array;
}

export async function openSession(ctx: SuiteContext, v: PinProtocolVersion, signal?: AbortSignal): Promise<PinSession> {
  const r = await pinCall(ctx, { pinUvAuthProtocol: v, subCommand: ClientPinSubCommand.getKeyAgreement }, signal);
  if (r.status !== CtapStatus.CTAP2_OK) throw new CheckFailed(`getKeyAgreement answered ${formatCtapStatus(r.status)}`);
  const res = decodeOrFail(() => decodeClientPinResponse(r.value), 'getKeyAgreement response');
  if (!res.keyAgreement) throw new CheckFailed('getKeyAgreement answer has no keyAgreement (0x01)');
  const protocol = pinUvAuthProtocol(v);
  let enc;
  try {
    enc = protocol.encapsulate(res.keyAgreement);
  } catch (err) {
    throw new CheckFailed(`keyAgreement is unusable: ${(err as Error).message}`);
  }
  return { v, protocol, peerKey: res.keyAgreement, keyAgreement: enc.keyAgreement, sharedSecret: enc.sharedSecret };
}

/** LEFT(SHA-256(pin), 16) of the NFC-normalised UTF-8 PIN (CTAP 2.1 §6.5.5.7). */
export function pinHashOf(pin: string | Uint8Array): Uint8Array {
  const bytes = typeof pin === 'string' ? Buffer.from(pin.normalize('NFC'), 'utf8') : pin;
  return new Uint8Array(createHash('sha256').update(bytes).digest().subarray(0, 16));
}

/** The PIN's UTF-8 bytes padded with 0x00 to `size` bytes (CTAP 2.1 §6.5.5.5: 64), unchecked on purpose. */
export function paddedPin(pin: string | Uint8Array, size = 64): Uint8Array {
  const bytes = typeof pin === 'string' ? Buffer.from(pin.normalize('NFC'), 'utf8') : pin;
  const out = new Uint8Array(Math.max(size, Math.ceil(bytes.length / 16) * 16));
  out.set(bytes);
  return out;
}

/** setPIN (§6.5.5.5) with a padded PIN as given; `param` rewrites pinUvAuthParam (for bad-MAC checks). */
export async function setPinRaw(
  ctx: SuiteContext,
  v: PinProtocolVersion,
  padded: Uint8Array,
  signal?: AbortSignal,
  param?: (good: Uint8Array) => Uint8Array,
): Promise<CallResult> {
  const s = await openSession(ctx, v, signal);
  const newPinEnc = s.protocol.encrypt(s.sharedSecret, padded);
  const good = s.protocol.authenticate(s.sharedSecret, newPinEnc);
  return pinCall(
    ctx,
    {
      pinUvAuthProtocol: v,
      subCommand: ClientPinSubCommand.setPIN,
      keyAgreement: s.keyAgreement,
      newPinEnc,
      pinUvAuthParam: param ? param(good) : good,
    },
    signal,
  );
}

/** changePIN (§6.5.5.6): current PIN as text, new PIN padded as given. */
export async function changePinRaw(
  ctx: SuiteContext,
  v: PinProtocolVersion,
  currentPin: string,
  newPadded: Uint8Array,
  signal?: AbortSignal,
): Promise<CallResult> {
  const s = await openSession(ctx, v, signal);
  const newPinEnc = s.protocol.encrypt(s.sharedSecret, newPadded);
  const pinHashEnc = s.protocol.encrypt(s.sharedSecret, pinHashOf(currentPin));
  return pinCall(
    ctx,
    {
      pinUvAuthProtocol: v,
      subCommand: ClientPinSubCommand.changePIN,
      keyAgreement: s.keyAgreement,
      newPinEnc,
      pinHashEnc,
      pinUvAuthParam: s.protocol.authenticate(s.sharedSecret, new Uint8Array(Buffer.concat([newPinEnc, pinHashEnc]))),
    },
    signal,
  );
}

export interface TokenOptions {
  /** getPINToken (0x05, CTAP 2.0 style) instead of getPinUvAuthTokenUsingPinWithPermissions (0x09) */
  legacy?: boolean;
  permissions?: number;
  rpId?: string;
}

export interface TokenAnswer {
  result: CallResult;
  session: PinSession;
  /** the decrypted pinUvAuthToken when the device answered CTAP2_OK */
  token?: Uint8Array;
}

/** A token request by PIN; the status is the check's to judge. */
export async function requestPinToken(
  ctx: SuiteContext,
  v: PinProtocolVersion,
  pin: string,
  opts: TokenOptions = {},
  signal?: AbortSignal,
): Promise<TokenAnswer> {
  const session = await openSession(ctx, v, signal);
  const pinHashEnc = session.protocol.encrypt(session.sharedSecret, pinHashOf(pin));
  const req: ClientPinRequest = opts.legacy
    ? { pinUvAuthProtocol: v, subCommand: ClientPinSubCommand.getPINToken, keyAgreement: session.keyAgreement, pinHashEnc }
    : {
        pinUvAuthProtocol: v,
        subCommand: ClientPinSubCommand.getPinUvAuthTokenUsingPinWithPermissions,
        keyAgreement: session.keyAgreement,
        pinHashEnc,
        permissions: opts.permissions ?? 0x03,
        ...(opts.rpId !== undefined ? { rpId: opts.rpId } : {}),
      };
  const result = await pinCall(ctx, req, signal);
  if (result.status !== CtapStatus.CTAP2_OK) return { result, session };
  return { result, session, token: decryptToken(session, result) };
}

export function decryptToken(session: PinSession, result: CallResult): Uint8Array {
  const res = decodeOrFail(() => decodeClientPinResponse(result.value), 'token response');
  if (!res.pinUvAuthToken) throw new CheckFailed('token response has no pinUvAuthToken (0x02)');
  let token: Uint8Array;
  try {
    token = session.protocol.decrypt(session.sharedSecret, res.pinUvAuthToken);
  } catch (err) {
    throw new CheckFailed(`pinUvAuthToken does not decrypt: ${(err as Error).message}`);
  }
  // §6.5.6 / §6.5.7: protocol one tokens are a multiple of 16 bytes (16 or 32 in practice), protocol two 32.
  const okLength = session.v === 2 ? token.length === 32 : token.length === 16 || token.length === 32;
  if (!okLength) throw new CheckFailed(`pinUvAuthToken of ${token.length} bytes for protocol ${session.v}`);
  return token;
}

/** A token that must be issued (a refusal is the check's failure). */
export async function pinToken(
  ctx: SuiteContext,
  v: PinProtocolVersion,
  opts: TokenOptions & { pin?: string } = {},
  signal?: AbortSignal,
): Promise<{ token: Uint8Array; protocol: ClientPinUvAuthProtocol }> {
  const a = await requestPinToken(ctx, v, opts.pin ?? ctx.pin, opts, signal);
  if (!a.token) {
    const what = opts.legacy ? 'getPINToken' : 'getPinUvAuthTokenUsingPinWithPermissions';
    throw new CheckFailed(`${what} with the correct PIN answered ${formatCtapStatus(a.result.status)}`, {
      actual: formatCtapStatus(a.result.status),
    });
  }
  return { token: a.token, protocol: a.session.protocol };
}

/** makeCredential with pinUvAuthParam = authenticate(token, clientDataHash) (CTAP 2.1 §6.1.2 step 11.1.1). */
export function mcWithToken(
  ctx: SuiteContext,
  v: PinProtocolVersion,
  token: Uint8Array,
  rpId: string,
  overrides: Partial<MakeCredentialRequest> = {},
  signal?: AbortSignal,
): Promise<CallResult> {
  const req = mcRequest(rpId, overrides);
  const protocol = pinUvAuthProtocol(v);
  req.pinUvAuthProtocol = v;
  req.pinUvAuthParam ??= protocol.authenticate(token, req.clientDataHash);
  return ctx.call(CtapCommand.authenticatorMakeCredential, encodeMakeCredentialRequest(req), signal);
}

/** getAssertion with pinUvAuthParam = authenticate(token, clientDataHash) (CTAP 2.1 §6.2.2 step 6.1.1). */
export function gaWithToken(
  ctx: SuiteContext,
  v: PinProtocolVersion,
  token: Uint8Array,
  rpId: string,
  overrides: Partial<GetAssertionRequest> = {},
  signal?: AbortSignal,
): Promise<CallResult> {
  const req = gaRequest(rpId, overrides);
  req.pinUvAuthProtocol = v;
  req.pinUvAuthParam ??= pinUvAuthProtocol(v).authenticate(token, req.clientDataHash);
  return ctx.call(CtapCommand.authenticatorGetAssertion, encodeGetAssertionRequest(req), signal);
}

/** getPINRetries (§6.5.5.2): needs no pinUvAuthProtocol. */
export async function pinRetries(ctx: SuiteContext, signal?: AbortSignal): Promise<{ pinRetries: number; powerCycleState?: boolean }> {
  const r = await pinCall(ctx, { subCommand: ClientPinSubCommand.getPINRetries }, signal);
  if (r.status !== CtapStatus.CTAP2_OK) throw new CheckFailed(`getPINRetries answered ${formatCtapStatus(r.status)}`);
  const res = decodeOrFail(() => decodeClientPinResponse(r.value), 'getPINRetries response');
  if (typeof res.pinRetries !== 'number') throw new CheckFailed('getPINRetries answer has no pinRetries (0x03)');
  return res.powerCycleState === undefined ? { pinRetries: res.pinRetries } : { pinRetries: res.pinRetries, powerCycleState: res.powerCycleState };
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
  while ([...pin].length < min) pin += base;
  pin = pin.slice(0, Math.max(min, 8));
  return pin === ctx.pin ? `${pin}0` : pin;
}

export const flipFirstBit = (b: Uint8Array): Uint8Array => {
  const c = new Uint8Array(b);
  c[0] = c[0]! ^ 0x01;
  return c;
};
