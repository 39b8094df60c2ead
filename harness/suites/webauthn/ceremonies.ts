import { createRpApp, type RpApp } from '../../rp/index.ts';
import { WebAuthnClient, type CreationOptionsJSON, type RequestOptionsJSON } from '../../client/index.ts';
import { randomBytes } from 'node:crypto';
import { CheckFailed } from '../../runner/Check.ts';
import { poolMember } from '../credentialPool.ts';
import { failOnStatus } from '../failOnStatus.ts';
import type { SuiteContext } from '../SuiteContext.ts';

/**
 * The RP the webauthn suite runs ceremonies against: in-process, through the FIDO conformance API. Each
 * relying party made gets an RP ID of its own (`<label>.webauthn.fido-harness.test`), so the discoverable
 * credentials it finds are the ones made for it, without resetting the key.
 */
export const WEBAUTHN_RP_SUFFIX = 'webauthn.fido-harness.test';

export interface Ceremonies {
  rp: RpApp;
  client: WebAuthnClient;
  /** POST to the conformance API; a failed status is the check's failure, with the RP's reason */
  post(path: string, body: unknown): Promise<Record<string, unknown>>;
}

export function ceremonies(ctx: SuiteContext): Ceremonies {
  const rpId = `${randomBytes(6).toString('hex')}.${WEBAUTHN_RP_SUFFIX}`;
  const origin = `https://${rpId}`;
  const rp = createRpApp({
    origin,
    rpId,
    rpName: 'fido-harness webauthn suite',
    ...(ctx.options.mds ? { mds: ctx.options.mds.store } : {}),
  });
  const client = new WebAuthnClient({ ctap: ctx.ctap2, origin, pin: ctx.pin });
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

/** A registered account at a relying party of its own: the ceremonies, the user name, the registration. */
export type Account = { c: Ceremonies; name: string; registration: Awaited<ReturnType<typeof register>> };

/**
 * The run's shared plain account (credentialPool.ts, 2 touches): registered with default options and
 * signed in once; the sign-in's result is kept for checks that compare later ones with it.
 */
export function webauthnAccount(ctx: SuiteContext) {
  return poolMember(ctx, 'webauthnAccount', async () => {
    const c = ceremonies(ctx);
    const name = `basic-${randomBytes(4).toString('hex')}@fido-harness.test`;
    const registration = await register(c, name, { userVerification: 'discouraged', residentKey: 'discouraged' }, 'none');
    const signIn = await authenticate(c, name, 'discouraged');
    return { c, name, registration, signIn };
  });
}

/** The run's shared account made with Entra ID's registration profile (credentialPool.ts, 1 touch). */
export function entraAccount(ctx: SuiteContext): Promise<Account> {
  return poolMember(ctx, 'entraAccount', async () => {
    const c = ceremonies(ctx);
    const name = `entra-${randomBytes(4).toString('hex')}@fido-harness.test`;
    return { c, name, registration: await register(c, name, ENTRA_SELECTION, 'direct', true) };
  });
}

/** Entra ID's registration profile (docs/microsoft-entra.md; Graph creationOptions): rk, UV required, direct, ES256. */
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
  // a registration the relying party asked for: a key that refuses it (a CTAP status) fails the check
  const result = await failOnStatus('the key, asked to register,', () => c.client.create(creation));
  await c.post('/attestation/result', result.credential);
  return result;
}

export async function authenticate(c: Ceremonies, username: string | undefined, userVerification: 'required' | 'preferred' | 'discouraged') {
  const options = await c.post('/assertion/options', { ...(username ? { username } : {}), userVerification });
  const request = stripStatus(options) as unknown as RequestOptionsJSON;
  const result = await failOnStatus('the key, asked to sign in,', () => c.client.get(request));
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
  // the key holds a discoverable credential for this RP ID: CTAP2_ERR_NO_CREDENTIALS means it did not keep it (CTAP 2.1 §6.2.2 step 7)
  const result = await failOnStatus('the key, asked for a discoverable sign-in,', () => c.client.get(started.json.options as RequestOptionsJSON));
  await call('/verify', { ceremonyId: started.json.ceremonyId, response: result.credential }, started.cookie);
  return result;
}

function stripStatus(o: Record<string, unknown>): Record<string, unknown> {
  const { status: _s, errorMessage: _e, ...rest } = o;
  return rest;
}
