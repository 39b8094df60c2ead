import { describe, expect, it } from 'vitest';
import { isLoopbackAddress } from '../../harness/protocol/index.ts';

describe('isLoopbackAddress: addresses that reach only this machine', () => {
  it('should take all of 127.0.0.0/8 (RFC 1122 §3.2.1.3) and nothing else of IPv4', () => {
    for (const a of ['127.0.0.1', '127.0.0.0', '127.255.255.255', '127.1.2.3']) expect(isLoopbackAddress(a), a).toBe(true);
    for (const a of ['0.0.0.0', '128.0.0.1', '10.0.0.1', '192.168.1.127', '1.127.0.0', '126.255.255.255']) expect(isLoopbackAddress(a), a).toBe(false);
  });

  it('should refuse names that only look like a loopback address', () => {
    for (const a of ['127.0.0.1.evil', '127.0.0.1.example.com', '127.evil', '127.0.0', '127.0.0.256', 'localhost.evil.com', 'notlocalhost', 'evil-localhost', '', 'x', '[]']) {
      expect(isLoopbackAddress(a), a).toBe(false);
    }
  });

  it('should take localhost and its subdomains in any case, with a root dot (RFC 6761 §6.3)', () => {
    for (const a of ['localhost', 'LOCALHOST', 'localhost.', 'app.localhost', 'a.b.LocalHost']) expect(isLoopbackAddress(a), a).toBe(true);
  });

  it('should take ::1 in any spelling, bracketed or not (RFC 4291 §2.5.3)', () => {
    for (const a of ['::1', '[::1]', '0:0:0:0:0:0:0:1', '0000:0000:0000:0000:0000:0000:0000:0001', '::0001', '0::1', '0:0:0::0:0:1', '0:0:0:0:0:0::1']) {
      expect(isLoopbackAddress(a), a).toBe(true);
    }
  });

  it('should refuse the wildcard :: and addresses one group away from ::1', () => {
    for (const a of ['::', '[::]', '::0', '::2', '::10', '::1:0', '1::', '1::1', '0:0:0:0:0:0:1:1', '1:0:0:0:0:0:0:1', 'fe80::1', '::1:1', '::100', '[::1', '::1]', '::[1]', '[::]1', 'x[::1]']) {
      expect(isLoopbackAddress(a), a).toBe(false);
    }
  });

  it('should take IPv4-mapped 127.x.y.z in dotted and hex spelling (RFC 4291 §2.5.5.2), nothing else mapped', () => {
    for (const a of ['::ffff:127.10.20.30', '::ffff:127.0.0.1', '[::ffff:127.0.0.1]', '::FFFF:127.1.2.3', '0:0:0:0:0:ffff:127.0.0.1', '::ffff:7f00:1', '[::ffff:7f00:1]', '::ffff:7fff:ffff', '0::ffff:127.0.0.1']) {
      expect(isLoopbackAddress(a), a).toBe(true);
    }
    // what a URL serializes [::ffff:127.0.0.1] to
    expect(isLoopbackAddress(new URL('http://[::ffff:127.0.0.1]/').hostname)).toBe(true);
    for (const a of ['::ffff:0.0.0.0', '::ffff:10.0.0.1', '::ffff:128.0.0.1', '::ffff:8000:1', '::ffff:7e00:1', '::fffe:127.0.0.1', '::127.0.0.1', '1::ffff:127.0.0.1', '0:0:0:0:1:ffff:127.0.0.1', '::ffff:0:127.0.0.1']) {
      expect(isLoopbackAddress(a), a).toBe(false);
    }
  });

  it('should refuse an IPv6 address with a zone index', () => {
    expect(isLoopbackAddress('::1%lo')).toBe(false);
    expect(isLoopbackAddress('fe80::1%eth0')).toBe(false);
  });
});
