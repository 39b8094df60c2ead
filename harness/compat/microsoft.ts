import type { InformationItem, MicrosoftEvaluation, MicrosoftRequirement } from '../../reports/model.ts';
import { CtapExtension, CtapVersion, describeUvModality } from '../protocol/index.ts';
import { ZERO_AAGUID } from '../../mds/aaguid.ts';
import { checkFacts, combineFacts, evidenceLines, gatherFacts, mdsFact, noInfo, reliedOn, type CheckReliance, type CompatInput, type Fact, type Facts } from './evidence.ts';

/**
 * The "Microsoft-compatible security key" requirements (docs/microsoft-entra.md; sources S1 Entra
 * attestation for passkey vendors, S2 Windows "Microsoft-compatible security key", S3, S7 MDS3). Each
 * requirement names the checks it relies on once (`needs`, `failsOn`); the evaluator adds their results to
 * the requirement's own getInfo (G), attestation (A) and MDS (M) facts. Verdict: any fail → not-compatible;
 * else any skip → incomplete; else compatible (warnings allowed).
 */
export interface RequirementDefinition<Id extends string = string> extends CheckReliance {
  id: Id;
  title: string;
  source: string;
  facts(f: Facts): Fact[];
}

const FIDO2_VERSIONS = new Set<string>([CtapVersion.FIDO_2_0, CtapVersion.FIDO_2_1_PRE, CtapVersion.FIDO_2_1, CtapVersion.FIDO_2_2]);
/** MDS userVerificationMethod values that are a passcode or a biometric (FIDO Registry of Predefined Values §3.1) */
const UV_METHODS = /^(passcode|fingerprint|voiceprint|faceprint|eyeprint|handprint|palmprint|pattern)_/;

/** attestation problems that belong to MS-CERTIFIED (MDS status), not to the attestation itself */
const STATUS_CODES = new Set(['ATT_STATUS']);

function attestationFacts(f: Facts): Fact[] {
  const a = f.input.attestation;
  if (!a) return [{ status: 'skip', text: 'no registration was verified' }];
  const out: Fact[] = [];
  if (a.format !== 'packed') out.push({ status: 'fail', text: `attestation format "${a.format}", packed with x5c required` });
  else if (a.attestationType === 'self') out.push({ status: 'fail', text: 'packed self attestation (no x5c): no chain to an MDS root' });
  if (!a.authData.up) out.push({ status: 'fail', text: 'authData UP flag clear (WebAuthn L3 §7.1 step 14)' });
  for (const p of a.problems) {
    if (p.severity === 'fail' && !STATUS_CODES.has(p.code)) out.push({ status: 'fail', text: `${p.code}: ${p.message}` });
  }
  // a chain proves nothing about this registration until the statement's signature over authData and the
  // clientDataHash verifies (WebAuthn L3 §7.1 step 21); without client data it could not be checked
  // Stryker disable next-line ConditionalExpression: every fact pushed above is a fail, so "any fail" is "any fact"
  if (!a.signatureValid && !out.some((x) => x.status === 'fail')) out.push({ status: 'skip', text: 'the attestation signature was not verified (no clientDataJSON or clientDataHash)' });
  if (a.format === 'packed' && a.attestationType !== 'self') {
    if (a.chainValid && a.rootSource === 'metadata') out.push({ status: 'pass', text: `chain ends in the MDS root "${a.rootSubject ?? ''}"` });
    else if (!f.input.mds) out.push({ status: 'skip', text: 'no MDS BLOB was consulted: the chain to the MDS roots cannot be judged' });
    else if (!f.entry) out.push({ status: 'fail', text: `AAGUID ${a.aaguid} has no MDS entry, so no MDS root to chain to` });
    else out.push({ status: 'fail', text: `the chain does not end in the MDS entry's attestationRootCertificates${a.rootSubject ? ` (it ends in "${a.rootSubject}", ${a.rootSource})` : ''}` });
  }
  const types = f.entry?.metadataStatement?.attestationTypes;
  if (types) out.push({ status: 'info', text: `MDS attestationTypes: ${types.join(', ')}` });
  return out;
}

export const MICROSOFT_REQUIREMENTS = [
  {
    id: 'MS-FIDO2',
    title: 'FIDO2, not U2F-only',
    source: 'S1',
    needs: ['INFO-VERSIONS-001'],
    facts: (f) => {
      const info = f.input.info;
      const g: Fact[] = !info
        ? []
        : info.versions.some((x) => FIDO2_VERSIONS.has(x))
          ? [{ status: 'pass', text: `getInfo versions include ${info.versions.filter((x) => FIDO2_VERSIONS.has(x)).join(', ')}` }]
          : [{ status: 'fail', text: `getInfo versions ${JSON.stringify(info.versions)} have no FIDO_2_x` }];
      const m = mdsFact(f, (e) => {
        const family = e.metadataStatement?.protocolFamily;
        return family === 'fido2' ? { status: 'pass', text: 'MDS protocolFamily "fido2"' } : { status: 'fail', text: `MDS protocolFamily ${JSON.stringify(family)}, not "fido2"` };
      });
      return [...g, ...m];
    },
  },
  {
    id: 'MS-CERTIFIED',
    title: 'FIDO2 certified at any level, no undesired MDS status',
    source: 'S1, S7',
    needs: ['MDS-STATUS-001'],
    facts: (f) =>
      mdsFact(f, () => {
        const s = f.status!;
        return [
          s.certified
            ? { status: 'pass', text: `certification status ${s.certificationLevel}` }
            : { status: 'fail', text: `not FIDO certified (latest certification status: ${s.certificationLevel ?? 'none'})` },
          ...s.findings.map((x): Fact => ({ status: x.severity === 'info' ? 'info' : x.severity, text: `MDS ${x.message}` })),
        ];
      }),
  },
  {
    id: 'MS-MDS-LISTED',
    title: 'Metadata in MDS, AAGUID matching',
    source: 'S1',
    needs: ['ATT-AAGUID-001', 'MDS-ENTRY-001'],
    facts: (f) => {
      const out: Fact[] = [];
      if (f.infoAaguid && f.attestedAaguid) {
        out.push(
          f.infoAaguid === f.attestedAaguid
            ? { status: 'pass', text: `getInfo AAGUID equals the attested AAGUID ${f.infoAaguid}` }
            : { status: 'fail', text: `getInfo AAGUID ${f.infoAaguid} differs from the attested AAGUID ${f.attestedAaguid}` },
        );
      }
      if (!f.input.mds) out.push({ status: 'skip', text: 'no MDS BLOB was consulted' });
      else if (!f.aaguid) out.push({ status: 'skip', text: 'AAGUID unknown (no getInfo, no registration)' });
      else if (f.aaguid === ZERO_AAGUID) out.push({ status: 'fail', text: 'the all-zero AAGUID names no model and cannot be listed in MDS' });
      else if (!f.entry) {
        out.push({ status: 'fail', text: `AAGUID ${f.aaguid} is not in the MDS BLOB consulted${f.input.mds.store.no !== undefined ? ` (serial ${f.input.mds.store.no})` : ''}; Microsoft ingests MDS monthly, so a new listing can take up to 4 weeks to reach it` });
      } else if (!f.aaguidVerified) {
        // a certificate chain that does not lead to the entry's roots contradicts the listing; self and
        // "none" attestation simply cannot vouch for it
        const a = f.input.attestation;
        const contradicted = !!a && a.trustPath.length > 0 && !(a.chainValid && a.rootSource === 'metadata');
        out.push(
          contradicted
            ? { status: 'fail', text: `the attestation chain does not lead to the attestationRootCertificates of the MDS entry for AAGUID ${f.aaguid}: the key is not the listed model` }
            : { status: 'skip', text: `AAGUID not verified (${f.notVerified}): its MDS entry may belong to another model` },
        );
      }
      else out.push({ status: 'pass', text: `listed in MDS as "${f.entry.metadataStatement?.description ?? '(no description)'}"` });
      return out;
    },
  },
  {
    id: 'MS-UV',
    title: 'User verification by PIN or biometrics',
    source: 'S1',
    // biometric UV counts (S1: "PIN or biometrics"): a token or makeCredential verified by the enrolled finger
    needs: [['PIN-TOKEN-001', 'PIN-TOKEN-002', 'UV-BUILTIN-001', 'BIO-UV-001', 'BIO-UV-004']],
    failsOn: ['UV-FLAG-001', 'UV-FLAG-002', 'UV-FLAG-003', 'MC-FLAGS-002', 'GA-FLAGS-002', 'UV-TOKEN-001', 'UV-OPT-001', 'BIO-UV-002', 'BIO-UV-003'],
    facts: (f) => {
      const info = f.input.info;
      const out: Fact[] = [];
      if (info) {
        const o = info.options ?? {};
        const has = ['clientPin', 'uv'].filter((k) => k in o);
        out.push(has.length ? { status: 'pass', text: `getInfo options: ${has.map((k) => `${k}=${o[k]}`).join(', ')}` } : { status: 'fail', text: 'getInfo options have neither clientPin nor uv' });
        if (info.uvModality !== undefined) out.push({ status: 'info', text: `built-in user verification: ${describeUvModality(info.uvModality)}` });
      }
      out.push(
        ...mdsFact(f, (e) => {
          const methods = (e.metadataStatement?.userVerificationDetails ?? []).flat().map((m) => m.userVerificationMethod);
          const good = methods.filter((m) => UV_METHODS.test(m));
          return good.length
            ? { status: 'pass', text: `MDS userVerificationDetails: ${[...new Set(good)].join(', ')}` }
            : { status: 'fail', text: `MDS userVerificationDetails have no passcode or biometric method (${methods.join(', ') || 'none'})` };
        }),
      );
      return out;
    },
  },
  {
    id: 'MS-RK',
    title: 'Discoverable credentials',
    source: 'S1, S2',
    needs: ['RK-DISCOVER-001'],
    failsOn: ['RK-SUPPORT-001', 'RK-OVERWRITE-001', 'RK-NONRK-001'],
    facts: (f) => {
      const info = f.input.info;
      if (!info) return [];
      return [info.options?.rk === true ? { status: 'pass', text: 'getInfo options.rk true' } : { status: 'fail', text: `getInfo options.rk ${info.options?.rk ?? 'absent'} (must be true)` }];
    },
  },
  {
    id: 'MS-HMAC',
    title: 'hmac-secret for offline Windows unlock',
    source: 'S1, S2',
    needs: ['HMAC-SUPPORT-001', 'HMAC-STABLE-001', 'HMAC-UVSPLIT-001'],
    failsOn: ['HMAC-MC-001', 'HMAC-GA-001', 'HMAC-GA-002', 'HMAC-GA-003', 'HMAC-GA-004', 'HMAC-STABLE-002'],
    facts: (f) => {
      const info = f.input.info;
      if (!info) return [];
      return [
        info.extensions?.includes(CtapExtension.hmacSecret)
          ? { status: 'pass', text: 'getInfo extensions include hmac-secret' }
          : { status: 'fail', text: `getInfo extensions ${JSON.stringify(info.extensions ?? [])} lack hmac-secret` },
      ];
    },
  },
  {
    id: 'MS-MULTI-ACCOUNT',
    title: 'Several accounts per relying party',
    source: 'S2',
    needs: ['RK-MULTI-001'],
    failsOn: ['RK-MULTI-002', 'RK-MULTI-003', 'WEBAUTHN-ENTRA-003'],
    facts: () => [],
  },
  {
    id: 'MS-ATTESTATION',
    title: 'Packed attestation with a full chain to the MDS roots',
    source: 'S1',
    needs: ['ATT-PACKED-001', 'ATT-CERT-001', 'MDS-CHAIN-001'],
    failsOn: ['ATT-CHAIN-001', 'MC-RPID-001', 'MC-FLAGS-001', 'WEBAUTHN-REG-001', 'WEBAUTHN-ENTRA-001'],
    facts: attestationFacts,
  },
  {
    id: 'MS-AAGUID',
    title: 'AAGUID is a real identifier',
    source: 'S3',
    needs: ['INFO-AAGUID-001'],
    failsOn: ['INFO-AAGUID-002'],
    facts: (f) => {
      const out: Fact[] = [];
      if (f.input.info) {
        if (!f.infoAaguid) out.push({ status: 'fail', text: 'getInfo aaguid is not 16 bytes' });
        else out.push(f.infoAaguid === ZERO_AAGUID ? { status: 'fail', text: 'getInfo AAGUID is all zeros' } : { status: 'pass', text: `getInfo AAGUID ${f.infoAaguid} is non-zero` });
      }
      if (f.attestedAaguid) out.push(f.attestedAaguid === ZERO_AAGUID ? { status: 'fail', text: 'attested AAGUID is all zeros' } : { status: 'pass', text: `attested AAGUID ${f.attestedAaguid} is non-zero` });
      out.push({ status: 'info', text: 'the same AAGUID on every unit of a model cannot be judged from one unit' });
      return out;
    },
  },
] as const satisfies readonly RequirementDefinition[];

export type MicrosoftRequirementId = (typeof MICROSOFT_REQUIREMENTS)[number]['id'];

/** the MS-* ids, in report order */
export const MICROSOFT_REQUIREMENT_IDS: readonly MicrosoftRequirementId[] = MICROSOFT_REQUIREMENTS.map((r) => r.id);

/** One requirement judged: its own facts, then the facts of the checks it relies on. */
export function judgeRequirement(def: RequirementDefinition, f: Facts): { status: MicrosoftRequirement['status']; facts: Fact[] } {
  const facts = [...def.facts(f), ...checkFacts(f, def)];
  const status = combineFacts(facts);
  if (!facts.some((x) => x.status !== 'info')) facts.push({ status: 'skip', text: 'nothing could be measured at this entry point' });
  return { status, facts };
}

/** What Microsoft does not require, shown as information (never a requirement). */
const TRANSPORT_NAMES: Record<string, string> = { hid: 'USB HID', nfc: 'NFC (PC/SC)', sim: 'the built-in simulator (in process)', udp: 'a simulator over UDP' };

export function microsoftInformation(input: CompatInput): InformationItem[] {
  const info = input.info;
  const over: InformationItem[] = input.transport ? [{ id: 'INFO-TESTED-OVER', title: 'Tested over', value: TRANSPORT_NAMES[input.transport] ?? input.transport }] : [];
  if (!info) return over;
  const o = info.options ?? {};
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  return [
    ...over,
    { id: 'INFO-CTAP21', title: 'CTAP 2.1', value: yes(info.versions.includes(CtapVersion.FIDO_2_1)) + ` (versions: ${info.versions.join(', ')})` },
    { id: 'INFO-CREDPROTECT', title: 'credProtect extension', value: yes(!!info.extensions?.includes(CtapExtension.credProtect)) },
    { id: 'INFO-CREDMGMT', title: 'Credential management', value: o.credMgmt !== undefined ? `credMgmt=${o.credMgmt}` : o.credentialMgmtPreview !== undefined ? `credentialMgmtPreview=${o.credentialMgmtPreview}` : 'no' },
    { id: 'INFO-EP', title: 'Enterprise attestation', value: o.ep !== undefined ? `ep=${o.ep}` : 'no' },
    { id: 'INFO-RK-COUNT', title: 'Remaining discoverable credentials', value: info.remainingDiscoverableCredentials !== undefined ? String(info.remainingDiscoverableCredentials) : 'not reported' },
    { id: 'INFO-FIRMWARE', title: 'Firmware version', value: info.firmwareVersion !== undefined ? String(info.firmwareVersion) : 'not reported' },
    { id: 'INFO-TRANSPORTS', title: 'Transports', value: info.transports?.join(', ') ?? 'not reported' },
    { id: 'INFO-UV-MODALITY', title: 'Built-in user verification', value: uvMethod(info) },
  ];
}

/** The built-in UV method and whether it is set up (getInfo uvModality and uv, CTAP 2.1 §6.4), or none. */
function uvMethod(info: NonNullable<CompatInput['info']>): string {
  const uv = info.options?.uv;
  if (info.uvModality === undefined && uv === undefined) return 'none (not reported)';
  const method = info.uvModality !== undefined ? describeUvModality(info.uvModality) : 'a method it does not name (no uvModality)';
  return uv === undefined ? method : `${method}, ${uv ? 'set up' : 'not set up yet'} (uv=${uv})`;
}

/** the sentence reports carry when the MDS consulted is not the FIDO Alliance's */
export const TEST_MDS_NOTE = "test material, not Microsoft's view: the MDS consulted is not the FIDO Alliance's BLOB";

export function evaluateMicrosoft(input: CompatInput, facts: Facts = gatherFacts(input)): MicrosoftEvaluation {
  const requirements: MicrosoftRequirement[] = MICROSOFT_REQUIREMENTS.map((def) => {
    const { status, facts: list } = judgeRequirement(def, facts);
    return { id: def.id, title: def.title, source: def.source, checkIds: reliedOn(def), status, evidence: evidenceLines(list) };
  });
  const verdict = requirements.some((r) => r.status === 'fail') ? 'not-compatible' : requirements.some((r) => r.status === 'skip') ? 'incomplete' : 'compatible';
  return {
    verdict,
    requirements,
    information: microsoftInformation(input),
    ...(input.mds?.testMaterial ? { mdsNote: TEST_MDS_NOTE } : {}),
  };
}
