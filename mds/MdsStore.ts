import type { ChainCertificate } from './ChainCertificate.ts';
import type { MdsFinding } from './MdsError.ts';
import type { MetadataBlobPayloadEntry } from './MdsTypes.ts';
import { aaguidToString } from './aaguid.ts';
import { verifyMdsBlob, type RejectedEntry, type VerifiedMdsBlob, type VerifyMdsBlobOptions } from './verifyMdsBlob.ts';

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
  /** the JWS alg the BLOB was signed with */
  readonly alg: string;
  /** the BLOB signer's validated path, signer first, trust anchor last */
  readonly path: readonly ChainCertificate[];
  readonly entries: readonly MetadataBlobPayloadEntry[];
  readonly rejectedEntries: readonly RejectedEntry[];
  /**
   * Everything a reader of this BLOB must be told: its verification warnings (MDS_NEXT_UPDATE_PASSED,
   * MDS_CRL_UNAVAILABLE, MDS_ENTRY_REJECTED) and MDS_DUPLICATE_ENTRY from indexing.
   */
  readonly warnings: MdsFinding[];
  private readonly aaguidIndex = new Map<string, MetadataBlobPayloadEntry>();
  private readonly keyIdIndex = new Map<string, MetadataBlobPayloadEntry>();

  constructor(blob: VerifiedMdsBlob) {
    this.no = blob.no;
    this.nextUpdate = blob.nextUpdate;
    this.verifiedAt = blob.verifiedAt;
    this.rootSubject = blob.rootSubject;
    this.legalHeader = blob.legalHeader;
    this.alg = blob.alg;
    this.path = blob.path;
    this.entries = blob.entries;
    this.rejectedEntries = blob.rejectedEntries;
    this.warnings = [...blob.warnings];
    for (const entry of blob.entries) {
      if (entry.aaguid) this.add(this.aaguidIndex, aaguidToString(entry.aaguid), entry, 'AAGUID');
      for (const kid of entry.attestationCertificateKeyIdentifiers ?? []) {
        this.add(this.keyIdIndex, kid.toLowerCase(), entry, 'attestationCertificateKeyIdentifier');
      }
    }
    // An entry that could not be read may carry a REVOKED or a compromise for an identifier another entry
    // lists clean: the status of that identifier is unknown, so it is not looked up at all (fail closed;
    // MDS3 §3.1.1 makes statusReports mandatory, and a relying party must not trust what it cannot judge).
    for (const r of blob.rejectedEntries) {
      const withheld = [
        ...(r.aaguid ? [{ index: this.aaguidIndex, key: r.aaguid, what: 'AAGUID' }] : []),
        ...(r.keyIdentifiers ?? []).map((key) => ({ index: this.keyIdIndex, key, what: 'attestationCertificateKeyIdentifier' })),
      ];
      for (const { index, key, what } of withheld) {
        index.delete(key);
        this.withheld.add(key);
        this.warnings.push({
          code: 'MDS_ENTRY_REJECTED',
          message: `${what} ${key} is not looked up: entries[${r.index}] names it but could not be read (${r.reason}), so its status is unknown`,
        });
      }
    }
  }

  /** identifiers named by an entry that could not be read: never looked up (see the constructor) */
  private readonly withheld = new Set<string>();

  /** The reason an identifier is withheld (an unreadable entry names it), or undefined. */
  withheldReason(id: string): string | undefined {
    let key = id.toLowerCase();
    try {
      // Stryker disable next-line Regex: longer hex text is no withheld key either way (and no AAGUID)
      if (!/^[0-9a-f]{40}$/.test(key)) key = aaguidToString(id);
      // Stryker disable next-line BlockStatement: text that is no AAGUID or key identifier is never among the withheld keys
    } catch {
      return undefined;
    }
    return this.withheld.has(key) ? 'an MDS entry names it but could not be read: its status is unknown' : undefined;
  }

  /**
   * MDS3 §3.1 expects one entry per authenticator model and says nothing of duplicates. Two entries for one
   * identifier are reported, and the lookup answers with the first entry's statement carrying the
   * statusReports of all of them, so the worst status of any wins (a later, clean duplicate can never hide
   * a REVOKED or a compromise in an earlier one).
   */
  private add(index: Map<string, MetadataBlobPayloadEntry>, key: string, entry: MetadataBlobPayloadEntry, what: string): void {
    const first = index.get(key);
    if (!first) {
      index.set(key, entry);
      return;
    }
    this.warnings.push({
      code: 'MDS_DUPLICATE_ENTRY',
      message: `${what} ${key} appears in more than one entry: the first entry's statement is used and the status reports of all are judged together (the worst status wins)`,
    });
    index.set(key, { ...first, statusReports: [...first.statusReports, ...entry.statusReports] });
  }

  /** The entry for an AAGUID (bytes or any-case UUID text), or undefined. Malformed input gives undefined. */
  byAaguid(aaguid: Uint8Array | string): MetadataBlobPayloadEntry | undefined {
    // fast path: the canonical lowercase hyphenated form, as stored; the lookup below finds the same entry,
    // so leaving the shortcut out changes nothing
    // Stryker disable next-line ConditionalExpression,BlockStatement,EqualityOperator,StringLiteral: shortcut only (see above)
    if (typeof aaguid === 'string') {
      const hit = this.aaguidIndex.get(aaguid);
      // Stryker disable next-line ConditionalExpression: false only skips the shortcut (true is caught by the tests of other spellings)
      if (hit) return hit;
    }
    let key: string;
    try {
      key = aaguidToString(aaguid);
      // Stryker disable next-line BlockStatement: an undefined key finds nothing in the index either
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
