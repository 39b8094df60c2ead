import { createHash } from 'node:crypto';
import { compactVerify } from 'jose';
import type { X509Certificate } from '@peculiar/x509';
import type { AttestationProblem } from '../AttestationProblem.ts';
import { toCertificate } from '../../certificates.ts';
import { rawExtension } from '../certificateFields.ts';
import { DerClass, derChildren, readDerExact } from '../../der.ts';
import { certKey } from '../signatures.ts';
import { attToBeSigned, bytesMember, noClientData, type FormatContext, type FormatOutcome } from './FormatContext.ts';

/** SafetyNet timestamps more than this after the verification time are refused (clock skew allowance). */
const FUTURE_SKEW_MS = 60_000;

const SAFETYNET_HOST = 'attest.android.com';

/**
 * The dNSName entries of the subjectAltName (RFC 5280 §4.2.1.6: GeneralName [2] IA5String); empty when
 * the extension is absent or not DER. A name only containing the host ("attest.android.com.example") is
 * another host.
 */
function dnsNames(cert: X509Certificate): string[] {
  const san = rawExtension(cert, '2.5.29.17');
  // Stryker disable next-line ConditionalExpression,ArrayDeclaration: an absent subjectAltName has no names either way (the DER read below throws on it and is caught); a list without attest.android.com is no name of it
  if (!san) return [];
  try {
    return derChildren(readDerExact(san.value))
      .filter((n) => n.tagClass === DerClass.CONTEXT && n.tagNumber === 2)
      .map((n) => Buffer.from(n.value).toString());
  } catch {
    // Stryker disable next-line ArrayDeclaration: a list without attest.android.com names another host all the same
    return [];
  }
}

/** WebAuthn L3 §8.5 Android SafetyNet Attestation Statement Format, verification procedure. */
export async function verifyAndroidSafetynet(ctx: FormatContext): Promise<FormatOutcome> {
  const problems: AttestationProblem[] = [];
  const response = bytesMember(ctx, 'response');
  const ver = ctx.attStmt.get('ver');
  if (!response || typeof ver !== 'string' || ver.length === 0) {
    problems.push({ code: 'ATT_MALFORMED', severity: 'fail', message: 'android-safetynet attStmt needs ver (text) and response (bytes)' });
    return { attestationType: 'basic', trustPath: [], signatureValid: false, problems };
  }
  const jws = Buffer.from(response).toString('utf8');
  let x5c: X509Certificate[];
  try {
    const header = JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString('utf8')) as { x5c?: unknown };
    if (!Array.isArray(header.x5c) || header.x5c.length === 0) throw new Error('JWS header x5c missing');
    x5c = (header.x5c as string[]).map((c, i) => toCertificate(c, `response x5c[${i}]`));
  } catch (err) {
    problems.push({ code: 'ATT_MALFORMED', severity: 'fail', message: `SafetyNet response JWS: ${(err as Error).message}` });
    return { attestationType: 'basic', trustPath: [], signatureValid: false, problems };
  }
  const leaf = x5c[0]!;
  let ok = true;
  // step 4: the response came from the SafetyNet service: its certificate is issued to attest.android.com
  const cn = leaf.subjectName.getField('CN')[0];
  if (cn !== SAFETYNET_HOST && !dnsNames(leaf).includes(SAFETYNET_HOST)) {
    ok = false;
    problems.push({ code: 'ATT_CERT_REQUIREMENTS', severity: 'fail', message: `SafetyNet certificate is issued to ${JSON.stringify(cn)}, not attest.android.com (§8.5 step 4)` });
  }
  let payload: { nonce?: string; ctsProfileMatch?: boolean; timestampMs?: number };
  try {
    // jose takes the algorithm from the header and refuses one the key cannot use (RS256 with an EC key, HS256
    // with a public key, none)
    const verified = await compactVerify(jws, certKey(leaf));
    payload = JSON.parse(Buffer.from(verified.payload).toString('utf8')) as typeof payload;
  } catch (err) {
    problems.push({ code: 'ATT_SIGNATURE_INVALID', severity: 'fail', message: `SafetyNet response signature does not verify: ${(err as Error).message}` });
    return { attestationType: 'basic', trustPath: x5c, signatureValid: false, problems };
  }
  // the payload is a JSON object of attestation results; a signed `null`, number or text has none of them
  if (typeof payload !== 'object' || payload === null) {
    problems.push({ code: 'ATT_SAFETYNET_RESPONSE', severity: 'fail', message: `SafetyNet response payload is ${payload === null ? 'null' : `a ${typeof payload}`}, not a JSON object (§8.5 step 2)` });
    return { attestationType: 'basic', trustPath: x5c, signatureValid: false, problems };
  }
  const data = attToBeSigned(ctx);
  if (!data) {
    problems.push(noClientData());
    ok = false;
  } else {
    // step 3: nonce = base64(SHA-256(authenticatorData || clientDataHash))
    const expected = createHash('sha256').update(data).digest('base64');
    if (payload.nonce !== expected) {
      ok = false;
      problems.push({ code: 'ATT_NONCE_MISMATCH', severity: 'fail', message: 'SafetyNet nonce is not base64(SHA-256(authData || clientDataHash)) (§8.5 step 3)' });
    }
  }
  if (payload.ctsProfileMatch !== true) {
    ok = false;
    problems.push({ code: 'ATT_SAFETYNET_RESPONSE', severity: 'fail', message: 'SafetyNet ctsProfileMatch is not true (§8.5 step 2, as the SafetyNet documentation asks)' });
  }
  if (typeof payload.timestampMs !== 'number' || payload.timestampMs > ctx.at.getTime() + FUTURE_SKEW_MS) {
    ok = false;
    problems.push({
      code: 'ATT_SAFETYNET_RESPONSE',
      severity: 'fail',
      message: `SafetyNet timestampMs ${String(payload.timestampMs)} is missing or after the verification time ${ctx.at.toISOString()}`,
    });
  }
  return { attestationType: 'basic', trustPath: x5c, signatureValid: ok, problems };
}
