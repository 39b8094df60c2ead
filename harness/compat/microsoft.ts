import type { InformationItem, MicrosoftEvaluation, MicrosoftRequirement } from '../../reports/model.ts';
import { CtapExtension, CtapVersion } from '../protocol/index.ts';
import { ZERO_AAGUID } from '../../mds/aaguid.ts';
import { checkFacts, combineFacts, gatherFacts, type CompatInput, type DeviceFacts, type Fact } from './compatInput.ts';

/**
 * The "Microsoft-compatible FIDO2 security key" evaluation (MICROSOFT-ENTRA.md, table "Microsoft-compatible
 * (vendor program)"; sources S1 Entra attestation for passkey vendors, S2 Windows "Microsoft-compatible
 * security key", S3, S7 MDS3). Ids are verbatim. Each requirement combines getInfo (G), attestation (A),
 * MDS (M) and functional-check facts; what could not be judged is `skip` with the reason. Verdict:
 * any fail → not-compatible; else any skip → incomplete; else compatible (warnings allowed).
 */

const FIDO2_VERSIONS = new Set<string>([CtapVersion.FIDO_2_0, CtapVersion.FIDO_2_1_PRE, CtapVersion.FIDO_2_1, CtapVersion.FIDO_2_2]);
/** MDS userVerificationMethod values that are a passcode or a biometric (FIDO Registry of Predefined Values §3.1) */
const UV_METHODS = /^(passcode|fingerprint|voiceprint|faceprint|eyeprint|handprint|palmprint|pattern)_/;

type Requirement = Omit<MicrosoftRequirement, 'status' | 'evidence'> & { facts: (f: DeviceFacts, input: CompatInput) => Fact[] };

function noInfo(): Fact {
  return { status: 'skip', text: 'getInfo not available' };
}

function mdsNotFound(f: DeviceFacts): Fact {
  return f.mdsConsulted
    ? { status: 'skip', text: `AAGUID ${f.aaguid ?? f.attestedAaguid ?? '(unknown)'} is not in the MDS BLOB consulted (Microsoft ingests MDS monthly: a new listing can take up to 4 weeks to reach it)` }
    : { status: 'skip', text: 'no MDS BLOB was consulted' };
}

const REQUIREMENTS: Requirement[] = [
  {
    id: 'MS-FIDO2',
    title: 'FIDO2, not U2F-only',
    source: 'S1',
    checkIds: ['INFO-VERSIONS-001'],
    facts: (f, { info }) => {
      const out: Fact[] = [];
      if (!info) out.push(noInfo());
      else {
        const v = info.versions.filter((x) => FIDO2_VERSIONS.has(x));
        out.push(v.length ? { status: 'pass', text: `getInfo versions include ${v.join(', ')}` } : { status: 'fail', text: `getInfo versions ${JSON.stringify(info.versions)} have no FIDO_2_x` });
      }
      const c = f.checkStatus('INFO-VERSIONS-001');
      if (c) out.push(...checkFacts(f, ['INFO-VERSIONS-001']));
      const family = f.mdsEntry?.metadataStatement?.protocolFamily;
      if (family !== undefined) out.push(family === 'fido2' ? { status: 'pass', text: 'MDS protocolFamily "fido2"' } : { status: 'fail', text: `MDS protocolFamily "${family}", not "fido2"` });
      else out.push({ status: 'info', text: f.mdsEntry ? 'MDS statement has no protocolFamily' : 'MDS protocolFamily not known (no entry)' });
      return out;
    },
  },
  {
    id: 'MS-CERTIFIED',
    title: 'FIDO2 certified at any level, no undesired MDS status',
    source: 'S1, S7',
    checkIds: ['MDS-STATUS-001'],
    facts: (f) => {
      if (!f.mdsEntry || !f.mdsStatus) return [mdsNotFound(f), ...(f.checkStatus('MDS-STATUS-001') ? checkFacts(f, ['MDS-STATUS-001']) : [])];
      const s = f.mdsStatus;
      const out: Fact[] = [
        s.certified
          ? { status: 'pass', text: `certification status ${s.certificationLevel}` }
          : { status: 'fail', text: `not FIDO certified (latest certification status: ${s.certificationLevel ?? 'none'})` },
      ];
      for (const finding of s.findings) out.push({ status: finding.severity, text: `MDS ${finding.message}` });
      if (f.checkStatus('MDS-STATUS-001')) out.push(...checkFacts(f, ['MDS-STATUS-001']));
      return out;
    },
  },
  {
    id: 'MS-MDS-LISTED',
    title: 'Metadata in MDS, AAGUID matching',
    source: 'S1',
    checkIds: ['ATT-AAGUID-001'],
    facts: (f) => {
      const out: Fact[] = [];
      if (f.aaguid && f.attestedAaguid) {
        out.push(
          f.aaguid === f.attestedAaguid
            ? { status: 'pass', text: `getInfo AAGUID equals the attested AAGUID ${f.aaguid}` }
            : { status: 'fail', text: `getInfo AAGUID ${f.aaguid} differs from the attested AAGUID ${f.attestedAaguid}` },
        );
      }
      if (f.checkStatus('ATT-AAGUID-001')) out.push(...checkFacts(f, ['ATT-AAGUID-001']));
      else if (!f.attestedAaguid) out.push({ status: 'skip', text: 'ATT-AAGUID-001 was not run and no attestation was given' });
      if (f.mdsEntry) out.push({ status: 'pass', text: `listed in MDS as "${f.mdsEntry.metadataStatement?.description ?? '(no description)'}"` });
      else if ((f.aaguid ?? f.attestedAaguid) === ZERO_AAGUID) out.push({ status: 'fail', text: 'the all-zero AAGUID names no model and cannot be listed in MDS' });
      else out.push(mdsNotFound(f));
      return out;
    },
  },
  {
    id: 'MS-UV',
    title: 'User verification by PIN or biometrics',
    source: 'S1',
    checkIds: ['PIN-TOKEN-001', 'PIN-TOKEN-002'],
    facts: (f, { info }) => {
      const out: Fact[] = [];
      if (!info) out.push(noInfo());
      else {
        const o = info.options ?? {};
        const has = ['clientPin', 'uv'].filter((k) => k in o);
        out.push(has.length ? { status: 'pass', text: `getInfo options: ${has.map((k) => `${k}=${o[k]}`).join(', ')}` } : { status: 'fail', text: 'getInfo options have neither clientPin nor uv' });
      }
      out.push(...checkFacts(f, ['PIN-TOKEN-001', 'PIN-TOKEN-002'], 'any'));
      const uvd = f.mdsEntry?.metadataStatement?.userVerificationDetails;
      if (uvd) {
        const methods = uvd.flat().map((m) => m.userVerificationMethod);
        const good = methods.filter((m) => UV_METHODS.test(m));
        out.push(good.length ? { status: 'pass', text: `MDS userVerificationDetails: ${good.join(', ')}` } : { status: 'fail', text: `MDS userVerificationDetails have no passcode or biometric method (${methods.join(', ')})` });
      } else out.push({ status: 'info', text: 'MDS userVerificationDetails not known' });
      return out;
    },
  },
  {
    id: 'MS-RK',
    title: 'Discoverable credentials',
    source: 'S1, S2',
    checkIds: ['RK-DISCOVER-001'],
    facts: (f, { info }) => [
      !info ? noInfo() : info.options?.rk === true ? { status: 'pass', text: 'getInfo options.rk true' } : { status: 'fail', text: `getInfo options.rk ${info.options?.rk ?? 'absent'} (must be true)` },
      ...checkFacts(f, ['RK-DISCOVER-001']),
    ],
  },
  {
    id: 'MS-HMAC',
    title: 'hmac-secret for offline Windows unlock',
    source: 'S1, S2',
    checkIds: ['HMAC-STABLE-001', 'HMAC-UVSPLIT-001'],
    facts: (f, { info }) => [
      !info
        ? noInfo()
        : info.extensions?.includes(CtapExtension.hmacSecret)
          ? { status: 'pass', text: 'getInfo extensions include hmac-secret' }
          : { status: 'fail', text: `getInfo extensions ${JSON.stringify(info.extensions ?? [])} lack hmac-secret` },
      ...checkFacts(f, ['HMAC-STABLE-001', 'HMAC-UVSPLIT-001']),
    ],
  },
  {
    id: 'MS-MULTI-ACCOUNT',
    title: 'Several accounts per relying party',
    source: 'S2',
    checkIds: ['RK-MULTI-001'],
    facts: (f) => checkFacts(f, ['RK-MULTI-001']),
  },
  {
    id: 'MS-ATTESTATION',
    title: 'Packed attestation with a full chain to the MDS roots',
    source: 'S1',
    checkIds: ['ATT-PACKED-001', 'MDS-CHAIN-001', 'ATT-CERT-001'],
    facts: (f, { attestation }) => {
      const out: Fact[] = [];
      if (attestation) {
        if (attestation.fmt !== 'packed') out.push({ status: 'fail', text: `attestation format "${attestation.fmt}", not packed` });
        else if (!f.attestationCertificate) out.push({ status: 'fail', text: 'packed self attestation (no x5c): no chain to an MDS root' });
        else out.push({ status: 'pass', text: `packed attestation with x5c (${(attestation.attStmt.get('x5c') as unknown[]).length} certificate(s))` });
      }
      const types = f.mdsEntry?.metadataStatement?.attestationTypes;
      if (types) out.push({ status: 'info', text: `MDS attestationTypes: ${types.join(', ')}` });
      out.push(...checkFacts(f, ['ATT-PACKED-001', 'MDS-CHAIN-001', 'ATT-CERT-001']));
      return out;
    },
  },
  {
    id: 'MS-AAGUID',
    title: 'AAGUID is a real identifier',
    source: 'S3',
    checkIds: ['INFO-AAGUID-001'],
    facts: (f, { info }) => {
      const out: Fact[] = [];
      if (!info) out.push(noInfo());
      else if (!f.aaguid) out.push({ status: 'fail', text: 'getInfo aaguid is not 16 bytes' });
      else out.push(f.aaguid === ZERO_AAGUID ? { status: 'fail', text: 'getInfo AAGUID is all zeros' } : { status: 'pass', text: `getInfo AAGUID ${f.aaguid} is non-zero` });
      if (f.attestedAaguid === ZERO_AAGUID) out.push({ status: 'fail', text: 'attested AAGUID is all zeros' });
      if (f.checkStatus('INFO-AAGUID-001')) out.push(...checkFacts(f, ['INFO-AAGUID-001']));
      out.push({ status: 'info', text: 'the same AAGUID on every unit of a model cannot be judged from one unit' });
      return out;
    },
  },
];

/** What Microsoft does not require, shown as information (MICROSOFT-ENTRA.md: never a requirement). */
export function microsoftInformation(input: CompatInput): InformationItem[] {
  const info = input.info;
  if (!info) return [];
  const o = info.options ?? {};
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  return [
    { id: 'INFO-CTAP21', title: 'CTAP 2.1', value: yes(info.versions.includes(CtapVersion.FIDO_2_1)) + ` (versions: ${info.versions.join(', ')})` },
    { id: 'INFO-CREDPROTECT', title: 'credProtect extension', value: yes(!!info.extensions?.includes(CtapExtension.credProtect)) },
    { id: 'INFO-CREDMGMT', title: 'Credential management', value: o.credMgmt !== undefined ? `credMgmt=${o.credMgmt}` : o.credentialMgmtPreview !== undefined ? `credentialMgmtPreview=${o.credentialMgmtPreview}` : 'no' },
    { id: 'INFO-EP', title: 'Enterprise attestation', value: o.ep !== undefined ? `ep=${o.ep}` : 'no' },
    { id: 'INFO-RK-COUNT', title: 'Remaining discoverable credentials', value: info.remainingDiscoverableCredentials !== undefined ? String(info.remainingDiscoverableCredentials) : 'not reported' },
    { id: 'INFO-FIRMWARE', title: 'Firmware version', value: info.firmwareVersion !== undefined ? String(info.firmwareVersion) : 'not reported' },
    { id: 'INFO-TRANSPORTS', title: 'Transports', value: info.transports?.join(', ') ?? 'not reported' },
  ];
}

export function evaluateMicrosoft(input: CompatInput): MicrosoftEvaluation {
  const facts = gatherFacts(input);
  const requirements: MicrosoftRequirement[] = REQUIREMENTS.map(({ facts: judge, ...r }) => {
    const list = judge(facts, input);
    return { ...r, status: combineFacts(list), evidence: list.map((x) => (x.status === 'info' ? x.text : `${x.status}: ${x.text}`)) };
  });
  const verdict = requirements.some((r) => r.status === 'fail')
    ? 'not-compatible'
    : requirements.some((r) => r.status === 'skip')
      ? 'incomplete'
      : 'compatible';
  return { verdict, requirements, information: microsoftInformation(input) };
}

/** the MS-* ids, in report order */
export const MICROSOFT_REQUIREMENT_IDS = REQUIREMENTS.map((r) => r.id);
