import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import {
  BasicConstraintsExtension,
  Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
} from '@peculiar/x509';

/** A generated key pair with its certificate: what a test CA or a test signer is made of. */
export interface TestCertifiedKey {
  cert: X509Certificate;
  keys: webcrypto.CryptoKeyPair;
  /** PEM of the certificate, for files and for APIs that take text */
  pem: string;
}

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN_ES256 = { name: 'ECDSA', hash: 'SHA-256' } as const;

export async function generateTestKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

export interface TestCertificateOptions {
  /** RFC 4514 text, e.g. "CN=Test Root, O=fido-harness" */
  subject: string;
  /** the issuing CA; omitted → self-signed */
  issuer?: TestCertifiedKey;
  /** reuse a key pair (e.g. to cross-sign an existing root's key); generated when omitted */
  keys?: webcrypto.CryptoKeyPair;
  /** hex serial; fixed values keep tests deterministic */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
  /** leave basicConstraints out (to build certificates that break RFC 5280 §4.2.1.9 / WebAuthn L3 §8.2.1) */
  omitBasicConstraints?: boolean;
  /** basicConstraints pathLenConstraint (RFC 5280 §4.2.1.9); absent when omitted */
  pathLength?: number;
  /** keyUsage bits (KeyUsageFlags) instead of the role's default; null leaves keyUsage out */
  keyUsage?: number | null;
  extensions?: Extension[];
}

/**
 * Issues an ES256 (P-256, ecdsa-with-SHA256) X.509 v3 certificate for tests and for the test MDS: basic
 * constraints (critical), key usage and subject key identifier set as RFC 5280 §4.2.1 expects for the role.
 * Keys are random; everything else (names, serials, dates) comes from the caller.
 */
export async function createTestCertificate(options: TestCertificateOptions): Promise<TestCertifiedKey> {
  const keys = options.keys ?? (await generateTestKeyPair());
  const extensions: Extension[] = [
    ...(options.omitBasicConstraints ? [] : [new BasicConstraintsExtension(options.ca, options.pathLength, true)]),
    ...(options.keyUsage === null ? [] : [new KeyUsagesExtension(options.keyUsage ?? (options.ca ? KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign : KeyUsageFlags.digitalSignature), true)]),
    await SubjectKeyIdentifierExtension.create(keys.publicKey, false, webcrypto as unknown as Crypto),
    ...(options.extensions ?? []),
  ];
  const cert = await X509CertificateGenerator.create(
    {
      serialNumber: options.serialNumber,
      subject: options.subject,
      issuer: options.issuer ? options.issuer.cert.subject : options.subject,
      notBefore: options.notBefore,
      notAfter: options.notAfter,
      signingAlgorithm: SIGN_ES256,
      publicKey: keys.publicKey,
      signingKey: options.issuer ? options.issuer.keys.privateKey : keys.privateKey,
      extensions,
    },
    webcrypto as unknown as Crypto,
  );
  return { cert, keys, pem: cert.toString('pem') };
}
