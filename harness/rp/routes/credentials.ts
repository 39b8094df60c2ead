import { Hono } from 'hono';
import { RpError } from '../RpError.ts';
import type { RpEnv, RpState } from '../RpState.ts';
import { username } from '../schemas.ts';

/** GET /api/credentials?username=NAME → the user's stored credentials (no key material beyond the summary). */
export function credentialRoutes(rp: RpState): Hono<RpEnv> {
  const app = new Hono<RpEnv>();
  app.get('/', (c) => {
    const parsed = username.safeParse(c.req.query('username'));
    if (!parsed.success) throw new RpError('BODY_INVALID', `username: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const credentials = rp.credentials.credentialsOf(parsed.data).map((cr) => ({
      id: cr.id,
      aaguid: cr.aaguid,
      fmt: cr.fmt,
      model: cr.summary.model,
      counter: cr.counter,
      signIns: cr.signIns,
      createdAt: cr.createdAt,
      lastUsedAt: cr.lastUsedAt,
      transports: cr.transports,
      userVerified: cr.summary.flags.UV,
      residentKey: cr.summary.residentKey,
      algorithm: cr.summary.publicKey.algName,
    }));
    return c.json({ status: 'ok', errorMessage: '', username: parsed.data, credentials });
  });
  return app;
}
