import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** OID of the FIDO AAGUID extension (WebAuthn L3 §8.2.1) */
export const OID_FIDO_GEN_CE_AAGUID = '1.3.6.1.4.1.45724.1.1.4';
/** OID of the FIDO U2F transports extension (FIDO U2F Authenticator Transports Extension §3.2.1) */
export const OID_FIDO_U2F_TRANSPORTS = '1.3.6.1.4.1.45724.2.1.1';

/**
 * The simulator's attestation PKI: a root CA, an intermediate CA and a batch attestation certificate
 * whose x5c is [leaf, intermediate]. Generated once per state (and persisted with it). All keys are P-256.
 */
export interface AttestationMaterial {
  /** DER */
  rootCertificate: Uint8Array;
  intermediateCertificate: Uint8Array;
  leafCertificate: Uint8Array;
  /** PKCS#8 DER of the leaf's private key */
  leafPrivateKey: Uint8Array;
}

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** transports bit string of the U2F transports extension: bit 2 = USB (FIDO U2F Authenticator Transports §3.2.1) */
function usbTransportsExtension(): x509.Extension {
  // BIT STRING, 5 unused bits, bit 2 set (0b00100000): 03 02 05 20
  return new x509.Extension(OID_FIDO_U2F_TRANSPORTS, false, Uint8Array.from([0x03, 0x02, 0x05, 0x20]));
}

function aaguidExtension(aaguid: Uint8Array): x509.Extension {
  // WebAuthn L3 §8.2.1: the AAGUID as an OCTET STRING, extension not critical.
  const value = AsnConvert.serialize(new OctetString(aaguid));
  return new x509.Extension(OID_FIDO_GEN_CE_AAGUID, false, value);
}

export async function generateAttestationMaterial(
  aaguid: Uint8Array,
  now: Date = new Date(),
  serialSeed: Uint8Array = webcrypto.getRandomValues(new Uint8Array(8)),
): Promise<AttestationMaterial> {
  const serial = (n: number) => Buffer.from([n, ...serialSeed]).toString('hex');
  const notBefore = new Date(now.getTime() - 24 * 3600 * 1000);
  const farFuture = new Date(now.getTime() + 20 * 365 * 24 * 3600 * 1000);
  const rootKeys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const intermediateKeys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const leafKeys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const rootName = 'C=US, O=fido-harness, OU=Simulator Attestation, CN=fido-harness Simulator Root CA';
  const intermediateName = 'C=US, O=fido-harness, OU=Simulator Attestation, CN=fido-harness Simulator Intermediate CA';
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(1),
    name: rootName,
    notBefore,
    notAfter: farFuture,
    keys: rootKeys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(2),
    subject: intermediateName,
    issuer: root.subject,
    notBefore,
    notAfter: farFuture,
    publicKey: intermediateKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(intermediateKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  // WebAuthn L3 §8.2.1 packed attestation certificate requirements: version 3; subject C, O,
  // OU = "Authenticator Attestation", CN; basicConstraints CA=false; AAGUID extension when the
  // certificate is for one model.
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serial(3),
    subject: 'C=US, O=fido-harness, OU=Authenticator Attestation, CN=fido-harness Simulator Batch 1',
    issuer: intermediate.subject,
    notBefore,
    notAfter: farFuture,
    publicKey: leafKeys.publicKey,
    signingKey: intermediateKeys.privateKey,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      aaguidExtension(aaguid),
      usbTransportsExtension(),
      await x509.AuthorityKeyIdentifierExtension.create(intermediateKeys.publicKey),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey);
  return {
    rootCertificate: new Uint8Array(root.rawData),
    intermediateCertificate: new Uint8Array(intermediate.rawData),
    leafCertificate: new Uint8Array(leaf.rawData),
    leafPrivateKey: new Uint8Array(pkcs8),
  };
}
