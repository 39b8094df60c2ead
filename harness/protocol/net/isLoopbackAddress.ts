import { isIP } from 'node:net';

/**
 * Whether a listening address (or an HTTP Host's host part) reaches only this machine: 127.0.0.0/8
 * (RFC 1122 §3.2.1.3), ::1 and ::ffff:127.x.y.z (RFC 4291 §2.5.3, §2.5.5.2), and the name `localhost` with
 * its subdomains (RFC 6761 §6.3: resolved to loopback without asking DNS). Brackets around IPv6 are allowed.
 * The wildcard addresses 0.0.0.0 and :: listen on every interface: not loopback.
 */
export function isLoopbackAddress(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const version = isIP(h);
  if (version === 4) return h.startsWith('127.');
  if (version === 6) {
    if (expandsToLoopback(h)) return true;
    const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped ? mapped[1]!.startsWith('127.') : false;
  }
  return false;
}

/** ::1 in any of its spellings (0:0:0:0:0:0:0:1, ::0001, …) */
function expandsToLoopback(h: string): boolean {
  const [head, tail] = h.includes('::') ? h.split('::') : [h, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.length === 8 && groups.slice(0, 7).every((g) => /^0{1,4}$/.test(g)) && /^0{0,3}1$/.test(groups[7]!);
}
