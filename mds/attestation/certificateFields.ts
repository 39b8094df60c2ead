import 'reflect-metadata';
import { createHash } from 'node:crypto';
import type { X509Certificate } from '@peculiar/x509';
import { DerClass, DerTag, derChildren, derInteger, readDerExact, type DerNode } from '../der.ts';

/** id-fido-gen-ce-aaguid, WebAuthn L3 §8.2.1 */
export const OID_FIDO_AAGUID = '1.3.6.1.4.1.45724.1.1.4';

/** The X.509 version number (1, 2 or 3) from tbsCertificate's [0] EXPLICIT Version (RFC 5280 §4.1.2.1). */
export function certificateVersion(cert: X509Certificate): number {
  const tbs = derChildren(readDerExact(new Uint8Array(cert.rawData)))[0]!;
  const first = derChildren(tbs)[0]!;
  if (first.tagClass === DerClass.CONTEXT && first.tagNumber === 0) return derInteger(derChildren(first)[0]!) + 1;
  return 1;
}

/**
 * An OBJECT IDENTIFIER as dotted text (X.690 §8.19): base-128 subidentifiers, the first of which packs the
 * first two arcs as 40 × arc1 + arc2 (arc1 2 takes every value from 80 up, e.g. 2.999).
 */
export function derOid(node: DerNode): string {
  const subidentifiers: number[] = [];
  let v = 0;
  for (const b of node.value) {
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      subidentifiers.push(v);
      v = 0;
    }
  }
  const [first, ...rest] = subidentifiers;
  if (first === undefined) return '';
  const arc1 = Math.min(2, Math.floor(first / 40));
  return [arc1, first - 40 * arc1, ...rest].join('.');
}

/**
 * The AAGUID in the id-fido-gen-ce-aaguid extension: extnValue is an OCTET STRING wrapping an OCTET STRING
 * of 16 bytes (WebAuthn L3 §8.2.1). undefined when absent; throws on a malformed value.
 */
export function certificateAaguid(cert: X509Certificate): { aaguid: Uint8Array; critical: boolean } | undefined {
  const ext = rawExtension(cert, OID_FIDO_AAGUID);
  if (!ext) return undefined;
  const inner = readDerExact(ext.value);
  if (inner.tagNumber !== DerTag.OCTET_STRING || inner.value.length !== 16) {
    throw new Error(`AAGUID extension is not an OCTET STRING of 16 bytes`);
  }
  return { aaguid: inner.value, critical: ext.critical };
}

/**
 * attestationCertificateKeyIdentifier (MDS3 §3.1.1 / Metadata Statement §4): hex SHA-1 of the
 * subjectPublicKey BIT STRING contents, without tag, length and unused-bits octet.
 */
export function certificateKeyIdentifier(cert: X509Certificate): string {
  const spki = readDerExact(new Uint8Array(cert.publicKey.rawData));
  const bitString = derChildren(spki)[1]!;
  return createHash('sha1').update(bitString.value.subarray(1)).digest('hex');
}

/** Subject attribute values by short name (C, O, OU, CN), first value each. */
export function subjectField(cert: X509Certificate, name: string): string | undefined {
  return cert.subjectName.getField(name)[0];
}

export interface RawExtension {
  oid: string;
  critical: boolean;
  /** extnValue contents (the DER of the extension's own value) */
  value: Uint8Array;
}

/**
 * The certificate's extensions read straight from tbsCertificate [3] (RFC 5280 §4.1). @peculiar/x509's
 * `extensions` getter decodes every known extension and throws when one of them is malformed (seen: an
 * AuthorityKeyIdentifier in a captured TPM AIK certificate), which would hide the others; this reader
 * decodes none of them.
 */
export function rawExtensions(cert: { rawData: ArrayBuffer | Uint8Array }): RawExtension[] {
  const tbs = derChildren(readDerExact(new Uint8Array(cert.rawData)))[0]!;
  const wrapper = derChildren(tbs).find((n) => n.tagClass === DerClass.CONTEXT && n.tagNumber === 3);
  if (!wrapper) return [];
  const list = derChildren(wrapper)[0];
  if (!list) return [];
  return derChildren(list).map((ext) => {
    const parts = derChildren(ext);
    // Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }: the BOOLEAN
    // is there only when critical was written
    const critical = parts[1]!.tagNumber === 1 && parts[1]!.value[0] !== 0;
    return { oid: derOid(parts[0]!), critical, value: parts[parts.length - 1]!.value };
  });
}

export function rawExtension(cert: { rawData: ArrayBuffer | Uint8Array }, oid: string): RawExtension | undefined {
  return rawExtensions(cert).find((e) => e.oid === oid);
}

/**
 * basicConstraints (RFC 5280 §4.2.1.9): `SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER
 * OPTIONAL }`; undefined when the extension is absent. Throws on a malformed value.
 */
export function basicConstraints(cert: { rawData: ArrayBuffer | Uint8Array }): { ca: boolean; pathLen?: number } | undefined {
  const ext = rawExtension(cert, '2.5.29.19');
  if (!ext) return undefined;
  const parts = derChildren(readDerExact(ext.value));
  const first = parts[0];
  const ca = !!first && first.tagNumber === 1 && first.value[0] !== 0;
  const len = parts.find((p) => p.tagNumber === DerTag.INTEGER);
  return { ca, ...(len ? { pathLen: derInteger(len) } : {}) };
}

/** basicConstraints cA (RFC 5280 §4.2.1.9): undefined when the extension is absent. */
export function basicConstraintsCa(cert: { rawData: ArrayBuffer | Uint8Array }): boolean | undefined {
  return basicConstraints(cert)?.ca;
}

/**
 * keyUsage keyCertSign (RFC 5280 §4.2.1.3, bit 5): undefined when the extension is absent. The value is
 * a BIT STRING whose first content octet counts the unused bits.
 */
export function keyUsageKeyCertSign(cert: { rawData: ArrayBuffer | Uint8Array }): boolean | undefined {
  const ext = rawExtension(cert, '2.5.29.15');
  if (!ext) return undefined;
  const bits = readDerExact(ext.value).value;
  // a BIT STRING of the unused-bits octet alone has no bits set (bits[1] is undefined, which & reads as 0)
  return (bits[1]! & 0x04) !== 0;
}

/** extKeyUsage purposes (RFC 5280 §4.2.1.12) as dotted OIDs. */
export function extendedKeyUsages(cert: X509Certificate): string[] {
  const ext = rawExtension(cert, '2.5.29.37');
  return ext ? derChildren(readDerExact(ext.value)).map(derOid) : [];
}
