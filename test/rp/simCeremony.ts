import { sharedAttestationMaterial } from '../helpers/sim.ts';
// Test helper: the platform (client) role done by hand until harness/client lands. It turns the RP's
// options JSON into CTAP requests for the in-process simulator and wraps the answers as the JSON a browser
// would send (WebAuthn L3 §5.1.3 / §5.1.4 reduced to what the tests need; no PIN/UV token).
import { createHash } from 'node:crypto';
import {
  CtapCommand,
  buildAttestationObject,
  decodeCbor,
  decodeGetAssertionResponse,
  decodeMakeCredentialResponse,
  encodeCanonicalCbor,
  encodeGetAssertionRequest,
  encodeMakeCredentialRequest,
  formatCtapStatus,
  parseAuthenticatorData,
} from '../../harness/protocol/index.ts';
import { Authenticator } from '../../authenticator-sim/index.ts';

const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const fromB64u = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));


export async function newSimulator(options: Parameters<typeof Authenticator.create>[0] = {}): Promise<Authenticator> {
  return Authenticator.create({ attestationMaterial: await sharedAttestationMaterial(), allowResetAnytime: true, ...options });
}

export interface ClientDataOverrides {
  type?: string;
  challenge?: string;
  origin?: string;
  crossOrigin?: boolean;
  /** replace the whole clientDataJSON text */
  raw?: string;
}

function clientDataJSON(type: string, challenge: string, origin: string, o: ClientDataOverrides = {}): Uint8Array {
  if (o.raw !== undefined) return new TextEncoder().encode(o.raw);
  const cd: Record<string, unknown> = { type: o.type ?? type, challenge: o.challenge ?? challenge, origin: o.origin ?? origin };
  cd.crossOrigin = o.crossOrigin ?? false;
  return new TextEncoder().encode(JSON.stringify(cd));
}

export class SimCtapError extends Error {
  constructor(readonly status: number) {
    super(`simulator answered ${formatCtapStatus(status)}`);
  }
}

/** navigator.credentials.create() against the simulator: options JSON in, RegistrationResponseJSON out. */
export async function simRegister(
  sim: Authenticator,
  options: any,
  origin: string,
  overrides: { clientData?: ClientDataOverrides; rpId?: string } = {},
): Promise<any> {
  const cdj = clientDataJSON('webauthn.create', options.challenge, origin, overrides.clientData);
  const rk = options.authenticatorSelection?.residentKey === 'required' || options.authenticatorSelection?.requireResidentKey === true;
  const req = {
    clientDataHash: new Uint8Array(createHash('sha256').update(cdj).digest()),
    rp: { id: overrides.rpId ?? options.rp.id, name: options.rp.name },
    user: { id: fromB64u(options.user.id), name: options.user.name, displayName: options.user.displayName },
    pubKeyCredParams: options.pubKeyCredParams.map((p: any) => ({ type: p.type, alg: p.alg })),
    ...(options.excludeCredentials?.length ? { excludeList: options.excludeCredentials.map((d: any) => ({ type: 'public-key', id: fromB64u(d.id) })) } : {}),
    ...(rk ? { options: new Map([['rk', true]]) } : {}),
  };
  const { status, payload } = await sim.handleCbor(CtapCommand.authenticatorMakeCredential, encodeCanonicalCbor(encodeMakeCredentialRequest(req)));
  if (status !== 0) throw new SimCtapError(status);
  const res = decodeMakeCredentialResponse(decodeCbor(payload).value);
  const credentialId = parseAuthenticatorData(res.authData).attestedCredentialData!.credentialId;
  // attestation "none" asks the client to replace the statement (WebAuthn L3 §5.4.7); tests mostly ask direct
  const attObj = buildAttestationObject(res.fmt, res.authData, res.attStmt);
  return {
    id: b64u(credentialId),
    rawId: b64u(credentialId),
    type: 'public-key',
    response: { clientDataJSON: b64u(cdj), attestationObject: b64u(attObj), transports: ['usb'] },
    clientExtensionResults: rk ? { credProps: { rk: true } } : {},
  };
}

/** navigator.credentials.get() against the simulator: options JSON in, AuthenticationResponseJSON out. */
export async function simAuthenticate(
  sim: Authenticator,
  options: any,
  origin: string,
  overrides: { clientData?: ClientDataOverrides; rpId?: string } = {},
): Promise<any> {
  const cdj = clientDataJSON('webauthn.get', options.challenge, origin, overrides.clientData);
  const req = {
    rpId: overrides.rpId ?? options.rpId,
    clientDataHash: new Uint8Array(createHash('sha256').update(cdj).digest()),
    ...(options.allowCredentials?.length ? { allowList: options.allowCredentials.map((d: any) => ({ type: 'public-key', id: fromB64u(d.id) })) } : {}),
  };
  const { status, payload } = await sim.handleCbor(CtapCommand.authenticatorGetAssertion, encodeCanonicalCbor(encodeGetAssertionRequest(req)));
  if (status !== 0) throw new SimCtapError(status);
  const res = decodeGetAssertionResponse(decodeCbor(payload).value);
  return {
    id: b64u(res.credential.id),
    rawId: b64u(res.credential.id),
    type: 'public-key',
    response: {
      clientDataJSON: b64u(cdj),
      authenticatorData: b64u(res.authData),
      signature: b64u(res.signature),
      ...(res.user ? { userHandle: b64u(res.user.id) } : {}),
    },
    clientExtensionResults: {},
  };
}

/** A cookie-keeping wrapper around app.request(), standing in for one browser session. */
export class TestSession {
  private cookie: string | undefined;
  constructor(private readonly app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> }) {}

  async post(path: string, body: unknown, init: { raw?: string; contentType?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; json: any; headers: Headers }> {
    const res = await this.app.request(path, {
      method: 'POST',
      headers: { 'Content-Type': init.contentType ?? 'application/json', ...(this.cookie ? { Cookie: this.cookie } : {}), ...init.headers },
      body: init.raw ?? JSON.stringify(body),
    });
    return this.finish(res);
  }

  async get(path: string): Promise<{ status: number; json: any; headers: Headers }> {
    return this.finish(await this.app.request(path, { headers: this.cookie ? { Cookie: this.cookie } : {} }));
  }

  private async finish(res: Response) {
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, json, headers: res.headers };
  }
}
