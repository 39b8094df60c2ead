import { createRpApp, type RpApp } from '../../rp/index.ts';
import { WebAuthnClient, type CreationOptionsJSON, type RequestOptionsJSON } from '../../client/index.ts';
import { CheckFailed } from '../../runner/Check.ts';
import type { SuiteContext } from '../SuiteContext.ts';

/** The RP the webauthn suite runs ceremonies against: in-process, through the FIDO conformance API. */
export const WEBAUTHN_ORIGIN = 'https://webauthn.fido-harness.test';
export const WEBAUTHN_RP_ID = 'webauthn.fido-harness.test';

export interface Ceremonies {
  rp: RpApp;
  client: WebAuthnClient;
  /** POST to the conformance API; a failed status is the check's failure, with the RP's reason */
  post(path: string, body: unknown): Promise<Record<string, unknown>>;
}

export function ceremonies(ctx: SuiteContext): Ceremonies {
  const rp = createRpApp({
    origin: WEBAUTHN_ORIGIN,
    rpId: WEBAUTHN_RP_ID,
    rpName: 'fido-harness webauthn suite',
    ...(ctx.options.mds ? { mds: ctx.options.mds.store } : {}),
  });
  const client = new WebAuthnClient({ ctap: ctx.ctap2, origin: WEBAUTHN_ORIGIN, pin: ctx.pin });
  return {
    rp,
    client,
    async post(path, body) {
      const res = await rp.app.request(`/conformance${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as Record<string, unknown>;
      if (res.status !== 200 || json.status !== 'ok') {
        throw new CheckFailed(`the relying party refused ${path}: HTTP ${res.status} ${String(json.errorMessage ?? '')}`, {
          actual: JSON.stringify(json).slice(0, 2000),
        });
      }
      return json;
    },
  };
}

/** Entra ID's registration profile (MICROSOFT-ENTRA.md; Graph creationOptions): rk, UV required, direct, ES256. */
export const ENTRA_SELECTION = { requireResidentKey: true, residentKey: 'required', userVerification: 'required' } as const;

export async function register(
  c: Ceremonies,
  username: string,
  selection: Record<string, unknown>,
  attestation: 'none' | 'direct',
  es256Only = false,
) {
  const options = await c.post('/attestation/options', { username, displayName: username, authenticatorSelection: selection, attestation });
  const creation = stripStatus(options) as unknown as CreationOptionsJSON;
  if (es256Only) creation.pubKeyCredParams = [{ type: 'public-key', alg: -7 }];
  const result = await c.client.create(creation);
  await c.post('/attestation/result', result.credential);
  return result;
}

export async function authenticate(c: Ceremonies, username: string | undefined, userVerification: 'required' | 'preferred' | 'discouraged') {
  const options = await c.post('/assertion/options', { ...(username ? { username } : {}), userVerification });
  const request = stripStatus(options) as unknown as RequestOptionsJSON;
  const result = await c.client.get(request);
  await c.post('/assertion/result', result.credential);
  return result;
}

/**
 * A discoverable sign-in (empty allowCredentials) through the page's API, which binds the ceremony to a
 * session cookie; the conformance API always names a user.
 */
export async function discoverableSignIn(c: Ceremonies, userVerification: 'required' | 'preferred' | 'discouraged') {
  const call = async (path: string, body: unknown, cookie?: string) => {
    const res = await c.rp.app.request(`/api/authentication${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status !== 200 || json.status !== 'ok') {
      throw new CheckFailed(`the relying party refused ${path}: HTTP ${res.status} ${String(json.errorMessage ?? '')}`);
    }
    return { json, cookie: res.headers.get('set-cookie')?.split(';')[0] ?? cookie };
  };
  const started = await call('/options', { userVerification });
  const result = await c.client.get(started.json.options as RequestOptionsJSON);
  await call('/verify', { ceremonyId: started.json.ceremonyId, response: result.credential }, started.cookie);
  return result;
}

function stripStatus(o: Record<string, unknown>): Record<string, unknown> {
  const { status: _s, errorMessage: _e, ...rest } = o;
  return rest;
}
