import 'reflect-metadata';
import { MdsCache, defaultMdsCacheDir } from '../../mds/MdsCache.ts';
import type { MdsStore } from '../../mds/MdsStore.ts';
import { certificatesFromPem } from '../../mds/certificates.ts';
import { verifyAttestation, type RegistrationResponseJSON } from '../../mds/attestation/verifyAttestation.ts';
import { attestationResultToJson, describeAnchor, notCheckedNote } from '../../mds/attestation/attestationResultToJson.ts';
import { evaluateCompat, mdsUsed, registrationInput } from '../compat/index.ts';
import { mdsBlobJson, printMdsWarnings } from './mds.ts';
import { parseCommandArgs, subcommand, withUsage, type CommandSpec, type ParsedValues } from './args.ts';
import { defaultMdsCliIo, lineStreams, loadStoreFor, parseTime, readText, reportError, UsageError, type MdsCliIo } from './mdsCommandSupport.ts';

export const ATTESTATION_SPEC = {
  name: 'attestation',
  summary: 'Judge a registration\'s attestation: format, chain, model and status from MDS, the Microsoft requirements.',
  options: {},
  subcommands: {
    verify: {
      name: 'attestation verify',
      summary: 'a RegistrationResponseJSON (WebAuthn L3 §5.1) as a browser or the FIDO server API sends it; exit 0 trusted, 1 not',
      args: 'RESPONSE.json',
      positionals: { min: 1, max: 1 },
      options: {
        mds: { type: 'string', value: 'FILE', help: 'the MDS3 BLOB (default: the cached one of mds fetch)' },
        cache: { type: 'string', value: 'DIR', help: 'the BLOB cache (default ~/.cache/fido-harness/mds)' },
        root: { type: 'string', value: 'PEM', multiple: true, help: 'trust anchor of the BLOB (default: the bundled FIDO MDS roots)' },
        crl: { type: 'string', value: 'CRL', multiple: true, help: 'a CRL (PEM or DER) revocation is checked against' },
        'attestation-root': { type: 'string', value: 'PEM', multiple: true, help: 'an operator trust anchor: the chain may end there, but model, status and certification come only from metadata whose own roots validate it' },
        at: { type: 'string', value: 'DATE', help: 'judge certificates, status reports and the BLOB as of this date (default now)' },
        origin: { type: 'string', value: 'ORIGIN', help: 'check clientDataJSON.origin (not checked without it, and said so)' },
        'rp-id': { type: 'string', value: 'ID', help: 'check authData.rpIdHash (not checked without it, and said so)' },
        json: { type: 'boolean', help: 'one JSON document instead of lines' },
      },
    },
  },
} as const satisfies CommandSpec;

/**
 * `fido-harness attestation verify RESPONSE.json`: format, AAGUID, model from MDS, chain, status and the
 * Microsoft requirements judged from attestation + metadata. Exit 0 trusted, 1 not trusted (every reason
 * printed), 2 usage or unreadable input. Without --mds, the cached BLOB is used when there is one.
 */
export async function runAttestationCommand(args: string[], io: MdsCliIo = defaultMdsCliIo()): Promise<number> {
  const streams = lineStreams(io);
  const spec = ATTESTATION_SPEC.subcommands.verify;
  return withUsage(ATTESTATION_SPEC, streams, async () => {
    const { rest } = subcommand(ATTESTATION_SPEC, args);
    return withUsage(spec, streams, async () => {
      const { values, positionals } = parseCommandArgs(spec, rest);
      try {
        return await verifyCommand(values, positionals[0]!, io);
      } catch (err) {
        return reportError(err, io);
      }
    });
  });
}

async function verifyCommand(values: ParsedValues<typeof ATTESTATION_SPEC.subcommands.verify>, file: string, io: MdsCliIo): Promise<number> {
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
  // the one Microsoft/Entra evaluator (harness/compat), over this registration alone
  const { microsoft, entra } = evaluateCompat(registrationInput(result, store ? mdsUsed(store, source) : undefined, at));
  if (values.json) {
    io.json({ file, mds: store && source ? mdsBlobJson(store, source) : null, ...attestationResultToJson(result), microsoft, entra });
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
  io.out(`  Microsoft-compatible: ${microsoft.verdict} (from this registration and the MDS only; getInfo and the run's checks are not here)`);
  if (microsoft.mdsNote) io.out(`    ${microsoft.mdsNote}`);
  for (const m of microsoft.requirements) io.out(`    ${m.status.padEnd(4)} ${m.id}: ${m.evidence.join('; ')}`);
  io.out(`  Entra ID (${entra.policySource === 'file' ? 'policy as given' : "Entra's defaults"}): ${entra.verdict}`);
  for (const r of entra.reasons.filter((x) => x.id === 'EN-UV' || x.id === 'EN-RK' || x.id === 'EN-ES256')) io.out(`    ${r.status.padEnd(4)} ${r.id}: ${r.message}`);
  return result.trusted ? 0 : 1;
}
