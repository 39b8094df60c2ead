import 'reflect-metadata';
import { createECDH, createHmac, webcrypto } from 'node:crypto';
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

/**
 * The seed of the simulator's default attestation keys. Every simulator (in-process, over UDP, in another
 * process) then chains to the same "fido-harness Simulator Root CA" key, so a test MDS can list that root
 * and `--device udp:` runs are judged like in-process ones. It is public test material, nothing more.
 */
export const SIMULATOR_ATTESTATION_SEED = 'fido-harness simulator attestation v1';

export interface AttestationMaterialOptions {
  /** when given, the three key pairs are derived from it (deterministic keys, fixed validity and serials) */
  keySeed?: string;
  now?: Date;
}

/** A P-256 key pair derived from a seed: d = HMAC-SHA-256(seed, label), drawn again if out of range. */
async function derivedKeyPair(seed: string, label: string): Promise<CryptoKeyPair> {
  for (let i = 0; ; i++) {
    const d = createHmac('sha256', seed).update(`${label}:${i}`).digest();
    const ecdh = createECDH('prime256v1');
    try {
      ecdh.setPrivateKey(d);
    } catch {
      continue;
    }
    const pub = ecdh.getPublicKey();
    const jwk = {
      kty: 'EC',
      crv: 'P-256',
      x: pub.subarray(1, 33).toString('base64url'),
      y: pub.subarray(33, 65).toString('base64url'),
    };
    const privateKey = await webcrypto.subtle.importKey('jwk', { ...jwk, d: d.toString('base64url') }, alg, true, ['sign']);
    const publicKey = await webcrypto.subtle.importKey('jwk', jwk, alg, true, ['verify']);
    return { privateKey, publicKey } as CryptoKeyPair;
  }
}

export async function generateAttestationMaterial(
  aaguid: Uint8Array,
  options: AttestationMaterialOptions = {},
): Promise<AttestationMaterial> {
  const seeded = options.keySeed !== undefined;
  const serialSeed = seeded ? new Uint8Array(8).fill(0x5e) : webcrypto.getRandomValues(new Uint8Array(8));
  const serial = (n: number) => Buffer.from([n, ...serialSeed]).toString('hex');
  const now = options.now ?? new Date();
  const notBefore = seeded ? new Date('2024-01-01T00:00:00Z') : new Date(now.getTime() - 24 * 3600 * 1000);
  const farFuture = seeded ? new Date('2049-12-31T23:59:59Z') : new Date(now.getTime() + 20 * 365 * 24 * 3600 * 1000);
  const keyPair = (label: string) =>
    seeded
      ? derivedKeyPair(options.keySeed!, label)
      : (webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as Promise<CryptoKeyPair>);
  const rootKeys = await keyPair('root');
  const intermediateKeys = await keyPair('intermediate');
  const leafKeys = await keyPair('batch-leaf');
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
