import type { AttestationResult } from './verifyAttestation.ts';

export interface MicrosoftJudgement {
  id: string;
  title: string;
  status: 'pass' | 'fail' | 'warn' | 'skip';
  message: string;
}

const PASSCODE_OR_BIOMETRIC = /passcode|fingerprint|voiceprint|faceprint|eyeprint|handprint|pattern/;

/**
 * The MICROSOFT-ENTRA.md requirements that attestation + metadata alone can judge (ids verbatim). Those
 * needing getInfo or functional checks (MS-RK, MS-HMAC, MS-MULTI-ACCOUNT…) are left to harness/compat.
 */
export function judgeMicrosoftFromAttestation(r: AttestationResult): MicrosoftJudgement[] {
  const out: MicrosoftJudgement[] = [];
  const ms = r.mdsEntry?.metadataStatement;
  const zero = /^[0-]+$/.test(r.aaguid);

  // MS-ATTESTATION (S1): packed with x5c (not self), chain to MDS roots, signature valid, AAGUID ext equal
  if (r.format !== 'packed') {
    out.push({ id: 'MS-ATTESTATION', title: 'packed attestation with a full chain to MDS roots', status: 'fail', message: `format is ${r.format}, packed with x5c required` });
  } else if (r.attestationType === 'self') {
    out.push({ id: 'MS-ATTESTATION', title: 'packed attestation with a full chain to MDS roots', status: 'fail', message: 'packed self attestation has no chain' });
  } else {
    const ok = r.signatureValid && r.chainValid && r.rootSource === 'metadata' && !r.problems.some((p) => p.code === 'ATT_AAGUID_MISMATCH' || p.code === 'ATT_SIGNATURE_INVALID');
    out.push({
      id: 'MS-ATTESTATION',
      title: 'packed attestation with a full chain to MDS roots',
      status: ok ? 'pass' : 'fail',
      message: ok ? `chain ends at MDS root "${r.rootSubject}"` : r.problems.filter((p) => p.severity === 'fail' || p.code === 'ATT_NO_TRUST_ANCHOR' || p.code === 'ATT_NO_METADATA').map((p) => p.message).join('; ') || 'chain not validated to an MDS root',
    });
  }
  out.push({
    id: 'MS-AAGUID',
    title: 'AAGUID is a real identifier',
    status: zero ? 'fail' : 'pass',
    message: zero ? 'authData AAGUID is all zeros' : `AAGUID ${r.aaguid} (sameness across units needs several keys)`,
  });
  out.push(
    r.mdsEntry
      ? { id: 'MS-MDS-LISTED', title: 'metadata in MDS, AAGUID matching', status: 'pass', message: `listed as "${ms?.description ?? '?'}" (getInfo AAGUID not compared here; Microsoft ingests MDS monthly)` }
      : { id: 'MS-MDS-LISTED', title: 'metadata in MDS, AAGUID matching', status: 'fail', message: `no MDS entry for ${r.keyIdentifier ? `key identifier ${r.keyIdentifier}` : `AAGUID ${r.aaguid}`}` },
  );
  if (!r.status) out.push({ id: 'MS-CERTIFIED', title: 'FIDO2 certified at any level', status: 'skip', message: 'no MDS entry' });
  else {
    const undesired = r.status.findings.filter((f) => f.severity === 'fail');
    out.push({
      id: 'MS-CERTIFIED',
      title: 'FIDO2 certified at any level',
      status: r.status.certified && undesired.length === 0 ? 'pass' : 'fail',
      message: undesired.length ? undesired.map((f) => f.message).join('; ') : r.status.certified ? `certification ${r.status.certificationLevel}` : `not certified (latest certification status: ${r.status.certificationLevel ?? 'none'})`,
    });
  }
  if (!ms) out.push({ id: 'MS-FIDO2', title: 'FIDO2, not U2F-only', status: 'skip', message: 'no metadata statement (getInfo versions decide)' });
  else out.push({ id: 'MS-FIDO2', title: 'FIDO2, not U2F-only', status: ms.protocolFamily === 'fido2' ? 'pass' : 'fail', message: `metadata protocolFamily ${JSON.stringify(ms.protocolFamily)}` });
  if (!ms?.userVerificationDetails) out.push({ id: 'MS-UV', title: 'user verification by PIN or biometrics', status: 'skip', message: 'no userVerificationDetails in metadata (getInfo decides)' });
  else {
    const methods = ms.userVerificationDetails.flat().map((m) => m.userVerificationMethod);
    const ok = methods.some((m) => PASSCODE_OR_BIOMETRIC.test(m));
    out.push({ id: 'MS-UV', title: 'user verification by PIN or biometrics', status: ok ? 'pass' : 'fail', message: `metadata methods: ${[...new Set(methods)].join(', ')}` });
  }
  out.push({ id: 'EN-UV', title: 'UV performed at registration', status: r.authData.uv ? 'pass' : 'fail', message: r.authData.uv ? 'authData UV flag set' : 'authData UV flag clear' });
  return out;
}
