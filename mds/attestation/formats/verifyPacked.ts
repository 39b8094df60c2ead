import 'reflect-metadata';
import type { X509Certificate } from '@peculiar/x509';
import type { AttestationProblem } from '../AttestationProblem.ts';
import { basicConstraintsCa, certificateAaguid, certificateVersion, subjectField } from '../certificateFields.ts';
import { algKeyProblem, certKey, coseAlgName, coseKeyToKeyObject, verifyWithAlg } from '../signatures.ts';
import { readX5c } from '../x5c.ts';
import { attToBeSigned, bytesMember, noClientData, type FormatContext, type FormatOutcome } from './FormatContext.ts';

/**
 * WebAuthn L3 §8.2.1 "Certificate Requirements for Packed Attestation Statements", plus the AAGUID
 * extension check of §8.2 verification step 2 (it must equal authData's AAGUID and not be critical).
 */
export function packedCertificateProblems(cert: X509Certificate, authDataAaguid: Uint8Array | undefined): AttestationProblem[] {
  const problems: AttestationProblem[] = [];
  const fail = (message: string, code = 'ATT_CERT_REQUIREMENTS') => problems.push({ code, severity: 'fail', message });
  try {
    const v = certificateVersion(cert);
    if (v !== 3) fail(`attestation certificate is X.509 version ${v}, version 3 required (§8.2.1)`);
  } catch (err) {
    fail(`attestation certificate version unreadable: ${(err as Error).message}`);
  }
  const c = subjectField(cert, 'C');
  if (!c || !/^[A-Z]{2}$/.test(c)) fail(`subject C ${JSON.stringify(c)} is not an ISO 3166 two-letter code (§8.2.1)`);
  if (!subjectField(cert, 'O')) fail('subject O (vendor) missing (§8.2.1)');
  const ou = subjectField(cert, 'OU');
  if (ou !== 'Authenticator Attestation') fail(`subject OU is ${JSON.stringify(ou)}, "Authenticator Attestation" required (§8.2.1)`);
  if (!subjectField(cert, 'CN')) fail('subject CN missing (§8.2.1)');
  let ca: boolean | undefined;
  try {
    ca = basicConstraintsCa(cert);
  } catch {
    ca = true; // unreadable: cannot show CA false
  }
  if (ca !== false) fail(`Basic Constraints ${ca === undefined ? 'extension is absent' : 'cA is not false'}; it must be present with CA false (§8.2.1)`);
  try {
    const ext = certificateAaguid(cert);
    if (ext) {
      if (ext.critical) fail('id-fido-gen-ce-aaguid extension is marked critical; it must not be (§8.2.1)', 'ATT_AAGUID_MISMATCH');
      if (authDataAaguid && !Buffer.from(ext.aaguid).equals(Buffer.from(authDataAaguid))) {
        fail(
          `certificate AAGUID ${Buffer.from(ext.aaguid).toString('hex')} differs from authData AAGUID ${Buffer.from(authDataAaguid).toString('hex')} (§8.2 step 2)`,
          'ATT_AAGUID_MISMATCH',
        );
      }
    }
  } catch (err) {
    fail(`id-fido-gen-ce-aaguid extension malformed: ${(err as Error).message}`, 'ATT_AAGUID_MISMATCH');
  }
  return problems;
}

/** WebAuthn L3 §8.2 Packed Attestation Statement Format, verification procedure. */
export function verifyPacked(ctx: FormatContext): FormatOutcome {
  const problems: AttestationProblem[] = [];
  const alg = ctx.attStmt.get('alg');
  const sig = bytesMember(ctx, 'sig');
  const x5c = readX5c(ctx.attStmt, problems);
  const credKey = ctx.authData.attestedCredentialData?.credentialPublicKey as Map<unknown, unknown> | undefined;
  if (typeof alg !== 'number' || !sig) {
    problems.push({ code: 'ATT_MALFORMED', severity: 'fail', message: 'packed attStmt needs alg (int) and sig (bytes)' });
    return { attestationType: x5c ? 'basic' : 'self', trustPath: x5c ?? [], signatureValid: false, problems };
  }
  if (!coseAlgName(alg)) {
    problems.push({ code: 'ATT_ALG_UNSUPPORTED', severity: 'fail', message: `packed alg ${alg} is not supported` });
    return { attestationType: x5c ? 'basic' : 'self', trustPath: x5c ?? [], signatureValid: false, problems };
  }
  const data = attToBeSigned(ctx);
  if (x5c) {
    // step 2: x5c present → Basic or AttCA (the format cannot tell them apart; "basic" is reported)
    const leaf = x5c[0];
    let signatureValid = false;
    if (leaf) {
      const mismatch = algKeyProblem(alg, certKey(leaf));
      if (mismatch) problems.push({ code: 'ATT_ALG_MISMATCH', severity: 'fail', message: `${mismatch}: alg does not fit the attestation certificate's key (§8.2 step 2)` });
      if (!data) problems.push(noClientData());
      else {
        signatureValid = verifyWithAlg(alg, certKey(leaf), data, sig);
        if (!signatureValid) problems.push({ code: 'ATT_SIGNATURE_INVALID', severity: 'fail', message: `packed signature (${coseAlgName(alg)}) does not verify with the x5c leaf` });
      }
      problems.push(...packedCertificateProblems(leaf, ctx.authData.attestedCredentialData?.aaguid));
    }
    return { attestationType: 'basic', trustPath: x5c, signatureValid, problems };
  }
  // step 3: self attestation: alg must match the credential key's, signature by the credential key
  let signatureValid = false;
  if (!credKey) problems.push({ code: 'ATT_MALFORMED', severity: 'fail', message: 'no attested credential data in authData' });
  else {
    if (credKey.get(3) !== alg) {
      problems.push({ code: 'ATT_ALG_UNSUPPORTED', severity: 'fail', message: `self attestation alg ${alg} differs from the credential key alg ${String(credKey.get(3))} (§8.2 step 3)` });
    }
    if (!data) problems.push(noClientData());
    else {
      try {
        const key = coseKeyToKeyObject(credKey);
        const mismatch = algKeyProblem(alg, key);
        if (mismatch) problems.push({ code: 'ATT_ALG_MISMATCH', severity: 'fail', message: `${mismatch}: alg does not fit the credential key (§8.2 step 3)` });
        signatureValid = verifyWithAlg(alg, key, data, sig);
      } catch (err) {
        problems.push({ code: 'ATT_MALFORMED', severity: 'fail', message: `credential public key unusable: ${(err as Error).message}` });
      }
      if (!signatureValid) problems.push({ code: 'ATT_SIGNATURE_INVALID', severity: 'fail', message: 'packed self-attestation signature does not verify with the credential key' });
    }
  }
  problems.push({
    code: 'ATT_SELF_ATTESTATION',
    severity: 'warn',
    message: 'self attestation: signed by the credential key itself, no certificate chain, so the authenticator model cannot be trusted',
  });
  return { attestationType: 'self', trustPath: [], signatureValid, problems };
}
