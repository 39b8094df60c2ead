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
  format: AttestationFormat = 'packed',
  u2f?: U2fAttestationInput,
): { fmt: string; attStmt: CborMap } {
  const mode = a.behaviour.attestationMode(a.attestationMode);
  if (mode === 'none' || (mode === 'packed' && format === 'none')) return { fmt: 'none', attStmt: new Map() };
  if (mode === 'packed' && format === 'fido-u2f' && u2f) return fidoU2fStatement(a, clientDataHash, u2f);
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

export type AttestationFormat = 'packed' | 'fido-u2f' | 'none';

/** What a fido-u2f statement signs besides clientDataHash (WebAuthn L3 §8.6). */
export interface U2fAttestationInput {
  rpIdHash: Uint8Array;
  credentialId: Uint8Array;
  /** 0x04 || x || y of the P-256 credential key */
  publicKeyU2f: Uint8Array;
}

/**
 * CTAP 2.2 §6.1.2 (attestationFormatsPreference): the first format of the platform's list that the
 * simulator makes, else packed. fido-u2f only for an ES256 (P-256) credential (WebAuthn L3 §8.6).
 */
export function chooseAttestationFormat(a: Authenticator, preference: readonly string[] | undefined, credentialAlg: number): AttestationFormat {
  if (!a.ctap22 || !preference || !a.behaviour.honourAttestationFormatsPreference) return 'packed';
  for (const f of preference) {
    if (f === 'packed' || f === 'none') return f;
    if (f === 'fido-u2f' && credentialAlg === CoseAlgorithm.ES256) return f;
  }
  return 'packed';
}

/** fido-u2f (WebAuthn L3 §8.6): sig over 0x00 || rpIdHash || clientDataHash || credentialId || publicKeyU2F by the batch key, x5c [leaf]. */
function fidoU2fStatement(a: Authenticator, clientDataHash: Uint8Array, u: U2fAttestationInput): { fmt: string; attStmt: CborMap } {
  const signed = a.behaviour.attestationSignedData(new Uint8Array(Buffer.concat([Uint8Array.of(0), u.rpIdHash, clientDataHash, u.credentialId, u.publicKeyU2f])));
  const sig = new Uint8Array(sign('sha256', signed, a.attestationKey()));
  return {
    fmt: 'fido-u2f',
    attStmt: new Map<string, unknown>([
      ['sig', sig],
      ['x5c', [a.state.attestation.leafCertificate]],
    ]) as CborMap,
  };
}
