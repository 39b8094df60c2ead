import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import type { AttestationProblem } from '../../mds/attestation/AttestationProblem.ts';
import { statementProblems } from '../../mds/attestation/AttestationProblem.ts';
import { readX5c } from '../../mds/attestation/x5c.ts';
import { der, testRoot } from './craftAttestation.ts';

// attStmt.x5c (WebAuthn L3 §8.2, §8.3, §8.4, §8.6, §8.8: an array of DER certificates, leaf first).
describe('readX5c', () => {
  const read = (x5c: unknown) => {
    const problems: AttestationProblem[] = [];
    const certs = readX5c(new Map<unknown, unknown>(x5c === 'absent' ? [] : [['x5c', x5c]]), problems);
    return { certs, problems: problems.map((p) => `${p.severity} ${p.code}: ${p.message}`) };
  };

  it('absent → undefined, no problem (self attestation)', () => {
    expect(read('absent')).toEqual({ certs: undefined, problems: [] });
  });

  it('ten certificates are read in order', async () => {
    const root = await testRoot();
    const { certs, problems } = read(Array(10).fill(der(root)));
    expect(problems).toEqual([]);
    expect(certs).toHaveLength(10);
    expect(certs![0]!.subject).toBe(root.cert.subject);
  });

  it.each([
    ['a byte string, not an array', new Uint8Array(4)],
    ['an empty array', []],
    ['an array holding text', ['MIIB']],
    ['an array holding bytes and text', [new Uint8Array(4), 'MIIB']],
  ])('%s → [] and ATT_MALFORMED', (_n, x5c) => {
    expect(read(x5c)).toEqual({ certs: [], problems: ['fail ATT_MALFORMED: attStmt.x5c is not a non-empty array of byte strings'] });
  });

  it('eleven certificates → [] and ATT_MALFORMED', async () => {
    const root = await testRoot();
    expect(read(Array(11).fill(der(root)))).toEqual({ certs: [], problems: ['fail ATT_MALFORMED: attStmt.x5c has 11 certificates (over 10)'] });
  });

  it('bytes that are no certificate → [] and ATT_MALFORMED naming the entry', async () => {
    const root = await testRoot();
    const { certs, problems } = read([der(root), Uint8Array.of(0x30, 0x00)]);
    expect(certs).toEqual([]);
    expect(problems).toEqual([expect.stringMatching(/^fail ATT_MALFORMED: x5c\[1\] is not an X\.509 certificate/)]);
  });
});

describe('statementProblems (WebAuthn L3 §7.1 steps 14 and 21)', () => {
  it('keeps the failures that say the statement is false; drops warnings and trust findings', () => {
    const p = (code: string, severity: 'fail' | 'warn'): AttestationProblem => ({ code, severity, message: code });
    const all = [p('ATT_SIGNATURE_INVALID', 'fail'), p('ATT_NO_CLIENT_DATA', 'warn'), p('MDS_CHAIN_UNTRUSTED', 'fail'), p('ATT_STATUS', 'fail'), p('ATT_AAGUID_MISMATCH', 'warn'), p('ATT_FLAGS', 'fail')];
    expect(statementProblems(all).map((x) => x.code)).toEqual(['ATT_SIGNATURE_INVALID', 'ATT_FLAGS']);
  });
});
