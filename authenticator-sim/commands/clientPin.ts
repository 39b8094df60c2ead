import { timingSafeEqual } from 'node:crypto';
import {
  ClientPinSubCommand,
  CtapStatus,
  CtapStatusError,
  decodeClientPinRequest,
  encodeClientPinResponse,
  PinUvAuthPermission,
  type CborMap,
  type ClientPinRequest,
} from '../../harness/protocol/index.ts';
import type { Authenticator, HandleOptions } from '../Authenticator.ts';
import type { PinUvAuthProtocol } from '../pinUvAuth/protocols.ts';
import { checkNewPin } from '../pinUvAuth/pinPolicy.ts';
import { builtInUvReady, MAX_PIN_RETRIES, MAX_UV_RETRIES } from './pinUvAuthChecks.ts';

/** a.volatile key: the current token came from getPINToken (0x05), the CTAP 2.0 way (see credentialManagement.ts) */
export const LEGACY_TOKEN_KEY = 'clientPin.legacyToken';

/** The permissions CTAP 2.1 §6.5.5.7 defines (pcmr from CTAP 2.2 on); others are ignored (§6.5.5.7.2 step 4). */
function definedPermissions(a: Authenticator): number {
  const { mc, ga, cm, be, lbw, acfg, pcmr } = PinUvAuthPermission;
  return mc | ga | cm | be | lbw | acfg | (a.ctap22 ? pcmr : 0);
}

/**
 * The permissions a token may carry, by how it is got (CTAP 2.1 §6.5.5.7.2 step 4 with the PIN, §6.5.5.7.3
 * step 4 with built-in UV): each needs the getInfo option of its feature. cm credMgmt; be bioEnroll present
 * (the fingerprint sensor), by UV uvBioEnroll, which the simulator does not list; lbw largeBlobs; acfg
 * authnrCfg, by UV uvAcfg (not listed); mc and ga unless noMcGaPermissionsWithClientPin (by UV always);
 * pcmr (CTAP 2.2) perCredMgmtRO. Read from the features, as getInfo is built from them (getInfo.ts).
 */
export function supportedPermissions(a: Authenticator, by: 'pin' | 'uv'): number {
  const { mc, ga, cm, be, lbw, acfg, pcmr } = PinUvAuthPermission;
  const f = a.features;
  const noMcGa = by === 'pin' && f.staticOptions.noMcGaPermissionsWithClientPin === true;
  return (
    (noMcGa ? 0 : mc | ga) |
    (f.credMgmt ? cm : 0) |
    (by === 'pin' && a.fingerprint ? be : 0) |
    (f.largeBlobs ? lbw : 0) |
    (by === 'pin' && f.authnrCfg ? acfg : 0) |
    (a.ctap22 ? pcmr : 0)
  );
}

/** What a getPINToken token authorises on a key without pinUvAuthToken (no permissions): every command it has. */
const LEGACY_PERMISSIONS = PinUvAuthPermission.mc | PinUvAuthPermission.ga | PinUvAuthPermission.cm | PinUvAuthPermission.be | PinUvAuthPermission.lbw | PinUvAuthPermission.acfg;

/** After three wrong PINs in a row, nothing but a power cycle lets PIN entry continue (§6.5.5.7.1 step 7). */
export const MAX_CONSECUTIVE_PIN_FAILURES = 3;

/** authenticatorClientPIN, CTAP 2.1 §6.5.5. */
export async function clientPin(a: Authenticator, params: unknown, { signal }: HandleOptions): Promise<CborMap | null> {
  const req = decodeClientPinRequest(params);
  // A key without the pinUvAuthToken option has the CTAP 2.0 subcommands only (§6.5.5: 0x05-0x09 are 2.1).
  if (!a.features.pinUvAuthToken && (req.subCommand ?? 0) > ClientPinSubCommand.getPINToken) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_INVALID_SUBCOMMAND, `clientPIN subCommand ${req.subCommand} (no pinUvAuthToken)`);
  }
  switch (req.subCommand) {
    case ClientPinSubCommand.getPINRetries:
      return getPinRetries(a);
    case ClientPinSubCommand.getKeyAgreement:
      return encodeClientPinResponse({ keyAgreement: requireProtocol(a, req).getPublicKey() });
    case ClientPinSubCommand.setPIN:
      return setPin(a, req);
    case ClientPinSubCommand.changePIN:
      return changePin(a, req);
    case ClientPinSubCommand.getPINToken:
    case ClientPinSubCommand.getPinUvAuthTokenUsingPinWithPermissions:
      return getPinToken(a, req);
    case ClientPinSubCommand.getPinUvAuthTokenUsingUvWithPermissions:
      return getTokenUsingUv(a, req, signal);
    case ClientPinSubCommand.getUVRetries:
      if (!a.builtInUv) throw new CtapStatusError(CtapStatus.CTAP2_ERR_INVALID_SUBCOMMAND, 'no built-in UV');
      return encodeClientPinResponse({ uvRetries: a.state.uvRetries });
    default:
      throw new CtapStatusError(CtapStatus.CTAP2_ERR_INVALID_SUBCOMMAND, `clientPIN subCommand ${req.subCommand}`);
  }
}

/** §6.5.5.2: pinRetries, and powerCycleState (true while three consecutive wrong PINs block entry). */
function getPinRetries(a: Authenticator): CborMap {
  return encodeClientPinResponse({
    pinRetries: a.state.pinRetries,
    powerCycleState: a.consecutivePinFailures >= MAX_CONSECUTIVE_PIN_FAILURES,
  });
}

/** §6.5.5.1: every subcommand but the two retries queries needs pinUvAuthProtocol, and a supported one. */
function requireProtocol(a: Authenticator, req: ClientPinRequest): PinUvAuthProtocol {
  if (req.pinUvAuthProtocol === undefined) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_MISSING_PARAMETER, 'pinUvAuthProtocol missing');
  }
  const p = a.protocols.get(req.pinUvAuthProtocol);
  if (!p) throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, `pinUvAuthProtocol ${req.pinUvAuthProtocol}`);
  return p;
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new CtapStatusError(CtapStatus.CTAP2_ERR_MISSING_PARAMETER, `${name} missing`);
  return value;
}

/** §6.5.5.5 setPIN (steps cited). */
function setPin(a: Authenticator, req: ClientPinRequest): null {
  // Step 1: mandatory parameters; step 2: protocol.
  // Stryker disable StringLiteral: a parameter's name only labels the detail of its error, never sent
  const keyAgreement = required(req.keyAgreement, 'keyAgreement');
  const param = required(req.pinUvAuthParam, 'pinUvAuthParam');
  const newPinEnc = required(req.newPinEnc, 'newPinEnc');
  // Stryker restore StringLiteral
  const protocol = requireProtocol(a, req);
  // Step 3: a PIN is already set.
  if (a.pinIsSet) throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'PIN already set');
  // Step 4: decapsulate (CTAP1_ERR_INVALID_PARAMETER on a bad key, thrown by the protocol).
  const shared = protocol.decapsulate(keyAgreement);
  // Step 5: verify(shared secret, newPinEnc, pinUvAuthParam).
  if (!protocol.verify(shared, newPinEnc, param)) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'pinUvAuthParam does not verify');
  }
  // Step 6: decrypt; step 7-10: policy.
  const padded = protocol.decrypt(shared, newPinEnc);
  if (!padded) throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'newPinEnc does not decrypt');
  const pin = checkNewPin(padded, a.state.minPinLength);
  // Step 11: store the hash and the length; retries to the maximum.
  a.state.pin = pin;
  a.state.pinRetries = MAX_PIN_RETRIES;
  a.persist();
  return null;
}

/**
 * §6.5.5.6 step 6-7 / §6.5.5.7.1 steps 5-7: checks pinHashEnc against the stored PIN. The retry counter
 * is lowered before the comparison and persisted (a power cut cannot undo a wrong guess); a mismatch
 * regenerates the key agreement key, and three mismatches in a row block PIN entry until a power cycle.
 */
function checkPinHash(a: Authenticator, protocol: PinUvAuthProtocol, shared: Uint8Array, pinHashEnc: Uint8Array): void {
  const stored = a.state.pin!;
  if (a.behaviour.decrementPinRetries) a.state.pinRetries = Math.max(0, a.state.pinRetries - 1);
  a.persist();
  const pinHash = protocol.decrypt(shared, pinHashEnc);
  // A pinHashEnc that does not decrypt to 16 bytes cannot match: a wrong PIN (as OpenSK does; the spec
  // only says to compare).
  const matches = pinHash !== null && pinHash.length === 16 && timingSafeEqual(pinHash, stored.hash);
  if (!matches) {
    protocol.regenerate();
    a.consecutivePinFailures++;
    if (a.state.pinRetries === 0) throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_BLOCKED, 'no PIN retries left');
    if (a.consecutivePinFailures >= MAX_CONSECUTIVE_PIN_FAILURES) {
      throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_BLOCKED, 'three wrong PINs: power cycle needed');
    }
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_INVALID, 'wrong PIN');
  }
  a.consecutivePinFailures = 0;
  a.state.pinRetries = MAX_PIN_RETRIES;
  // Choice: a verified PIN also unblocks built-in UV (the spec offers PIN as the fallback for a blocked UV method).
  a.state.uvRetries = MAX_UV_RETRIES;
  a.persist();
}

/** Checks shared by every PIN-checking subcommand, before any counter moves. */
function pinEntryAllowed(a: Authenticator): void {
  if (!a.pinIsSet) throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_NOT_SET);
  if (a.state.pinRetries === 0) throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_BLOCKED);
  if (a.consecutivePinFailures >= MAX_CONSECUTIVE_PIN_FAILURES) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_BLOCKED, 'power cycle needed');
  }
}

/** §6.5.5.6 changePIN (steps cited). */
function changePin(a: Authenticator, req: ClientPinRequest): null {
  // Stryker disable StringLiteral: a parameter's name only labels the detail of its error, never sent
  const keyAgreement = required(req.keyAgreement, 'keyAgreement');
  const param = required(req.pinUvAuthParam, 'pinUvAuthParam');
  const newPinEnc = required(req.newPinEnc, 'newPinEnc');
  const pinHashEnc = required(req.pinHashEnc, 'pinHashEnc');
  // Stryker restore StringLiteral
  const protocol = requireProtocol(a, req);
  // Step 3: blocked. (PIN not set: the spec is silent; CTAP2_ERR_PIN_NOT_SET says why.)
  pinEntryAllowed(a);
  const shared = protocol.decapsulate(keyAgreement);
  // Step 5: verify(shared secret, newPinEnc || pinHashEnc, pinUvAuthParam).
  if (!protocol.verify(shared, new Uint8Array(Buffer.concat([newPinEnc, pinHashEnc])), param)) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'pinUvAuthParam does not verify');
  }
  // Steps 6-8: the current PIN.
  checkPinHash(a, protocol, shared, pinHashEnc);
  // Steps 9-12: the new PIN.
  const padded = protocol.decrypt(shared, newPinEnc);
  if (!padded) throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'newPinEnc does not decrypt');
  const pin = checkNewPin(padded, a.state.minPinLength);
  // forcePINChange: the new PIN must differ from the current one (§6.5.5.6, §6.11.4).
  if (a.state.forcePinChange && timingSafeEqual(pin.hash, a.state.pin!.hash)) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_POLICY_VIOLATION, 'forcePINChange: the PIN must change');
  }
  a.state.pin = pin;
  a.state.forcePinChange = false;
  // Step 14: all tokens are invalidated, the persistent one too (CTAP 2.2 §6.5.5.6).
  a.pinUvAuthToken.reset();
  delete a.state.persistentToken;
  a.volatile.delete(LEGACY_TOKEN_KEY);
  a.persist();
  return null;
}

/**
 * §6.5.5.7.1 getPINToken and §6.5.5.7.2 getPinUvAuthTokenUsingPinWithPermissions (steps cited). getPINToken
 * issues a token with the mc and ga permissions and no RP ID (2.0 compatibility).
 */
function getPinToken(a: Authenticator, req: ClientPinRequest): CborMap {
  const withPermissions = req.subCommand === ClientPinSubCommand.getPinUvAuthTokenUsingPinWithPermissions;
  // Stryker disable StringLiteral: a parameter's name only labels the detail of its error, never sent
  const keyAgreement = required(req.keyAgreement, 'keyAgreement');
  const pinHashEnc = required(req.pinHashEnc, 'pinHashEnc');
  // Stryker restore StringLiteral
  // §6.5.5.7.1: getPINToken gives mc and ga; a key without the pinUvAuthToken option (CTAP 2.0, 2.1 preview)
  // has no permissions, and its token authorises every command it has (credentialMgmtPreview included).
  let permissions = a.features.pinUvAuthToken ? PinUvAuthPermission.mc | PinUvAuthPermission.ga : LEGACY_PERMISSIONS;
  if (withPermissions) {
    // Stryker disable next-line StringLiteral: a parameter's name only labels the detail of its error, never sent
    permissions = required(req.permissions, 'permissions');
  } else if (req.permissions !== undefined || req.rpId !== undefined) {
    // §6.5.5.7.1: getPINToken takes no permissions; a request that has them is malformed.
    throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'getPINToken takes no permissions or rpId');
  }
  const protocol = requireProtocol(a, req);
  if (withPermissions) permissions = checkPermissions(a, permissions, 'pin');
  pinEntryAllowed(a);
  const shared = protocol.decapsulate(keyAgreement);
  checkPinHash(a, protocol, shared, pinHashEnc);
  // A PIN that must change gives no token: getPINToken answers CTAP2_ERR_PIN_INVALID (§6.5.5.7.1 step 11),
  // getPinUvAuthTokenUsingPinWithPermissions CTAP2_ERR_PIN_POLICY_VIOLATION (§6.5.5.7.2 step 11).
  if (a.state.forcePinChange) {
    throw new CtapStatusError(
      withPermissions ? CtapStatus.CTAP2_ERR_PIN_POLICY_VIOLATION : CtapStatus.CTAP2_ERR_PIN_INVALID,
      'forcePINChange is set',
    );
  }
  if (withPermissions && (permissions & PinUvAuthPermission.pcmr) !== 0) return issuePersistentToken(a, protocol, shared);
  return issueToken(a, protocol, shared, permissions, withPermissions ? req.rpId : undefined, a.behaviour.pinTokenProvesPresence, !withPermissions);
}

/**
 * CTAP 2.2 persistent pinUvAuthToken: the pcmr permission, alone (it grants read-only credential
 * management and nothing else), gives a token kept in persistent state: it survives power cycles and is
 * renewed by each such request; a PIN change or reset ends it. The ordinary token is left as it was.
 */
function issuePersistentToken(a: Authenticator, protocol: PinUvAuthProtocol, shared: Uint8Array): CborMap {
  a.state.persistentToken = a.rng.bytes(32);
  a.persist();
  return encodeClientPinResponse({ pinUvAuthToken: protocol.encrypt(shared, a.state.persistentToken) });
}

/**
 * §6.5.5.7.2 / §6.5.5.7.3 steps 3-4: permissions must be non-zero (CTAP1_ERR_INVALID_PARAMETER), and each
 * defined one supported (CTAP2_ERR_UNAUTHORIZED_PERMISSION); undefined ones are ignored, so the token gets
 * the defined ones only. The rpId is optional: a token with mc or ga and no rpId has no permissions RP ID
 * until its first use binds one (§6.1.2 step 11.1.3, §6.2.2 step 6.1.3).
 */
function checkPermissions(a: Authenticator, permissions: number, by: 'pin' | 'uv'): number {
  if (permissions === 0) throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'permissions is 0');
  const defined = permissions & definedPermissions(a);
  const refused = defined & ~supportedPermissions(a, by);
  if (refused !== 0) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_UNAUTHORIZED_PERMISSION, `permissions 0x${refused.toString(16)} not offered`);
  }
  // pcmr: "or any other pinUvAuthToken permission is requested" (CTAP 2.2)
  if ((defined & PinUvAuthPermission.pcmr) !== 0 && defined !== PinUvAuthPermission.pcmr) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_UNAUTHORIZED_PERMISSION, 'pcmr goes alone');
  }
  return defined;
}

/**
 * resetPinUvAuthToken() for all protocols, beginUsingPinUvAuthToken(userIsPresent), permissions and RP ID,
 * then encrypt(shared secret, token) as response member 0x02 (§6.5.5.7.2 final steps).
 */
function issueToken(
  a: Authenticator,
  protocol: PinUvAuthProtocol,
  shared: Uint8Array,
  permissions: number,
  rpId: string | undefined,
  userPresent: boolean,
  legacy: boolean,
): CborMap {
  const token = a.pinUvAuthToken;
  token.reset();
  token.beginUsing(userPresent, permissions, rpId);
  if (legacy) a.volatile.set(LEGACY_TOKEN_KEY, true);
  else a.volatile.delete(LEGACY_TOKEN_KEY);
  return encodeClientPinResponse({ pinUvAuthToken: protocol.encrypt(shared, token.token) });
}

/** §6.5.5.7.3 getPinUvAuthTokenUsingUvWithPermissions (steps cited). */
async function getTokenUsingUv(
  a: Authenticator,
  req: ClientPinRequest,
  signal: AbortSignal | undefined,
): Promise<CborMap> {
  // Without a built-in UV method the subcommand does not exist here (as OpenSK answers).
  if (!a.builtInUv) throw new CtapStatusError(CtapStatus.CTAP2_ERR_INVALID_SUBCOMMAND, 'no built-in UV');
  // Stryker disable StringLiteral: a parameter's name only labels the detail of its error, never sent; and by '' is by UV as well
  const keyAgreement = required(req.keyAgreement, 'keyAgreement');
  const requested = required(req.permissions, 'permissions');
  const protocol = requireProtocol(a, req);
  const permissions = checkPermissions(a, requested, 'uv');
  // Stryker restore StringLiteral
  // Step: the method exists but is not enrolled (getInfo uv: false).
  if (!builtInUvReady(a)) throw new CtapStatusError(CtapStatus.CTAP2_ERR_NOT_ALLOWED, 'built-in UV not configured');
  if (a.state.uvRetries === 0) throw new CtapStatusError(CtapStatus.CTAP2_ERR_UV_BLOCKED);
  const shared = protocol.decapsulate(keyAgreement);
  const outcome = await a.builtInUv.verify({
    reason: 'getPinUvAuthTokenUsingUvWithPermissions',
    ...(req.rpId !== undefined ? { rpId: req.rpId } : {}),
    signal,
  });
  if (outcome === 'timeout') throw new CtapStatusError(CtapStatus.CTAP2_ERR_USER_ACTION_TIMEOUT);
  if (outcome === 'nomatch') {
    a.state.uvRetries = Math.max(0, a.state.uvRetries - 1);
    a.persist();
    if (a.state.uvRetries === 0) throw new CtapStatusError(CtapStatus.CTAP2_ERR_UV_BLOCKED);
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_UV_INVALID);
  }
  a.state.uvRetries = MAX_UV_RETRIES;
  a.persist();
  return issueToken(a, protocol, shared, permissions, req.rpId, a.builtInUv.establishesPresence, false);
}
