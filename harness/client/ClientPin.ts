import {
  ClientPinSubCommand,
  CtapOption,
  paddedPin,
  pinBytes,
  pinHash,
  PinUvAuthPermission,
  type CborMap,
  type ClientPinRequest,
  type ClientPinResponse,
} from '../protocol/index.ts';
import { CtapRequest, unwrapCtap, type Ctap2, type CtapCallOptions, type CtapResult } from '../ctap/index.ts';
import { ClientError } from './ClientError.ts';
import { choosePinUvAuthProtocol, type ClientPinUvAuthProtocol } from './pinUvAuthProtocol.ts';

/** A pinUvAuthToken as the client holds it, with the protocol that goes with it. */
export interface PinUvAuthTokenHandle {
  token: Uint8Array;
  protocol: ClientPinUvAuthProtocol;
  permissions: number;
  rpId?: string;
}

export interface PinTokenRequest {
  /** PinUvAuthPermission bits; ignored by getPINToken (pre-2.1 devices) */
  permissions?: number;
  rpId?: string;
}

/** One key agreement (CTAP 2.1 §6.5.5.4): the keys on both sides and the shared secret. */
export interface PinSession {
  protocol: ClientPinUvAuthProtocol;
  /** the authenticator's key-agreement key as it answered */
  peerKey: CborMap;
  /** the platform key-agreement key, sent as keyAgreement (0x03) */
  keyAgreement: CborMap;
  sharedSecret: Uint8Array;
}

/** How a token is asked for (CTAP 2.1 §6.5.5.7). */
export type TokenRequest =
  /** by PIN: getPinUvAuthTokenUsingPinWithPermissions (0x09), or getPINToken (0x05) when `legacy` */
  | { by: 'pin'; pin: string | Uint8Array; legacy?: boolean; permissions?: number; rpId?: string }
  /** by built-in UV: getPinUvAuthTokenUsingUvWithPermissions (0x06) */
  | { by: 'uv'; permissions: number; rpId?: string };

/** A token request's outcome: the status as a value, the session it used, the token when issued. */
export interface TokenAnswer {
  result: CtapResult<ClientPinResponse>;
  session: PinSession;
  token?: PinUvAuthTokenHandle;
}

/**
 * The platform's side of authenticatorClientPIN (CTAP 2.1 §6.5.5): key agreement, setPIN, changePIN,
 * tokens by PIN or built-in UV, retry counters. Each operation has two forms over the one typed request
 * API: `request…`/`open…` return the device's status as a value (what conformance checks judge), the
 * plain methods unwrap it and throw CtapStatusError (what a client does). `isSupported(info)` says
 * whether the device has PIN at all.
 */
export class ClientPin {
  readonly protocol: ClientPinUvAuthProtocol;

  constructor(
    readonly ctap: Ctap2,
    protocol?: ClientPinUvAuthProtocol,
    private readonly callOptions: CtapCallOptions = {},
  ) {
    this.protocol = protocol ?? choosePinUvAuthProtocol(ctap.info?.pinUvAuthProtocols);
  }

  /** getInfo has the clientPin option (true: PIN set, false: can be set). */
  static isSupported(info: { options?: Record<string, boolean> } | undefined): boolean {
    return info?.options?.[CtapOption.clientPin] !== undefined;
  }

  /** One authenticatorClientPIN subcommand, parameters as given; the status as a value. */
  request(req: ClientPinRequest): Promise<CtapResult<ClientPinResponse>> {
    return this.ctap.request(CtapRequest.clientPin, req, this.callOptions);
  }

  /**
   * getKeyAgreement (§6.5.5.4) then encapsulate. A refusal is returned as it came; an answer without a
   * usable key is the device's fault (ClientError CLIENT_BAD_RESPONSE).
   */
  async openSession(): Promise<CtapResult<PinSession>> {
    const r = await this.request({ pinUvAuthProtocol: this.protocol.version, subCommand: ClientPinSubCommand.getKeyAgreement });
    if (!r.ok) return r;
    const peerKey = r.response.keyAgreement;
    if (!peerKey) throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', 'getKeyAgreement answer has no keyAgreement (0x01)');
    let enc;
    try {
      enc = this.protocol.encapsulate(peerKey);
    } catch (err) {
      throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', `keyAgreement is unusable: ${(err as Error).message}`, { cause: err });
    }
    return { ...r, response: { protocol: this.protocol, peerKey, keyAgreement: enc.keyAgreement, sharedSecret: enc.sharedSecret } };
  }

  /**
   * setPIN (§6.5.5.5) with the padded PIN as given (no policy: checks send what a client would refuse);
   * `param` rewrites pinUvAuthParam (bad-MAC checks). Throws CtapStatusError when the key agreement itself
   * is refused: its status is not setPIN's, and a check expecting a refusal must not take it for one.
   */
  async requestSetPin(padded: Uint8Array, param?: (good: Uint8Array) => Uint8Array): Promise<CtapResult<ClientPinResponse>> {
    const { keyAgreement, sharedSecret } = unwrapCtap(await this.openSession(), 'authenticatorClientPIN(getKeyAgreement)');
    const newPinEnc = this.protocol.encrypt(sharedSecret, padded);
    const good = this.protocol.authenticate(sharedSecret, newPinEnc);
    return this.request({
      pinUvAuthProtocol: this.protocol.version,
      subCommand: ClientPinSubCommand.setPIN,
      keyAgreement,
      newPinEnc,
      pinUvAuthParam: param ? param(good) : good,
    });
  }

  /** changePIN (§6.5.5.6): the current PIN, the new one padded as given; a refused key agreement throws as in requestSetPin. */
  async requestChangePin(currentPin: string | Uint8Array, newPadded: Uint8Array): Promise<CtapResult<ClientPinResponse>> {
    const { keyAgreement, sharedSecret } = unwrapCtap(await this.openSession(), 'authenticatorClientPIN(getKeyAgreement)');
    const newPinEnc = this.protocol.encrypt(sharedSecret, newPadded);
    const pinHashEnc = this.protocol.encrypt(sharedSecret, pinHash(currentPin));
    return this.request({
      pinUvAuthProtocol: this.protocol.version,
      subCommand: ClientPinSubCommand.changePIN,
      keyAgreement,
      pinHashEnc,
      newPinEnc,
      pinUvAuthParam: this.protocol.authenticate(sharedSecret, concat(newPinEnc, pinHashEnc)),
    });
  }

  /**
   * A token request (§6.5.5.7.1-3), parameters as given. Throws CtapStatusError when the key agreement
   * itself is refused (there is no session to report); the token request's status is the result.
   */
  async requestToken(how: TokenRequest): Promise<TokenAnswer> {
    const session = unwrapCtap(await this.openSession(), 'authenticatorClientPIN(getKeyAgreement)');
    const { keyAgreement, sharedSecret } = session;
    const v = this.protocol.version;
    const rpId = how.rpId === undefined ? {} : { rpId: how.rpId };
    let req: ClientPinRequest;
    let permissions: number;
    if (how.by === 'uv') {
      permissions = how.permissions;
      req = { pinUvAuthProtocol: v, subCommand: ClientPinSubCommand.getPinUvAuthTokenUsingUvWithPermissions, keyAgreement, permissions, ...rpId };
    } else {
      const pinHashEnc = this.protocol.encrypt(sharedSecret, pinHash(how.pin));
      if (how.legacy) {
        // getPINToken (CTAP 2.0) has no permissions: its token allows mc and ga (§6.5.5.7.1).
        permissions = PinUvAuthPermission.mc | PinUvAuthPermission.ga;
        req = { pinUvAuthProtocol: v, subCommand: ClientPinSubCommand.getPINToken, keyAgreement, pinHashEnc };
      } else {
        permissions = how.permissions ?? PinUvAuthPermission.mc | PinUvAuthPermission.ga;
        req = { pinUvAuthProtocol: v, subCommand: ClientPinSubCommand.getPinUvAuthTokenUsingPinWithPermissions, keyAgreement, pinHashEnc, permissions, ...rpId };
      }
    }
    const result = await this.request(req);
    if (!result.ok) return { result, session };
    return { result, session, token: this.tokenFrom(result.response.pinUvAuthToken, sharedSecret, permissions, how.rpId) };
  }

  /** getPINRetries (§6.5.5.2): needs no pinUvAuthProtocol (§6.5.5.1 lists none for it). */
  requestRetries(): Promise<CtapResult<ClientPinResponse>> {
    return this.request({ subCommand: ClientPinSubCommand.getPINRetries });
  }

  /** getUVRetries (§6.5.5.3). */
  requestUvRetries(): Promise<CtapResult<ClientPinResponse>> {
    return this.request({ pinUvAuthProtocol: this.protocol.version, subCommand: ClientPinSubCommand.getUVRetries });
  }

  /** getPINRetries (§6.5.5.2). */
  async getRetries(): Promise<{ pinRetries: number; powerCycleState?: boolean }> {
    const res = unwrapCtap(
      await this.request({ pinUvAuthProtocol: this.protocol.version, subCommand: ClientPinSubCommand.getPINRetries }),
      'authenticatorClientPIN',
    );
    if (res.pinRetries === undefined) throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', 'getPINRetries answer has no pinRetries (0x03)');
    return res.powerCycleState === undefined ? { pinRetries: res.pinRetries } : { pinRetries: res.pinRetries, powerCycleState: res.powerCycleState };
  }

  /** getUVRetries (§6.5.5.3). */
  async getUvRetries(): Promise<number> {
    const res = unwrapCtap(await this.requestUvRetries(), 'authenticatorClientPIN');
    if (res.uvRetries === undefined) throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', 'getUVRetries answer has no uvRetries (0x05)');
    return res.uvRetries;
  }

  /** getKeyAgreement (§6.5.5.4) then encapsulate: what each PIN operation starts with. */
  async sharedSecret(): Promise<{ keyAgreement: CborMap; sharedSecret: Uint8Array }> {
    const s = unwrapCtap(await this.openSession(), 'authenticatorClientPIN');
    return { keyAgreement: s.keyAgreement, sharedSecret: s.sharedSecret };
  }

  /**
   * setPIN (§6.5.5.5). A string is checked against the PIN policy (at least minPINLength code points,
   * at most 63 bytes of UTF-8) and padded to 64 bytes; bytes are sent padded as given, unchecked, for
   * policy checks on the device.
   */
  async setPin(pin: string | Uint8Array): Promise<void> {
    unwrapCtap(await this.requestSetPin(this.policyPadded(pin)), 'authenticatorClientPIN');
  }

  /** changePIN (§6.5.5.6). */
  async changePin(currentPin: string, newPin: string | Uint8Array): Promise<void> {
    unwrapCtap(await this.requestChangePin(currentPin, this.policyPadded(newPin)), 'authenticatorClientPIN');
  }

  /**
   * A pinUvAuthToken by PIN: getPinUvAuthTokenUsingPinWithPermissions (§6.5.5.7.2) when getInfo has the
   * pinUvAuthToken option, else the CTAP 2.0 getPINToken (§6.5.5.7.1, no permissions: all of mc/ga).
   */
  async getPinToken(pin: string, request: PinTokenRequest = {}): Promise<PinUvAuthTokenHandle> {
    const legacy = this.ctap.info?.options?.[CtapOption.pinUvAuthToken] !== true;
    const permissions = legacy ? undefined : (request.permissions ?? defaultPermissions(request.rpId));
    const a = await this.requestToken({ by: 'pin', pin, legacy, ...(permissions === undefined ? {} : { permissions }), ...rpIdOf(request) });
    return this.issued(a);
  }

  /** getPinUvAuthTokenUsingUvWithPermissions (§6.5.5.7.3): built-in UV, no PIN. */
  async getUvToken(request: PinTokenRequest = {}): Promise<PinUvAuthTokenHandle> {
    const a = await this.requestToken({ by: 'uv', permissions: request.permissions ?? defaultPermissions(request.rpId), ...rpIdOf(request) });
    return this.issued(a);
  }

  private issued(a: TokenAnswer): PinUvAuthTokenHandle {
    unwrapCtap(a.result, 'authenticatorClientPIN');
    return a.token!;
  }

  private tokenFrom(enc: Uint8Array | undefined, sharedSecret: Uint8Array, permissions: number, rpId?: string): PinUvAuthTokenHandle {
    if (!enc) throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', 'token answer has no pinUvAuthToken (0x02)');
    let token: Uint8Array;
    try {
      token = this.protocol.decrypt(sharedSecret, enc);
    } catch (err) {
      throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', `pinUvAuthToken does not decrypt: ${(err as Error).message}`, { cause: err });
    }
    // §6.5.6 / §6.5.7: protocol one tokens are a multiple of 16 bytes (16 or 32 in practice), protocol two 32.
    if (this.protocol.version === 2 ? token.length !== 32 : token.length !== 16 && token.length !== 32) {
      throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', `pinUvAuthToken of ${token.length} bytes for protocol ${this.protocol.version}`);
    }
    const handle: PinUvAuthTokenHandle = { token, protocol: this.protocol, permissions };
    if (rpId !== undefined) handle.rpId = rpId;
    return handle;
  }

  /** The client's PIN policy (§6.5.5.5 steps 7-10 as a client applies them); bytes pass unchecked. */
  private policyPadded(pin: string | Uint8Array): Uint8Array {
    if (typeof pin === 'string') {
      const min = this.ctap.info?.minPINLength ?? 4;
      if ([...pin.normalize('NFC')].length < min) {
        throw new ClientError('CLIENT_PIN_POLICY', 'NotAllowedError', `PIN shorter than the device's minimum of ${min} code points`);
      }
      if (pinBytes(pin).length > 63) throw new ClientError('CLIENT_PIN_POLICY', 'NotAllowedError', 'PIN longer than 63 bytes of UTF-8');
    }
    return paddedPin(pin);
  }
}

const rpIdOf = (r: PinTokenRequest): { rpId?: string } => (r.rpId === undefined ? {} : { rpId: r.rpId });

/**
 * mc|ga when an rpId is given. Those permissions need an rpId (CTAP 2.1 §6.5.5.7.2, the note under rpId),
 * so without one the caller must say which permissions it wants; explicit permissions are sent unchecked.
 */
function defaultPermissions(rpId: string | undefined): number {
  if (rpId === undefined) {
    throw new ClientError('CLIENT_BAD_OPTIONS', 'TypeError', 'a token for mc/ga needs an rpId; pass rpId or explicit permissions');
  }
  return PinUvAuthPermission.mc | PinUvAuthPermission.ga;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
