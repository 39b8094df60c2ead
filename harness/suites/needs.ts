import { CtapVersion } from '../protocol/index.ts';
import type { SuiteContext } from './SuiteContext.ts';

/**
 * What a check needs from the device, as `requires` gates: each returns the reason to skip, or undefined
 * to run. Combine them with `all(...)` or `??`.
 */
export type Need = (ctx: SuiteContext) => string | undefined;

export const all =
  (...needs: Need[]): Need =>
  (ctx) => {
    for (const n of needs) {
      const reason = n(ctx);
      if (reason) return reason;
    }
    return undefined;
  };

/** getInfo pinUvAuthProtocols; a device that lists none (CTAP 2.0) speaks protocol one (CTAP 2.1 §6.4). */
export function offersProtocol(ctx: SuiteContext, v: 1 | 2): boolean {
  return (ctx.info.pinUvAuthProtocols ?? [1]).includes(v);
}

/** The device has clientPin (and offers PIN/UV auth protocol `v` when given). */
export function needsClientPin(v?: 1 | 2): Need {
  return (ctx) => {
    if (ctx.info.options?.clientPin === undefined) return 'clientPin option absent: the device has no PIN';
    if (v !== undefined && !offersProtocol(ctx, v)) return `PIN/UV auth protocol ${v} not in getInfo pinUvAuthProtocols`;
    return undefined;
  };
}

/** The device claims CTAP 2.1 (rules that 2.0 did not have). */
export const needsCtap21: Need = (ctx) => (ctx.info.versions.includes(CtapVersion.FIDO_2_1) ? undefined : 'device does not claim FIDO_2_1');

/** getPinUvAuthTokenUsingPinWithPermissions exists (getInfo pinUvAuthToken, CTAP 2.1 §6.5.5.7.2). */
export const needsPermissionsToken: Need = (ctx) =>
  ctx.info.options?.pinUvAuthToken === true ? undefined : 'pinUvAuthToken option absent (no getPinUvAuthTokenUsingPinWithPermissions)';

/** getInfo lists `extension`. */
export const needsExtension =
  (extension: string): Need =>
  (ctx) =>
    ctx.info.extensions?.includes(extension) ? undefined : `the ${extension} extension is not offered in getInfo`;

/** Discoverable credentials are offered (getInfo rk). */
export const needsRk: Need = (ctx) => (ctx.info.options?.rk === true ? undefined : 'discoverable credentials not offered (rk)');

/**
 * Built-in user verification is not ready (getInfo uv absent, or false: a method that is not configured,
 * such as a fingerprint sensor with no finger enrolled). CTAP 2.1 §6.1.2 step 5 / §6.2.2 step 4 refuse
 * the uv option in both cases.
 */
export const needsNoBuiltInUv: Need = (ctx) => (ctx.info.options?.uv === true ? 'device has a configured built-in user verification method (uv true)' : undefined);

/**
 * alwaysUv off: with it on, every makeCredential and getAssertion with up is user-verified (by built-in UV
 * on its own, or refused without a token) and authenticatorConfig needs a token (CTAP 2.1 §6.1.2 step 6,
 * §6.2.2 step 5, §6.11 step 2); a check that needs a request without verification does not apply.
 */
export const needsAlwaysUvOff: Need = (ctx) =>
  ctx.info.options?.alwaysUv === true ? 'alwaysUv is on: the key verifies the user in every request (CTAP 2.1 §6.1.2 step 6, §6.2.2 step 5, §6.11 step 2)' : undefined;
