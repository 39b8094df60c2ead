import 'reflect-metadata';
import { X509Certificate as NodeX509 } from 'node:crypto';
import { X509Certificate } from '@peculiar/x509';

/** OpenSSL's one-attribute-per-line name ("C=BE\nO=GlobalSign nv-sa\nCN=…") in RFC 4514 order and separators. */
function oneLine(name: string | undefined): string {
  // an empty Name (a TPM AIK certificate's subject, WebAuthn L3 §8.3.1) comes back undefined
  return (name ?? '').split('\n').join(', ');
}

/**
 * A certificate as path validation sees it (RFC 5280 §6.1): parsed by node:crypto (OpenSSL), which is an
 * order of magnitude cheaper than @peculiar/x509's schema-driven parse; the @peculiar/x509 object is built
 * only when asked for (CRL matching, callers that read other fields). Wraps a @peculiar/x509 certificate
 * without parsing it again.
 */
export class ChainCertificate {
  readonly rawData: Uint8Array;
  readonly native: NodeX509;
  #x509: X509Certificate | undefined;
  #subject: string | undefined;
  #issuer: string | undefined;

  constructor(input: Uint8Array | X509Certificate) {
    if (input instanceof X509Certificate) {
      this.#x509 = input;
      this.rawData = new Uint8Array(input.rawData);
    } else this.rawData = input;
    this.native = new NodeX509(this.rawData);
  }

  /** the subject name, attributes in certificate order, ", "-separated */
  get subject(): string {
    return (this.#subject ??= oneLine(this.native.subject));
  }

  get issuer(): string {
    return (this.#issuer ??= oneLine(this.native.issuer));
  }

  get notBefore(): Date {
    return new Date(this.native.validFrom);
  }

  get notAfter(): Date {
    return new Date(this.native.validTo);
  }

  /** lowercase hex, as @peculiar/x509 gives it */
  get serialNumber(): string {
    return this.native.serialNumber.toLowerCase();
  }

  /** the @peculiar/x509 view (parsed on first use) */
  get x509(): X509Certificate {
    return (this.#x509 ??= new X509Certificate(Uint8Array.from(this.rawData)));
  }
}

const wrapped = new WeakMap<X509Certificate, ChainCertificate>();

/** A ChainCertificate for a certificate in any of the forms path validation is given; one per object. */
export function chainCertificate(cert: X509Certificate | ChainCertificate): ChainCertificate {
  if (cert instanceof ChainCertificate) return cert;
  let c = wrapped.get(cert);
  if (!c) {
    c = new ChainCertificate(cert);
    wrapped.set(cert, c);
  }
  return c;
}
