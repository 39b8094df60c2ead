import 'reflect-metadata';
import type { X509Certificate, X509Crl } from '@peculiar/x509';
import { basicConstraints, keyUsageKeyCertSign, OID_FIDO_AAGUID, rawExtension, rawExtensions } from './attestation/certificateFields.ts';
import { ChainCertificate, chainCertificate } from './ChainCertificate.ts';
import { DerClass, derChildren, readDerExact, type DerNode } from './der.ts';
import type { MdsErrorCode, MdsFinding } from './MdsError.ts';
import { crlRevocations } from './crlRevocations.ts';

/** A certificate path validation accepts: a @peculiar/x509 certificate or one already parsed natively. */
export type PathCertificate = X509Certificate | ChainCertificate;

function same(a: ChainCertificate, b: ChainCertificate): boolean {
  return Buffer.from(a.rawData).equals(Buffer.from(b.rawData));
}

function describe(cert: ChainCertificate): string {
  return cert.subject || '(empty subject)';
}

export interface ChainOptions {
  /** trust anchors; a path must end in one of them (matched by name and signature, or byte-equal) */
  roots: PathCertificate[];
  /** the verification time: validity of every certificate on the path is checked at this instant */
  at: Date;
  /** CRLs available locally (RFC 5280 §6.3); issuers without one are reported as MDS_CRL_UNAVAILABLE */
  crls?: X509Crl[];
  /** longest path allowed, leaf and root included (bounds the search) */
  maxLength?: number;
}

export interface ChainResult {
  /** true when a path to a root was found and nothing on it is expired, revoked or badly signed */
  valid: boolean;
  /** leaf first, trust anchor last (when one was reached) */
  path: ChainCertificate[];
  root?: ChainCertificate;
  /** reasons the chain is not valid */
  problems: MdsFinding[];
  /** things a reader must know that do not invalidate the chain (CRL absence) */
  warnings: MdsFinding[];
}

/**
 * RFC 5280 §6.1.3 (a)(1) and (a)(4): `child` names `parent` as its issuer and carries its signature
 * (verified natively by node:crypto).
 */
function signedBy(child: ChainCertificate, parent: ChainCertificate): boolean {
  if (child.issuer !== parent.subject) return false;
  try {
    return child.native.verify(parent.native.publicKey);
    // Stryker disable next-line BlockStatement: an empty catch returns undefined, as falsy as false
  } catch {
    return false;
  }
}

/** The URIs of a cRLDistributionPoints extension (RFC 5280 §4.2.1.13: GeneralName [6] IA5String), for messages. */
function crlDistributionUrls(cert: ChainCertificate): string[] {
  const urls: string[] = [];
  try {
    const ext = rawExtension(cert, '2.5.29.31');
    // Stryker disable next-line ConditionalExpression: without the extension, reading its value throws and the catch returns the same empty list
    if (!ext) return urls;
    const walk = (node: DerNode, depth: number): void => {
      if (depth > 8) return;
      if (node.tagClass === DerClass.CONTEXT && node.tagNumber === 6 && !node.constructed) urls.push(Buffer.from(node.value).toString('latin1'));
      else if (node.constructed) for (const c of derChildren(node)) walk(c, depth + 1);
    };
    walk(readDerExact(ext.value), 0);
  } catch {
    // the URL is only informative
  }
  return urls;
}

/** RFC 5280 §6.1.3 (a)(2): the certificate is valid at the verification time. */
export function validityProblem(cert: ChainCertificate, at: Date): MdsFinding | undefined {
  const atIso = at.toISOString();
  if (cert.notAfter.getTime() < at.getTime()) {
    return { code: 'MDS_CERT_EXPIRED', message: `"${describe(cert)}" expired ${cert.notAfter.toISOString()} (verification time ${atIso})` };
  }
  if (cert.notBefore.getTime() > at.getTime()) {
    return { code: 'MDS_CERT_NOT_YET_VALID', message: `"${describe(cert)}" is not valid before ${cert.notBefore.toISOString()} (verification time ${atIso})` };
  }
  return undefined;
}

/**
 * RFC 5280 §6.1.4 for a certificate that issues the next one down the path: (k) it must say it is a CA
 * (basicConstraints present, cA TRUE); (l)/(m) its pathLenConstraint bounds the intermediates below it
 * (`below`: how many non-self-issued intermediates sit between it and the leaf); (n) a keyUsage extension,
 * when present, must assert keyCertSign. A trust anchor is input to path validation (§6.1.1 (d)) and is
 * only refused when it says outright that it is not a CA.
 */
export function issuerProblems(cert: ChainCertificate, below: number, anchor: boolean): MdsFinding[] {
  const problems: MdsFinding[] = [];
  const name = describe(cert);
  let bc: ReturnType<typeof basicConstraints>;
  try {
    bc = basicConstraints(cert);
  } catch {
    problems.push({ code: 'MDS_CHAIN_INVALID', message: `"${name}" has a malformed basicConstraints extension` });
    return problems;
  }
  if (bc?.ca === false || (!anchor && !bc)) {
    problems.push({ code: 'MDS_CHAIN_INVALID', message: `"${name}" issues a certificate but is not a CA (basicConstraints ${bc ? 'cA FALSE' : 'absent'}; RFC 5280 §6.1.4 (k))` });
  }
  if (bc?.pathLen !== undefined && below > bc.pathLen) {
    problems.push({ code: 'MDS_CHAIN_INVALID', message: `"${name}" allows ${bc.pathLen} intermediate(s) below it, the path has ${below} (RFC 5280 §6.1.4 (l))` });
  }
  let kcs: boolean | undefined;
  try {
    kcs = keyUsageKeyCertSign(cert);
  } catch {
    kcs = false;
  }
  if (kcs === false && !anchor) {
    problems.push({ code: 'MDS_CHAIN_INVALID', message: `"${name}" issues a certificate but its keyUsage lacks keyCertSign (RFC 5280 §6.1.4 (n))` });
  }
  return problems;
}

/**
 * Extensions this validation (and the attestation formats reading the path) recognise and process: basic
 * constraints, key usage, extended key usage, subject/authority key identifiers, subject alternative name
 * (TPM AIK certificates, WebAuthn L3 §8.3.1, mark it critical), CRL distribution points, authority
 * information access, certificate policies (validated with user-initial-policy-set any-policy and no explicit
 * policy required, RFC 5280 §6.1.1 (c), (f): any policy is acceptable; Windows TPM AIK certificates mark it
 * critical) and id-fido-gen-ce-aaguid (whose criticality WebAuthn L3 §8.2.1 judges itself). Name constraints,
 * policy constraints and mappings are not processed: critical, they refuse the certificate.
 */
const RECOGNISED_EXTENSIONS = new Set(['2.5.29.19', '2.5.29.15', '2.5.29.37', '2.5.29.14', '2.5.29.35', '2.5.29.17', '2.5.29.31', '2.5.29.32', '1.3.6.1.5.5.7.1.1', OID_FIDO_AAGUID]);

/**
 * RFC 5280 §6.1.4 (o) and §6.1.5 (f): a certificate on the path with a critical extension the validation
 * does not process cannot be accepted (RFC 5280 §4.2: "A certificate-using system MUST reject the
 * certificate if it encounters a critical extension it does not recognize"), e.g. a critical
 * nameConstraints or policyConstraints, which are not enforced here.
 */
export function criticalExtensionProblems(cert: ChainCertificate): MdsFinding[] {
  let extensions: ReturnType<typeof rawExtensions>;
  try {
    extensions = rawExtensions(cert);
  } catch {
    return [{ code: 'MDS_CHAIN_INVALID', message: `"${describe(cert)}" has malformed extensions (RFC 5280 §4.1.2.9)` }];
  }
  return extensions
    .filter((e) => e.critical && !RECOGNISED_EXTENSIONS.has(e.oid))
    .map((e) => ({ code: 'MDS_CHAIN_INVALID', message: `"${describe(cert)}" carries the critical extension ${e.oid}, which is not processed here (RFC 5280 §4.2, §6.1.4 (o), §6.1.5 (f))` }));
}

/**
 * Builds and validates the certification path leaf → intermediates (from `chain`, any order after the
 * leaf) → one of `roots` (RFC 5280 §6.1, reduced to what MDS3 §3.2 and WebAuthn L3 §7.1 step 23 need: name
 * chaining, signatures, validity at `at`, issuers that are CAs (issuerProblems), revocation against
 * supplied CRLs).
 *
 * Path search tries the trust anchors first at each step, so with roots {R46, R3} a chain carrying
 * "R46 cross-signed by R3" ends at R46; with R3 alone it continues through the cross certificate to R3.
 * A certificate that is itself a trust anchor (byte-equal) ends the path.
 * Never throws for bad input: problems come back as findings.
 */
export async function validateCertificateChain(given: PathCertificate[], options: ChainOptions): Promise<ChainResult> {
  const problems: MdsFinding[] = [];
  const warnings: MdsFinding[] = [];
  let chain: ChainCertificate[];
  try {
    chain = given.map(chainCertificate);
  } catch (err) {
    return { valid: false, path: [], problems: [{ code: 'MDS_CERT_MALFORMED', message: `a certificate does not parse: ${(err as Error).message}` }], warnings };
  }
  const roots: ChainCertificate[] = [];
  for (const r of options.roots) {
    try {
      roots.push(chainCertificate(r));
    } catch {
      // a root that does not parse anchors nothing
    }
  }
  const leaf = chain[0];
  if (!leaf) return { valid: false, path: [], problems: [{ code: 'MDS_MALFORMED', message: 'empty certificate chain' }], warnings };
  for (let i = 0; i < chain.length; i++) {
    for (let j = 0; j < i; j++) {
      if (same(chain[i]!, chain[j]!)) {
        problems.push({ code: 'MDS_DUPLICATE_CERT', message: `certificate #${i} repeats #${j} (${describe(chain[i]!)})` });
      }
    }
  }
  const maxLength = options.maxLength ?? 8;
  // Stryker disable next-line MethodExpression: the leaf starts every path, and a certificate already on the path is never taken again
  const intermediates = chain.slice(1);

  // depth-first search, anchors first; bounded by maxLength and by never reusing a certificate
  const search = (path: ChainCertificate[]): { path: ChainCertificate[]; root: ChainCertificate } | undefined => {
    const current = path[path.length - 1]!;
    const anchorItself = roots.find((r) => same(r, current));
    if (anchorItself) return { path, root: anchorItself };
    if (path.length >= maxLength) return undefined;
    for (const root of roots) {
      if (signedBy(current, root)) return { path: [...path, root], root };
    }
    for (const next of intermediates) {
      if (path.some((p) => same(p, next))) continue;
      if (signedBy(current, next)) {
        const found = search([...path, next]);
        if (found) return found;
      }
    }
    return undefined;
  };
  const found = search([leaf]);
  if (!found) {
    problems.push({
      code: 'MDS_CHAIN_UNTRUSTED',
      message:
        `no path from "${describe(leaf)}" to a trusted root` +
        ` (issuer "${chain[chain.length - 1]!.issuer}"; trusted: ${roots.map((r) => `"${r.subject}"`).join(', ') || 'none'})`,
    });
    return { valid: false, path: [leaf], problems, warnings };
  }

  const { path, root } = found;
  for (const [i, cert] of path.entries()) {
    const validity = validityProblem(cert, options.at);
    if (validity) problems.push(validity);
    if (i > 0) problems.push(...issuerProblems(cert, i - 1, i === path.length - 1));
    // the trust anchor is input to the algorithm (RFC 5280 §6.1.1 (d)); its extensions are not processed
    if (i < path.length - 1) problems.push(...criticalExtensionProblems(cert));
  }

  // revocation: every non-anchor certificate against a CRL of its issuer (MDS3 §3.2 step 4)
  for (let i = 0; i < path.length - 1; i++) {
    const cert = path[i]!;
    const issuer = path[i + 1]!;
    // CRLs are rare: matched and checked with @peculiar/x509's views of the certificates
    // Stryker disable next-line ArrayDeclaration: a stand-in element has no issuer and is filtered out
    const crls = (options.crls ?? []).filter((c) => c.issuer === issuer.x509.subject);
    let checked = false;
    for (const crl of crls) {
      // Stryker disable next-line BooleanLiteral: both the try and the catch assign ok
      let ok = false;
      try {
        ok = await crl.verify({ publicKey: issuer.x509.publicKey });
      } catch {
        ok = false;
      }
      if (!ok) {
        warnings.push({ code: 'MDS_CRL_UNAVAILABLE', message: `CRL for "${issuer.subject}" has a bad signature and was ignored` });
        continue;
      }
      let revoked: Map<string, Date>;
      try {
        revoked = crlRevocations(new Uint8Array(crl.rawData));
      } catch (err) {
        warnings.push({ code: 'MDS_CRL_UNAVAILABLE', message: `CRL for "${issuer.subject}" cannot be read (${(err as Error).message}) and was ignored` });
        continue;
      }
      // RFC 5280 §6.3.3 (a)(2): a CRL whose nextUpdate is before the verification time is not current; what it
      // lists stays revoked, but it cannot show that nothing else is
      const stale = crl.nextUpdate !== undefined && crl.nextUpdate.getTime() < options.at.getTime();
      if (stale) {
        warnings.push({ code: 'MDS_CRL_UNAVAILABLE', message: `CRL of "${issuer.subject}" is stale (nextUpdate ${crl.nextUpdate!.toISOString()}, verification time ${options.at.toISOString()}): revocation of "${describe(cert)}" not known to be current` });
      } else checked = true;
      const revocationDate = revoked.get(cert.serialNumber);
      if (revocationDate && revocationDate.getTime() <= options.at.getTime()) {
        problems.push({
          code: 'MDS_CERT_REVOKED',
          message: `"${describe(cert)}" (serial ${cert.serialNumber}) revoked ${revocationDate.toISOString()}`,
        });
      }
    }
    if (!checked) {
      const urls = crlDistributionUrls(cert);
      warnings.push({
        code: 'MDS_CRL_UNAVAILABLE',
        message:
          `revocation of "${describe(cert)}" not checked: no CRL of "${issuer.subject}" supplied` +
          (urls.length ? ` (distribution point ${urls.join(', ')})` : ' (no distribution point)'),
      });
    }
  }
  return { valid: problems.length === 0, path, root, problems, warnings };
}

/** The first problem's code, for callers that throw one error. */
export function primaryProblem(result: ChainResult): { code: MdsErrorCode; message: string } | undefined {
  const p = result.problems[0];
  return p ? { code: p.code as MdsErrorCode, message: result.problems.map((x) => x.message).join('; ') } : undefined;
}

/**
 * The statement's own certificate list without a trust anchor (WebAuthn L3 §8.2: x5c is the attestation
 * certificate "followed by its certificate chain"): each one issued by the next, each valid at `at`, each
 * issuer a CA. What can be said of x5c when no root is known.
 */
export async function x5cSequenceProblems(given: PathCertificate[], at: Date): Promise<MdsFinding[]> {
  const problems: MdsFinding[] = [];
  const x5c = given.map(chainCertificate);
  for (const [i, cert] of x5c.entries()) {
    const validity = validityProblem(cert, at);
    if (validity) problems.push({ ...validity, message: `x5c[${i}] ${validity.message}` });
    const issuer = x5c[i + 1];
    if (issuer && !signedBy(cert, issuer)) {
      problems.push({ code: 'MDS_CHAIN_INVALID', message: `x5c[${i}] "${describe(cert)}" is not issued by x5c[${i + 1}] "${describe(issuer)}"` });
    }
    if (i > 0) problems.push(...issuerProblems(cert, i - 1, i === x5c.length - 1 && cert.subject === cert.issuer).map((p) => ({ ...p, message: `x5c[${i}] ${p.message}` })));
  }
  return problems;
}
