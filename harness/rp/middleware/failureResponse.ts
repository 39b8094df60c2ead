import type { ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { RpError } from '../RpError.ts';
import type { RpEnv } from '../RpState.ts';

/**
 * The app's one onError: typed errors become `{status:"failed", errorMessage}` (the failure shape of the
 * FIDO2 Server conformance test API's ServerResponse) with their 4xx status. Anything else is a bug in the
 * RP, answered 500 with the same shape (never a stack trace) so tests that demand "never 5xx" can catch it.
 */
export function failureResponse(isConformancePath: (path: string) => boolean = () => false): ErrorHandler<RpEnv> {
  return function onRpError(err, c) {
    // a body refused unread: the connection is closed after the answer (RFC 9110 §15.5.14) instead of
    // being dropped under a keep-alive client, which then retries its next request on a fresh one
    if ((err instanceof RpError || err instanceof HTTPException) && err.status === 413) c.header('Connection', 'close');
    if (err instanceof RpError) {
      // the conformance API's failure shape is exactly {status, errorMessage} (ServerResponse); the stable code
      // goes in a header there, and in the body elsewhere (also for refusals before the route: Host, Origin, size)
      if (c.get('conformance') || isConformancePath(c.req.path)) {
        c.header('X-Error-Code', err.code);
        return c.json({ status: 'failed', errorMessage: err.message }, err.status);
      }
      return c.json({ status: 'failed', errorMessage: err.message, code: err.code }, err.status);
    }
    if (err instanceof HTTPException && err.status < 500) {
      return c.json({ status: 'failed', errorMessage: err.message || `HTTP ${err.status}`, code: 'HTTP_ERROR' }, err.status);
    }
    console.error('fido-harness rp: unexpected error', err);
    return c.json({ status: 'failed', errorMessage: 'internal error in the relying party', code: 'INTERNAL' }, 500);
  };
}
