/**
 * The report model (docs/report-model.md, `report.json`, schemaVersion 1). This file is the contract in
 * TypeScript; `report.schema.json` is the same contract as JSON Schema (draft 2020-12) and the two are kept
 * in step by test/reports/schema.test.ts. Everything in reports/ renders from these types and imports
 * nothing else of the project.
 */

export const REPORT_SCHEMA_VERSION = 1 as const;

/** the check vocabulary (docs/report-model.md; requirements use the same one) */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip' | 'error';
export const CHECK_STATUSES: readonly CheckStatus[] = ['pass', 'fail', 'warn', 'skip', 'error'];

/**
 * One CTAP exchange recorded as evidence: request and response as hex, their CBOR diagnostic notation when
 * they decode, the status byte and timing. Fields are optional because a check may record only part of it
 * (e.g. a CTAPHID-level exchange has no CBOR).
 */
export interface EvidenceExchange {
  /** what was sent, e.g. "authenticatorMakeCredential (0x01)" */
  label?: string;
  /** request bytes, lowercase hex (command byte first for CTAP2) */
  requestHex?: string;
  requestDiagnostic?: string;
  /** response bytes, lowercase hex (status byte first for CTAP2) */
  responseHex?: string;
  responseDiagnostic?: string;
  /** the status, spec name and code, e.g. "0x00 CTAP2_OK" */
  status?: string;
  durationMs?: number;
}

/** Evidence for a check. Known members are typed; checks may add more (rendered as JSON). */
export interface CheckEvidence {
  exchanges?: EvidenceExchange[];
  /** free-form lines (a trace), in order */
  trace?: string[];
  /** what was expected and what was observed, already formatted */
  expected?: string;
  actual?: string;
  [member: string]: unknown;
}

export interface CheckResult {
  /** stable id `AREA-GROUP-NNN` */
  id: string;
  /** the suite (area) the check belongs to, e.g. "getinfo", "makecredential" */
  suite: string;
  title: string;
  /** spec section, e.g. "CTAP 2.1 §6.1.2 step 11" */
  specRef: string;
  status: CheckStatus;
  message: string;
  evidence?: CheckEvidence;
  durationMs: number;
  /** touches the device got while this check (and the set-up it needed) ran; absent when none */
  touches?: number;
}

/** What the run cost the person at the key: touches and replugs, as counted and as planned. */
export interface RunCost {
  /**
   * touches counted by the host: waits announced with KEEPALIVE UPNEEDED (CTAP 2.1 §11.2.9.2.1) that ended
   * with the device's answer, and U2F requests that needed polling
   */
  touches: number;
  /** times the person was asked to unplug and replug the key (reset refused after power-up, CTAP 2.1 §6.6) */
  replugs: number;
  /** the simulator's own count of the presence requests it approved (in-process simulator only) */
  simulatorTouches?: number;
  /** the plan printed before the run */
  planned?: { touches: number; replugs: number; seconds: number };
  /** how many checks ran (not skipped) beside those touches */
  checksRun: number;
}

export interface Summary {
  passed: number;
  failed: number;
  warned: number;
  skipped: number;
  errored: number;
}

/** The MDS entry as the report shows it (a summary, not the whole statement). */
export interface MdsSummary {
  /** whether an entry for the AAGUID was found */
  found: boolean;
  /** the BLOB is test material (the simulator's test MDS, a test root), not the FIDO Alliance's */
  testMaterial?: boolean;
  /** where the BLOB came from */
  source?: string;
  description?: string;
  /** BLOB serial number (`no`) and nextUpdate of the BLOB consulted */
  blobNo?: number;
  nextUpdate?: string;
  /** the time the BLOB was verified and statuses judged at (a run's `--at`, else its start) */
  verifiedAt?: string;
  /** latest status report in effect, e.g. "FIDO_CERTIFIED_L1" */
  latestStatus?: string;
  certificationLevel?: string;
  statusVerdict?: 'pass' | 'warn' | 'fail';
  /** status findings, already formatted */
  findings?: string[];
  attestationTypes?: string[];
  [member: string]: unknown;
}

export interface DeviceInfo {
  /** "sim", "hid", "udp", "memory" … */
  transport: string;
  path?: string;
  /** canonical lowercase hyphenated UUID text */
  aaguid: string;
  /** decoded getInfo with member names, byte strings as hex */
  getInfo: Record<string, unknown>;
  mds?: MdsSummary;
  [member: string]: unknown;
}

/** A requirement's status: the check vocabulary without `error` ("skip" = could not be judged; reason says why) */
export type RequirementStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface MicrosoftRequirement {
  /** MS-* id, verbatim from docs/microsoft-entra.md */
  id: string;
  title: string;
  status: RequirementStatus;
  /** where Microsoft says so, e.g. "S1" or "S1, S7" */
  source: string;
  /** the check ids this requirement was judged from */
  checkIds: string[];
  /** why: one line per observation */
  evidence: string[];
}

/** Something Microsoft does not require, shown for information only (docs/microsoft-entra.md). */
export interface InformationItem {
  id: string;
  title: string;
  value: string;
}

export type MicrosoftVerdict = 'compatible' | 'not-compatible' | 'incomplete';

export interface MicrosoftEvaluation {
  verdict: MicrosoftVerdict;
  requirements: MicrosoftRequirement[];
  information?: InformationItem[];
  /** set when the MDS consulted is test material (the simulator's test MDS, a BLOB under a test root) */
  mdsNote?: string;
}

/** `depends-on-group`: the answer turns on groups the user may be in (give them with --entra-user-groups) */
export type EntraVerdict = 'allowed' | 'blocked' | 'incomplete' | 'depends-on-group';

/**
 * What to do about a verdict that is not "allowed": a Graph request an admin can send (the smallest
 * change that allows the key), the key's own failing checks (no policy change helps), or nothing.
 */
export type EntraFix =
  | { kind: 'none'; text: string }
  | { kind: 'policy'; text: string; method: 'PATCH' | 'POST'; path: string; body: Record<string, unknown> }
  | { kind: 'device'; text: string; checks: string[] };

/** One Conditional Access authentication strength judged for this key (EN-AUTH-STRENGTH). */
export interface AuthStrengthResult {
  /** the authenticationStrengthPolicy id */
  id: string;
  displayName: string;
  policyType: 'builtIn' | 'custom' | string;
  status: RequirementStatus;
  message: string;
  /** where the strength came from: built in, or a file */
  from: string;
  fix: EntraFix;
}

/** One EN-* (or WIN-*) finding; `entra.reasons` uses the ids verbatim. */
export interface EntraReason {
  id: string;
  status: RequirementStatus;
  message: string;
  source: string;
}

/** The fido2AuthenticationMethod resource Entra would show for a key registered with this device (Graph). */
export interface Fido2AuthenticationMethodView {
  aaGuid: string;
  model: string;
  /** Graph attestationLevel: "attested" | "notAttested" */
  attestationLevel: 'attested' | 'notAttested';
  /** Graph passkeyType: "deviceBound" | "synced" */
  passkeyType: 'deviceBound' | 'synced';
}

/** One evaluation of the device under one policy (the given one, or Entra's defaults / attestation enforced). */
export interface EntraScenario {
  name: string;
  verdict: EntraVerdict;
  reasons: EntraReason[];
}

export interface EntraEvaluation {
  verdict: EntraVerdict;
  /** where the policy came from: a file, or Entra's defaults when none was given */
  policySource: 'file' | 'default';
  /** the policy as evaluated (normalised; legacy and passkeyProfiles members as given) */
  policy: Record<string, unknown>;
  reasons: EntraReason[];
  /** a fido2AuthenticationMethodConfiguration fragment an admin would PATCH to allow this AAGUID ({} when no policy change helps) */
  suggestedPolicy: Record<string, unknown>;
  /** what would allow the key: the PATCH, or the failing checks of a device defect */
  fix?: EntraFix;
  /** the groups the user was evaluated as a member of (undefined: unknown) */
  userGroups?: string[];
  /** Conditional Access authentication strengths (built-in ones and --entra-auth-strength files) */
  authStrengths?: AuthStrengthResult[];
  authenticationMethod?: Fido2AuthenticationMethodView;
  /** with no policy: the default policy and "attestation enforced"; with a policy: that policy alone */
  scenarios?: EntraScenario[];
}

export interface ToolInfo {
  name: string;
  version: string;
}

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: ToolInfo;
  /** ISO 8601 */
  startedAt: string;
  finishedAt: string;
  /** true when the run was cut short (Ctrl-C, device pulled, time limit); `incompleteReason` says why */
  incomplete?: boolean;
  incompleteReason?: string;
  device: DeviceInfo;
  summary: Summary;
  checks: CheckResult[];
  /** touches and replugs the run cost (absent in reports of older versions) */
  run?: RunCost;
  microsoft?: MicrosoftEvaluation;
  entra?: EntraEvaluation;
}

/** Output formats `writeReports` and `fido-harness report` know. */
export type ReportFormat = 'json' | 'html' | 'junit' | 'md';
export const REPORT_FORMATS: readonly ReportFormat[] = ['json', 'html', 'junit', 'md'];

/** File names in the output directory (runs/latest/{report.json,report.html,junit.xml,summary.md}, docs/report-model.md). */
export const REPORT_FILE_NAMES: Record<ReportFormat, string> = {
  json: 'report.json',
  html: 'report.html',
  junit: 'junit.xml',
  md: 'summary.md',
};

/** What the Microsoft/Entra `source` ids stand for (docs/microsoft-entra.md). */
export const SOURCES_LEGEND =
  'Sources: S1 Microsoft Entra ID attestation for passkey (FIDO2) vendors; S2 What is a Microsoft-compatible security key? (Windows); ' +
  'S3 How to enable passkeys (FIDO2) in Microsoft Entra ID; S4 Enable FIDO2 security key sign-in to Windows devices; ' +
  'S6 Microsoft Graph (fido2AuthenticationMethodConfiguration, passkeyProfile, fido2KeyRestrictions, authenticationStrengthPolicy, fido2CombinationConfiguration); ' +
  'S7 FIDO Metadata Service 3.';
