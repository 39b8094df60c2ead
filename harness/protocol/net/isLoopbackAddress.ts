import { isIP } from 'node:net';

/**
 * Whether a listening address (or an HTTP Host's host part) reaches only this machine: 127.0.0.0/8
 * (RFC 1122 §3.2.1.3), ::1 and ::ffff:127.x.y.z (RFC 4291 §2.5.3, §2.5.5.2) in any spelling (the WHATWG URL
 * parser writes ::ffff:127.0.0.1 as ::ffff:7f00:1), and the name `localhost` with its subdomains (RFC 6761
 * §6.3: resolved to loopback without asking DNS). Brackets around IPv6 are allowed. The wildcard addresses
 * 0.0.0.0 and :: listen on every interface: not loopback. An IPv6 address with a zone index is not taken.
 */
export function isLoopbackAddress(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const version = isIP(h);
  if (version === 4) return h.startsWith('127.');
  if (version !== 6 || h.includes('%')) return false;
  const g = ipv6Groups(h);
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  // ::1, or ::ffff:a.b.c.d with a = 127 (the IPv4-mapped address's high byte sits in group 6)
  return (zeros(7) && g[7] === 1) || (zeros(5) && g[5] === 0xffff && g[6]! >> 8 === 127);
}

/** The eight 16-bit groups of an address isIP() accepted (`::` expanded, a trailing dotted quad as two groups). */
function ipv6Groups(h: string): number[] {
  const [head, tail] = h.split('::');
  const words = (part: string | undefined) =>
    (part ? part.split(':') : []).flatMap((w) => (w.includes('.') ? quadWords(w) : [parseInt(w, 16)]));
  const left = words(head);
  const right = words(tail);
  // without '::' there is no tail and isIP() has seen eight groups: nothing to fill
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** a.b.c.d as the two groups it stands for (RFC 4291 §2.2 form 3) */
function quadWords(quad: string): number[] {
  const [a, b, c, d] = quad.split('.').map(Number) as [number, number, number, number];
  return [(a << 8) | b, (c << 8) | d];
}
