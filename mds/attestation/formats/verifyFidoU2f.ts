import type { AttestationProblem } from '../AttestationProblem.ts';
import { certKey, verifyWithAlg } from '../signatures.ts';
import { readX5c } from '../x5c.ts';
import { bytesMember, noClientData, type FormatContext, type FormatOutcome } from './FormatContext.ts';

/** WebAuthn L3 §8.6 FIDO U2F Attestation Statement Format, verification procedure. */
export function verifyFidoU2f(ctx: FormatContext): FormatOutcome {
  const problems: AttestationProblem[] = [];
  const sig = bytesMember(ctx, 'sig');
  const x5c = readX5c(ctx.attStmt, problems) ?? [];
  // step 2: exactly one certificate, with an EC P-256 key
  if (x5c.length !== 1) problems.push({ code: 'ATT_MALFORMED', severity: 'fail', message: `fido-u2f x5c must hold exactly one certificate, has ${x5c.length} (§8.6 step 2)` });
  const leaf = x5c[0];
  if (!sig || !leaf) {
    if (!sig) problems.push({ code: 'ATT_MALFORMED', severity: 'fail', message: 'fido-u2f attStmt.sig missing' });
    return { attestationType: 'basic', trustPath: x5c, signatureValid: false, problems };
  }
  const key = certKey(leaf);
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    problems.push({ code: 'ATT_CERT_REQUIREMENTS', severity: 'fail', message: 'fido-u2f attestation certificate key is not EC P-256 (§8.6 step 2)' });
  }
  // step 3-4: the credential key as uncompressed P-256 point
  const acd = ctx.authData.attestedCredentialData;
  const cose = acd?.credentialPublicKey as Map<unknown, unknown> | undefined;
  const x = cose?.get(-2);
  const y = cose?.get(-3);
  if (cose?.get(1) !== 2 || cose.get(-1) !== 1 || !(x instanceof Uint8Array) || x.length !== 32 || !(y instanceof Uint8Array) || y.length !== 32) {
    problems.push({ code: 'ATT_MALFORMED', severity: 'fail', message: 'fido-u2f needs an EC2 P-256 credential public key with 32-byte x and y (§8.6 step 3)' });
    return { attestationType: 'basic', trustPath: x5c, signatureValid: false, problems };
  }
  if (!ctx.clientDataHash) {
    problems.push(noClientData());
    return { attestationType: 'basic', trustPath: x5c, signatureValid: false, problems };
  }
  // step 5 (the key was read from attested credential data, so there is one): verificationData = 0x00 || rpIdHash || clientDataHash || credentialId || publicKeyU2F
  const verificationData = Buffer.concat([Uint8Array.of(0), ctx.authData.rpIdHash, ctx.clientDataHash, acd!.credentialId, Uint8Array.of(4), x, y]);
  const signatureValid = verifyWithAlg(-7, key, verificationData, sig);
  if (!signatureValid) problems.push({ code: 'ATT_SIGNATURE_INVALID', severity: 'fail', message: 'fido-u2f signature does not verify with the attestation certificate (§8.6 step 6)' });
  return { attestationType: 'basic', trustPath: x5c, signatureValid, problems };
}
