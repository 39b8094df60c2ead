import 'reflect-metadata';
import type { AttestationObject } from '../../protocol/index.ts';
import { verifyAttestation, type AttestationResult, type MdsStore } from '../../../mds/index.ts';
import { evaluateCompat, mdsUsed, registrationInput } from '../../compat/index.ts';
import { describeCertificate, type CertificateSummary } from './describeCertificate.ts';
import { describeCoseKey, type CoseKeySummary } from './describeCoseKey.ts';

export const ZERO_AAGUID = '00000000-0000-0000-0000-000000000000';
/** what the page shows when no MDS BLOB was given to the server */
export const MDS_NOT_LOADED = 'no trust verdict: MDS not loaded';

/** A judgement that can be made from one ceremony, with the ids of docs/microsoft-entra.md. */
export interface CeremonyCheck {
  id: string;
  title: string;
  status: 'pass' | 'fail' | 'warn' | 'skip';
  message: string;
}

export interface ChainVerdict {
  state: 'valid' | 'invalid' | 'none';
  message: string;
  problems: string[];
  root?: string;
}

export type MdsVerdict =
  | { state: 'not-loaded'; message: string }
  | { state: 'not-listed'; message: string }
  | {
      state: 'listed';
      message: string;
      description: string | undefined;
      /** evaluateStatus verdict over the entry's statusReports (MDS3 §3.1.3-3.1.4) */
      statusVerdict: 'pass' | 'warn' | 'fail';
      latestStatus?: string;
      certificationLevel?: string;
      findings: string[];
      chain: ChainVerdict;
    };

export interface RegistrationSummary {
  fmt: string;
  aaguid: string;
  credentialId: string;
  credentialIdBytes: number;
  signCount: number;
  flags: { raw: number; UP: boolean; UV: boolean; BE: boolean; BS: boolean; AT: boolean; ED: boolean };
  publicKey: CoseKeySummary;
  attestation: {
    /** none: no statement; self: packed without x5c; x5c: a certificate chain; other: another format's evidence */
    kind: 'none' | 'self' | 'x5c' | 'other';
    alg?: number;
    chain: CertificateSummary[];
    chainProblem?: string;
  };
  /** the MDS entry's description, when listed */
  model?: string;
  mds: MdsVerdict;
  /** the credProps client extension output (WebAuthn L3 §10.1.3), when the client returned it */
  residentKey?: boolean;
  checks: CeremonyCheck[];
}

function uuid(bytes: Uint8Array): string {
  const h = Buffer.from(bytes).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface DecodeRegistrationInput {
  attestation: AttestationObject;
  /** the response as received, for the MDS trust decision (mds/ verifyAttestation) */
  response: { response: { attestationObject: string; clientDataJSON: string } };
  origin: string;
  rpId: string;
  clientExtensionResults: Record<string, unknown> | undefined;
  residentKeyRequested: 'required' | 'preferred' | 'discouraged' | undefined;
  mds: MdsStore | undefined;
  mdsProblem: string | undefined;
  at: Date;
  /** describes one certificate (the RP's cache); default: describe it afresh */
  describe?: (der: Uint8Array) => CertificateSummary;
  /** mds/ verifyAttestation's result for this response against `mds`, when the caller has it already */
  verified?: AttestationResult;
}

/**
 * The decoded result of a verified registration: flags, AAGUID, COSE key, attestation chain, MDS verdict
 * (entry, statusReports, chain to the entry's attestationRootCertificates), and the Microsoft/Entra points
 * that one ceremony can show. The statement itself was verified by mds/ verifyAttestation (verifyRegistration).
 */
export async function decodeRegistration(input: DecodeRegistrationInput): Promise<RegistrationSummary> {
  const { attestation: att } = input;
  const ad = att.authData;
  const acd = ad.attestedCredentialData!;
  const aaguid = uuid(acd.aaguid);
  const x5c = att.attStmt.get('x5c');
  const algValue = att.attStmt.get('alg');
  const chain: CertificateSummary[] = [];
  let chainProblem: string | undefined;
  if (Array.isArray(x5c)) {
    // WebAuthn L3 §8.2: x5c is leaf first; a chain longer than a few certificates is not expected, 8 bounds the work
    for (const [i, der] of x5c.slice(0, 8).entries()) {
      if (!(der instanceof Uint8Array)) {
        chainProblem = `x5c[${i}] is not a byte string`;
        break;
      }
      try {
        chain.push(input.describe ? input.describe(der) : describeCertificate(der).summary);
      } catch (e) {
        chainProblem = `x5c[${i}] is not a readable X.509 certificate: ${(e as Error).message}`;
        break;
      }
    }
  }
  const kind = att.fmt === 'none' ? 'none' : Array.isArray(x5c) ? 'x5c' : att.fmt === 'packed' ? 'self' : 'other';
  // verified even without an MDS (signature, certificates, flags): the Microsoft/Entra points read it
  const verified =
    input.verified ?? (await verifyAttestation(input.response, { ...(input.mds ? { store: input.mds } : {}), at: input.at, expectedOrigin: input.origin, rpId: input.rpId }));
  const trust = input.mds ? verified : undefined;
  const summary: RegistrationSummary = {
    fmt: att.fmt,
    aaguid,
    credentialId: Buffer.from(acd.credentialId).toString('base64url'),
    credentialIdBytes: acd.credentialId.length,
    signCount: ad.signCount,
    flags: { raw: ad.flags, UP: ad.up, UV: ad.uv, BE: ad.be, BS: ad.bs, AT: ad.at, ED: ad.ed },
    publicKey: describeCoseKey(acd.credentialPublicKey),
    attestation: { kind, chain, ...(typeof algValue === 'number' ? { alg: algValue } : {}), ...(chainProblem ? { chainProblem } : {}) },
    mds: judgeMds(input, aaguid, trust),
    checks: [],
  };
  const credProps = input.clientExtensionResults?.['credProps'];
  if (credProps && typeof credProps === 'object' && typeof (credProps as { rk?: unknown }).rk === 'boolean') {
    summary.residentKey = (credProps as { rk: boolean }).rk;
  }
  if (summary.mds.state === 'listed') summary.model = summary.mds.description;
  summary.checks = ceremonyChecks(summary, input, verified);
  return summary;
}

/**
 * The trust verdict comes from mds/ (verifyAttestation: the format's checks, the entry by AAGUID, the
 * chain from the statement's certificates to the entry's attestationRootCertificates at `at`, the entry's
 * statusReports); this only shapes it for the page.
 */
function judgeMds(input: DecodeRegistrationInput, aaguid: string, trust: AttestationResult | undefined): MdsVerdict {
  if (!input.mds || !trust) {
    return { state: 'not-loaded', message: input.mdsProblem ? `${MDS_NOT_LOADED} (${input.mdsProblem})` : MDS_NOT_LOADED };
  }
  if (!trust.mdsEntry) return { state: 'not-listed', message: `AAGUID ${aaguid} is not listed in the MDS BLOB (no ${input.mds.no})` };
  const problems = trust.problems.map((p) => `${p.code}: ${p.message}`);
  let chain: ChainVerdict;
  if (trust.trustPath.length === 0) {
    chain = { state: 'none', message: `no attestation certificate chain (${trust.attestationType} attestation): trust in the model cannot be established`, problems };
  } else if (trust.chainValid && trust.rootSource === 'metadata') {
    chain = { state: 'valid', message: `chain ends in the MDS root ${trust.rootSubject ?? ''}`.trim(), problems, ...(trust.rootSubject ? { root: trust.rootSubject } : {}) };
  } else {
    const why = trust.problems.find((p) => p.severity === 'fail') ?? trust.problems[0];
    chain = { state: 'invalid', message: `chain does not lead to the entry's attestationRootCertificates: ${why?.message ?? 'no path'}`, problems };
  }
  const status = trust.status;
  return {
    state: 'listed',
    message: `${trust.model ?? aaguid}: status ${status?.verdict ?? 'unknown'}${status?.latestStatus ? ` (latest ${status.latestStatus})` : ''}, chain ${chain.state}${trust.trusted ? ', trusted' : ', not trusted'}`,
    description: trust.model,
    statusVerdict: status?.verdict ?? 'warn',
    ...(status?.latestStatus ? { latestStatus: status.latestStatus } : {}),
    ...(status?.certificationLevel ? { certificationLevel: status.certificationLevel } : {}),
    findings: (status?.findings ?? []).map((f) => `${f.severity}: ${f.message}`),
    chain,
  };
}

const ENTRA_TITLES: Record<string, string> = {
  'EN-UV': 'user verified at registration',
  'EN-RK': 'discoverable credential created',
  'EN-ES256': 'ES256 credential',
};

/**
 * The Microsoft/Entra points one registration can show, from the one evaluator (harness/compat) that `run`
 * and `attestation verify` use too; the rest need getInfo or the run's checks and are `skip` here.
 */
function ceremonyChecks(s: RegistrationSummary, input: DecodeRegistrationInput, verified: AttestationResult): CeremonyCheck[] {
  // WebAuthn L3 §5.1.3 step 20: a client that cannot create a discoverable credential fails the ceremony when residentKey is "required"
  const residentKey = s.residentKey ?? (input.residentKeyRequested === 'required' ? true : undefined);
  const { microsoft, entra } = evaluateCompat(registrationInput(verified, input.mds ? mdsUsed(input.mds) : undefined, input.at, residentKey));
  const device = entra.reasons
    .filter((r) => r.id in ENTRA_TITLES)
    .map((r) => ({ id: r.id, title: ENTRA_TITLES[r.id]!, status: r.status, message: r.message }));
  return [...device, ...microsoft.requirements.map((r) => ({ id: r.id, title: r.title, status: r.status, message: r.evidence.join('; ') }))];
}
