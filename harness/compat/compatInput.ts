import type { AttestationObject, AuthenticatorInfo } from '../protocol/index.ts';
import type { CheckResult, RequirementStatus } from '../../reports/model.ts';
import type { MetadataBlobPayloadEntry } from '../../mds/MdsTypes.ts';
import { evaluateStatus, type StatusEvaluation } from '../../mds/evaluateStatus.ts';
import { aaguidToString, ZERO_AAGUID } from '../../mds/aaguid.ts';

/** What an MDS lookup needs (an `MdsStore` fits). */
export interface MdsLookup {
  byAaguid(aaguid: Uint8Array | string): MetadataBlobPayloadEntry | undefined;
  readonly no?: number;
}

/**
 * Inputs to the Microsoft and Entra evaluations. Every member is optional except `checks`: what is missing
 * makes the requirements that need it `skip` (could not be judged), never a silent pass.
 */
export interface CompatInput {
  /** the device's getInfo (harness/protocol AuthenticatorInfo) */
  info?: AuthenticatorInfo;
  /** the suites' results; looked up by check id */
  checks: readonly Pick<CheckResult, 'id' | 'status' | 'message'>[];
  /** an attestation object from a makeCredential with attestation "direct" (fmt, attStmt, authData) */
  attestation?: Pick<AttestationObject, 'fmt' | 'attStmt' | 'authData'>;
  /** the MDS consulted (undefined: none was) */
  mds?: MdsLookup;
  /** judge MDS status reports as of this time (default: all reports) */
  at?: Date;
}

/** What both evaluations derive from the input, once. */
export interface DeviceFacts {
  /** getInfo AAGUID as UUID text, when getInfo is known */
  aaguid?: string;
  /** authData AAGUID of the attestation, when given */
  attestedAaguid?: string;
  mdsConsulted: boolean;
  mdsEntry?: MetadataBlobPayloadEntry;
  mdsStatus?: StatusEvaluation;
  /** attStmt.x5c[0], DER */
  attestationCertificate?: Uint8Array;
  checkStatus(id: string): Pick<CheckResult, 'id' | 'status' | 'message'> | undefined;
}

export function gatherFacts(input: CompatInput): DeviceFacts {
  const aaguid = input.info ? safeAaguid(input.info.aaguid) : undefined;
  const attestedBytes = input.attestation?.authData.attestedCredentialData?.aaguid;
  const attestedAaguid = attestedBytes ? safeAaguid(attestedBytes) : undefined;
  const x5c = input.attestation?.attStmt.get('x5c');
  const attestationCertificate = Array.isArray(x5c) && x5c[0] instanceof Uint8Array ? x5c[0] : undefined;
  // the MDS is looked up by the getInfo AAGUID (MS-MDS-LISTED: G aaguid == A aaguid == an M entry), else
  // the attested one; the all-zero AAGUID names no model (WebAuthn L3 §6.5.1) and is never looked up
  const key = aaguid ?? attestedAaguid;
  const mdsEntry = input.mds && key && key !== ZERO_AAGUID ? input.mds.byAaguid(key) : undefined;
  const mdsStatus = mdsEntry
    ? evaluateStatus(mdsEntry, {
        ...(input.at ? { at: input.at } : {}),
        ...(attestationCertificate ? { attestationCertificate } : {}),
        ...(input.info?.firmwareVersion !== undefined ? { authenticatorVersion: input.info.firmwareVersion } : {}),
      })
    : undefined;
  const byId = new Map(input.checks.map((c) => [c.id, c]));
  return {
    ...(aaguid ? { aaguid } : {}),
    ...(attestedAaguid ? { attestedAaguid } : {}),
    mdsConsulted: !!input.mds,
    ...(mdsEntry ? { mdsEntry } : {}),
    ...(mdsStatus ? { mdsStatus } : {}),
    ...(attestationCertificate ? { attestationCertificate } : {}),
    checkStatus: (id) => byId.get(id),
  };
}

function safeAaguid(bytes: Uint8Array): string | undefined {
  try {
    return aaguidToString(bytes);
  } catch {
    return undefined;
  }
}

/** One observation behind a requirement; `info` observations never change its status. */
export interface Fact {
  status: RequirementStatus | 'info';
  text: string;
}

/**
 * A requirement's status from its facts: any fail → fail; else any skip (something required could not be
 * judged) → skip; else any warn → warn; else pass. No facts at all → skip.
 */
export function combineFacts(facts: readonly Fact[]): RequirementStatus {
  const judged = facts.filter((f) => f.status !== 'info');
  if (!judged.length) return 'skip';
  for (const s of ['fail', 'skip', 'warn'] as const) if (judged.some((f) => f.status === s)) return s;
  return 'pass';
}

/**
 * Facts from functional checks. `mode: 'all'` needs every check to pass; `mode: 'any'` needs one to pass
 * (the others failing then warn). A check that was not run, or was skipped, cannot judge: skip.
 */
export function checkFacts(facts: DeviceFacts, ids: readonly string[], mode: 'all' | 'any' = 'all'): Fact[] {
  const results = ids.map((id) => ({ id, r: facts.checkStatus(id) }));
  const line = (id: string, r: ReturnType<DeviceFacts['checkStatus']>) =>
    r ? `${id} ${r.status}${r.message ? `: ${r.message}` : ''}` : `${id} was not run`;
  const toStatus = (r: ReturnType<DeviceFacts['checkStatus']>): Fact['status'] =>
    !r ? 'skip' : r.status === 'error' ? 'fail' : r.status;
  if (mode === 'all') return results.map(({ id, r }) => ({ status: toStatus(r), text: line(id, r) }));
  const anyPass = results.some(({ r }) => r?.status === 'pass' || r?.status === 'warn');
  if (!anyPass) {
    const allRun = results.every(({ r }) => r && r.status !== 'skip');
    return [{ status: allRun ? 'fail' : 'skip', text: results.map(({ id, r }) => line(id, r)).join('; ') }];
  }
  return results.map(({ id, r }) => ({
    status: !r || r.status === 'pass' || r.status === 'skip' ? 'info' : r.status === 'warn' ? 'warn' : 'warn',
    text: line(id, r),
  }));
}
