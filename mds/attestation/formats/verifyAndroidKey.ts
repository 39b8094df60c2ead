import type { AttestationProblem } from '../AttestationProblem.ts';
import { DerClass, DerTag, derChildren, derInteger, readDerExact, type DerNode } from '../../der.ts';
import { rawExtension } from '../certificateFields.ts';
import { certKey, coseAlgName, coseKeyToKeyObject, sameKey, verifyWithAlg } from '../signatures.ts';
import { readX5c } from '../x5c.ts';
import { attToBeSigned, bytesMember, noClientData, type FormatContext, type FormatOutcome } from './FormatContext.ts';

/** Android Key Attestation extension (KeyDescription), WebAuthn L3 §8.4 */
export const OID_ANDROID_KEY_DESCRIPTION = '1.3.6.1.4.1.11129.2.1.17';
/** AuthorizationList tags (Android Keymaster): purpose [1], allApplications [600], origin [702] */
const TAG_PURPOSE = 1;
const TAG_ALL_APPLICATIONS = 600;
const TAG_ORIGIN = 702;
const KM_ORIGIN_GENERATED = 0;
const KM_PURPOSE_SIGN = 2;

function authorizationList(node: DerNode): Map<number, DerNode> {
  const out = new Map<number, DerNode>();
  for (const child of derChildren(node)) if (child.tagClass === DerClass.CONTEXT) out.set(child.tagNumber, derChildren(child)[0] ?? child);
  return out;
}

/** WebAuthn L3 §8.4 Android Key Attestation Statement Format, verification procedure. */
export function verifyAndroidKey(ctx: FormatContext): FormatOutcome {
  const problems: AttestationProblem[] = [];
  const alg = ctx.attStmt.get('alg');
  const sig = bytesMember(ctx, 'sig');
  const x5c = readX5c(ctx.attStmt, problems) ?? [];
  const leaf = x5c[0];
  if (typeof alg !== 'number' || !sig || !leaf || !coseAlgName(alg)) {
    problems.push({ code: 'ATT_MALFORMED', severity: 'fail', message: 'android-key attStmt needs a supported alg, sig and x5c' });
    return { attestationType: 'basic', trustPath: x5c, signatureValid: false, problems };
  }
  let ok = true;
  const clientDataHash = ctx.clientDataHash;
  if (!clientDataHash) {
    problems.push(noClientData());
    return { attestationType: 'basic', trustPath: x5c, signatureValid: false, problems };
  }
  const data = attToBeSigned(ctx)!;
  // step 2: signature over authData || clientDataHash with the leaf key
  if (!verifyWithAlg(alg, certKey(leaf), data, sig)) {
    ok = false;
    problems.push({ code: 'ATT_SIGNATURE_INVALID', severity: 'fail', message: `android-key signature (${coseAlgName(alg)}) does not verify with the x5c leaf (§8.4 step 2)` });
  }
  // step 3: leaf key equals the credential key
  try {
    const cred = ctx.authData.attestedCredentialData?.credentialPublicKey as Map<unknown, unknown> | undefined;
    if (!cred || !sameKey(coseKeyToKeyObject(cred), certKey(leaf))) {
      ok = false;
      problems.push({ code: 'ATT_PUBKEY_MISMATCH', severity: 'fail', message: 'x5c leaf public key differs from the credential public key (§8.4 step 3)' });
    }
  } catch (err) {
    ok = false;
    problems.push({ code: 'ATT_MALFORMED', severity: 'fail', message: `credential public key unusable: ${(err as Error).message}` });
  }
  // step 4: KeyDescription checks
  try {
    const ext = rawExtension(leaf, OID_ANDROID_KEY_DESCRIPTION);
    if (!ext) throw new Error('KeyDescription extension 1.3.6.1.4.1.11129.2.1.17 missing');
    const kd = derChildren(readDerExact(ext.value));
    const challenge = kd[4];
    if (!challenge || challenge.tagNumber !== DerTag.OCTET_STRING) throw new Error('KeyDescription.attestationChallenge missing');
    if (!Buffer.from(challenge.value).equals(Buffer.from(clientDataHash))) {
      ok = false;
      problems.push({ code: 'ATT_NONCE_MISMATCH', severity: 'fail', message: 'attestationChallenge is not clientDataHash (§8.4 step 4)' });
    }
    const software = authorizationList(kd[6]!);
    const tee = authorizationList(kd[7]!);
    if (software.has(TAG_ALL_APPLICATIONS) || tee.has(TAG_ALL_APPLICATIONS)) {
      ok = false;
      problems.push({ code: 'ATT_ANDROID_AUTHORIZATION', severity: 'fail', message: 'allApplications is present: the key is not scoped to the RP (§8.4 step 4)' });
    }
    // the union of both lists is accepted (the RP may require teeEnforced only; not required here)
    const origin = tee.get(TAG_ORIGIN) ?? software.get(TAG_ORIGIN);
    if (!origin || derInteger(origin) !== KM_ORIGIN_GENERATED) {
      ok = false;
      problems.push({ code: 'ATT_ANDROID_AUTHORIZATION', severity: 'fail', message: 'origin is not KM_ORIGIN_GENERATED (§8.4 step 4)' });
    }
    const purpose = tee.get(TAG_PURPOSE) ?? software.get(TAG_PURPOSE);
    if (purpose?.tagNumber !== DerTag.SET || !derChildren(purpose).map(derInteger).includes(KM_PURPOSE_SIGN)) {
      ok = false;
      problems.push({ code: 'ATT_ANDROID_AUTHORIZATION', severity: 'fail', message: 'purpose does not include KM_PURPOSE_SIGN (§8.4 step 4)' });
    }
  } catch (err) {
    ok = false;
    problems.push({ code: 'ATT_ANDROID_AUTHORIZATION', severity: 'fail', message: `KeyDescription: ${(err as Error).message}` });
  }
  return { attestationType: 'basic', trustPath: x5c, signatureValid: ok, problems };
}
