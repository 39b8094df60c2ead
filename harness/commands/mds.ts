import 'reflect-metadata';
import { MdsCache, defaultMdsCacheDir } from '../../mds/MdsCache.ts';
import type { MdsFinding } from '../../mds/MdsError.ts';
import { toCertificate } from '../../mds/certificates.ts';
import { evaluateStatus } from '../../mds/evaluateStatus.ts';
import { fetchMdsBlob, MDS3_URL } from '../../mds/fetchMdsBlob.ts';
import { MdsStore } from '../../mds/MdsStore.ts';
import { parseCommandArgs, subcommand, withUsage, type CommandSpec } from './args.ts';
import { defaultMdsCliIo, lineStreams, loadStoreFor, parseTime, reportError, rootsFrom, type MdsCliIo } from './mdsCommandSupport.ts';

export type { MdsCliIo } from './mdsCommandSupport.ts';

const root = { type: 'string', value: 'PEM', multiple: true, help: 'trust anchor of the BLOB (default: the bundled FIDO MDS roots)' } as const;
const crl = { type: 'string', value: 'CRL', multiple: true, help: 'a CRL (PEM or DER) revocation is checked against (else reported unchecked)' } as const;
const at = { type: 'string', value: 'DATE', help: 'verify and judge as of this date (an old BLOB; default now)' } as const;
const json = { type: 'boolean', help: 'one JSON document instead of lines' } as const;
const cache = { type: 'string', value: 'DIR', help: 'the BLOB cache (default ~/.cache/fido-harness/mds)' } as const;

export const MDS_SPEC = {
  name: 'mds',
  summary: 'The FIDO Metadata Service (MDS3): fetch and cache the BLOB, verify a BLOB file, look an authenticator up.',
  options: {},
  subcommands: {
    fetch: { name: 'mds fetch', summary: 'download the BLOB, verify it and cache it (a lower serial never replaces the cached one)', options: { cache, url: { type: 'string', value: 'URL', help: 'where to fetch from (default the FIDO MDS3 URL)' }, root } },
    verify: { name: 'mds verify', summary: 'verify a BLOB file: signature, certificate chain, CRLs (MDS3 §3.1.4)', args: 'FILE', positionals: { min: 1, max: 1 }, options: { root, crl, at, json } },
    lookup: { name: 'mds lookup', summary: 'an entry by AAGUID or attestation certificate key identifier, with its status', args: 'AAGUID|KEYID', positionals: { min: 1, max: 1 }, options: { mds: { type: 'string', value: 'FILE', help: 'the BLOB (default: the cached one of mds fetch)' }, cache, root, crl, at, json } },
  },
} as const satisfies CommandSpec;

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
  const streams = lineStreams(io);
  return withUsage(MDS_SPEC, streams, async () => {
    const { sub: spec, rest } = subcommand(MDS_SPEC, args);
    return withUsage(spec, streams, async () => {
      try {
        return await mdsSubcommand(spec, rest, io);
      } catch (err) {
        return reportError(err, io);
      }
    });
  });
}

async function mdsSubcommand(spec: CommandSpec, args: string[], io: MdsCliIo): Promise<number> {
  const { fetch, verify, lookup } = MDS_SPEC.subcommands;
  if (spec === fetch) {
    const { values } = parseCommandArgs(fetch, args);
    const cache = new MdsCache(values.cache ?? defaultMdsCacheDir(io.env));
    const url = values.url ?? MDS3_URL;
    io.err(`downloading ${url} ...`);
    const text = await fetchMdsBlob({ url, ...(io.fetchImpl ? { fetchImpl: io.fetchImpl } : {}) });
    const r = await cache.update(text, { roots: rootsFrom(values.root), at: io.now(), source: url });
    printBlob(io, new MdsStore(r.blob), url);
    io.out(r.updated ? `cached in ${cache.dir}${r.previousNo !== undefined ? ` (replacing serial ${r.previousNo})` : ''}` : `cache in ${cache.dir} kept: ${r.reason}`);
    return 0;
  }
  if (spec === verify) {
    const { values, positionals } = parseCommandArgs(verify, args);
    const file = positionals[0]!;
    const at = parseTime(values.at, io);
    const { store } = await loadStoreFor({ mds: file, root: values.root, crl: values.crl }, at, io);
    if (values.json) io.json({ verified: true, ...mdsBlobJson(store, file) });
    else printBlob(io, store, file);
    return 0;
  }
  {
    const { values, positionals } = parseCommandArgs(lookup, args);
    const arg = positionals[0]!;
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
}
