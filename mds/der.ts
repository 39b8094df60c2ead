/**
 * A minimal DER reader (ITU-T X.690 §8, §10) for the few attestation structures that @peculiar/x509 hands
 * back raw: the FIDO AAGUID extension, Android's KeyDescription, Apple's nonce, TPM subjectAltName.
 * Definite lengths only (DER); every read is bounds-checked and throws DerError, never reads past the end.
 */
export class DerError extends Error {
  override readonly name = 'DerError';
  readonly code = 'DER_MALFORMED';
}

export interface DerNode {
  /** the identifier octet: class (bits 8-7), constructed (bit 6), tag number (bits 5-1, or long form) */
  tagClass: number;
  constructed: boolean;
  tagNumber: number;
  /** the contents octets */
  value: Uint8Array;
  /** header + contents */
  length: number;
}

export function readDer(bytes: Uint8Array, offset = 0): DerNode {
  let pos = offset;
  const need = (n: number) => {
    if (pos + n > bytes.length) throw new DerError(`DER truncated at offset ${pos}`);
  };
  need(2);
  const id = bytes[pos++]!;
  const tagClass = id >> 6;
  const constructed = (id & 0x20) !== 0;
  let tagNumber = id & 0x1f;
  if (tagNumber === 0x1f) {
    // high tag number form, X.690 §8.1.2.4
    tagNumber = 0;
    for (let i = 0; ; i++) {
      need(1);
      const b = bytes[pos++]!;
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
      if (i > 3) throw new DerError('DER tag number too long');
    }
  }
  need(1);
  let len = bytes[pos++]!;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError(`DER length form ${n} not supported (indefinite or too long)`);
    need(n);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[pos++]!;
  }
  need(len);
  return { tagClass, constructed, tagNumber, value: bytes.subarray(pos, pos + len), length: pos + len - offset };
}

/** The children of a constructed node (SEQUENCE, SET, explicit tag). */
export function derChildren(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  let pos = 0;
  while (pos < node.value.length) {
    const child = readDer(node.value, pos);
    out.push(child);
    pos += child.length;
    if (out.length > 10_000) throw new DerError('DER structure has too many children');
  }
  return out;
}

/** Reads exactly one node spanning all of `bytes`. */
export function readDerExact(bytes: Uint8Array): DerNode {
  const node = readDer(bytes, 0);
  if (node.length !== bytes.length) throw new DerError(`${bytes.length - node.length} byte(s) after the DER value`);
  return node;
}

export const DerClass = { UNIVERSAL: 0, APPLICATION: 1, CONTEXT: 2, PRIVATE: 3 } as const;
export const DerTag = { INTEGER: 2, OCTET_STRING: 4, OID: 6, ENUMERATED: 10, SEQUENCE: 16, SET: 17 } as const;

export function derInteger(node: DerNode): number {
  if (node.value.length === 0 || node.value.length > 6) throw new DerError('DER INTEGER empty or too large');
  let v = node.value[0]! & 0x80 ? -1 : 0;
  for (const b of node.value) v = v * 256 + b;
  return v;
}
