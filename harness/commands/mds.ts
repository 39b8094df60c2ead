import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { X509Crl, type X509Certificate } from '@peculiar/x509';
import { terminalSafe } from '../../reports/terminalSafe.ts';
import { MdsError } from '../../mds/MdsError.ts';
import { MdsCache, defaultMdsCacheDir } from '../../mds/MdsCache.ts';
import { MdsStore } from '../../mds/MdsStore.ts';
import { loadBundledMdsRoots } from '../../mds/bundledRoots.ts';
import { certificatesFromPem, toCertificate } from '../../mds/certificates.ts';
import { evaluateStatus } from '../../mds/evaluateStatus.ts';
import { fetchMdsBlob, MDS3_URL } from '../../mds/fetchMdsBlob.ts';
import { verifyMdsBlob, type VerifiedMdsBlob } from '../../mds/verifyMdsBlob.ts';
import { verifyAttestation, type RegistrationResponseJSON } from '../../mds/attestation/verifyAttestation.ts';
import { attestationResultToJson } from '../../mds/attestation/attestationResultToJson.ts';
import { judgeMicrosoftFromAttestation } from '../../mds/attestation/judgeMicrosoftFromAttestation.ts';

/** Where the commands write and what they may reach; tests pass their own. */
export interface MdsCliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  env: NodeJS.ProcessEnv;
  now: () => Date;
  fetchImpl?: typeof fetch;
}

const defaultIo = (): MdsCliIo => ({
  // lines carry MDS- and device-supplied text (descriptions, certificate names): escaped for the terminal
  stdout: (l) => process.stdout.write(terminalSafe(l) + '\n'),
  stderr: (l) => process.stderr.write(terminalSafe(l) + '\n'),
  env: process.env,
  now: () => new Date(),
});

const MDS_USAGE = [
  'usage: fido-harness mds fetch [--cache DIR] [--url URL] [--root PEM]...',
  '       fido-harness mds verify FILE [--root PEM]... [--crl CRL]... [--at TIME] [--json]',
  '       fido-harness mds lookup AAGUID|KEYID [--mds FILE] [--cache DIR] [--root PEM]... [--at TIME] [--json]',
].join('\n');
const ATTESTATION_USAGE = 'usage: fido-harness attestation verify RESPONSE.json [--mds FILE] [--cache DIR] [--root PEM]... [--at TIME] [--origin O] [--rp-id ID] [--json]';

class UsageError extends Error {}

function parseTime(v: string | undefined, io: MdsCliIo): Date {
  if (v === undefined) return io.now();
  // a bare date is midnight UTC; anything Date.parse takes otherwise (ISO 8601)
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(t)) throw new UsageError(`--at ${JSON.stringify(v)} is not a date/time (use e.g. 2023-01-15 or 2023-01-15T12:00:00Z)`);
  return new Date(t);
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function rootsFrom(paths: string[] | undefined): X509Certificate[] {
  if (!paths || paths.length === 0) return loadBundledMdsRoots();
  return paths.flatMap((p) => certificatesFromPem(readText(p, 'root')));
}

/** CRL files (PEM or DER) held locally; revocation is checked against them and reported as unchecked otherwise. */
function crlsFrom(paths: string[] | undefined): X509Crl[] {
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

function printBlob(io: MdsCliIo, v: VerifiedMdsBlob, source: string): void {
  io.stdout(`MDS BLOB ${source}: verified`);
  io.stdout(`  serial (no)   ${v.no}`);
  io.stdout(`  nextUpdate    ${v.nextUpdate}`);
  io.stdout(`  entries       ${v.entries.length}${v.rejectedEntries.length ? ` (+${v.rejectedEntries.length} left out)` : ''}`);
  io.stdout(`  alg           ${v.alg}`);
  io.stdout(`  chain         ${v.path.map((c) => c.subject.split(', ').filter((p) => p.startsWith('CN=')).join('') || c.subject).join(' <- ')}`);
  io.stdout(`  verified at   ${v.verifiedAt.toISOString()}`);
  for (const w of v.warnings) io.stdout(`  warning ${w.code}: ${w.message}`);
}

async function loadStoreFor(values: { mds?: string; cache?: string; root?: string[] }, at: Date, io: MdsCliIo): Promise<{ store: MdsStore; source: string }> {
  const source = values.mds ?? new MdsCache(values.cache ?? defaultMdsCacheDir(io.env)).blobPath;
  const text = values.mds ? readText(values.mds, 'MDS BLOB') : new MdsCache(values.cache ?? defaultMdsCacheDir(io.env)).readBlob();
  return { store: new MdsStore(await verifyMdsBlob(text, { roots: rootsFrom(values.root), at })), source };
}

/**
 * `fido-harness mds fetch | verify FILE | lookup AAGUID` (DESIGN.md "Commands"). Returns the exit code:
 * 0 done, 1 the BLOB was refused or the AAGUID is not listed, 2 usage error or the network/cache could not
 * be used (one line saying why and what to do).
 */
export async function runMdsCommand(args: string[], io: MdsCliIo = defaultIo()): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        root: { type: 'string', multiple: true },
        crl: { type: 'string', multiple: true },
        at: { type: 'string' },
        mds: { type: 'string' },
        cache: { type: 'string' },
        url: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [sub, arg] = positionals;
    if (values.help || !sub) {
      io.stdout(MDS_USAGE);
      return values.help ? 0 : 2;
    }
    if (sub === 'fetch') {
      const cache = new MdsCache(values.cache ?? defaultMdsCacheDir(io.env));
      const url = values.url ?? MDS3_URL;
      io.stderr(`downloading ${url} ...`);
      const text = await fetchMdsBlob({ url, ...(io.fetchImpl ? { fetchImpl: io.fetchImpl } : {}) });
      const r = await cache.update(text, { roots: rootsFrom(values.root), at: io.now(), source: url });
      printBlob(io, r.blob, url);
      io.stdout(r.updated ? `cached in ${cache.dir}${r.previousNo !== undefined ? ` (replacing serial ${r.previousNo})` : ''}` : `cache in ${cache.dir} kept: ${r.reason}`);
      return 0;
    }
    if (sub === 'verify') {
      if (!arg) throw new UsageError('mds verify needs a FILE');
      const at = parseTime(values.at, io);
      const v = await verifyMdsBlob(readText(arg, 'MDS BLOB'), { roots: rootsFrom(values.root), at, crls: crlsFrom(values.crl) });
      if (values.json) {
        io.stdout(JSON.stringify({ verified: true, no: v.no, nextUpdate: v.nextUpdate, entries: v.entries.length, rejectedEntries: v.rejectedEntries, alg: v.alg, chain: v.path.map((c) => c.subject), rootSubject: v.rootSubject, verifiedAt: v.verifiedAt.toISOString(), warnings: v.warnings }, null, 2));
      } else printBlob(io, v, arg);
      return 0;
    }
    if (sub === 'lookup') {
      if (!arg) throw new UsageError('mds lookup needs an AAGUID (or a 40-hex-digit attestation certificate key identifier)');
      const at = parseTime(values.at, io);
      const { store, source } = await loadStoreFor(values, at, io);
      const isKeyId = /^[0-9a-f]{40}$/i.test(arg);
      const entry = isKeyId ? store.byKeyIdentifier(arg) : store.byAaguid(arg);
      if (!entry) {
        io.stderr(`${isKeyId ? 'key identifier' : 'AAGUID'} ${arg} is not in MDS BLOB serial ${store.no} (${source})`);
        return 1;
      }
      const status = evaluateStatus(entry, { at });
      const ms = entry.metadataStatement;
      const roots = (ms?.attestationRootCertificates ?? []).map((r) => {
        try {
          const c = toCertificate(r);
          return { subject: c.subject, notAfter: c.notAfter.toISOString() };
        } catch (err) {
          return { subject: `(unreadable: ${(err as Error).message})`, notAfter: '' };
        }
      });
      if (values.json) {
        io.stdout(JSON.stringify({ blob: { no: store.no, nextUpdate: store.nextUpdate, source }, entry, evaluation: { verdict: status.verdict, latestStatus: status.latestStatus ?? null, certificationLevel: status.certificationLevel ?? null, findings: status.findings.map(({ report: _r, ...f }) => f) }, roots }, null, 2));
        return 0;
      }
      io.stdout(`${ms?.description ?? '(no description)'}`);
      io.stdout(`  ${entry.aaguid ? `AAGUID ${entry.aaguid}` : `key identifiers ${(entry.attestationCertificateKeyIdentifiers ?? []).join(', ')}`}  (BLOB serial ${store.no})`);
      io.stdout(`  status        ${status.verdict}${status.latestStatus ? ` (latest ${status.latestStatus}${status.latestEffectiveDate ? ` ${status.latestEffectiveDate}` : ''})` : ''}`);
      io.stdout(`  certification ${status.certificationLevel ?? 'none'}`);
      io.stdout('  status history:');
      for (const r of status.history) io.stdout(`    ${r.effectiveDate ?? '(no date)'}  ${r.status}${r.authenticatorVersion !== undefined ? `  authenticatorVersion ${r.authenticatorVersion}` : ''}${r.certificationDescriptor ? `  ${r.certificationDescriptor}` : ''}`);
      for (const f of status.findings) io.stdout(`  ${f.severity}: ${f.message}`);
      io.stdout(`  protocol      ${ms?.protocolFamily ?? '?'}  attestation types ${(ms?.attestationTypes ?? []).join(', ') || '?'}`);
      if (ms?.authenticatorGetInfo) io.stdout(`  getInfo       ${JSON.stringify(ms.authenticatorGetInfo)}`);
      io.stdout(`  attestation roots (${roots.length}):`);
      for (const r of roots) io.stdout(`    ${r.subject}${r.notAfter ? `  (until ${r.notAfter})` : ''}`);
      return 0;
    }
    throw new UsageError(`unknown mds subcommand ${JSON.stringify(sub)}`);
  } catch (err) {
    return reportError(err, io, MDS_USAGE);
  }
}

function reportError(err: unknown, io: MdsCliIo, usage: string): number {
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    io.stderr(`${(err as Error).message}\n${usage}`);
    return 2;
  }
  if (err instanceof MdsError) {
    const environmental = ['MDS_NETWORK_UNAVAILABLE', 'MDS_FETCH_FAILED', 'MDS_CACHE_EMPTY'].includes(err.code);
    io.stderr(`${err.code}: ${err.message}`);
    return environmental ? 2 : 1;
  }
  io.stderr(`error: ${(err as Error).message}`);
  return 2;
}

/**
 * `fido-harness attestation verify RESPONSE.json` (DESIGN.md "Commands"): format, AAGUID, model from MDS,
 * chain, status and the Microsoft requirements judged from attestation + metadata. Exit 0 trusted, 1 not
 * trusted (every reason printed), 2 usage or unreadable input. Without --mds, the cached BLOB is used when
 * there is one.
 */
export async function runAttestationCommand(args: string[], io: MdsCliIo = defaultIo()): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        mds: { type: 'string' },
        cache: { type: 'string' },
        root: { type: 'string', multiple: true },
        'attestation-root': { type: 'string', multiple: true },
        at: { type: 'string' },
        origin: { type: 'string' },
        'rp-id': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [sub, file] = positionals;
    if (values.help || sub !== 'verify' || !file) {
      io.stdout(ATTESTATION_USAGE);
      return values.help ? 0 : 2;
    }
    const at = parseTime(values.at, io);
    let response: RegistrationResponseJSON;
    try {
      response = JSON.parse(readText(file, 'response')) as RegistrationResponseJSON;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`${file} is not JSON: ${(err as Error).message}`);
    }
    let store: MdsStore | undefined;
    let mdsNote = '';
    const cache = new MdsCache(values.cache ?? defaultMdsCacheDir(io.env));
    if (values.mds || cache.meta()) {
      const loaded = await loadStoreFor({ mds: values.mds, cache: values.cache, root: values.root }, at, io);
      store = loaded.store;
      mdsNote = `MDS BLOB serial ${store.no} (${loaded.source}), verified at ${at.toISOString()}`;
    } else mdsNote = 'no MDS BLOB (--mds FILE or `mds fetch`): models and roots unknown';
    const attestationRoots = (values['attestation-root'] ?? []).flatMap((p) => certificatesFromPem(readText(p, 'attestation root')));
    const result = await verifyAttestation(response, {
      at,
      ...(store ? { store } : {}),
      ...(attestationRoots.length ? { roots: attestationRoots } : {}),
      ...(values.origin ? { expectedOrigin: values.origin } : {}),
      ...(values['rp-id'] ? { rpId: values['rp-id'] } : {}),
    });
    const microsoft = judgeMicrosoftFromAttestation(result);
    if (values.json) {
      io.stdout(JSON.stringify({ file, mds: mdsNote, ...attestationResultToJson(result), microsoft }, null, 2));
      return result.trusted ? 0 : 1;
    }
    io.stdout(`${file}: ${result.trusted ? 'TRUSTED' : 'NOT TRUSTED'}`);
    io.stdout(`  format        ${result.format} (${result.attestationType})`);
    io.stdout(`  AAGUID        ${result.aaguid}${result.keyIdentifier ? `  key identifier ${result.keyIdentifier}` : ''}`);
    io.stdout(`  model         ${result.model ?? '(not in MDS)'}`);
    io.stdout(`  signature     ${result.signatureValid ? 'valid' : 'NOT valid'}`);
    io.stdout(`  chain         ${result.chainValid ? `valid to "${result.rootSubject}" (${result.rootSource})` : 'not validated'}`);
    for (const c of result.trustPath) io.stdout(`    ${c.subject || '(empty subject)'}  [${c.notBefore.toISOString().slice(0, 10)} .. ${c.notAfter.toISOString().slice(0, 10)}]`);
    if (result.status) io.stdout(`  MDS status    ${result.status.verdict} (latest ${result.status.latestStatus ?? '-'}, certification ${result.status.certificationLevel ?? 'none'})`);
    io.stdout(`  MDS           ${mdsNote}`);
    for (const p of result.problems) io.stdout(`  ${p.severity} ${p.code}: ${p.message}`);
    for (const w of result.chainWarnings) io.stdout(`  note ${w.code}: ${w.message}`);
    io.stdout('  Microsoft (from attestation + metadata only):');
    for (const m of microsoft) io.stdout(`    ${m.status.padEnd(4)} ${m.id}: ${m.message}`);
    return result.trusted ? 0 : 1;
  } catch (err) {
    return reportError(err, io, ATTESTATION_USAGE);
  }
}
