import { createHash } from 'node:crypto';
import { aaguidToBytes } from '../../mds/aaguid.ts';
import { OID_FIDO_AAGUID } from '../../mds/attestation/certificateFields.ts';
import type { TestCertifiedKey } from '../../mds/testCertificates.ts';
import { authDataFor, der, derOctets, derOidBytes, derSeq, derSet, es256, ext, registration, tlv, testLeaf, toBeSigned, type CraftedCredential } from './craftAttestation.ts';

// A TPM attestation (WebAuthn L3 §8.3) built from its TPM 2.0 Part 2 structures, so each field can be
// falsified on its own: TPMT_PUBLIC (§12.2.4), TPMS_ATTEST (§10.12.8) and the AIK certificate (§8.3.1).

export const TPM_ALG = { RSA: 0x0001, SHA1: 0x0004, SHA256: 0x000b, NULL: 0x0010, ECC: 0x0023 } as const;
const HASH_NAME: Record<number, string> = { [TPM_ALG.SHA1]: 'sha1', [TPM_ALG.SHA256]: 'sha256' };
export const OID_TPM = { manufacturer: '2.23.133.2.1', model: '2.23.133.2.2', version: '2.23.133.2.3', aikCertificate: '2.23.133.8.3' };

const u16 = (v: number) => Uint8Array.of(v >> 8, v & 0xff);
const u32 = (v: number) => Uint8Array.of(v >>> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
const tpm2b = (b: Uint8Array) => Buffer.concat([u16(b.length), b]);
const jwkBytes = (s: string | undefined) => new Uint8Array(Buffer.from(s ?? '', 'base64url'));

export interface PubAreaOptions {
  nameAlg?: number;
  /** TPM_ECC_CURVE (0x0003 = NIST P-256) */
  curveId?: number;
  /** RSA exponent as written (0 = the default 65537) */
  exponent?: number;
  /** replaces the key's own unique value (RSA modulus) or x coordinate */
  unique?: Uint8Array;
  y?: Uint8Array;
  type?: number;
  trailing?: Uint8Array;
}

/** TPMT_PUBLIC for the credential key (RSA or ECC P-256). */
export function pubArea(cred: CraftedCredential, o: PubAreaOptions = {}): Uint8Array {
  const jwk = cred.publicKey.export({ format: 'jwk' });
  const rsa = jwk.kty === 'RSA';
  const head = [u16(o.type ?? (rsa ? TPM_ALG.RSA : TPM_ALG.ECC)), u16(o.nameAlg ?? TPM_ALG.SHA256), u32(0x00060472), tpm2b(new Uint8Array(0))];
  const body = rsa
    ? [u16(TPM_ALG.NULL), u16(TPM_ALG.NULL), u16(2048), u32(o.exponent ?? 0), tpm2b(o.unique ?? jwkBytes(jwk.n))]
    : [u16(TPM_ALG.NULL), u16(TPM_ALG.NULL), u16(o.curveId ?? 0x0003), u16(TPM_ALG.NULL), tpm2b(o.unique ?? jwkBytes(jwk.x)), tpm2b(o.y ?? jwkBytes(jwk.y))];
  return new Uint8Array(Buffer.concat([...head, ...body, o.trailing ?? new Uint8Array(0)]));
}

export interface CertInfoOptions {
  magic?: number;
  type?: number;
  extraData?: Uint8Array;
  /** TPM2B_NAME: nameAlg || H(pubArea) unless given */
  name?: Uint8Array;
  trailing?: Uint8Array;
}

/** TPMS_ATTEST of type TPM_ST_ATTEST_CERTIFY over `area`, extraData = SHA-256(authData || clientDataHash). */
export function certInfo(area: Uint8Array, authData: Uint8Array, o: CertInfoOptions = {}): Uint8Array {
  const nameAlg = (area[2]! << 8) | area[3]!;
  const name = o.name ?? Buffer.concat([u16(nameAlg), createHash(HASH_NAME[nameAlg] ?? 'sha256').update(area).digest()]);
  return new Uint8Array(
    Buffer.concat([
      u32(o.magic ?? 0xff544347),
      u16(o.type ?? 0x8017),
      tpm2b(Uint8Array.of(0, 0x0b, 1, 2, 3)), // qualifiedSigner
      tpm2b(o.extraData ?? createHash('sha256').update(toBeSigned(authData)).digest()),
      new Uint8Array(17), // clockInfo
      new Uint8Array(8), // firmwareVersion
      tpm2b(name),
      tpm2b(new Uint8Array(0)), // qualifiedName
      o.trailing ?? new Uint8Array(0),
    ]),
  );
}

/** subjectAltName = GeneralNames { [4] directoryName Name } holding the given TCG attributes (TPMv2-EK-Profile §3.2.9). */
export function tpmSan(attributes: Array<[oid: string, value: string]>): Uint8Array {
  const rdns = attributes.map(([oid, value]) => derSet(derSeq(derOidBytes(oid), tlv(0x0c, Buffer.from(value)))));
  return derSeq(tlv(0xa4, derSeq(...rdns)));
}

export const TPM_SAN_ATTRIBUTES: Array<[string, string]> = [
  [OID_TPM.manufacturer, 'id:46414B45'],
  [OID_TPM.model, 'fido-harness TPM'],
  [OID_TPM.version, 'id:00020000'],
];

export interface AikOptions {
  subject?: string;
  san?: Uint8Array | null;
  eku?: string[] | null;
  ca?: boolean;
  omitBasicConstraints?: boolean;
  aaguid?: string;
  aaguidCritical?: boolean;
  /** the AAGUID extension's raw extnValue (to malform it) */
  aaguidValue?: Uint8Array;
}

export async function aikCertificate(root: TestCertifiedKey, aaguid: string, o: AikOptions = {}): Promise<TestCertifiedKey> {
  const extensions = [];
  if (o.san !== null) extensions.push(ext('2.5.29.17', o.san ?? tpmSan(TPM_SAN_ATTRIBUTES), true));
  if (o.eku !== null) extensions.push(ext('2.5.29.37', derSeq(...(o.eku ?? [OID_TPM.aikCertificate]).map(derOidBytes))));
  const aaguidValue = o.aaguidValue ?? derOctets(aaguidToBytes(o.aaguid ?? aaguid));
  extensions.push(ext(OID_FIDO_AAGUID, aaguidValue, !!o.aaguidCritical));
  return testLeaf(root, { subject: o.subject ?? '', extensions, ...(o.ca ? { ca: true } : {}), ...(o.omitBasicConstraints ? { omitBasicConstraints: true } : {}) });
}

export interface TpmStatementOptions {
  ver?: string;
  alg?: number;
  pubArea?: Uint8Array;
  certInfo?: Uint8Array;
  /** a signature other than the AIK's over certInfo */
  sig?: Uint8Array;
  omit?: 'sig' | 'certInfo' | 'pubArea' | 'x5c';
}

/** The registration for `cred` attested by `aik` (ES256 over certInfo). */
export function tpmRegistration(cred: CraftedCredential, aik: TestCertifiedKey, aaguid: string, o: TpmStatementOptions = {}) {
  const authData = authDataFor(cred.cose, { aaguid });
  const area = o.pubArea ?? pubArea(cred);
  const info = o.certInfo ?? certInfo(area, authData);
  const stmt = new Map<string, unknown>([
    ['ver', o.ver ?? '2.0'],
    ['alg', o.alg ?? -7],
    ['x5c', [der(aik)]],
    ['sig', o.sig ?? es256(aik, info)],
    ['certInfo', info],
    ['pubArea', area],
  ]);
  if (o.omit) stmt.delete(o.omit);
  return { json: registration('tpm', authData, stmt), authData, pubArea: area };
}
