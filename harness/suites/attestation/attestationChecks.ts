import 'reflect-metadata';
import { verifyAttestation, compareGetInfo, type AttestationResult } from '../../../mds/index.ts';
import { buildAttestationObject, parseAttestationObject } from '../../protocol/index.ts';
import { CheckSkipped, CheckWarning } from '../../runner/Check.ts';
import { ensure, hex } from '../expect.ts';
import type { MadeCredential } from '../ops.ts';
import { pooled } from '../credentialPool.ts';
import type { SuiteCheck, SuiteContext } from '../SuiteContext.ts';

const suite = 'attestation';

/** The attestation of the run's plain pooled credential, judged once for every check of this suite. */
async function attested(ctx: SuiteContext, signal: AbortSignal): Promise<{ made: MadeCredential; result: AttestationResult }> {
  const cached = ctx.artifacts.attestation;
  // Stryker disable next-line ConditionalExpression: the cache only saves work: verifying the same attestation again gives the same result
  if (cached) return cached;
  const made = await pooled(ctx, 'plain', signal);
  const object = buildAttestationObject(made.response.fmt, made.response.authData, made.response.attStmt);
  const result = await verifyAttestation(object, {
    at: ctx.options.mds?.at ?? new Date(),
    clientDataHash: made.request.clientDataHash,
    rpId: made.request.rp.id,
    firmwareVersion: ctx.info.firmwareVersion,
    ...(ctx.options.mds ? { store: ctx.options.mds.store } : {}),
  });
  ctx.artifacts.attestation = { made, result };
  // Stryker disable next-line StringLiteral: the decoder throws on departures only in mode 'strict'; an empty mode reads as 'report'
  ctx.artifacts.attestationObject = parseAttestationObject(object, { canonical: 'report' });
  return ctx.artifacts.attestation;
}

const needsMds = (ctx: SuiteContext) => (ctx.options.mds ? undefined : 'no MDS given (--mds)');

const problemsOf = (r: AttestationResult, codes: string[]) => r.problems.filter((p) => codes.includes(p.code));

export const attestationChecks: SuiteCheck[] = [
  {
    id: 'ATT-FORMAT-001',
    suite,
    title: 'the attestation format is packed (what relying parties and Entra expect of a security key)',
    specRef: 'WebAuthn L3 §8.2; Microsoft S1 (packed attestation)',
    touches: 0,
    uses: ['plain'],
    async run(ctx, signal) {
      const { made } = await attested(ctx, signal);
      const fmt = made.response.fmt;
      ensure(['packed', 'fido-u2f', 'tpm', 'android-key', 'android-safetynet', 'apple', 'none'].includes(fmt), `unknown attestation format "${fmt}"`);
      if (fmt !== 'packed') throw new CheckWarning(`attestation format is "${fmt}", not packed`);
    },
  },
  {
    id: 'ATT-PACKED-001',
    suite,
    title: 'packed attestation: full (x5c) and its signature verifies over authData || clientDataHash',
    specRef: 'WebAuthn L3 §8.2 verification procedure; Microsoft S1 (MS-ATTESTATION)',
    touches: 0,
    uses: ['plain'],
    async run(ctx, signal) {
      const { made, result } = await attested(ctx, signal);
      if (made.response.fmt !== 'packed') throw new CheckSkipped(`format is ${made.response.fmt}`);
      ensure(result.signatureValid, `attestation signature does not verify: ${problemsOf(result, ['ATT_SIGNATURE_INVALID', 'ATT_ALG_UNSUPPORTED', 'ATT_ALG_MISMATCH', 'ATT_MALFORMED']).map((p) => p.message).join('; ')}`);
      ensure(made.response.attStmt.has('x5c'), 'packed self attestation (no x5c): no certificate chain to a vendor root', {
        expected: 'full attestation with x5c',
        actual: `attestationType ${result.attestationType}`,
      });
    },
  },
  {
    id: 'ATT-CERT-001',
    suite,
    title: 'the attestation certificate meets WebAuthn §8.2.1 and its AAGUID extension matches authData',
    specRef: 'WebAuthn L3 §8.2.1 (packed attestation statement certificate requirements)',
    touches: 0,
    uses: ['plain'],
    async run(ctx, signal) {
      const { made, result } = await attested(ctx, signal);
      const x5c = made.response.attStmt.get('x5c');
      if (!Array.isArray(x5c) || !(x5c[0] instanceof Uint8Array)) throw new CheckSkipped('no attestation certificate (self or none attestation)');
      // the rules live in mds/ (verifyPacked's packedCertificateProblems): one copy for every caller
      const bad = problemsOf(result, ['ATT_CERT_REQUIREMENTS', 'ATT_AAGUID_MISMATCH']);
      ensure(bad.length === 0, bad.map((p) => p.message).join('; '));
    },
  },
  {
    id: 'ATT-CHAIN-001',
    suite,
    title: 'x5c is the attestation certificate followed by its chain, each issuer a CA, all valid at the verification time',
    specRef: 'WebAuthn L3 §8.2 (x5c: the attestation certificate first, followed by its certificate chain); RFC 5280 §6.1.3-6.1.4',
    touches: 0,
    uses: ['plain'],
    async run(ctx, signal) {
      const { made, result } = await attested(ctx, signal);
      if (!Array.isArray(made.response.attStmt.get('x5c'))) throw new CheckSkipped('no x5c');
      const bad = problemsOf(result, ['ATT_X5C_CHAIN', 'MDS_CERT_EXPIRED', 'MDS_CERT_NOT_YET_VALID', 'MDS_CHAIN_INVALID']);
      ensure(bad.length === 0, bad.map((p) => p.message).join('; '));
    },
  },
  {
    id: 'ATT-AAGUID-001',
    suite,
    title: 'the attested AAGUID equals getInfo aaguid',
    specRef: 'CTAP 2.1 §6.4 aaguid; WebAuthn L3 §6.5.1; Microsoft S1 (MS-MDS-LISTED)',
    touches: 0,
    uses: ['plain'],
    async run(ctx, signal) {
      const { made } = await attested(ctx, signal);
      const attestedAaguid = hex(made.authData.attestedCredentialData!.aaguid);
      ensure(attestedAaguid === hex(ctx.info.aaguid), 'authData AAGUID differs from getInfo aaguid', {
        expected: hex(ctx.info.aaguid),
        actual: attestedAaguid,
      });
    },
  },
  {
    id: 'MDS-ENTRY-001',
    suite: 'mds',
    title: 'the AAGUID has an entry in the FIDO Metadata Service',
    specRef: 'FIDO MDS3 §3.1.1; Microsoft S1 (MS-MDS-LISTED)',
    touches: 0,
    uses: ['plain'],
    requires: needsMds,
    async run(ctx, signal) {
      const { result } = await attested(ctx, signal);
      ensure(result.mdsEntry, `no MDS entry for AAGUID ${result.aaguid}`);
    },
  },
  {
    id: 'MDS-CHAIN-001',
    suite: 'mds',
    title: "the attestation chain ends in the MDS entry's attestationRootCertificates",
    specRef: 'WebAuthn L3 §7.1 step 23-24; FIDO MDS3 metadataStatement.attestationRootCertificates; Microsoft S1',
    touches: 0,
    uses: ['plain'],
    requires: needsMds,
    async run(ctx, signal) {
      const { result } = await attested(ctx, signal);
      // the failures (every chain problem, MDS_*, is one), and the warnings that stop trust
      const why = result.problems.filter((p) => p.severity === 'fail' || p.code === 'ATT_SELF_ATTESTATION' || p.code === 'ATT_NO_TRUST_ANCHOR');
      // metadataBacked: the chain is valid to the entry's own attestationRootCertificates (verifyAttestation)
      ensure(result.metadataBacked, `no trusted path to the metadata roots (${result.attestationType}): ${why.map((p) => p.message).join('; ') || 'no chain'}`, {
        expected: 'x5c chaining to attestationRootCertificates',
        actual: result.rootSubject ?? 'no root reached',
      });
    },
  },
  {
    id: 'MDS-STATUS-001',
    suite: 'mds',
    title: 'the MDS entry has no undesired status (REVOKED, compromise, UV bypass)',
    specRef: 'FIDO MDS3 §3.1.3 StatusReport, §3.1.4 AuthenticatorStatus (undesired statuses)',
    touches: 0,
    uses: ['plain'],
    requires: needsMds,
    async run(ctx, signal) {
      const { result } = await attested(ctx, signal);
      if (!result.mdsEntry) throw new CheckSkipped('no MDS entry for this AAGUID');
      // verifyAttestation evaluates the status of every entry it returns
      const { findings } = result.status!;
      const failing = findings.filter((f) => f.severity === 'fail');
      ensure(failing.length === 0, failing.map((f) => f.message).join('; '));
      const warnings = findings.filter((f) => f.severity === 'warn');
      if (warnings.length) throw new CheckWarning(warnings.map((f) => f.message).join('; '));
    },
  },
  {
    id: 'MDS-GETINFO-001',
    suite: 'mds',
    title: "the live getInfo agrees with the statement's authenticatorGetInfo",
    specRef: 'FIDO Metadata Statement v3 §4 authenticatorGetInfo',
    touches: 0,
    requires: needsMds,
    async run(ctx) {
      const entry = ctx.options.mds!.store.byAaguid(ctx.info.aaguid);
      if (!entry) throw new CheckSkipped('no MDS entry for this AAGUID');
      // a 'note' is device state both sides allow (an option true on the key, false in the statement): not a disagreement
      const diffs = compareGetInfo(ctx.info, entry.metadataStatement?.authenticatorGetInfo as Record<string, unknown> | undefined).filter((d) => d.severity === 'difference');
      if (diffs.length) throw new CheckWarning(diffs.map((d) => JSON.stringify(d)).join('; '));
    },
  },
];

