import type {
  AuthenticationResponseJSON,
  AuthenticatorTransport,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialDescriptorJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import {
  buildAttestationObject,
  coseToPublicKey,
  CtapOption,
  CtapExtension,
  parseAuthenticatorData,
  PinUvAuthPermission,
  PUBLIC_KEY,
  type AuthenticatorData,
  type AuthenticatorInfo,
  type CborMap,
  type CborValue,
  type CredentialDescriptor,
  type GetAssertionRequest,
  type GetAssertionResponse,
  type MakeCredentialRequest,
  type MakeCredentialResponse,
} from '../protocol/index.ts';
import type { Ctap2, CtapCallOptions } from '../ctap/index.ts';
import { fromBase64url, toBase64url } from './base64url.ts';
import { buildClientData } from './clientData.ts';
import { ClientError } from './ClientError.ts';
import { ClientPin, type PinUvAuthTokenHandle } from './ClientPin.ts';
import {
  hmacSecretInput,
  hmacSecretOutput,
  hmacSecretSalts,
  makeCredentialExtensions,
  wantsLargeBlobKey,
  type ClientExtensionInputsJSON,
  type ClientExtensionOutputsJSON,
} from './extensions.ts';
import { choosePinUvAuthProtocol, pinUvAuthProtocol, type ClientPinUvAuthProtocol } from './pinUvAuthProtocol.ts';
import { LargeBlobs } from './LargeBlobs.ts';

/** Creation options in WebAuthn L3's JSON form (as @simplewebauthn/server generates them), our extension inputs. */
export type CreationOptionsJSON = Omit<PublicKeyCredentialCreationOptionsJSON, 'extensions'> & { extensions?: ClientExtensionInputsJSON };
export type RequestOptionsJSON = Omit<PublicKeyCredentialRequestOptionsJSON, 'extensions'> & { extensions?: ClientExtensionInputsJSON };

export interface WebAuthnClientOptions {
  ctap: Ctap2;
  /** the calling page's origin, e.g. "https://example.com" (WebAuthn L3 §5.8.1 origin) */
  origin: string;
  crossOrigin?: boolean;
  topOrigin?: string;
  /** the PIN when the device asks for one: a string, or asked for when needed */
  pin?: string | (() => Promise<string>);
  /** force a PIN/UV auth protocol; default: the device's first (CTAP 2.1 §6.4 order of preference) */
  pinUvAuthProtocol?: 1 | 2;
  /** per-command timeout, keepalive callback, cancellation */
  call?: CtapCallOptions;
  /** choose among several discoverable credentials (default the first, as a one-touch platform does) */
  selectAssertion?: (candidates: GetAssertionResponse[]) => number;
  random?: (n: number) => Uint8Array;
}

export interface RegistrationResult {
  credential: RegistrationResponseJSON & { clientExtensionResults: ClientExtensionOutputsJSON };
  clientDataJSON: string;
  request: MakeCredentialRequest;
  response: MakeCredentialResponse;
  authenticatorData: AuthenticatorData;
  /** whether UV was done by token (pinUvAuthParam), by the uv option, or not at all */
  userVerification: 'pinUvAuthToken' | 'uv-option' | 'none';
}

export interface AuthenticationResult {
  credential: AuthenticationResponseJSON & { clientExtensionResults: ClientExtensionOutputsJSON };
  clientDataJSON: string;
  request: GetAssertionRequest;
  /** the assertion used */
  response: GetAssertionResponse;
  /** every assertion read (getAssertion + getNextAssertion), for checks on discoverable credentials */
  responses: GetAssertionResponse[];
  authenticatorData: AuthenticatorData;
  userVerification: 'pinUvAuthToken' | 'uv-option' | 'none';
}

type UvPlan = { kind: 'none' } | { kind: 'uv-option' } | { kind: 'token'; handle: PinUvAuthTokenHandle };

/**
 * The WebAuthn client (platform) role over a CTAP2 device: options in JSON form in, a response JSON that
 * a relying party (@simplewebauthn/server) verifies out. Implements WebAuthn L3 §5.1.3 / §5.1.4 for one
 * roaming authenticator, with CTAP 2.1 §6.1.1 / §6.2.1 for PIN/UV and the §12 extensions.
 */
export class WebAuthnClient {
  readonly ctap: Ctap2;
  private readonly opts: WebAuthnClientOptions;

  constructor(options: WebAuthnClientOptions) {
    this.ctap = options.ctap;
    this.opts = options;
  }

  private async info(): Promise<AuthenticatorInfo> {
    return this.ctap.info ?? (await this.ctap.getInfo(this.opts.call));
  }

  private protocol(info: AuthenticatorInfo): ClientPinUvAuthProtocol {
    return this.opts.pinUvAuthProtocol ? pinUvAuthProtocol(this.opts.pinUvAuthProtocol, this.opts.random) : choosePinUvAuthProtocol(info.pinUvAuthProtocols, this.opts.random);
  }

  /** navigator.credentials.create() (WebAuthn L3 §5.1.3). */
  async create(options: CreationOptionsJSON, call: CtapCallOptions = {}): Promise<RegistrationResult> {
    const info = await this.info();
    const rpId = this.checkRpId(options.rp.id);
    const clientData = buildClientData({ type: 'webauthn.create', challenge: options.challenge, origin: this.opts.origin, crossOrigin: this.opts.crossOrigin ?? false, ...(this.opts.topOrigin ? { topOrigin: this.opts.topOrigin } : {}) });
    const params = (options.pubKeyCredParams ?? []).filter((p) => p.type === PUBLIC_KEY).map((p) => ({ type: PUBLIC_KEY, alg: p.alg }));
    if (params.length === 0) throw new ClientError('CLIENT_BAD_OPTIONS', 'NotSupportedError', 'no public-key entry in pubKeyCredParams');
    const sel = options.authenticatorSelection ?? {};
    const residentKey = sel.residentKey ?? (sel.requireResidentKey ? 'required' : 'discouraged');
    const rkAvailable = info.options?.[CtapOption.rk] === true;
    if (residentKey === 'required' && !rkAvailable) {
      throw new ClientError('CLIENT_EXTENSION_UNSUPPORTED', 'NotAllowedError', 'residentKey required but the device has no rk option');
    }
    const rk = residentKey === 'required' || (residentKey === 'preferred' && rkAvailable);
    const uv = await this.planUv(info, sel.userVerification ?? 'preferred', 'mc', rpId, rk);
    const options7 = new Map<string, boolean>();
    if (rk) options7.set('rk', true);
    if (uv.kind === 'uv-option') options7.set('uv', true);
    const extensions = makeCredentialExtensions(options.extensions, info) ?? new Map<CborValue, CborValue>();
    if (wantsLargeBlobKey(options.extensions, info, 'create')) extensions.set(CtapExtension.largeBlobKey, true);
    const request: MakeCredentialRequest = {
      clientDataHash: clientData.hash,
      rp: { id: rpId, ...(options.rp.name !== undefined ? { name: options.rp.name } : {}) },
      user: {
        id: fromBase64url(options.user.id, 'user.id'),
        name: options.user.name,
        displayName: options.user.displayName,
      },
      pubKeyCredParams: params,
    };
    if (options.excludeCredentials?.length) request.excludeList = options.excludeCredentials.map(descriptor);
    if (extensions.size > 0) request.extensions = extensions;
    if (options7.size > 0) request.options = options7;
    if (uv.kind === 'token') {
      request.pinUvAuthParam = uv.handle.protocol.authenticate(uv.handle.token, clientData.hash);
      request.pinUvAuthProtocol = uv.handle.protocol.version;
    }
    const response = await this.ctap.makeCredential(request, this.callOptions(call));
    let authData: AuthenticatorData;
    try {
      authData = parseAuthenticatorData(response.authData);
    } catch (err) {
      throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', `makeCredential authData: ${(err as Error).message}`, { cause: err });
    }
    const acd = authData.attestedCredentialData;
    if (!acd) throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', 'makeCredential authData has no attested credential data');
    const attestationObject = buildAttestationObject(response.fmt, response.authData, response.attStmt);
    const ext = authData.extensions;
    const results: ClientExtensionOutputsJSON = {};
    const inputs = options.extensions;
    if (inputs?.credProps) results.credProps = { rk };
    if (inputs?.prf) results.prf = { enabled: ext?.get(CtapExtension.hmacSecret) === true };
    if (inputs?.hmacCreateSecret) results.hmacCreateSecret = ext?.get(CtapExtension.hmacSecret) === true;
    if (inputs?.credBlob !== undefined) results.credBlob = ext?.get(CtapExtension.credBlob) === true;
    if (inputs?.largeBlob) results.largeBlob = { supported: response.largeBlobKey !== undefined };
    let publicKey: string | undefined;
    let publicKeyAlgorithm: number | undefined;
    try {
      publicKey = toBase64url(new Uint8Array(coseToPublicKey(acd.credentialPublicKey).export({ type: 'spki', format: 'der' })));
      const alg = acd.credentialPublicKey.get(3);
      if (typeof alg === 'number') publicKeyAlgorithm = alg;
    } catch {
      // WebAuthn L3 §5.2.1.1: getPublicKey() is null for an algorithm the client does not know.
    }
    const id = toBase64url(acd.credentialId);
    const credential: RegistrationResult['credential'] = {
      id,
      rawId: id,
      type: 'public-key',
      authenticatorAttachment: 'cross-platform',
      response: {
        clientDataJSON: toBase64url(clientData.bytes),
        attestationObject: toBase64url(attestationObject),
        authenticatorData: toBase64url(response.authData),
        transports: (info.transports ?? ['usb']) as AuthenticatorTransport[],
        ...(publicKey ? { publicKey } : {}),
        ...(publicKeyAlgorithm !== undefined ? { publicKeyAlgorithm } : {}),
      },
      clientExtensionResults: results as RegistrationResult['credential']['clientExtensionResults'],
    };
    return { credential, clientDataJSON: clientData.json, request, response, authenticatorData: authData, userVerification: uv.kind === 'token' ? 'pinUvAuthToken' : uv.kind };
  }

  /** navigator.credentials.get() (WebAuthn L3 §5.1.4). */
  async get(options: RequestOptionsJSON, call: CtapCallOptions = {}): Promise<AuthenticationResult> {
    const info = await this.info();
    const rpId = this.checkRpId(options.rpId);
    const clientData = buildClientData({ type: 'webauthn.get', challenge: options.challenge, origin: this.opts.origin, crossOrigin: this.opts.crossOrigin ?? false, ...(this.opts.topOrigin ? { topOrigin: this.opts.topOrigin } : {}) });
    const uv = await this.planUv(info, options.userVerification ?? 'preferred', 'ga', rpId, false);
    const request: GetAssertionRequest = { rpId, clientDataHash: clientData.hash };
    const allow = options.allowCredentials ?? [];
    if (allow.length > 0) request.allowList = allow.map(descriptor);
    const extensions: CborMap = new Map<CborValue, CborValue>();
    const inputs = options.extensions;
    const salts = hmacSecretSalts(inputs, allow.map((c) => c.id));
    let hmac: { protocol: ClientPinUvAuthProtocol; sharedSecret: Uint8Array; two: boolean; via: 'prf' | 'hmacGetSecret' } | undefined;
    if (salts && info.extensions?.includes(CtapExtension.hmacSecret)) {
      // CTAP 2.1 §12.5: the platform gets the authenticator's key agreement key and encapsulates.
      const protocol = uv.kind === 'token' ? uv.handle.protocol : this.protocol(info);
      const { keyAgreement, sharedSecret } = await new ClientPin(this.ctap, protocol, this.callOptions(call)).sharedSecret();
      extensions.set(CtapExtension.hmacSecret, hmacSecretInput(protocol, keyAgreement, sharedSecret, salts));
      hmac = { protocol, sharedSecret, two: salts.salt2 !== undefined, via: salts.via };
    }
    if (inputs?.getCredBlob && info.extensions?.includes(CtapExtension.credBlob)) extensions.set(CtapExtension.credBlob, true);
    if (wantsLargeBlobKey(inputs, info, 'get')) extensions.set(CtapExtension.largeBlobKey, true);
    if (extensions.size > 0) request.extensions = extensions;
    if (uv.kind === 'uv-option') request.options = new Map([['uv', true]]);
    if (uv.kind === 'token') {
      request.pinUvAuthParam = uv.handle.protocol.authenticate(uv.handle.token, clientData.hash);
      request.pinUvAuthProtocol = uv.handle.protocol.version;
    }
    const first = await this.ctap.getAssertion(request, this.callOptions(call));
    const responses = [first];
    // CTAP 2.1 §6.2.2: without an allowList, numberOfCredentials tells how many getNextAssertion give.
    const n = Math.min(first.numberOfCredentials ?? 1, 100);
    for (let i = 1; i < n; i++) responses.push(await this.ctap.getNextAssertion(this.callOptions(call)));
    const index = responses.length > 1 && this.opts.selectAssertion ? this.opts.selectAssertion(responses) : 0;
    const response = responses[index];
    if (!response) throw new ClientError('CLIENT_BAD_OPTIONS', 'TypeError', `selectAssertion chose ${index} of ${responses.length}`);
    let authData: AuthenticatorData;
    try {
      authData = parseAuthenticatorData(response.authData);
    } catch (err) {
      throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', `getAssertion authData: ${(err as Error).message}`, { cause: err });
    }
    const results: ClientExtensionOutputsJSON = {};
    const ext = authData.extensions;
    if (hmac) {
      const enc = ext?.get(CtapExtension.hmacSecret);
      if (enc instanceof Uint8Array) {
        const out = hmacSecretOutput(hmac.protocol, hmac.sharedSecret, enc, hmac.two);
        if (hmac.via === 'prf') results.prf = { results: { first: toBase64url(out.output1), ...(out.output2 ? { second: toBase64url(out.output2) } : {}) } };
        else results.hmacGetSecret = { output1: toBase64url(out.output1), ...(out.output2 ? { output2: toBase64url(out.output2) } : {}) };
      } else if (hmac.via === 'prf') {
        results.prf = {};
      }
    }
    if (inputs?.getCredBlob) {
      const blob = ext?.get(CtapExtension.credBlob);
      results.getCredBlob = toBase64url(blob instanceof Uint8Array ? blob : new Uint8Array(0));
    }
    if (inputs?.largeBlob && (inputs.largeBlob.read || inputs.largeBlob.write !== undefined)) {
      results.largeBlob = await this.largeBlob(inputs.largeBlob, response.largeBlobKey, info, call);
    }
    const id = toBase64url(response.credential.id);
    const credential: AuthenticationResult['credential'] = {
      id,
      rawId: id,
      type: 'public-key',
      authenticatorAttachment: 'cross-platform',
      response: {
        clientDataJSON: toBase64url(clientData.bytes),
        authenticatorData: toBase64url(response.authData),
        signature: toBase64url(response.signature),
        ...(response.user ? { userHandle: toBase64url(response.user.id) } : {}),
      },
      clientExtensionResults: results as AuthenticationResult['credential']['clientExtensionResults'],
    };
    return { credential, clientDataJSON: clientData.json, request, response, responses, authenticatorData: authData, userVerification: uv.kind === 'token' ? 'pinUvAuthToken' : uv.kind };
  }

  /** largeBlob read/write after an assertion (WebAuthn L3 §10.1.5, CTAP 2.1 §6.10). */
  private async largeBlob(
    input: NonNullable<ClientExtensionInputsJSON['largeBlob']>,
    key: Uint8Array | undefined,
    info: AuthenticatorInfo,
    call: CtapCallOptions,
  ): Promise<NonNullable<ClientExtensionOutputsJSON['largeBlob']>> {
    if (!key) return input.read ? {} : { written: false };
    const blobs = new LargeBlobs(this.ctap, this.callOptions(call));
    if (input.read) {
      const blob = await blobs.readBlob(key);
      return blob ? { blob: toBase64url(blob) } : {};
    }
    const data = fromBase64url(input.write!, 'largeBlob.write');
    const token = await this.acquireToken(info, PinUvAuthPermission.lbw, undefined);
    if (!token) return { written: false };
    await blobs.writeBlob(key, data, token);
    return { written: true };
  }

  /**
   * Decides how user verification is done (CTAP 2.1 §6.1.1 / §6.2.1 platform steps, WebAuthn L3
   * §6.3.2): built-in UV by token when the device has pinUvAuthToken, else the uv option; else PIN.
   * UV is done when the RP requires it, prefers it and the device can, or the device demands it (alwaysUv;
   * makeCredential of a discoverable credential, or without makeCredUvNotRqd, on a protected device).
   */
  private async planUv(info: AuthenticatorInfo, requirement: string, op: 'mc' | 'ga', rpId: string, rk: boolean): Promise<UvPlan> {
    const o = info.options ?? {};
    const builtInUv = o[CtapOption.uv] === true;
    const pinSet = o[CtapOption.clientPin] === true;
    const protectedDevice = builtInUv || pinSet;
    let need = requirement === 'required' || (requirement === 'preferred' && protectedDevice);
    if (protectedDevice && o[CtapOption.alwaysUv] === true) need = true;
    if (op === 'mc' && protectedDevice && (rk || o[CtapOption.makeCredUvNotRqd] !== true)) need = true;
    if (!need) return { kind: 'none' };
    if (!protectedDevice) {
      throw new ClientError('CLIENT_UV_UNAVAILABLE', 'NotAllowedError', 'user verification required; the device has neither built-in UV nor a PIN set');
    }
    const permission = op === 'mc' ? PinUvAuthPermission.mc : PinUvAuthPermission.ga;
    if (builtInUv && o[CtapOption.pinUvAuthToken] !== true) return { kind: 'uv-option' };
    const handle = await this.acquireToken(info, permission, rpId);
    if (!handle) throw new ClientError('CLIENT_PIN_REQUIRED', 'NotAllowedError', 'the device needs its PIN and the client was given none');
    return { kind: 'token', handle };
  }

  /** A token with `permission`: by built-in UV when offered, else by PIN; undefined without a PIN. */
  private async acquireToken(info: AuthenticatorInfo, permission: number, rpId: string | undefined): Promise<PinUvAuthTokenHandle | undefined> {
    const o = info.options ?? {};
    const pin = new ClientPin(this.ctap, this.protocol(info), this.opts.call);
    const request = rpId !== undefined ? { permissions: permission, rpId } : { permissions: permission };
    if (o[CtapOption.uv] === true && o[CtapOption.pinUvAuthToken] === true) return pin.getUvToken(request);
    if (o[CtapOption.clientPin] !== true || this.opts.pin === undefined) return undefined;
    const value = typeof this.opts.pin === 'string' ? this.opts.pin : await this.opts.pin();
    return pin.getPinToken(value, request);
  }

  private callOptions(call: CtapCallOptions): CtapCallOptions {
    return { ...this.opts.call, ...call };
  }

  /**
   * WebAuthn L3 §5.1.3 step 8 / §5.1.4 step 8: the RP ID is the origin's effective domain or a
   * registrable suffix of it; default the origin's host. (Public-suffix checks are left to the RP tests.)
   */
  private checkRpId(rpId: string | undefined): string {
    let host: string;
    try {
      host = new URL(this.opts.origin).hostname;
    } catch {
      throw new ClientError('CLIENT_BAD_OPTIONS', 'SecurityError', `origin ${this.opts.origin} is not a URL`);
    }
    const id = rpId ?? host;
    if (host !== id && !host.endsWith(`.${id}`)) {
      throw new ClientError('CLIENT_RP_ID_MISMATCH', 'SecurityError', `RP ID ${id} is not ${host} or a suffix of it`);
    }
    return id;
  }
}

function descriptor(d: PublicKeyCredentialDescriptorJSON): CredentialDescriptor {
  const out: CredentialDescriptor = { type: d.type ?? PUBLIC_KEY, id: fromBase64url(d.id, 'credential id') };
  if (d.transports?.length) out.transports = [...d.transports];
  return out;
}
