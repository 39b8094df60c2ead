import { createHash } from 'node:crypto';
import { ClientPinSubCommand, CtapOption, PinUvAuthPermission, type CborMap } from '../protocol/index.ts';
import type { Ctap2 } from '../ctap/index.ts';
import type { CtapCallOptions } from '../ctap/index.ts';
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

/**
 * The platform's side of authenticatorClientPIN (CTAP 2.1 §6.5.5): key agreement, setPIN, changePIN,
 * tokens by PIN or built-in UV, retry counters. `isSupported(info)` says whether the device has PIN at all.
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

  /** getPINRetries (§6.5.5.2). */
  async getRetries(): Promise<{ pinRetries: number; powerCycleState?: boolean }> {
    const res = await this.ctap.clientPin({ pinUvAuthProtocol: this.protocol.version, subCommand: ClientPinSubCommand.getPINRetries }, this.callOptions);
    if (res.pinRetries === undefined) throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', 'getPINRetries answer has no pinRetries');
    return res.powerCycleState === undefined ? { pinRetries: res.pinRetries } : { pinRetries: res.pinRetries, powerCycleState: res.powerCycleState };
  }

  /** getUVRetries (§6.5.5.3). */
  async getUvRetries(): Promise<number> {
    const res = await this.ctap.clientPin({ pinUvAuthProtocol: this.protocol.version, subCommand: ClientPinSubCommand.getUVRetries }, this.callOptions);
    if (res.uvRetries === undefined) throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', 'getUVRetries answer has no uvRetries');
    return res.uvRetries;
  }

  /** getKeyAgreement (§6.5.5.4) then encapsulate: what each PIN operation starts with. */
  async sharedSecret(): Promise<{ keyAgreement: CborMap; sharedSecret: Uint8Array }> {
    const res = await this.ctap.clientPin({ pinUvAuthProtocol: this.protocol.version, subCommand: ClientPinSubCommand.getKeyAgreement }, this.callOptions);
    if (!res.keyAgreement) throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', 'getKeyAgreement answer has no keyAgreement');
    return this.protocol.encapsulate(res.keyAgreement);
  }

  /**
   * setPIN (§6.5.5.5). A string is checked against the PIN policy (at least minPINLength code points,
   * at most 63 bytes of UTF-8) and padded to 64 bytes; bytes are sent padded as given, unchecked, for
   * policy checks on the device.
   */
  async setPin(pin: string | Uint8Array): Promise<void> {
    const newPin = this.paddedPin(pin);
    const { keyAgreement, sharedSecret } = await this.sharedSecret();
    const newPinEnc = this.protocol.encrypt(sharedSecret, newPin);
    await this.ctap.clientPin(
      {
        pinUvAuthProtocol: this.protocol.version,
        subCommand: ClientPinSubCommand.setPIN,
        keyAgreement,
        newPinEnc,
        pinUvAuthParam: this.protocol.authenticate(sharedSecret, newPinEnc),
      },
      this.callOptions,
    );
  }

  /** changePIN (§6.5.5.6). */
  async changePin(currentPin: string, newPin: string | Uint8Array): Promise<void> {
    const padded = this.paddedPin(newPin);
    const { keyAgreement, sharedSecret } = await this.sharedSecret();
    const newPinEnc = this.protocol.encrypt(sharedSecret, padded);
    const pinHashEnc = this.protocol.encrypt(sharedSecret, pinHash(currentPin));
    await this.ctap.clientPin(
      {
        pinUvAuthProtocol: this.protocol.version,
        subCommand: ClientPinSubCommand.changePIN,
        keyAgreement,
        pinHashEnc,
        newPinEnc,
        pinUvAuthParam: this.protocol.authenticate(sharedSecret, concat(newPinEnc, pinHashEnc)),
      },
      this.callOptions,
    );
  }

  /**
   * A pinUvAuthToken by PIN: getPinUvAuthTokenUsingPinWithPermissions (§6.5.5.7.2) when getInfo has the
   * pinUvAuthToken option, else the CTAP 2.0 getPINToken (§6.5.5.7.1, no permissions: all of mc/ga).
   */
  async getPinToken(pin: string, request: PinTokenRequest = {}): Promise<PinUvAuthTokenHandle> {
    const { keyAgreement, sharedSecret } = await this.sharedSecret();
    const pinHashEnc = this.protocol.encrypt(sharedSecret, pinHash(pin));
    const withPermissions = this.ctap.info?.options?.[CtapOption.pinUvAuthToken] === true;
    // getPINToken (CTAP 2.0) has no permissions: its token allows mc and ga (§6.5.5.7.1).
    const permissions = withPermissions ? (request.permissions ?? defaultPermissions(request.rpId)) : PinUvAuthPermission.mc | PinUvAuthPermission.ga;
    const res = await this.ctap.clientPin(
      withPermissions
        ? {
            pinUvAuthProtocol: this.protocol.version,
            subCommand: ClientPinSubCommand.getPinUvAuthTokenUsingPinWithPermissions,
            keyAgreement,
            pinHashEnc,
            permissions,
            rpId: request.rpId,
          }
        : { pinUvAuthProtocol: this.protocol.version, subCommand: ClientPinSubCommand.getPINToken, keyAgreement, pinHashEnc },
      this.callOptions,
    );
    return this.tokenFrom(res.pinUvAuthToken, sharedSecret, permissions, request.rpId);
  }

  /** getPinUvAuthTokenUsingUvWithPermissions (§6.5.5.7.3): built-in UV, no PIN. */
  async getUvToken(request: PinTokenRequest = {}): Promise<PinUvAuthTokenHandle> {
    const { keyAgreement, sharedSecret } = await this.sharedSecret();
    const permissions = request.permissions ?? defaultPermissions(request.rpId);
    const res = await this.ctap.clientPin(
      {
        pinUvAuthProtocol: this.protocol.version,
        subCommand: ClientPinSubCommand.getPinUvAuthTokenUsingUvWithPermissions,
        keyAgreement,
        permissions,
        rpId: request.rpId,
      },
      this.callOptions,
    );
    return this.tokenFrom(res.pinUvAuthToken, sharedSecret, permissions, request.rpId);
  }

  private tokenFrom(enc: Uint8Array | undefined, sharedSecret: Uint8Array, permissions: number, rpId?: string): PinUvAuthTokenHandle {
    if (!enc) throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', 'token answer has no pinUvAuthToken');
    const token = this.protocol.decrypt(sharedSecret, enc);
    // §6.5.5.7: protocol one tokens are 16 or 32 bytes, protocol two tokens 32.
    if (this.protocol.version === 2 ? token.length !== 32 : token.length !== 16 && token.length !== 32) {
      throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', `pinUvAuthToken of ${token.length} bytes for protocol ${this.protocol.version}`);
    }
    const handle: PinUvAuthTokenHandle = { token, protocol: this.protocol, permissions };
    if (rpId !== undefined) handle.rpId = rpId;
    return handle;
  }

  private paddedPin(pin: string | Uint8Array): Uint8Array {
    if (pin instanceof Uint8Array) {
      const out = new Uint8Array(Math.max(64, Math.ceil(pin.length / 16) * 16));
      out.set(pin);
      return out;
    }
    const bytes = Buffer.from(pin.normalize('NFC'), 'utf8');
    const min = this.ctap.info?.minPINLength ?? 4;
    if ([...pin.normalize('NFC')].length < min) {
      throw new ClientError('CLIENT_PIN_POLICY', 'NotAllowedError', `PIN shorter than the device's minimum of ${min} code points`);
    }
    if (bytes.length > 63) throw new ClientError('CLIENT_PIN_POLICY', 'NotAllowedError', 'PIN longer than 63 bytes of UTF-8');
    const out = new Uint8Array(64);
    out.set(bytes);
    return out;
  }
}

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

/** LEFT(SHA-256(pin), 16) (§6.5.5.6, §6.5.5.7). */
export function pinHash(pin: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(Buffer.from(pin.normalize('NFC'), 'utf8')).digest().subarray(0, 16));
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
