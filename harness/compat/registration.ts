import type { AttestationResult } from '../../mds/attestation/verifyAttestation.ts';
import type { CompatInput, MdsUsed } from './evidence.ts';

/** COSE key member 3 (alg), RFC 9052 §7.1 */
const COSE_ALG = 3;

/**
 * The compat input of one verified registration, as `attestation verify` and the RP page have it: the
 * attestation, the MDS consulted, and what the ceremony itself showed (UV flag, credProps.rk, the
 * credential's algorithm). No getInfo and no check results: what needs them is not judged there.
 */
export function registrationInput(attestation: AttestationResult, mds: MdsUsed | undefined, at: Date, residentKey?: boolean): CompatInput {
  const alg = attestation.authData.attestedCredentialData?.credentialPublicKey.get(COSE_ALG);
  return {
    attestation,
    ...(mds ? { mds } : {}),
    at,
    ceremony: {
      uv: attestation.authData.uv,
      ...(residentKey !== undefined ? { residentKey } : {}),
      ...(typeof alg === 'number' ? { credentialAlg: alg } : {}),
    },
  };
}
