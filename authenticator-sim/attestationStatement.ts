import { sign } from 'node:crypto';
import { CoseAlgorithm, type CborMap } from '../harness/protocol/index.ts';
import type { Authenticator } from './Authenticator.ts';

/**
 * The attestation statement of a new credential (WebAuthn L3 §8.2 packed, §8.7 none):
 * - packed full: signed by the batch attestation key, x5c = [leaf, intermediate];
 * - packed self: signed by the credential key itself, no x5c, alg = the credential's alg;
 * - none: empty statement.
 */
export function createAttestationStatement(
  a: Authenticator,
  authData: Uint8Array,
  clientDataHash: Uint8Array,
  signWithCredentialKey: (data: Uint8Array) => Uint8Array,
  credentialAlg: number,
): { fmt: string; attStmt: CborMap } {
  const mode = a.behaviour.attestationMode(a.attestationMode);
  if (mode === 'none') return { fmt: 'none', attStmt: new Map() };
  const signed = a.behaviour.attestationSignedData(new Uint8Array(Buffer.concat([authData, clientDataHash])));
  if (mode === 'self') {
    return {
      fmt: 'packed',
      attStmt: new Map<string, unknown>([
        ['alg', credentialAlg],
        ['sig', signWithCredentialKey(signed)],
      ]) as CborMap,
    };
  }
  const material = a.state.attestation;
  const sig = new Uint8Array(sign('sha256', signed, a.attestationKey()));
  return {
    fmt: 'packed',
    attStmt: new Map<string, unknown>([
      ['alg', CoseAlgorithm.ES256],
      ['sig', sig],
      // A model with a small maxMsgSize sends the batch certificate alone (its trust anchor, in the MDS, is
      // then the intermediate: Metadata Statement §4 attestationRootCertificates may name one).
      ['x5c', a.features.x5cLeafOnly ? [material.leafCertificate] : [material.leafCertificate, material.intermediateCertificate]],
    ]) as CborMap,
  };
}
