import { Hono } from 'hono';
import type { RpEnv, RpState } from '../RpState.ts';

/**
 * The page's "built-in simulator" mode: the server runs the authenticator step with the harness client
 * against an in-process simulator. It needs harness/client (the platform role: clientDataJSON, PIN/UV
 * token, WebAuthn-options → CTAP mapping), which has not landed yet; until it does the mode reports itself
 * unavailable and the page keeps it disabled with this reason.
 */
export const SIMULATOR_UNAVAILABLE_REASON =
  'The built-in simulator mode needs the harness client (harness/client), which is not available in this build yet. Use this browser\'s authenticators, or run `fido-harness run --device sim` for the simulator.';

export function simulatorRoutes(_rp: RpState): Hono<RpEnv> {
  const app = new Hono<RpEnv>();
  app.get('/', (c) => c.json({ status: 'ok', errorMessage: '', available: false, reason: SIMULATOR_UNAVAILABLE_REASON }));
  return app;
}
