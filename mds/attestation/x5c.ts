import type { X509Certificate } from '@peculiar/x509';
import { toCertificate } from '../certificates.ts';
import type { AttestationProblem } from './AttestationProblem.ts';

/** attStmt.x5c as certificates (WebAuthn L3 §8.2 etc.: array of DER, leaf first). */
export function readX5c(attStmt: Map<unknown, unknown>, problems: AttestationProblem[]): X509Certificate[] | undefined {
  const x5c = attStmt.get('x5c');
  if (x5c === undefined) return undefined;
  if (!Array.isArray(x5c) || x5c.length === 0 || !x5c.every((c) => c instanceof Uint8Array)) {
    problems.push({ code: 'ATT_MALFORMED', severity: 'fail', message: 'attStmt.x5c is not a non-empty array of byte strings' });
    return [];
  }
  if (x5c.length > 10) {
    problems.push({ code: 'ATT_MALFORMED', severity: 'fail', message: `attStmt.x5c has ${x5c.length} certificates (over 10)` });
    return [];
  }
  try {
    return (x5c as Uint8Array[]).map((c, i) => toCertificate(c, `x5c[${i}]`));
  } catch (err) {
    problems.push({ code: 'ATT_MALFORMED', severity: 'fail', message: (err as Error).message });
    return [];
  }
}
