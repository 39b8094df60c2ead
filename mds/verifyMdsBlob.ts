import 'reflect-metadata';
import type { KeyObject } from 'node:crypto';
import { compactVerify, errors as joseErrors } from 'jose';
import type { X509Certificate, X509Crl } from '@peculiar/x509';
import { MdsError, type MdsFinding } from './MdsError.ts';
import type { MetadataBlobPayload, MetadataBlobPayloadEntry } from './MdsTypes.ts';
import { jsonTextFromUtf8, parseJsonLimited } from './jsonLimits.ts';
import { ChainCertificate } from './ChainCertificate.ts';
import { validateCertificateChain, primaryProblem } from './validateChain.ts';
import { entryProblem } from './validateEntry.ts';
import { aaguidToString } from './aaguid.ts';
import { algKeyProblem, verifyWithAlg } from './attestation/signatures.ts';

/**
 * JWS algorithms accepted for the BLOB. MDS3 §3.1.7 names RS256 and ES256 for the FIDO service and allows
 * other RFC 7518 asymmetric algorithms; symmetric (HS*) and "none" can never be trusted from a certificate.
 */
export const MDS_BLOB_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

export interface VerifyMdsBlobOptions {
  /** trust anchors (loadBundledMdsRoots() for the real service, a test root for generated BLOBs) */
  roots: X509Certificate[];
  /** verification time: certificate validity and nextUpdate are judged at this instant */
  at: Date;
  crls?: X509Crl[];
  /** refuse larger input (default 64 MiB; the real BLOB is a few MB) */
  maxBytes?: number;
  /** refuse JSON nested deeper than this (default 32; the real payload nests about 8 deep) */
  maxDepth?: number;
}

export interface VerifiedMdsBlob {
  /** the serial number `no` (MDS3 §3.1.6): a newer BLOB has a higher one */
  no: number;
  nextUpdate: string;
  legalHeader?: string;
  /** entries that passed entryProblem(), in BLOB order */
  entries: MetadataBlobPayloadEntry[];
  /**
   * entries that failed entryProblem(), with the identifiers that could still be read from them (an AAGUID
   * in any spelling, key identifiers): the store withholds those identifiers (MdsStore)
   */
  rejectedEntries: RejectedEntry[];
  alg: string;
  /** the validated path, signer first, trust anchor last */
  path: ChainCertificate[];
  rootSubject: string;
  verifiedAt: Date;
  /** MDS_NEXT_UPDATE_PASSED, MDS_CRL_UNAVAILABLE, MDS_ENTRY_REJECTED */
  warnings: MdsFinding[];
}

export interface RejectedEntry {
  index: number;
  reason: string;
  /** canonical AAGUID text, when the entry names one in any readable spelling (case, dashes, braces) */
  aaguid?: string;
  /** lowercase attestationCertificateKeyIdentifiers that are 40 hex digits */
  keyIdentifiers?: string[];
}

/** The identifiers a rejected entry still names, read leniently: what it might have said about them is unknown. */
function rejectedIdentifiers(entry: unknown): Pick<RejectedEntry, 'aaguid' | 'keyIdentifiers'> {
  // reading a member of a number or string gives undefined: only null and undefined need a stand-in
  const e = (entry ?? {}) as Record<string, unknown>;
  const out: Pick<RejectedEntry, 'aaguid' | 'keyIdentifiers'> = {};
  // Stryker disable next-line StringLiteral: any non-hex stand-in fails the test below as '' does
  const hex = typeof e.aaguid === 'string' ? e.aaguid.replace(/[\s{}-]/g, '').toLowerCase() : '';
  if (/^[0-9a-f]{32}$/.test(hex)) out.aaguid = aaguidToString(hex);
  // Stryker disable next-line ArrayDeclaration: a stand-in element is not 40 hex digits and is filtered out
  const kids = Array.isArray(e.attestationCertificateKeyIdentifiers) ? e.attestationCertificateKeyIdentifiers : [];
  const keyIdentifiers = kids.filter((k): k is string => typeof k === 'string' && /^[0-9a-f]{40}$/i.test(k.trim())).map((k) => k.trim().toLowerCase());
  if (keyIdentifiers.length) out.keyIdentifiers = keyIdentifiers;
  return out;
}

function b64uJson(part: string, what: string, maxDepth: number): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw new MdsError('MDS_MALFORMED', `${what} is not base64url`);
  return parseJsonLimited(Buffer.from(part, 'base64url').toString('utf8'), maxDepth, what);
}

/** JWS alg (RFC 7518 §3.1) → COSE alg (RFC 9053, RFC 8812), so one rule (algKeyProblem) says which key fits. */
const JWS_TO_COSE: Record<(typeof MDS_BLOB_ALGORITHMS)[number], number> = {
  RS256: -257,
  RS384: -258,
  RS512: -259,
  PS256: -37,
  PS384: -38,
  PS512: -39,
  ES256: -7,
  ES384: -35,
  ES512: -36,
  EdDSA: -8,
};

/** Thrown by the key resolver once jose has accepted the JWS structure and alg, to take over from there. */
const STRUCTURE_ACCEPTED = Symbol('jose accepted the JWS structure and alg');

/**
 * jose judges the compact JWS (RFC 7515 §7.1: three parts, the protected header a JSON object, `crit`
 * understood, §4.1.1 `alg` present) and applies the algorithm allow-list. It calls a key resolver only
 * after all of that; the resolver stops it there, because the rest of jose's path (its own base64url
 * decoding and ASCII check of the 2.9 MB payload, a copy into WebCrypto) costs more than the whole
 * verification done natively below. Returns the protected header jose parsed.
 */
async function joseAcceptsStructure(text: string): Promise<Record<string, unknown>> {
  let accepted: Record<string, unknown> | undefined;
  // the resolver always throws, so compactVerify always rejects: with STRUCTURE_ACCEPTED or jose's refusal
  const outcome = await compactVerify(
    text,
    (protectedHeader) => {
      accepted = protectedHeader as Record<string, unknown>;
      throw STRUCTURE_ACCEPTED;
    },
    { algorithms: [...MDS_BLOB_ALGORITHMS] },
  ).then(
    () => undefined,
    (err: unknown) => err,
  );
  if (outcome === STRUCTURE_ACCEPTED) return accepted!;
  if (outcome instanceof joseErrors.JOSEAlgNotAllowed) {
    throw new MdsError('MDS_ALG_UNSUPPORTED', `JWS alg is not accepted (one of ${MDS_BLOB_ALGORITHMS.join(', ')}): ${outcome.message}`);
  }
  throw new MdsError('MDS_MALFORMED', `BLOB is not a valid compact JWS: ${(outcome as Error).message}`);
}

/**
 * RFC 7515 §5.2 steps 5-8 for the BLOB, natively: the JWS signature over ASCII(header '.' payload) with
 * the x5c leaf's key. ECDSA signatures are R || S (RFC 7518 §3.4); RSA keys are at least 2048 bits
 * (RFC 7518 §3.3, §3.5); the key must fit alg (algKeyProblem).
 */
function verifyJwsSignature(alg: (typeof MDS_BLOB_ALGORITHMS)[number], key: KeyObject, signingInput: Buffer, signature: Buffer): void {
  const cose = JWS_TO_COSE[alg];
  const mismatch = algKeyProblem(cose, key);
  if (mismatch) throw new MdsError('MDS_SIGNATURE_INVALID', `JWS alg ${alg} does not fit the x5c leaf key: ${mismatch}`);
  // Stryker disable next-line OptionalChaining: node:crypto always gives asymmetricKeyDetails for an RSA key
  if ((key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    // Stryker disable next-line OptionalChaining: as above, only RSA keys get here
    throw new MdsError('MDS_SIGNATURE_INVALID', `JWS ${alg} key is ${key.asymmetricKeyDetails?.modulusLength} bits, 2048 required (RFC 7518 §3.3, §3.5)`);
  }
  if (!verifyWithAlg(cose, key, signingInput, signature, 'ieee-p1363')) {
    throw new MdsError('MDS_SIGNATURE_INVALID', 'JWS signature does not verify with the x5c leaf certificate');
  }
}

/**
 * Verifies an MDS3 BLOB (FIDO Metadata Service v3.0 §3.2 "Metadata BLOB object processing rules"):
 * step 2-3 the x5c chain to a trusted root, valid at `at` (revocation per supplied CRLs; their absence is
 * reported as a warning); step 4 the JWS signature with the x5c leaf key; step 5 the serial `no` is kept so
 * the caller can refuse an older BLOB; nextUpdate before `at` is a warning carrying the date.
 * Throws MdsError with a stable code for every refusal.
 */
export async function verifyMdsBlob(jws: string | Uint8Array, options: VerifyMdsBlobOptions): Promise<VerifiedMdsBlob> {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const maxDepth = options.maxDepth ?? 32;
  // Stryker disable next-line ConditionalExpression: a Uint8Array's length is its byteLength
  const size = typeof jws === 'string' ? jws.length : jws.byteLength;
  if (size > maxBytes) throw new MdsError('MDS_TOO_LARGE', `BLOB is ${size} bytes, over the ${maxBytes}-byte limit`);
  // Stryker disable next-line ConditionalExpression,StringLiteral: text through UTF-8 and back as latin1 differs only outside ASCII, which no part of a compact JWS may hold
  const text = (typeof jws === 'string' ? jws : Buffer.from(jws).toString('latin1')).trim();
  const parts = text.split('.');
  if (parts.length !== 3) throw new MdsError('MDS_MALFORMED', `BLOB is not a compact JWS (${parts.length} part(s), 3 expected)`);
  const [h, p, s] = parts as [string, string, string];
  if (!/^[A-Za-z0-9_-]+$/.test(s)) throw new MdsError('MDS_MALFORMED', 'JWS signature is empty or not base64url');
  // the header is small: its nesting is bounded before any parser sees it
  b64uJson(h, 'JWS header', 4);
  const header = await joseAcceptsStructure(text);
  const alg = header.alg as (typeof MDS_BLOB_ALGORITHMS)[number];
  const { x5c } = header;
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > 8 || !x5c.every((c) => typeof c === 'string')) {
    throw new MdsError('MDS_MALFORMED', 'JWS header x5c missing, empty, over 8 certificates, or not strings');
  }
  // RFC 7515 §4.1.6: base64 (not base64url) DER; parsed natively (ChainCertificate), @peculiar/x509 only on demand
  const chain = (x5c as string[]).map((c, i) => {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(c)) throw new MdsError('MDS_CERT_MALFORMED', `x5c[${i}] is not base64`);
    try {
      return new ChainCertificate(Buffer.from(c, 'base64'));
    } catch (err) {
      throw new MdsError('MDS_CERT_MALFORMED', `x5c[${i}] is not an X.509 certificate: ${(err as Error).message}`);
    }
  });

  // MDS3 §3.2 step 3: the chain, at the verification time
  const chainResult = await validateCertificateChain(chain, { roots: options.roots, at: options.at, crls: options.crls });
  const problem = primaryProblem(chainResult);
  if (problem) throw new MdsError(problem.code, `BLOB certificate chain refused: ${problem.message}`, chainResult.problems);

  // MDS3 §3.2 step 4: the signature, with the leaf's key. The payload must be canonical base64url: its
  // bytes re-encode to exactly the text that was signed (Buffer's decoder would skip stray characters)
  const payloadBytes = Buffer.from(p, 'base64url');
  if (payloadBytes.toString('base64url') !== p) throw new MdsError('MDS_MALFORMED', 'JWS payload is not base64url');
  const leafKey = chain[0]!.native.publicKey;
  // Stryker disable next-line StringLiteral: the signing input is base64url text (checked above): latin1 and UTF-8 encode it alike
  verifyJwsSignature(alg, leafKey, Buffer.from(text.slice(0, h.length + 1 + p.length), 'latin1'), Buffer.from(s, 'base64url'));

  const payload = parseJsonLimited(jsonTextFromUtf8(payloadBytes), maxDepth, 'BLOB payload');
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new MdsError('MDS_MALFORMED', 'BLOB payload is not an object');
  const pl = payload as Partial<MetadataBlobPayload>;
  // Stryker disable next-line ConditionalExpression: Number.isSafeInteger refuses every non-number too
  if (typeof pl.no !== 'number' || !Number.isSafeInteger(pl.no) || pl.no < 0) throw new MdsError('MDS_MALFORMED', 'payload `no` missing or not a non-negative integer');
  if (typeof pl.nextUpdate !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(pl.nextUpdate) || Number.isNaN(Date.parse(pl.nextUpdate))) {
    throw new MdsError('MDS_MALFORMED', 'payload nextUpdate missing or not a date (YYYY-MM-DD)');
  }
  if (!Array.isArray(pl.entries)) throw new MdsError('MDS_MALFORMED', 'payload entries missing or not an array');

  const warnings: MdsFinding[] = [...chainResult.warnings];
  if (Date.parse(pl.nextUpdate) < options.at.getTime()) {
    warnings.push({
      code: 'MDS_NEXT_UPDATE_PASSED',
      message: `nextUpdate ${pl.nextUpdate} is before the verification time ${options.at.toISOString()}: a newer BLOB should exist`,
    });
  }
  const entries: MetadataBlobPayloadEntry[] = [];
  const rejectedEntries: RejectedEntry[] = [];
  for (const [index, entry] of (pl.entries as unknown[]).entries()) {
    const reason = entryProblem(entry);
    if (reason) {
      rejectedEntries.push({ index, reason, ...rejectedIdentifiers(entry) });
      warnings.push({ code: 'MDS_ENTRY_REJECTED', message: `entries[${index}] left out: ${reason}` });
    } else entries.push(entry as MetadataBlobPayloadEntry);
  }
  return {
    no: pl.no,
    nextUpdate: pl.nextUpdate,
    ...(typeof pl.legalHeader === 'string' ? { legalHeader: pl.legalHeader } : {}),
    entries,
    rejectedEntries,
    alg,
    path: chainResult.path,
    rootSubject: chainResult.root!.subject,
    verifiedAt: options.at,
    warnings,
  };
}
