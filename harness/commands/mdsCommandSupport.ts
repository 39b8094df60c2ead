import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { X509Crl, type X509Certificate } from '@peculiar/x509';
import { terminalSafe, terminalSafeJson } from '../../reports/terminalSafe.ts';
import { MdsError } from '../../mds/MdsError.ts';
import { MdsCache, defaultMdsCacheDir } from '../../mds/MdsCache.ts';
import { loadMdsStore, type MdsStore } from '../../mds/MdsStore.ts';
import { loadBundledMdsRoots } from '../../mds/bundledRoots.ts';
import { certificatesFromPem } from '../../mds/certificates.ts';
import { HelpRequest, parseTime as parseDate, UsageError, type CommandStreams } from './args.ts';

/**
 * Where the `mds` and `attestation` commands write and what they may reach; tests pass their own.
 * `out`/`err` take one line of text each (never a line break of ours inside: pass lines separately);
 * the default escapes device- and MDS-supplied characters in it for the terminal. `json` prints one JSON
 * document that parses, with the characters a terminal would act on written as \u escapes inside strings.
 */
export interface MdsCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  json: (value: unknown) => void;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  fetchImpl?: typeof fetch;
}

export const defaultMdsCliIo = (): MdsCliIo => ({
  out: (l) => process.stdout.write(`${terminalSafe(l)}\n`),
  err: (l) => process.stderr.write(`${terminalSafe(l)}\n`),
  json: (v) => process.stdout.write(`${terminalSafeJson(v)}\n`),
  env: process.env,
  now: () => new Date(),
});

export { UsageError };

/** The command's streams for the shared parser: help and usage lines through io.out / io.err, line by line. */
export function lineStreams(io: MdsCliIo): CommandStreams {
  return {
    stdout: { write: (text: string) => printLines(io.out, text.replace(/\n$/, '')) },
    stderr: { write: (text: string) => printLines(io.err, text.replace(/\n$/, '')) },
  };
}

/** `--at`: a bare date is midnight UTC; anything Date.parse takes otherwise (ISO 8601); default now. */
export function parseTime(v: string | undefined, io: MdsCliIo): Date {
  return v === undefined ? io.now() : parseDate(v);
}

export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** `--root PEM`...: the BLOB's trust anchors; the bundled MDS roots when none is given. */
export function rootsFrom(paths: string[] | undefined): X509Certificate[] {
  if (!paths || paths.length === 0) return loadBundledMdsRoots();
  return paths.flatMap((p) => certificatesFromPem(readText(p, 'root')));
}

/** CRL files (PEM or DER) held locally; revocation is checked against them and reported as unchecked otherwise. */
export function crlsFrom(paths: string[] | undefined): X509Crl[] {
  return (paths ?? []).map((p) => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(p);
    } catch (err) {
      throw new UsageError(`cannot read CRL ${p}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      const text = bytes.toString('latin1');
      return text.includes('-----BEGIN X509 CRL-----') ? new X509Crl(text) : new X509Crl(Uint8Array.from(bytes));
    } catch (err) {
      throw new UsageError(`${p} is not a CRL: ${(err as Error).message}`);
    }
  });
}

/** The BLOB of `--mds FILE`, else the cached one, verified at `at`. */
export async function loadStoreFor(
  values: { mds?: string | undefined; cache?: string | undefined; root?: string[] | undefined; crl?: string[] | undefined },
  at: Date,
  io: MdsCliIo,
): Promise<{ store: MdsStore; source: string }> {
  const cache = new MdsCache(values.cache ?? defaultMdsCacheDir(io.env));
  const source = values.mds ?? cache.blobPath;
  const text = values.mds ? readText(values.mds, 'MDS BLOB') : cache.readBlob();
  return { store: await loadMdsStore(text, { roots: rootsFrom(values.root), at, crls: crlsFrom(values.crl) }), source };
}

/** Usage text, one line at a time (the command's own line breaks are never escaped). */
export function printLines(print: (line: string) => void, text: string): void {
  for (const line of text.split('\n')) print(line);
}

/**
 * One line saying why, and the exit code: 2 for an unusable network or cache, 1 when the input was read
 * and refused. Usage errors are the shared parser's (withUsage): passed on.
 */
export function reportError(err: unknown, io: MdsCliIo): number {
  if (err instanceof UsageError || err instanceof HelpRequest) throw err;
  if (err instanceof MdsError) {
    const environmental = ['MDS_NETWORK_UNAVAILABLE', 'MDS_FETCH_FAILED', 'MDS_CACHE_EMPTY'].includes(err.code);
    io.err(`${err.code}: ${err.message}`);
    return environmental ? 2 : 1;
  }
  io.err(`error: ${(err as Error).message}`);
  return 2;
}
