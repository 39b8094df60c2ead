import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { MdsCache, defaultMdsCacheDir } from '../../mds/MdsCache.ts';
import type { MdsStore } from '../../mds/MdsStore.ts';
import { certificatesFromPem } from '../../mds/certificates.ts';
import { verifyAttestation, type RegistrationResponseJSON } from '../../mds/attestation/verifyAttestation.ts';
import { attestationResultToJson, describeAnchor, notCheckedNote } from '../../mds/attestation/attestationResultToJson.ts';
import { judgeMicrosoftFromAttestation } from '../../mds/attestation/judgeMicrosoftFromAttestation.ts';
import { mdsBlobJson, printMdsWarnings } from './mds.ts';
import { defaultMdsCliIo, loadStoreFor, parseTime, printLines, readText, reportError, UsageError, type MdsCliIo } from './mdsCommandSupport.ts';

const ATTESTATION_USAGE = [
  'usage: fido-harness attestation verify RESPONSE.json [--mds FILE] [--cache DIR] [--root PEM]... [--crl CRL]...',
  '         [--attestation-root PEM]... [--at TIME] [--origin O] [--rp-id ID] [--json]',
  '  RESPONSE.json        a RegistrationResponseJSON (WebAuthn L3 §5.1), as a browser or the FIDO server API sends it',
  '  --mds FILE           the MDS3 BLOB (default: the cached one of `mds fetch`), verified with --root (default: the bundled MDS roots)',
  '  --attestation-root PEM  an operator trust anchor: a chain to it is valid, but the model, status and',
  '                       certification come only from metadata whose own attestationRootCertificates validate the chain',
  '  --at TIME            judge certificates, status reports and the BLOB as of this time (default: now)',
  '  --origin, --rp-id    check clientDataJSON.origin and authData.rpIdHash; without them they are not checked (and said so)',
].join('\n');

/**
 * `fido-harness attestation verify RESPONSE.json`: format, AAGUID, model from MDS, chain, status and the
 * Microsoft requirements judged from attestation + metadata. Exit 0 trusted, 1 not trusted (every reason
 * printed), 2 usage or unreadable input. Without --mds, the cached BLOB is used when there is one.
 */
export async function runAttestationCommand(args: string[], io: MdsCliIo = defaultMdsCliIo()): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        mds: { type: 'string' },
        cache: { type: 'string' },
        root: { type: 'string', multiple: true },
        crl: { type: 'string', multiple: true },
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
      printLines(values.help ? io.out : io.err, ATTESTATION_USAGE);
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
    let source: string | undefined;
    const cache = new MdsCache(values.cache ?? defaultMdsCacheDir(io.env));
    if (values.mds || cache.meta()) {
      ({ store, source } = await loadStoreFor(values, at, io));
    }
    const mdsNote = store ? `MDS BLOB serial ${store.no} (${source}), verified at ${at.toISOString()}` : 'no MDS BLOB (--mds FILE or `mds fetch`): models and roots unknown';
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
      io.json({ file, mds: store && source ? mdsBlobJson(store, source) : null, ...attestationResultToJson(result), microsoft });
      return result.trusted ? 0 : 1;
    }
    io.out(`${file}: ${result.trusted ? 'TRUSTED' : 'NOT TRUSTED'}`);
    io.out(`  format        ${result.format} (${result.attestationType})`);
    io.out(`  AAGUID        ${result.aaguid}${result.keyIdentifier ? `  key identifier ${result.keyIdentifier}` : ''}`);
    io.out(`  model         ${result.model ?? (result.claimedModel ? `not verified (the AAGUID's MDS entry "${result.claimedModel}" does not back this chain)` : '(not in MDS)')}`);
    io.out(`  signature     ${result.signatureValid ? 'valid' : 'NOT valid'}`);
    io.out(`  chain         ${result.chainValid ? 'valid' : 'NOT valid'}; anchor ${describeAnchor(result)}`);
    for (const c of result.trustPath) io.out(`    ${c.subject || '(empty subject)'}  [${c.notBefore.toISOString().slice(0, 10)} .. ${c.notAfter.toISOString().slice(0, 10)}]`);
    if (result.status) io.out(`  MDS status    ${result.status.verdict} (latest ${result.status.latestStatus ?? '-'}, certification ${result.status.certificationLevel ?? 'none'})`);
    io.out(`  MDS           ${mdsNote}`);
    if (store) printMdsWarnings(io.out, store.warnings);
    for (const p of result.problems) io.out(`  ${p.severity} ${p.code}: ${p.message}`);
    for (const w of result.chainWarnings) io.out(`  note ${w.code}: ${w.message}`);
    if (result.notChecked.length) io.out(`  note: ${notCheckedNote(result)} (give --rp-id and --origin)`);
    io.out('  Microsoft (from attestation + metadata only):');
    for (const m of microsoft) io.out(`    ${m.status.padEnd(4)} ${m.id}: ${m.message}`);
    return result.trusted ? 0 : 1;
  } catch (err) {
    return reportError(err, io, ATTESTATION_USAGE);
  }
}
