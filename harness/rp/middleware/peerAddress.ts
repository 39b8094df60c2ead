import type { Context } from 'hono';

/**
 * The TCP peer's address, which per-client budgets are kept by (IPv4-mapped IPv6 written as IPv4).
 * Requests that did not come over a socket (tests calling app.request) share the name "local".
 */
export function peerAddress(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  const address = env?.incoming?.socket?.remoteAddress;
  if (!address) return 'local';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
