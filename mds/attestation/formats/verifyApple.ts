import { createHash } from 'node:crypto';
import type { AttestationProblem } from '../AttestationProblem.ts';
import { DerClass, derChildren, readDerExact } from '../../der.ts';
import { rawExtension } from '../certificateFields.ts';
import { certKey, coseKeyToKeyObject, sameKey } from '../signatures.ts';
import { readX5c } from '../x5c.ts';
import { attToBeSigned, noClientData, type FormatContext, type FormatOutcome } from './FormatContext.ts';

/** Apple's nonce extension (WebAuthn L3 §8.8 step 4) */
export const OID_APPLE_NONCE = '1.2.840.113635.100.8.2';

/** WebAuthn L3 §8.8 Apple Anonymous Attestation Statement Format, verification procedure. */
export function verifyApple(ctx: FormatContext): FormatOutcome {
  const problems: AttestationProblem[] = [];
  const x5c = readX5c(ctx.attStmt, problems) ?? [];
  const leaf = x5c[0];
  if (!leaf) {
    problems.push({ code: 'ATT_MALFORMED', severity: 'fail', message: 'apple attStmt.x5c missing' });
    return { attestationType: 'anonca', trustPath: x5c, signatureValid: false, problems };
  }
  let ok = true;
  // step 5: credCert's public key equals the credential public key
  try {
    const cred = ctx.authData.attestedCredentialData?.credentialPublicKey as Map<unknown, unknown> | undefined;
    if (!cred || !sameKey(coseKeyToKeyObject(cred), certKey(leaf))) {
      ok = false;
      problems.push({ code: 'ATT_PUBKEY_MISMATCH', severity: 'fail', message: 'credCert public key differs from the credential public key (§8.8 step 5)' });
    }
  } catch (err) {
    ok = false;
    problems.push({ code: 'ATT_MALFORMED', severity: 'fail', message: `credential public key unusable: ${(err as Error).message}` });
  }
  // steps 2-4: nonce = SHA-256(authData || clientDataHash) in extension SEQUENCE { [1] EXPLICIT OCTET STRING }
  const data = attToBeSigned(ctx);
  if (!data) {
    problems.push(noClientData());
    return { attestationType: 'anonca', trustPath: x5c, signatureValid: false, problems };
  }
  const nonce = createHash('sha256').update(data).digest();
  try {
    const ext = rawExtension(leaf, OID_APPLE_NONCE);
    if (!ext) throw new Error('nonce extension 1.2.840.113635.100.8.2 missing');
    const seq = readDerExact(ext.value);
    const tagged = derChildren(seq).find((n) => n.tagClass === DerClass.CONTEXT && n.tagNumber === 1);
    const octets = tagged ? derChildren(tagged)[0] : undefined;
    if (!octets || !nonce.equals(Buffer.from(octets.value))) {
      ok = false;
      problems.push({ code: 'ATT_NONCE_MISMATCH', severity: 'fail', message: 'apple nonce extension does not equal SHA-256(authData || clientDataHash) (§8.8 step 4)' });
    }
  } catch (err) {
    ok = false;
    problems.push({ code: 'ATT_NONCE_MISMATCH', severity: 'fail', message: (err as Error).message });
  }
  return { attestationType: 'anonca', trustPath: x5c, signatureValid: ok, problems };
}
