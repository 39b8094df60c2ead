import 'reflect-metadata';
import { createHash } from 'node:crypto';
import type { X509Certificate } from '@peculiar/x509';
import { parseAttestationObject, type AuthenticatorData } from '../../harness/protocol/index.ts';
import type { MdsStore } from '../MdsStore.ts';
import type { MetadataBlobPayloadEntry } from '../MdsTypes.ts';
import type { MdsFinding } from '../MdsError.ts';
import { aaguidToString, ZERO_AAGUID } from '../aaguid.ts';
import { toCertificate, type CertificateInput } from '../certificates.ts';
import { evaluateStatus, type StatusEvaluation } from '../evaluateStatus.ts';
import type { ChainCertificate } from '../ChainCertificate.ts';
import { validateCertificateChain, x5cSequenceProblems, type ChainResult } from '../validateChain.ts';
import type { AttestationProblem } from './AttestationProblem.ts';
import { certificateKeyIdentifier } from './certificateFields.ts';
import type { AttestationType, FormatContext, FormatOutcome } from './formats/FormatContext.ts';
import { verifyAndroidKey } from './formats/verifyAndroidKey.ts';
import { verifyAndroidSafetynet } from './formats/verifyAndroidSafetynet.ts';
import { verifyApple } from './formats/verifyApple.ts';
import { verifyFidoU2f } from './formats/verifyFidoU2f.ts';
import { verifyNone } from './formats/verifyNone.ts';
import { verifyPacked } from './formats/verifyPacked.ts';
import { verifyTpm } from './formats/verifyTpm.ts';

/** The WebAuthn RegistrationResponseJSON (WebAuthn L3 §5.1 toJSON), as browsers and the FIDO server API carry it. */
export interface RegistrationResponseJSON {
  id?: string;
  rawId?: string;
  type?: string;
  response: { clientDataJSON?: string; attestationObject: string; transports?: string[]; [k: string]: unknown };
  [k: string]: unknown;
}

export interface VerifyAttestationOptions {
  /** the verified MDS; undefined → no metadata (trust only through `roots`) */
  store?: MdsStore;
  /**
   * Operator trust anchors (`--attestation-root`: a vendor root, Apple's WebAuthn root…). A chain to one of
   * them is valid, but it never backs a metadata entry: the model, status and certification come only
   * from an entry whose own attestationRootCertificates validate the chain.
   */
  roots?: CertificateInput[];
  /** verification time for certificate validity and status reports */
  at: Date;
  /** checked against clientDataJSON.origin when given */
  expectedOrigin?: string | string[];
  /** checked against authData.rpIdHash when given */
  rpId?: string;
  /** for a bare attestation object (CTAP level): SHA-256 of the clientData the platform sent */
  clientDataHash?: Uint8Array;
  /** the device's self-reported getInfo firmwareVersion, for status reports (see evaluateStatus) */
  firmwareVersion?: number;
}

export interface AttestationResult {
  format: string;
  attestationType: AttestationType;
  /** the statement's certificates (x5c or the SafetyNet response's), leaf first */
  trustPath: X509Certificate[];
  /** the validated path to the trust anchor, leaf first (empty when no path was found) */
  chainPath: ChainCertificate[];
  signatureValid: boolean;
  chainValid: boolean;
  rootSubject?: string;
  /** where the trust anchor came from: the MDS entry's attestationRootCertificates, or an operator root */
  rootSource?: 'metadata' | 'given';
  /** the chain is valid to the metadata entry's own roots: only then are model and status facts about this device */
  metadataBacked: boolean;
  aaguid: string;
  /** fido-u2f: the attestation certificate key identifier used for lookup */
  keyIdentifier?: string;
  mdsEntry?: MetadataBlobPayloadEntry;
  /** the metadata statement's description, when the entry's roots validate the chain (metadataBacked) */
  model?: string;
  /** the description of the entry the AAGUID points at when its roots do not validate the chain */
  claimedModel?: string;
  status?: StatusEvaluation;
  /** everything that failed or stopped trust, each with a stable code */
  problems: AttestationProblem[];
  /** revocation not checked etc. */
  chainWarnings: MdsFinding[];
  /** what this verification did not check for want of input: "rpIdHash" (no rpId), "origin" (no expectedOrigin) */
  notChecked: string[];
  /** signature valid, chain valid, no `fail` problem */
  trusted: boolean;
  authData: AuthenticatorData;
  clientData?: { type?: string; origin?: string; challenge?: string };
}

/** Statement attestationTypes (Metadata Statement §3.1 / FIDO Registry §3.5) for our attestation types. */
const METADATA_ATTESTATION_TYPE: Record<AttestationType, string[]> = {
  basic: ['basic_full'],
  attca: ['attca', 'basic_full'],
  anonca: ['anonca'],
  self: ['basic_surrogate'],
  none: ['none'],
  unknown: [],
};

function b64(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64url'));
}

async function verifyFormat(fmt: string, ctx: FormatContext): Promise<FormatOutcome | undefined> {
  switch (fmt) {
    case 'packed':
      return verifyPacked(ctx);
    case 'fido-u2f':
      return verifyFidoU2f(ctx);
    case 'none':
      return verifyNone(ctx);
    case 'apple':
      return verifyApple(ctx);
    case 'android-key':
      return verifyAndroidKey(ctx);
    case 'android-safetynet':
      return verifyAndroidSafetynet(ctx);
    case 'tpm':
      return verifyTpm(ctx);
    // Stryker disable next-line ConditionalExpression: without the default case the switch ends in undefined all the same
    default:
      return undefined;
  }
}

/**
 * Verifies an attestation and decides its trust (WebAuthn L3 §7.1 steps 19-24 without the credential
 * bookkeeping): the format's signature and certificate checks (§8.x), the metadata entry by AAGUID (or
 * by key identifier for fido-u2f), the chain from the statement's certificates to the entry's
 * attestationRootCertificates or a given root at `at`, and the entry's status (evaluateStatus).
 * Never throws for bad input: a malformed response gives a result with an ATT_MALFORMED problem.
 *
 * @simplewebauthn/server's verifyRegistrationResponse is not used: it judges certificate validity at the
 * current time (so captured registrations and `--at` cannot work), consults a process-wide MetadataService,
 * and needs clientDataJSON where CTAP-level checks only have clientDataHash.
 */
export async function verifyAttestation(
  input: Uint8Array | RegistrationResponseJSON,
  options: VerifyAttestationOptions,
): Promise<AttestationResult> {
  const problems: AttestationProblem[] = [];
  let attestationObject: Uint8Array;
  let clientDataHash = options.clientDataHash;
  let clientData: AttestationResult['clientData'];
  const emptyAuthData = { raw: new Uint8Array(0), rpIdHash: new Uint8Array(32), flags: 0, up: false, uv: false, be: false, bs: false, at: false, ed: false, signCount: 0 };
  const malformed = (message: string): AttestationResult => ({
    format: 'unknown',
    attestationType: 'unknown',
    trustPath: [],
    chainPath: [],
    signatureValid: false,
    chainValid: false,
    aaguid: ZERO_AAGUID,
    problems: [...problems, { code: 'ATT_MALFORMED', severity: 'fail', message }],
    chainWarnings: [],
    notChecked: [],
    metadataBacked: false,
    trusted: false,
    authData: emptyAuthData,
  });

  if (input instanceof Uint8Array) attestationObject = input;
  else {
    const resp = (input as RegistrationResponseJSON | null)?.response;
    if (typeof resp !== 'object' || resp === null || typeof resp.attestationObject !== 'string') {
      return malformed('not a registration response: response.attestationObject missing (an assertion response?)');
    }
    attestationObject = b64(resp.attestationObject);
    if (typeof resp.clientDataJSON === 'string') {
      const cdj = b64(resp.clientDataJSON);
      clientDataHash = new Uint8Array(createHash('sha256').update(cdj).digest());
      try {
        const cd = JSON.parse(Buffer.from(cdj).toString('utf8')) as { type?: string; origin?: string; challenge?: string };
        clientData = { type: cd.type, origin: cd.origin, challenge: cd.challenge };
        // WebAuthn L3 §7.1 steps 7 and 9
        if (cd.type !== 'webauthn.create') problems.push({ code: 'ATT_CLIENT_DATA', severity: 'fail', message: `clientDataJSON.type is ${JSON.stringify(cd.type)}, "webauthn.create" expected` });
        if (options.expectedOrigin !== undefined) {
          const allowed = Array.isArray(options.expectedOrigin) ? options.expectedOrigin : [options.expectedOrigin];
          if (!allowed.includes(String(cd.origin))) problems.push({ code: 'ATT_CLIENT_DATA', severity: 'fail', message: `clientDataJSON.origin ${JSON.stringify(cd.origin)} is not ${allowed.join(' or ')}` });
        }
      } catch {
        problems.push({ code: 'ATT_CLIENT_DATA', severity: 'fail', message: 'clientDataJSON is not JSON' });
      }
    }
  }

  let parsed;
  try {
    // real authenticators emit non-canonical CBOR at times; it is accepted here (the CBOR suite judges it)
    // Stryker disable next-line StringLiteral: every mode but 'strict' collects departures instead of throwing, as 'report' does
    parsed = parseAttestationObject(attestationObject, { canonical: 'report' });
  } catch (err) {
    return malformed(`attestation object: ${(err as Error).message}`);
  }
  const { fmt, authData } = parsed;
  const acd = authData.attestedCredentialData;
  const aaguid = acd ? aaguidToString(acd.aaguid) : ZERO_AAGUID;
  if (!acd) problems.push({ code: 'ATT_MALFORMED', severity: 'fail', message: 'authData has no attested credential data (AT flag clear)' });
  // WebAuthn L3 §7.1 step 14: the UP flag must be set
  if (!authData.up) problems.push({ code: 'ATT_USER_PRESENCE', severity: 'fail', message: 'authData UP flag is clear: no user presence (WebAuthn L3 §7.1 step 14; only a conditional create may leave it clear)' });
  // WebAuthn L3 §6.1.3 (credential backup state): BS set with BE clear is not a valid combination;
  // a relying party refuses it like any other false authData (SimpleWebAuthn and python-fido2 do)
  if (authData.bs && !authData.be) problems.push({ code: 'ATT_FLAGS', severity: 'fail', message: 'authData BS (backed up) is set while BE (backup eligible) is clear: an invalid flag combination (WebAuthn L3 §6.1.3)' });
  const notChecked: string[] = [];
  if (options.rpId === undefined) notChecked.push('rpIdHash');
  if (options.expectedOrigin === undefined) notChecked.push('origin');
  if (options.rpId !== undefined) {
    const expected = createHash('sha256').update(options.rpId).digest();
    if (!expected.equals(Buffer.from(authData.rpIdHash))) {
      problems.push({ code: 'ATT_RP_ID_MISMATCH', severity: 'fail', message: `authData.rpIdHash is not SHA-256("${options.rpId}") (§7.1 step 13)` });
    }
  }

  let outcome: FormatOutcome | undefined;
  try {
    outcome = await verifyFormat(fmt, { attStmt: parsed.attStmt as Map<unknown, unknown>, authData, clientDataHash, at: options.at });
  } catch (err) {
    outcome = { attestationType: 'unknown', trustPath: [], signatureValid: false, problems: [{ code: 'ATT_MALFORMED', severity: 'fail', message: `${fmt}: ${(err as Error).message}` }] };
  }
  if (!outcome) {
    outcome = { attestationType: 'unknown', trustPath: [], signatureValid: false, problems: [{ code: 'ATT_FORMAT_UNSUPPORTED', severity: 'fail', message: `attestation format "${fmt}" is not supported` }] };
  }
  problems.push(...outcome.problems);

  // metadata: by AAGUID, or by key identifier for U2F (zero AAGUID)
  let mdsEntry: MetadataBlobPayloadEntry | undefined;
  let keyIdentifier: string | undefined;
  const leaf = outcome.trustPath[0];
  // fido-u2f signs rpIdHash, clientDataHash, credentialId and the key, not authData (WebAuthn L3 §8.6 step 5):
  // its AAGUID is the client's, unsigned, and never names the model; the certificate's key identifier does
  if (fmt === 'fido-u2f' && aaguid !== ZERO_AAGUID) {
    problems.push({ code: 'ATT_AAGUID_MISMATCH', severity: 'warn', message: `fido-u2f authData carries AAGUID ${aaguid}, which the U2F signature does not cover: it is ignored (the model is looked up by the certificate's key identifier)` });
  }
  if (aaguid !== ZERO_AAGUID && fmt !== 'fido-u2f') mdsEntry = options.store?.byAaguid(aaguid);
  else if (leaf && fmt === 'fido-u2f') {
    // U2F authenticators are listed by attestationCertificateKeyIdentifiers (MDS3 §3.1.1)
    keyIdentifier = certificateKeyIdentifier(leaf);
    mdsEntry = options.store?.byKeyIdentifier(keyIdentifier);
  }
  if (aaguid === ZERO_AAGUID && fmt !== 'fido-u2f' && fmt !== 'none') {
    problems.push({ code: 'ATT_ZERO_AAGUID', severity: 'warn', message: 'authData AAGUID is all zeros: the model cannot be looked up' });
  }
  const withheld = options.store && !mdsEntry ? options.store.withheldReason(keyIdentifier ?? aaguid) : undefined;
  if (withheld) problems.push({ code: 'ATT_STATUS', severity: 'fail', message: `${keyIdentifier ? `key identifier ${keyIdentifier}` : `AAGUID ${aaguid}`}: ${withheld}` });
  else if (options.store && !mdsEntry && fmt !== 'none' && outcome.attestationType !== 'self') {
    problems.push({
      code: 'ATT_NO_METADATA',
      severity: 'warn',
      message: keyIdentifier ? `no MDS entry for attestation certificate key identifier ${keyIdentifier}` : `no MDS entry for AAGUID ${aaguid}`,
    });
  }

  // trust path (WebAuthn L3 §7.1 steps 22-23): the statement's chain to the entry's attestationRootCertificates,
  // or to an operator root
  const metadataRoots: X509Certificate[] = [];
  for (const [i, r] of (mdsEntry?.metadataStatement?.attestationRootCertificates ?? []).entries()) {
    try {
      metadataRoots.push(toCertificate(r, `attestationRootCertificates[${i}]`));
    } catch (err) {
      problems.push({ code: 'ATT_NO_TRUST_ANCHOR', severity: 'warn', message: (err as Error).message });
    }
  }
  const givenRoots: X509Certificate[] = [];
  for (const [i, r] of (options.roots ?? []).entries()) {
    try {
      givenRoots.push(toCertificate(r, `given root #${i + 1}`));
    } catch (err) {
      problems.push({ code: 'ATT_NO_TRUST_ANCHOR', severity: 'warn', message: (err as Error).message });
    }
  }
  let chainValid = false;
  let chainPath: ChainCertificate[] = [];
  let rootSubject: string | undefined;
  let rootSource: AttestationResult['rootSource'];
  const chainWarnings: MdsFinding[] = [];
  if (outcome.trustPath.length > 0) {
    // x5c itself (WebAuthn L3 §8.2: attestnCert "followed by its certificate chain"): a certificate not
    // issued by the next one, or an issuer that is no CA, is not that chain, even when a path can be picked
    // out of it (SimpleWebAuthn and python-fido2 validate x5c in order and refuse it too): it fails trust.
    // Validity is left to the path validation below when there is an anchor to validate against.
    const anchored = metadataRoots.length + givenRoots.length > 0;
    for (const p of await x5cSequenceProblems(outcome.trustPath, options.at)) {
      const validity = p.code === 'MDS_CERT_EXPIRED' || p.code === 'MDS_CERT_NOT_YET_VALID';
      if (anchored && validity) continue;
      problems.push({ code: 'ATT_X5C_CHAIN', severity: validity ? 'warn' : 'fail', message: `attestation x5c: ${p.message}` });
    }
    if (!anchored) {
      // a test root names itself FAKE or TEST as a word ("FIDO Fake TPM Root"); "Attestation" is no test
      const issuer = outcome.trustPath[outcome.trustPath.length - 1]!.issuer;
      problems.push({
        code: 'ATT_NO_TRUST_ANCHOR',
        severity: 'warn',
        message:
          `no trust anchor for "${issuer}": no metadata roots for this authenticator and no --attestation-root given` +
          (/\b(FAKE|TEST)\b/i.test(issuer) ? ' (the issuer is a test root, e.g. of the FIDO conformance tools; never trusted in production)' : ''),
      });
    } else {
      // the metadata's own roots first; an operator root only when they do not validate the chain, and its
      // result replaces theirs unless only theirs reached the end of the path
      let chain: ChainResult | undefined;
      let source: NonNullable<AttestationResult['rootSource']> = 'metadata';
      // Stryker disable next-line ConditionalExpression,EqualityOperator: with no metadata roots there are given roots (anchored), whose result replaces this one
      if (metadataRoots.length > 0) chain = await validateCertificateChain(outcome.trustPath, { roots: metadataRoots, at: options.at });
      if (!chain?.valid && givenRoots.length > 0) {
        const given = await validateCertificateChain(outcome.trustPath, { roots: givenRoots, at: options.at });
        if (given.root || !chain?.root) {
          chain = given;
          source = 'given';
        }
      }
      if (chain!.root) rootSource = source;
      chainValid = chain!.valid;
      chainPath = chain!.root ? chain!.path : [];
      rootSubject = chain!.root?.subject;
      chainWarnings.push(...chain!.warnings);
      for (const p of chain!.problems) problems.push({ code: p.code, severity: 'fail', message: `attestation chain: ${p.message}` });
    }
  }
  const metadataBacked = !!mdsEntry && chainValid && rootSource === 'metadata';
  const description = mdsEntry?.metadataStatement?.description;
  if (mdsEntry && chainValid && rootSource === 'given') {
    // an operator root made the chain valid; the entry the AAGUID points at does not describe this chain
    problems.push({
      code: 'ATT_METADATA_NOT_BACKING',
      severity: 'warn',
      message: `chain valid to the operator root "${rootSubject}", which is not among the attestationRootCertificates of the MDS entry for ${aaguid}${description ? ` ("${description}")` : ''}: that entry's model, status and certification are not claimed for this authenticator`,
    });
    mdsEntry = undefined;
  }

  let status: StatusEvaluation | undefined;
  if (mdsEntry) {
    // a compromise report naming any certificate of this attestation's path (MDS3 §3.1.3); before a chain
    // is validated, every root of the entry might be the one this attestation chains to
    const pathCerts = [...outcome.trustPath, ...(chainPath.length > 0 ? chainPath.map((c) => c.x509) : metadataRoots)];
    status = evaluateStatus(mdsEntry, { at: options.at, attestationCertificates: pathCerts, authenticatorVersion: options.firmwareVersion });
    for (const f of status.findings) {
      if (f.severity !== 'info') problems.push({ code: 'ATT_STATUS', severity: f.severity, message: `MDS status ${f.message}` });
    }
    const listed = mdsEntry.metadataStatement?.attestationTypes;
    const ours = METADATA_ATTESTATION_TYPE[outcome.attestationType];
    if (listed && ours.length && !ours.some((t) => listed.includes(t))) {
      problems.push({
        code: 'ATT_TYPE_NOT_IN_METADATA',
        severity: 'warn',
        message: `attestation type ${outcome.attestationType} is not among the statement's attestationTypes (${listed.join(', ')})`,
      });
    }
  }

  const trusted = outcome.signatureValid && chainValid && !problems.some((p) => p.severity === 'fail');
  return {
    format: fmt,
    attestationType: outcome.attestationType,
    trustPath: outcome.trustPath,
    chainPath,
    signatureValid: outcome.signatureValid,
    chainValid,
    ...(rootSubject !== undefined ? { rootSubject } : {}),
    ...(rootSource ? { rootSource } : {}),
    metadataBacked,
    aaguid,
    ...(keyIdentifier ? { keyIdentifier } : {}),
    ...(mdsEntry ? { mdsEntry } : {}),
    ...(metadataBacked && description ? { model: description } : {}),
    ...(!metadataBacked && description ? { claimedModel: description } : {}),
    ...(status ? { status } : {}),
    problems,
    chainWarnings,
    notChecked,
    trusted,
    authData,
    ...(clientData ? { clientData } : {}),
  };
}
