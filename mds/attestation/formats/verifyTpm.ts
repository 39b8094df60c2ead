import 'reflect-metadata';
import { createHash } from 'node:crypto';
import type { X509Certificate } from '@peculiar/x509';
import type { AttestationProblem } from '../AttestationProblem.ts';
import { DerClass, DerTag, derChildren, readDerExact } from '../../der.ts';
import { basicConstraintsCa, certificateAaguid, certificateVersion, derOid, extendedKeyUsages, rawExtension } from '../certificateFields.ts';
import { certKey, coseAlgHash, coseAlgName, verifyWithAlg } from '../signatures.ts';
import { readX5c } from '../x5c.ts';
import { attToBeSigned, bytesMember, noClientData, type FormatContext, type FormatOutcome } from './FormatContext.ts';

/** TPM 2.0 Part 2 constants used by WebAuthn L3 §8.3 */
const TPM_GENERATED_VALUE = 0xff544347;
const TPM_ST_ATTEST_CERTIFY = 0x8017;
const TPM_ALG = { RSA: 0x0001, SHA1: 0x0004, SHA256: 0x000b, SHA384: 0x000c, SHA512: 0x000d, ECC: 0x0023 } as const;
const TPM_HASH: Record<number, string> = { [TPM_ALG.SHA1]: 'sha1', [TPM_ALG.SHA256]: 'sha256', [TPM_ALG.SHA384]: 'sha384', [TPM_ALG.SHA512]: 'sha512' };
const TPM_CURVE_TO_COSE: Record<number, number> = { 0x0003: 1, 0x0004: 2, 0x0005: 3 };
/** tcg-kp-AIKCertificate, TPMv2-EK-Profile */
const OID_TCG_KP_AIK_CERTIFICATE = '2.23.133.8.3';
const OID_TPM_MANUFACTURER = '2.23.133.2.1';
const OID_TPM_MODEL = '2.23.133.2.2';
const OID_TPM_VERSION = '2.23.133.2.3';

class Reader {
  pos = 0;
  constructor(private readonly b: Uint8Array, private readonly what: string) {}
  take(n: number): Uint8Array {
    if (this.pos + n > this.b.length) throw new Error(`${this.what} truncated at byte ${this.pos}`);
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  u16(): number {
    const v = this.take(2);
    return (v[0]! << 8) | v[1]!;
  }
  u32(): number {
    const v = this.take(4);
    return ((v[0]! << 24) | (v[1]! << 16) | (v[2]! << 8) | v[3]!) >>> 0;
  }
  tpm2b(): Uint8Array {
    return this.take(this.u16());
  }
  end(): void {
    if (this.pos !== this.b.length) throw new Error(`${this.what} has ${this.b.length - this.pos} trailing byte(s)`);
  }
}

interface PubArea {
  type: number;
  nameAlg: number;
  curveId?: number;
  exponent?: number;
  unique: Uint8Array | { x: Uint8Array; y: Uint8Array };
}

/** TPMT_PUBLIC (TPM 2.0 Part 2 §12.2.4) for RSA and ECC keys. */
function parsePubArea(b: Uint8Array): PubArea {
  const r = new Reader(b, 'pubArea');
  const type = r.u16();
  const nameAlg = r.u16();
  r.u32(); // objectAttributes
  r.tpm2b(); // authPolicy
  if (type === TPM_ALG.RSA) {
    r.u16(); // symmetric
    r.u16(); // scheme
    r.u16(); // keyBits
    const exponent = r.u32() || 65537; // 0 means the default exponent 2^16+1
    const unique = r.tpm2b();
    r.end();
    return { type, nameAlg, exponent, unique };
  }
  if (type === TPM_ALG.ECC) {
    r.u16(); // symmetric
    r.u16(); // scheme
    const curveId = r.u16();
    r.u16(); // kdf
    const x = r.tpm2b();
    const y = r.tpm2b();
    r.end();
    return { type, nameAlg, curveId, unique: { x, y } };
  }
  throw new Error(`pubArea type 0x${type.toString(16)} is neither TPM_ALG_RSA nor TPM_ALG_ECC`);
}

/**
 * The attribute types in the subjectAltName's directoryName (TPMv2-EK-Profile §3.2.9: the TPM manufacturer,
 * model and version are attributes of a directoryName): GeneralNames → [4] directoryName → Name
 * (RDNSequence) → RelativeDistinguishedName (SET) → AttributeTypeAndValue { type, value } (RFC 5280
 * §4.2.1.6, §4.1.2.4). An OID anywhere else (an otherName, an attribute value) is not one of them.
 * Empty when the extension is absent or not DER.
 */
function tpmSanAttributeTypes(cert: X509Certificate): Set<string> {
  const types = new Set<string>();
  const san = rawExtension(cert, '2.5.29.17');
  // Stryker disable next-line ConditionalExpression: an absent subjectAltName reads as no attributes either way (the DER read below throws on it and is caught)
  if (!san) return types;
  try {
    for (const name of derChildren(readDerExact(san.value))) {
      if (name.tagClass !== DerClass.CONTEXT || name.tagNumber !== 4) continue;
      for (const rdnSequence of derChildren(name)) {
        for (const rdn of derChildren(rdnSequence)) {
          for (const attribute of derChildren(rdn)) {
            const type = derChildren(attribute)[0];
            if (type?.tagClass === DerClass.UNIVERSAL && type.tagNumber === DerTag.OID) types.add(derOid(type));
          }
        }
      }
    }
  } catch {
    /* not DER: reported as missing attributes */
  }
  return types;
}

/** WebAuthn L3 §8.3.1 TPM attestation (AIK) certificate requirements. */
function aikCertificateProblems(cert: X509Certificate, aaguid: Uint8Array | undefined): AttestationProblem[] {
  const problems: AttestationProblem[] = [];
  const fail = (message: string, code = 'ATT_CERT_REQUIREMENTS') => problems.push({ code, severity: 'fail', message });
  if (certificateVersion(cert) !== 3) fail('AIK certificate is not X.509 version 3 (§8.3.1)');
  if (cert.subject !== '') fail(`AIK certificate subject must be empty, is "${cert.subject}" (§8.3.1)`);
  const oids = tpmSanAttributeTypes(cert);
  for (const [oid, name] of [[OID_TPM_MANUFACTURER, 'TPM manufacturer'], [OID_TPM_MODEL, 'TPM model'], [OID_TPM_VERSION, 'TPM version']] as const) {
    if (!oids.has(oid)) fail(`AIK certificate subjectAltName lacks the ${name} (${oid}) (§8.3.1)`);
  }
  if (!extendedKeyUsages(cert).includes(OID_TCG_KP_AIK_CERTIFICATE)) fail('AIK certificate Extended Key Usage lacks tcg-kp-AIKCertificate 2.23.133.8.3 (§8.3.1)');
  if (basicConstraintsCa(cert) !== false) fail('AIK certificate Basic Constraints must be present with CA false (§8.3.1)');
  try {
    const ext = certificateAaguid(cert);
    if (ext && aaguid && !Buffer.from(ext.aaguid).equals(Buffer.from(aaguid))) fail('AIK certificate AAGUID extension differs from authData AAGUID (§8.3 step 2)', 'ATT_AAGUID_MISMATCH');
    if (ext?.critical) fail('AIK certificate AAGUID extension is critical (§8.3.1)', 'ATT_AAGUID_MISMATCH');
  } catch (err) {
    fail(`AIK AAGUID extension malformed: ${(err as Error).message}`, 'ATT_AAGUID_MISMATCH');
  }
  return problems;
}

/** WebAuthn L3 §8.3 TPM Attestation Statement Format, verification procedure. */
export function verifyTpm(ctx: FormatContext): FormatOutcome {
  const problems: AttestationProblem[] = [];
  const alg = ctx.attStmt.get('alg');
  const sig = bytesMember(ctx, 'sig');
  const certInfo = bytesMember(ctx, 'certInfo');
  const pubAreaBytes = bytesMember(ctx, 'pubArea');
  const x5c = readX5c(ctx.attStmt, problems) ?? [];
  const leaf = x5c[0];
  if (ctx.attStmt.get('ver') !== '2.0' || typeof alg !== 'number' || !sig || !certInfo || !pubAreaBytes || !leaf) {
    problems.push({ code: 'ATT_MALFORMED', severity: 'fail', message: 'tpm attStmt needs ver "2.0", alg, x5c, sig, certInfo and pubArea (ECDAA is not supported)' });
    return { attestationType: 'attca', trustPath: x5c, signatureValid: false, problems };
  }
  const hash = coseAlgHash(alg);
  // every supported alg has a hash but EdDSA (null), which cannot make extraData
  if (!hash) {
    problems.push({ code: 'ATT_ALG_UNSUPPORTED', severity: 'fail', message: `tpm alg ${alg} is not supported` });
    return { attestationType: 'attca', trustPath: x5c, signatureValid: false, problems };
  }
  let ok = true;
  const bad = (message: string, code = 'ATT_TPM_STRUCTURE') => {
    ok = false;
    problems.push({ code, severity: 'fail', message });
  };
  try {
    // step 2: pubArea's key equals the credential public key
    const pub = parsePubArea(pubAreaBytes);
    const cred = ctx.authData.attestedCredentialData?.credentialPublicKey as Map<unknown, unknown> | undefined;
    if (!cred) bad('no credential public key in authData');
    else if (pub.type === TPM_ALG.RSA) {
      const n = cred.get(-1);
      const e = cred.get(-2);
      const eNum = e instanceof Uint8Array ? e.reduce((a, b) => a * 256 + b, 0) : NaN;
      if (!(n instanceof Uint8Array) || !Buffer.from(n).equals(Buffer.from(pub.unique as Uint8Array)) || eNum !== pub.exponent) {
        bad('pubArea RSA key (unique, exponent) differs from the credential public key (§8.3 step 2)', 'ATT_PUBKEY_MISMATCH');
      }
    } else {
      const u = pub.unique as { x: Uint8Array; y: Uint8Array };
      const x = cred.get(-2);
      const y = cred.get(-3);
      if (TPM_CURVE_TO_COSE[pub.curveId!] !== cred.get(-1) || !(x instanceof Uint8Array) || !(y instanceof Uint8Array) || !Buffer.from(x).equals(Buffer.from(u.x)) || !Buffer.from(y).equals(Buffer.from(u.y))) {
        bad('pubArea ECC key (curve, x, y) differs from the credential public key (§8.3 step 2)', 'ATT_PUBKEY_MISMATCH');
      }
    }
    // step 4: TPMS_ATTEST (TPM 2.0 Part 2 §10.12.8)
    const r = new Reader(certInfo, 'certInfo');
    if (r.u32() !== TPM_GENERATED_VALUE) bad('certInfo magic is not TPM_GENERATED_VALUE');
    if (r.u16() !== TPM_ST_ATTEST_CERTIFY) bad('certInfo type is not TPM_ST_ATTEST_CERTIFY');
    r.tpm2b(); // qualifiedSigner
    const extraData = r.tpm2b();
    r.take(17); // clockInfo
    r.take(8); // firmwareVersion
    const name = r.tpm2b();
    r.tpm2b(); // qualifiedName
    r.end();
    const data = attToBeSigned(ctx);
    if (!data) {
      problems.push(noClientData());
      ok = false;
    } else if (!Buffer.from(extraData).equals(createHash(hash).update(data).digest())) {
      bad(`certInfo.extraData is not ${hash}(authData || clientDataHash) (§8.3 step 4)`, 'ATT_NONCE_MISMATCH');
    }
    // attested.name = nameAlg || H_nameAlg(pubArea)
    const nameAlg = (name[0]! << 8) | name[1]!;
    const nameHash = TPM_HASH[nameAlg];
    if (!nameHash || nameAlg !== pub.nameAlg || !Buffer.from(name.subarray(2)).equals(createHash(nameHash).update(pubAreaBytes).digest())) {
      bad('certInfo.attested.name is not the name of pubArea (§8.3 step 4)');
    }
  } catch (err) {
    bad(`TPM structures: ${(err as Error).message}`);
  }
  // step 5: sig over certInfo with the AIK certificate's key; §8.3.1 AIK requirements
  if (!verifyWithAlg(alg, certKey(leaf), certInfo, sig)) bad(`tpm signature (${coseAlgName(alg)}) over certInfo does not verify with the AIK certificate (§8.3 step 5)`, 'ATT_SIGNATURE_INVALID');
  problems.push(...aikCertificateProblems(leaf, ctx.authData.attestedCredentialData?.aaguid));
  return { attestationType: 'attca', trustPath: x5c, signatureValid: ok, problems };
}
