import { readFileSync } from 'node:fs';
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
