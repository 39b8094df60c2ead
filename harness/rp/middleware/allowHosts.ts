import type { MiddlewareHandler } from 'hono';
import { RpError } from '../RpError.ts';

/** the host part of a Host header value ("[::1]:8080" → "[::1]"), lower case; undefined when unparsable */
export function hostName(hostHeader: string): string | undefined {
  try {
    const u = new URL(`http://${hostHeader}`);
    if (u.username || u.password || u.pathname !== '/' || u.search || u.hash) return undefined;
    return u.hostname;
  } catch {
    return undefined;
  }
}

/**
 * The Host allow-list: the configured origin's host, `localhost`, `127.0.0.1` and `[::1]`. Anything else
 * is 421 Misdirected Request (RFC 9110 §15.5.20). This stops DNS rebinding: a page on evil.example whose
 * name is re-pointed at 127.0.0.1 reaches this server, but its requests carry `Host: evil.example`.
 */
export function allowHosts(origin: string): MiddlewareHandler {
  const allowed = new Set([new URL(origin).hostname, 'localhost', '127.0.0.1', '[::1]']);
  return async function allowHostsMiddleware(c, next) {
    const header = c.req.header('host') ?? new URL(c.req.url).host;
    const name = hostName(header);
    if (name === undefined || !allowed.has(name.replace(/\.$/, ''))) {
      throw new RpError('HOST_NOT_ALLOWED', `this server answers for ${[...allowed].join(', ')}, not for Host ${JSON.stringify(header.slice(0, 100))}`, 421);
    }
    await next();
  };
}
