import type { AuthenticatorInfo } from '../protocol/index.ts';
import type { CheckResult, RequirementStatus } from '../../reports/model.ts';
import type { CheckId } from '../suites/checkIds.ts';
import type { MetadataBlobPayloadEntry } from '../../mds/MdsTypes.ts';
import type { AttestationResult } from '../../mds/attestation/verifyAttestation.ts';
import { evaluateStatus, type StatusEvaluation } from '../../mds/evaluateStatus.ts';
import { aaguidToString, ZERO_AAGUID } from '../../mds/aaguid.ts';

/** What an MDS lookup needs (an `MdsStore` fits). */
export interface MdsLookup {
  byAaguid(aaguid: Uint8Array | string): MetadataBlobPayloadEntry | undefined;
  readonly no?: number;
  readonly nextUpdate?: string;
}

/** Which MDS was consulted: the FIDO Alliance's BLOB, or test material (the simulator's test MDS, a test root). */
export interface MdsUsed {
  store: MdsLookup;
  /** true when the BLOB is not the FIDO Alliance's (it does not chain to the bundled GlobalSign roots) */
  testMaterial: boolean;
  /** where it came from, for the report ("simulator test MDS", a file name) */
  source?: string;
}

export type CheckOutcome = Pick<CheckResult, 'id' | 'status' | 'message'>;

/**
 * Everything the Microsoft and Entra evaluations read, from any entry point: `run` gives getInfo, the
 * suites' results and the attestation its attestation suite verified; `attestation verify` and the RP page
 * give the verified registration (and what the ceremony itself showed). What is absent is not judged.
 */
export interface CompatInput {
  /** the device's getInfo */
  info?: AuthenticatorInfo;
  /** how the key was reached: sim, hid, udp, nfc (a card over PC/SC, CTAP 2.1 §11.3) */
  transport?: string;
  /** the suites' results (`run` only); absent: no check was run at this entry point */
  checks?: readonly CheckOutcome[];
  /** a registration's attestation as mds/verifyAttestation verified it */
  attestation?: AttestationResult;
  /** the MDS consulted (absent: none) */
  mds?: MdsUsed;
  /** judge MDS status reports as of this time */
  at?: Date;
  /**
   * A registration made with Entra's options (userVerification "required", residentKey "required"): what it
   * showed. `run` leaves it out (its attestation comes from a plain makeCredential; its Entra ceremonies are
   * the WEBAUTHN-ENTRA-* checks).
   */
  ceremony?: { uv: boolean; residentKey?: boolean; credentialAlg?: number };
}

/** One observation behind a requirement; `info` never changes its status. */
export interface Fact {
  status: RequirementStatus | 'info';
  text: string;
}

/** What every requirement reads, derived once from the input. */
export interface Facts {
  input: CompatInput;
  /** getInfo AAGUID */
  infoAaguid?: string;
  /** authData AAGUID of the registration */
  attestedAaguid?: string;
  /** the AAGUID the key claims (attested first, else getInfo): what Entra's key restrictions see */
  aaguid?: string;
  /**
   * The attested AAGUID is vouched for: the attestation signature verifies over authData, and its
   * certificate chain ends in the MDS entry's attestationRootCertificates (WebAuthn L3 §7.1 steps 19-24,
   * MDS3 §3.1.1). Only then is anything learned from the MDS entry about this key.
   */
  aaguidVerified: boolean;
  /** why the AAGUID is not verified (when it is not) */
  notVerified: string;
  entry?: MetadataBlobPayloadEntry;
  status?: StatusEvaluation;
  check(id: CheckId): CheckOutcome | undefined;
}

function safeAaguid(bytes: Uint8Array | undefined): string | undefined {
  // Stryker disable next-line ConditionalExpression: aaguidToString(undefined) throws, and the catch gives undefined too
  if (!bytes) return undefined;
  try {
    return aaguidToString(bytes);
  } catch {
    // not 16 bytes
  }
  return undefined;
}

function whyNotVerified(a: AttestationResult | undefined): string {
  if (!a) return 'no registration was verified';
  if (a.attestationType === 'self') return 'self attestation: the AAGUID is the key\'s own claim';
  if (a.attestationType === 'none' || a.format === 'none') return '"none" attestation: nothing vouches for the AAGUID';
  if (!a.signatureValid) return 'the attestation signature does not verify';
  if (a.problems.some((p) => p.code === 'ATT_AAGUID_MISMATCH')) return "the certificate's AAGUID extension differs from authData";
  if (!a.chainValid || a.rootSource !== 'metadata') return "the attestation chain does not end in the MDS entry's roots";
  return 'not verified';
}

export function gatherFacts(input: CompatInput): Facts {
  const infoAaguid = safeAaguid(input.info?.aaguid);
  const a = input.attestation;
  const attestedAaguid = a && a.authData.attestedCredentialData ? a.aaguid : undefined;
  const aaguid = attestedAaguid ?? infoAaguid;
  const aaguidVerified =
    !!a && !!attestedAaguid && a.signatureValid && a.chainValid && a.rootSource === 'metadata' && !a.problems.some((p) => p.code === 'ATT_AAGUID_MISMATCH' || p.code === 'ATT_MALFORMED');
  // the all-zero AAGUID names no model (WebAuthn L3 §6.5.1) and is never looked up
  const entry = input.mds && aaguid && aaguid !== ZERO_AAGUID ? input.mds.store.byAaguid(aaguid) : undefined;
  const status = entry
    ? a?.mdsEntry === entry && a.status
      ? a.status
      : evaluateStatus(entry, {
          ...(input.at ? { at: input.at } : {}),
          // every certificate of the attestation: a compromise report may name the leaf, an intermediate or the root (MDS3 §3.1.4)
          ...(a ? { attestationCertificates: [...a.trustPath, ...a.chainPath].map((c) => new Uint8Array(c.rawData)) } : {}),
        })
    : undefined;
  // Stryker disable next-line ArrayDeclaration: a made-up entry has no check id, like no entry at all
  const byId = new Map((input.checks ?? []).map((c) => [c.id, c]));
  return {
    input,
    ...(infoAaguid ? { infoAaguid } : {}),
    ...(attestedAaguid ? { attestedAaguid } : {}),
    ...(aaguid ? { aaguid } : {}),
    aaguidVerified,
    notVerified: aaguidVerified ? '' : whyNotVerified(a),
    ...(entry ? { entry } : {}),
    ...(status ? { status } : {}),
    check: (id) => byId.get(id),
  };
}

/**
 * A requirement's status from its facts: any fail → fail; else anything required that could not be
 * judged (skip) → skip; else any warn → warn; else pass. Nothing judged at all → skip.
 */
export function combineFacts(facts: readonly Fact[]): RequirementStatus {
  const judged = facts.filter((f) => f.status !== 'info');
  if (!judged.length) return 'skip';
  for (const s of ['fail', 'skip', 'warn'] as const) if (judged.some((f) => f.status === s)) return s;
  return 'pass';
}

/** "pass: text" lines (info lines bare), as reports show evidence */
export function evidenceLines(facts: readonly Fact[]): string[] {
  return facts.map((x) => (x.status === 'info' ? x.text : `${x.status}: ${x.text}`));
}

/** The checks a requirement relies on, each named once. */
export interface CheckReliance {
  /** each must pass; an inner list is alternatives (one passing is enough, none may fail) */
  needs?: readonly (CheckId | readonly CheckId[])[];
  /** capability-gated checks: a failure fails the requirement; not run or skipped says nothing */
  failsOn?: readonly CheckId[];
}

/** every check id a reliance names, once */
export function reliedOn(r: CheckReliance): CheckId[] {
  return [...(r.needs ?? []).flatMap((n) => (typeof n === 'string' ? [n] : [...n])), ...(r.failsOn ?? [])];
}

function line(id: string, r: CheckOutcome | undefined): string {
  return r ? `${id} ${r.status}${r.message ? `: ${r.message}` : ''}` : `${id} was not run`;
}

function outcomeStatus(r: CheckOutcome | undefined): Fact['status'] {
  if (!r) return 'skip';
  return r.status === 'error' ? 'fail' : r.status;
}

/**
 * Facts from the suites' results. Where no check was run at all (attestation verify, the RP page) this
 * gives nothing: those entry points judge from the registration alone.
 */
export function checkFacts(f: Facts, r: CheckReliance): Fact[] {
  if (!f.input.checks) return [];
  const out: Fact[] = [];
  for (const need of r.needs ?? []) {
    if (typeof need === 'string') {
      const c = f.check(need);
      out.push({ status: outcomeStatus(c), text: line(need, c) });
      continue;
    }
    const results = need.map((id) => ({ id, c: f.check(id) }));
    const failed = results.filter(({ c }) => c?.status === 'fail' || c?.status === 'error');
    const passed = results.filter(({ c }) => c?.status === 'pass' || c?.status === 'warn');
    if (failed.length) out.push(...failed.map(({ id, c }) => ({ status: 'fail' as const, text: line(id, c) })));
    else if (passed.length) out.push(...results.map(({ id, c }) => ({ status: c && passed.some((p) => p.id === id) ? outcomeStatus(c) : 'info', text: line(id, c) })));
    else out.push({ status: 'skip', text: `none of ${need.join(', ')} passed (${results.map(({ id, c }) => line(id, c)).join('; ')})` });
  }
  // Stryker disable next-line ArrayDeclaration: a made-up id names no check, like no failsOn at all
  for (const id of r.failsOn ?? []) {
    const c = f.check(id);
    if (c?.status === 'fail' || c?.status === 'error') out.push({ status: 'fail', text: line(id, c) });
    else if (c?.status === 'warn') out.push({ status: 'warn', text: line(id, c) });
  }
  return out;
}

/**
 * A point learned from the MDS entry: judged only when the AAGUID is vouched for by the attestation
 * (otherwise skip, "AAGUID not verified") and an MDS was consulted that lists it.
 */
export function mdsFact(f: Facts, judge: (entry: MetadataBlobPayloadEntry) => Fact | Fact[]): Fact[] {
  if (!f.input.mds) return [{ status: 'skip', text: 'no MDS BLOB was consulted' }];
  if (!f.entry) return [{ status: 'skip', text: `AAGUID ${f.aaguid ?? '(unknown)'} has no MDS entry` }];
  if (!f.aaguidVerified) return [{ status: 'skip', text: `AAGUID not verified (${f.notVerified}): the MDS entry may describe another model` }];
  const r = judge(f.entry);
  return Array.isArray(r) ? r : [r];
}

export const noInfo: Fact = { status: 'skip', text: 'getInfo not available' };
