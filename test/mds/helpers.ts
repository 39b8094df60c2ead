import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { X509CrlGenerator, type X509Crl } from '@peculiar/x509';
import { MdsError } from '../../mds/MdsError.ts';
import type { TestCertifiedKey } from '../../mds/testCertificates.ts';
import { fileURLToPath } from 'node:url';

/** Test fixtures (provenance: test/fixtures/mds/SOURCES.md). */
export const FIXTURES = fileURLToPath(new URL('../fixtures/mds/', import.meta.url));

export function fixtureText(name: string): string {
  return readFileSync(FIXTURES + name, 'utf8');
}

/** Rebuilds a compact JWS with one decoded byte of the chosen part flipped (header 0, payload 1, signature 2). */
export function flipJwsByte(jws: string, part: 0 | 1 | 2, index: number): string {
  const parts = jws.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[index] = bytes[index]! ^ 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

/** A JWS with the given header/payload objects and the original signature (so it cannot verify). */
export function replaceJwsParts(jws: string, header?: unknown, payload?: unknown): string {
  const parts = jws.split('.');
  if (header !== undefined) parts[0] = Buffer.from(JSON.stringify(header)).toString('base64url');
  if (payload !== undefined) parts[1] = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return parts.join('.');
}

/** The MdsError a promise rejects with; fails the test when it resolves or rejects with anything else. */
export async function mdsRefusal(p: Promise<unknown>): Promise<MdsError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MdsError);
  return err as MdsError;
}

/** A CRL (RFC 5280 §5.1) signed by `issuer` (ES256) listing `entries`; nextUpdate null leaves that field out. */
export function testCrl(issuer: TestCertifiedKey, entries: { serialNumber: string; revocationDate: Date }[], dates: { thisUpdate: Date; nextUpdate: Date | null }): Promise<X509Crl> {
  return X509CrlGenerator.create(
    {
      issuer: issuer.cert.subject,
      thisUpdate: dates.thisUpdate,
      ...(dates.nextUpdate ? { nextUpdate: dates.nextUpdate } : {}),
      entries,
      signingKey: issuer.keys.privateKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    },
    webcrypto as unknown as Crypto,
  );
}

/** `serials` revoked at one date, as testCrl entries */
export const revokedAt = (serials: string[], revocationDate: Date) => serials.map((serialNumber) => ({ serialNumber, revocationDate }));
