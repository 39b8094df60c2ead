import type { PinUvAuthTokenHandle } from '../../client/index.ts';
import { CtapRequest } from '../../ctap/index.ts';
import {
  ConfigSubCommand,
  CtapCommand,
  encodeCanonicalCbor,
  encodeParams,
  PinUvAuthPermission,
  setMinPinLengthParamKeys,
  type CborMap,
  type ConfigRequest,
} from '../../protocol/index.ts';
import { type PinProtocolVersion, pinToken } from '../pinOps.ts';
import type { CallResult, SuiteContext } from '../SuiteContext.ts';

export { ConfigSubCommand };

/** The PIN/UV auth protocol config checks use: the device's first preference. */
export const configProtocol = (ctx: SuiteContext): PinProtocolVersion =>
  ((ctx.info.pinUvAuthProtocols ?? [1]).find((p) => p === 1 || p === 2) ?? 1) as PinProtocolVersion;

/** A token with the acfg permission (no RP ID: acfg ignores it, CTAP 2.1 §6.5.5.7 permissions table). */
export async function acfgToken(ctx: SuiteContext, signal: AbortSignal, pin?: string): Promise<PinUvAuthTokenHandle> {
  return pinToken(ctx, { v: configProtocol(ctx), permissions: PinUvAuthPermission.acfg, ...(pin ? { pin } : {}) }, signal);
}

/** A PIN of `n` digits (any length a minimum may ask for, CTAP 2.1 §6.5.1: up to 63 bytes). */
export const digitPin = (n: number): string => '8642097531'.repeat(n).slice(0, n);

export function setMinPinLengthParams(p: { newMinPINLength?: number; minPinLengthRPIDs?: string[]; forceChangePin?: boolean }): CborMap {
  return encodeParams(setMinPinLengthParamKeys, p);
}

/**
 * authenticatorConfig (CTAP 2.1 §6.11) with pinUvAuthParam = authenticate(token, 32×0xff || 0x0d ||
 * uint8(subCommand) || subCommandParams) when a token is given; `param` rewrites it (bad-MAC checks).
 */
export function configCall(
  ctx: SuiteContext,
  token: PinUvAuthTokenHandle | undefined,
  subCommand: number,
  subCommandParams?: CborMap,
  signal?: AbortSignal,
  param?: (good: Uint8Array) => Uint8Array,
): Promise<CallResult<void>> {
  let auth: { pinUvAuthProtocol?: number; pinUvAuthParam?: Uint8Array } = {};
  if (token) {
    const message = Buffer.concat([
      Buffer.alloc(32, 0xff),
      Uint8Array.of(CtapCommand.authenticatorConfig, subCommand),
      subCommandParams ? encodeCanonicalCbor(subCommandParams) : new Uint8Array(0),
    ]);
    const good = token.protocol.authenticate(token.token, new Uint8Array(message));
    auth = { pinUvAuthProtocol: token.protocol.version, pinUvAuthParam: param ? param(good) : good };
  }
  const req: ConfigRequest = { subCommand, ...(subCommandParams ? { subCommandParams } : {}), ...auth };
  return ctx.request(CtapRequest.config, req, signal);
}

export const needsAuthnrCfg = (ctx: SuiteContext): string | undefined =>
  ctx.info.options?.authnrCfg === true ? undefined : 'authenticatorConfig not offered (getInfo authnrCfg not true)';

export const needsSetMinPinLength = (ctx: SuiteContext): string | undefined =>
  needsAuthnrCfg(ctx) ?? (ctx.info.options?.setMinPINLength === true ? undefined : 'setMinPINLength option not true');
