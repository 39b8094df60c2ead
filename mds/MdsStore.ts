import type { MdsFinding } from './MdsError.ts';
import type { MetadataBlobPayloadEntry } from './MdsTypes.ts';
import { aaguidToString } from './aaguid.ts';
import { verifyMdsBlob, type VerifiedMdsBlob, type VerifyMdsBlobOptions } from './verifyMdsBlob.ts';

/**
 * A verified BLOB's entries, indexed by AAGUID (FIDO2) and by attestationCertificateKeyIdentifier (U2F,
 * MDS3 §3.1.1: hex SHA-1 of the attestation certificate's subjectPublicKey). One instance per BLOB; no
 * shared state: tests and runs each build their own.
 */
export class MdsStore {
  readonly no: number;
  readonly nextUpdate: string;
  readonly verifiedAt: Date;
  readonly rootSubject: string;
  readonly legalHeader: string | undefined;
  readonly entries: readonly MetadataBlobPayloadEntry[];
  /** the BLOB's warnings plus duplicate-identifier findings from indexing */
  readonly warnings: MdsFinding[];
  private readonly aaguidIndex = new Map<string, MetadataBlobPayloadEntry>();
  private readonly keyIdIndex = new Map<string, MetadataBlobPayloadEntry>();

  constructor(blob: VerifiedMdsBlob) {
    this.no = blob.no;
    this.nextUpdate = blob.nextUpdate;
    this.verifiedAt = blob.verifiedAt;
    this.rootSubject = blob.rootSubject;
    this.legalHeader = blob.legalHeader;
    this.entries = blob.entries;
    this.warnings = [...blob.warnings];
    for (const entry of blob.entries) {
      if (entry.aaguid) this.add(this.aaguidIndex, aaguidToString(entry.aaguid), entry, 'AAGUID');
      for (const kid of entry.attestationCertificateKeyIdentifiers ?? []) {
        this.add(this.keyIdIndex, kid.toLowerCase(), entry, 'attestationCertificateKeyIdentifier');
      }
    }
  }

  private add(index: Map<string, MetadataBlobPayloadEntry>, key: string, entry: MetadataBlobPayloadEntry, what: string): void {
    if (index.has(key)) {
      // the spec is silent on duplicates; the first entry is kept and the duplicate reported
      this.warnings.push({ code: 'MDS_DUPLICATE_ENTRY', message: `${what} ${key} appears in more than one entry; the first is used` });
      return;
    }
    index.set(key, entry);
  }

  /** The entry for an AAGUID (bytes or any-case UUID text), or undefined. Malformed input gives undefined. */
  byAaguid(aaguid: Uint8Array | string): MetadataBlobPayloadEntry | undefined {
    // fast path: the canonical lowercase hyphenated form, as stored
    if (typeof aaguid === 'string') {
      const hit = this.aaguidIndex.get(aaguid);
      if (hit) return hit;
    }
    let key: string;
    try {
      key = aaguidToString(aaguid);
    } catch {
      return undefined;
    }
    return this.aaguidIndex.get(key);
  }

  /** The entry for an attestation certificate key identifier (hex text or 20 bytes). */
  byKeyIdentifier(keyId: Uint8Array | string): MetadataBlobPayloadEntry | undefined {
    const key = typeof keyId === 'string' ? keyId.toLowerCase() : Buffer.from(keyId).toString('hex');
    return this.keyIdIndex.get(key);
  }

  get size(): number {
    return this.entries.length;
  }
}

/** verifyMdsBlob + index: the usual way to get a store from BLOB text. */
export async function loadMdsStore(jws: string | Uint8Array, options: VerifyMdsBlobOptions): Promise<MdsStore> {
  return new MdsStore(await verifyMdsBlob(jws, options));
}
