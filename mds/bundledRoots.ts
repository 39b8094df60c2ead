import { readFileSync } from 'node:fs';
import type { X509Certificate } from '@peculiar/x509';
import { certificatesFromPem } from './certificates.ts';

/** The MDS trust anchors shipped in mds/roots/ (provenance in mds/roots/SOURCES.md). */
export const BUNDLED_ROOT_FILES = ['globalsign-root-r46.pem', 'globalsign-root-ca-r3.pem'] as const;

/**
 * GlobalSign Root R46 and GlobalSign Root CA - R3, read from disk on each call (no module-level cache:
 * callers keep the array they get and pass it on).
 */
export function loadBundledMdsRoots(): X509Certificate[] {
  return BUNDLED_ROOT_FILES.flatMap((f) => certificatesFromPem(readFileSync(new URL(`./roots/${f}`, import.meta.url), 'utf8')));
}
