import { sharedAttestationMaterial } from './sim.ts';
/**
 * Drives the simulator's PIN/UV features from the platform side for the tests in test/sim/pin*.test.ts:
 * one in-process Authenticator with a manual clock, scripted touches and memory storage, plus the
 * independent client-side PIN protocols of pinClient.ts.
 */
import {
  Authenticator,
  ManualClock,
  MemoryStorage,
  type AuthenticatorOptions,
  type UserPresence,
  type UserPresenceOutcome,
  type UserPresenceRequest,
} from '../../authenticator-sim/index.ts';
import {
  ClientPinSubCommand,
  CtapCommand,
  decodeCbor,
  encodeCanonicalCbor,
  encodeMakeCredentialRequest,
  encodeGetAssertionRequest,
  parseAuthenticatorData,
  type CborMap,
  type CredentialDescriptor,
} from '../../harness/protocol/index.ts';
import { padPin, pinHashLeft16, PinClientSession, sha256Bytes, tokenAuthenticate, type PinProtocolVersion } from './pinClient.ts';


export class Touches implements UserPresence {
  readonly requests: UserPresenceRequest[] = [];
  readonly answers: UserPresenceOutcome[] = [];
  async request(req: UserPresenceRequest): Promise<UserPresenceOutcome> {
    this.requests.push(req);
    return this.answers.shift() ?? 'approved';
  }
}

export interface Answer {
  status: number;
  body: CborMap | undefined;
}

export const CDH = sha256Bytes('client data for pin tests');

export interface Token {
  version: PinProtocolVersion;
  token: Uint8Array;
}

export class PinDriver {
  private constructor(
    readonly a: Authenticator,
    readonly clock: ManualClock,
    readonly touches: Touches,
    readonly storage: MemoryStorage,
  ) {}

  static async create(options: AuthenticatorOptions = {}): Promise<PinDriver> {
    const clock = new ManualClock();
    const touches = new Touches();
    const storage = (options.storage as MemoryStorage | undefined) ?? new MemoryStorage();
    const a = await Authenticator.create({
      clock,
      userPresence: touches,
      storage,
      allowResetAnytime: true,
      attestationMaterial: await sharedAttestationMaterial(),
      ...options,
    });
    return new PinDriver(a, clock, touches, storage);
  }

  async call(command: number, params?: unknown): Promise<Answer> {
    const payload = params === undefined ? new Uint8Array(0) : encodeCanonicalCbor(params);
    const r = await this.a.handleCbor(command, payload);
    const body = r.payload.length ? (decodeCbor(r.payload).value as CborMap) : undefined;
    return { status: r.status, body };
  }

  clientPin(params: Record<number, unknown>): Promise<Answer> {
    return this.call(CtapCommand.authenticatorClientPIN, new Map(Object.entries(params).map(([k, v]) => [Number(k), v])));
  }

  async session(version: PinProtocolVersion): Promise<PinClientSession> {
    const r = await this.clientPin({ 1: version, 2: ClientPinSubCommand.getKeyAgreement });
    if (r.status !== 0) throw new Error(`getKeyAgreement answered 0x${r.status.toString(16)}`);
    return new PinClientSession(version, r.body!.get(1) as Map<unknown, unknown>);
  }

  async setPin(version: PinProtocolVersion, pin: string | Uint8Array): Promise<number> {
    const s = await this.session(version);
    const newPinEnc = s.encrypt(padPin(pin));
    return (await this.clientPin({ 1: version, 2: ClientPinSubCommand.setPIN, 3: s.platformKey, 4: s.authenticate(newPinEnc), 5: newPinEnc })).status;
  }

  async changePin(version: PinProtocolVersion, current: string, next: string): Promise<number> {
    const s = await this.session(version);
    const newPinEnc = s.encrypt(padPin(next));
    const pinHashEnc = s.encrypt(pinHashLeft16(current));
    const param = s.authenticate(new Uint8Array(Buffer.concat([newPinEnc, pinHashEnc])));
    return (
      await this.clientPin({ 1: version, 2: ClientPinSubCommand.changePIN, 3: s.platformKey, 4: param, 5: newPinEnc, 6: pinHashEnc })
    ).status;
  }

  /** getPinUvAuthTokenUsingPinWithPermissions (or getPINToken when permissions is undefined). */
  async token(
    version: PinProtocolVersion,
    pin: string,
    permissions?: number,
    rpId?: string,
  ): Promise<{ status: number; token?: Token }> {
    const s = await this.session(version);
    const params: Record<number, unknown> = {
      1: version,
      2: permissions === undefined ? ClientPinSubCommand.getPINToken : ClientPinSubCommand.getPinUvAuthTokenUsingPinWithPermissions,
      3: s.platformKey,
      6: s.encrypt(pinHashLeft16(pin)),
    };
    if (permissions !== undefined) params[9] = permissions;
    if (rpId !== undefined) params[10] = rpId;
    const r = await this.clientPin(params);
    if (r.status !== 0) return { status: r.status };
    return { status: 0, token: { version, token: s.decrypt(r.body!.get(2) as Uint8Array) } };
  }

  async pinRetries(): Promise<{ retries: number; powerCycleState: boolean | undefined }> {
    const r = await this.clientPin({ 2: ClientPinSubCommand.getPINRetries });
    return { retries: r.body!.get(3) as number, powerCycleState: r.body!.get(4) as boolean | undefined };
  }

  async makeCredential(o: {
    rpId?: string;
    userId?: Uint8Array;
    userName?: string;
    rk?: boolean;
    uv?: boolean;
    token?: Token;
    param?: Uint8Array;
    protocol?: number;
    extensions?: Map<string, unknown>;
    enterpriseAttestation?: number;
    excludeList?: CredentialDescriptor[];
  } = {}): Promise<Answer & { authData?: ReturnType<typeof parseAuthenticatorData> }> {
    const options = new Map<string, boolean>();
    if (o.rk !== undefined) options.set('rk', o.rk);
    if (o.uv !== undefined) options.set('uv', o.uv);
    const params = encodeMakeCredentialRequest({
      clientDataHash: CDH,
      rp: { id: o.rpId ?? 'example.com', name: 'Example' },
      user: { id: o.userId ?? Uint8Array.of(1, 2, 3, 4), name: o.userName ?? 'alice', displayName: 'Alice' },
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
      ...(o.excludeList ? { excludeList: o.excludeList } : {}),
      ...(options.size ? { options } : {}),
      ...(o.extensions ? { extensions: o.extensions as CborMap } : {}),
      ...(o.token ? { pinUvAuthParam: tokenAuthenticate(o.token.version, o.token.token, CDH), pinUvAuthProtocol: o.token.version } : {}),
      ...(o.param ? { pinUvAuthParam: o.param } : {}),
      ...(o.protocol !== undefined ? { pinUvAuthProtocol: o.protocol } : {}),
      ...(o.enterpriseAttestation !== undefined ? { enterpriseAttestation: o.enterpriseAttestation } : {}),
    });
    const r = await this.call(CtapCommand.authenticatorMakeCredential, params);
    return r.status === 0 ? { ...r, authData: parseAuthenticatorData(r.body!.get(2) as Uint8Array) } : r;
  }

  async getAssertion(o: {
    rpId?: string;
    allowList?: CredentialDescriptor[];
    up?: boolean;
    uv?: boolean;
    token?: Token;
    param?: Uint8Array;
    protocol?: number;
    extensions?: Map<string, unknown>;
  } = {}): Promise<Answer & { authData?: ReturnType<typeof parseAuthenticatorData> }> {
    const options = new Map<string, boolean>();
    if (o.up !== undefined) options.set('up', o.up);
    if (o.uv !== undefined) options.set('uv', o.uv);
    const params = encodeGetAssertionRequest({
      rpId: o.rpId ?? 'example.com',
      clientDataHash: CDH,
      ...(o.allowList ? { allowList: o.allowList } : {}),
      ...(options.size ? { options } : {}),
      ...(o.extensions ? { extensions: o.extensions as CborMap } : {}),
      ...(o.token ? { pinUvAuthParam: tokenAuthenticate(o.token.version, o.token.token, CDH), pinUvAuthProtocol: o.token.version } : {}),
      ...(o.param ? { pinUvAuthParam: o.param } : {}),
      ...(o.protocol !== undefined ? { pinUvAuthProtocol: o.protocol } : {}),
    });
    const r = await this.call(CtapCommand.authenticatorGetAssertion, params);
    return r.status === 0 ? { ...r, authData: parseAuthenticatorData(r.body!.get(2) as Uint8Array) } : r;
  }

  async info(): Promise<CborMap> {
    return (await this.call(CtapCommand.authenticatorGetInfo)).body!;
  }
}

export const PROTOCOLS: PinProtocolVersion[] = [1, 2];
