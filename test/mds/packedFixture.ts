import 'reflect-metadata';
import { createHash, KeyObject, sign, generateKeyPairSync } from 'node:crypto';
import { Extension } from '@peculiar/x509';
import { buildAttestationObject, buildAuthenticatorData, publicKeyToCose } from '../../harness/protocol/index.ts';
import { createTestCertificate, type TestCertifiedKey } from '../../mds/testCertificates.ts';
import { OID_FIDO_AAGUID } from '../../mds/attestation/certificateFields.ts';
import { aaguidToBytes } from '../../mds/aaguid.ts';

/** A packed (full) registration built here with a test attestation CA, as the simulator would produce. */
export interface PackedRegistration {
  json: { id: string; rawId: string; type: 'public-key'; response: { clientDataJSON: string; attestationObject: string }; clientExtensionResults: Record<string, unknown> };
  attestationRoot: TestCertifiedKey;
  attestationCert: TestCertifiedKey;
  intermediate?: TestCertifiedKey;
  attestationObject: Uint8Array;
  clientDataHash: Uint8Array;
}

const from = new Date('2020-01-01T00:00:00Z');
const to = new Date('2040-01-01T00:00:00Z');

export async function makePackedRegistration(options: {
  aaguid: string;
  certAaguid?: string | null;
  ou?: string;
  rpId?: string;
  origin?: string;
  root?: TestCertifiedKey;
  /** authData flags (default UP | UV | AT) */
  flags?: number;
  /** the attStmt alg declared (default -7); the signature is ES256 by the P-256 leaf key whatever it says */
  alg?: number;
  /** leave basicConstraints out of the leaf */
  leafWithoutBasicConstraints?: boolean;
  /** issue the leaf from an intermediate CA (x5c = [leaf, intermediate]) */
  intermediate?: { withoutBasicConstraints?: boolean };
  /** more extensions on the leaf (e.g. an unrecognised critical one) */
  leafExtensions?: Extension[];
  /** certificates appended to x5c after the chain (unrelated ones, to break WebAuthn L3 §8.2's order) */
  extraX5c?: TestCertifiedKey[];
}): Promise<PackedRegistration> {
  const root = options.root ?? (await createTestCertificate({ subject: 'CN=Test Attestation Root, O=fido-harness TEST, C=US', serialNumber: '31', notBefore: from, notAfter: to, ca: true }));
  const certAaguid = options.certAaguid === undefined ? options.aaguid : options.certAaguid;
  const extensions = certAaguid === null ? [] : [new Extension(OID_FIDO_AAGUID, false, Buffer.concat([Buffer.from([0x04, 0x10]), aaguidToBytes(certAaguid)]))];
  const intermediate = options.intermediate
    ? await createTestCertificate({
        subject: 'CN=Test Attestation Batch CA, O=fido-harness TEST, C=US',
        issuer: root,
        serialNumber: '33',
        notBefore: from,
        notAfter: to,
        ca: true,
        omitBasicConstraints: !!options.intermediate.withoutBasicConstraints,
      })
    : undefined;
  const leaf = await createTestCertificate({
    subject: `C=US, O=fido-harness TEST, OU=${options.ou ?? 'Authenticator Attestation'}, CN=Test Authenticator Attestation`,
    issuer: intermediate ?? root,
    omitBasicConstraints: !!options.leafWithoutBasicConstraints,
    serialNumber: '32',
    notBefore: from,
    notAfter: to,
    ca: false,
    extensions: [...extensions, ...(options.leafExtensions ?? [])],
  });
  const credential = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rpId = options.rpId ?? 'example.test';
  const authData = buildAuthenticatorData({
    rpIdHash: createHash('sha256').update(rpId).digest(),
    flags: options.flags ?? 0x45, // UP | UV | AT
    signCount: 0,
    attestedCredentialData: { aaguid: aaguidToBytes(options.aaguid), credentialId: new Uint8Array(32).fill(7), credentialPublicKey: publicKeyToCose(credential.publicKey, -7) },
  });
  const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: 'dGVzdA', origin: options.origin ?? 'https://example.test' }));
  const clientDataHash = createHash('sha256').update(clientDataJSON).digest();
  const attKey = KeyObject.from(leaf.keys.privateKey);
  const sig = sign('sha256', Buffer.concat([authData, clientDataHash]), { key: attKey, dsaEncoding: 'der' });
  const attestationObject = buildAttestationObject('packed', authData, new Map<string, unknown>([
    ['alg', options.alg ?? -7],
    ['sig', new Uint8Array(sig)],
    ['x5c', [leaf.cert, ...(intermediate ? [intermediate.cert] : []), ...(options.extraX5c ?? []).map((c) => c.cert)].map((c) => new Uint8Array(c.rawData))],
  ]) as never);
  return {
    json: {
      id: Buffer.alloc(32, 7).toString('base64url'),
      rawId: Buffer.alloc(32, 7).toString('base64url'),
      type: 'public-key',
      response: { clientDataJSON: clientDataJSON.toString('base64url'), attestationObject: Buffer.from(attestationObject).toString('base64url') },
      clientExtensionResults: {},
    },
    attestationRoot: root,
    attestationCert: leaf,
    ...(intermediate ? { intermediate } : {}),
    attestationObject,
    clientDataHash: new Uint8Array(clientDataHash),
  };
}
