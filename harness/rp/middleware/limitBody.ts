import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { RpError } from '../RpError.ts';

/** Refuses bodies over `maxBytes` (by Content-Length, or while reading a chunked body) with 413. */
export function limitBody(maxBytes: number): MiddlewareHandler {
  const inner = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new RpError('BODY_TOO_LARGE', `request body is larger than ${maxBytes} bytes`, 413);
    },
  });
  return async function limitBodyMiddleware(c, next) {
    return inner(c, next);
  };
}
