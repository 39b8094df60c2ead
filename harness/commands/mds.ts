import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { MdsCache, defaultMdsCacheDir } from '../../mds/MdsCache.ts';
import type { MdsFinding } from '../../mds/MdsError.ts';
import { toCertificate } from '../../mds/certificates.ts';
import { evaluateStatus } from '../../mds/evaluateStatus.ts';
import { fetchMdsBlob, MDS3_URL } from '../../mds/fetchMdsBlob.ts';
import { MdsStore } from '../../mds/MdsStore.ts';
import { defaultMdsCliIo, loadStoreFor, parseTime, printLines, reportError, rootsFrom, UsageError, type MdsCliIo } from './mdsCommandSupport.ts';

export type { MdsCliIo } from './mdsCommandSupport.ts';

const MDS_USAGE = [
  'usage: fido-harness mds fetch [--cache DIR] [--url URL] [--root PEM]...',
  '       fido-harness mds verify FILE [--root PEM]... [--crl CRL]... [--at TIME] [--json]',
  '       fido-harness mds lookup AAGUID|KEYID [--mds FILE] [--cache DIR] [--root PEM]... [--crl CRL]... [--at TIME] [--json]',
].join('\n');

/** The BLOB's warnings (stale, CRL not checked, duplicate or rejected entries) as text lines. */
export function printMdsWarnings(print: (line: string) => void, warnings: readonly MdsFinding[]): void {
  for (const w of warnings) print(`  warning ${w.code}: ${w.message}`);
}

/** What `--json` says of the BLOB a command used. */
export function mdsBlobJson(store: MdsStore, source: string) {
  return {
    source,
    no: store.no,
    nextUpdate: store.nextUpdate,
    entries: store.entries.length,
    rejectedEntries: store.rejectedEntries,
    alg: store.alg,
    chain: store.path.map((c) => c.subject),
    rootSubject: store.rootSubject,
    verifiedAt: store.verifiedAt.toISOString(),
    warnings: store.warnings,
  };
}

function printBlob(io: MdsCliIo, store: MdsStore, source: string): void {
  io.out(`MDS BLOB ${source}: verified`);
  io.out(`  serial (no)   ${store.no}`);
  io.out(`  nextUpdate    ${store.nextUpdate}`);
  io.out(`  entries       ${store.entries.length}${store.rejectedEntries.length ? ` (+${store.rejectedEntries.length} left out)` : ''}`);
  io.out(`  alg           ${store.alg}`);
  io.out(`  chain         ${store.path.map((c) => c.subject.split(', ').filter((p) => p.startsWith('CN=')).join('') || c.subject).join(' <- ')}`);
  io.out(`  verified at   ${store.verifiedAt.toISOString()}`);
  printMdsWarnings(io.out, store.warnings);
}

/**
 * `fido-harness mds fetch | verify FILE | lookup AAGUID`. Returns the exit code: 0 done, 1 the BLOB was
 * refused or the AAGUID is not listed, 2 usage error or the network/cache could not be used (one line
 * saying why and what to do).
 */
export async function runMdsCommand(args: string[], io: MdsCliIo = defaultMdsCliIo()): Promise<number> {
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
      printLines(io.out, MDS_USAGE);
      return values.help ? 0 : 2;
    }
    if (sub === 'fetch') {
      const cache = new MdsCache(values.cache ?? defaultMdsCacheDir(io.env));
      const url = values.url ?? MDS3_URL;
      io.err(`downloading ${url} ...`);
      const text = await fetchMdsBlob({ url, ...(io.fetchImpl ? { fetchImpl: io.fetchImpl } : {}) });
      const r = await cache.update(text, { roots: rootsFrom(values.root), at: io.now(), source: url });
      printBlob(io, new MdsStore(r.blob), url);
      io.out(r.updated ? `cached in ${cache.dir}${r.previousNo !== undefined ? ` (replacing serial ${r.previousNo})` : ''}` : `cache in ${cache.dir} kept: ${r.reason}`);
      return 0;
    }
    if (sub === 'verify') {
      if (!arg) throw new UsageError('mds verify needs a FILE');
      const at = parseTime(values.at, io);
      const { store } = await loadStoreFor({ mds: arg, root: values.root, crl: values.crl }, at, io);
      if (values.json) io.json({ verified: true, ...mdsBlobJson(store, arg) });
      else printBlob(io, store, arg);
      return 0;
    }
    if (sub === 'lookup') {
      if (!arg) throw new UsageError('mds lookup needs an AAGUID (or a 40-hex-digit attestation certificate key identifier)');
      const at = parseTime(values.at, io);
      const { store, source } = await loadStoreFor(values, at, io);
      const isKeyId = /^[0-9a-f]{40}$/i.test(arg);
      const entry = isKeyId ? store.byKeyIdentifier(arg) : store.byAaguid(arg);
      if (!entry) {
        io.err(`${isKeyId ? 'key identifier' : 'AAGUID'} ${arg} is not in MDS BLOB serial ${store.no} (${source})`);
        printMdsWarnings(io.err, store.warnings);
        return 1;
      }
      // no attestation here: a compromise report that names a certificate cannot be matched to one
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
        io.json({
          blob: mdsBlobJson(store, source),
          entry,
          evaluation: { verdict: status.verdict, latestStatus: status.latestStatus ?? null, certificationLevel: status.certificationLevel ?? null, findings: status.findings.map(({ report: _r, ...f }) => f) },
          roots,
        });
        return 0;
      }
      io.out(`${ms?.description ?? '(no description)'}`);
      io.out(`  ${entry.aaguid ? `AAGUID ${entry.aaguid}` : `key identifiers ${(entry.attestationCertificateKeyIdentifiers ?? []).join(', ')}`}  (BLOB serial ${store.no})`);
      io.out(`  status        ${status.verdict}${status.latestStatus ? ` (latest ${status.latestStatus}${status.latestEffectiveDate ? ` ${status.latestEffectiveDate}` : ''})` : ''}`);
      io.out(`  certification ${status.certificationLevel ?? 'none'}`);
      io.out('  status history:');
      for (const r of status.history) io.out(`    ${r.effectiveDate ?? '(no date)'}  ${r.status}${r.authenticatorVersion !== undefined ? `  authenticatorVersion ${r.authenticatorVersion}` : ''}${r.certificationDescriptor ? `  ${r.certificationDescriptor}` : ''}`);
      for (const f of status.findings) io.out(`  ${f.severity}: ${f.message}`);
      io.out(`  protocol      ${ms?.protocolFamily ?? '?'}  attestation types ${(ms?.attestationTypes ?? []).join(', ') || '?'}`);
      if (ms?.authenticatorGetInfo) io.out(`  getInfo       ${JSON.stringify(ms.authenticatorGetInfo)}`);
      io.out(`  attestation roots (${roots.length}):`);
      for (const r of roots) io.out(`    ${r.subject}${r.notAfter ? `  (until ${r.notAfter})` : ''}`);
      io.out(`  MDS BLOB      serial ${store.no} (${source}), nextUpdate ${store.nextUpdate}`);
      printMdsWarnings(io.out, store.warnings);
      return 0;
    }
    throw new UsageError(`unknown mds subcommand ${JSON.stringify(sub)}`);
  } catch (err) {
    return reportError(err, io, MDS_USAGE);
  }
}
