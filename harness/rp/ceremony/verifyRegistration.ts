import { createHash } from 'node:crypto';
import { statementProblems, verifyAttestation, type AttestationResult, type MdsStore } from '../../../mds/index.ts';
import { CoseKeyLabel, parseAttestationObject, type AttestationObject } from '../../protocol/index.ts';
import { RpError } from '../RpError.ts';
import type { Ceremony } from '../stores/CeremonyStore.ts';
import type { RegistrationResponseBody } from '../schemas.ts';
import { checkClientData, parseClientData } from './decodeClientData.ts';

export interface VerifiedRegistration {
  attestation: AttestationObject;
  credentialId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  clientExtensionResults: Record<string, unknown> | undefined;
  /** the attestation as mds/ verifies it for every caller (statement, chain, metadata, status) */
  attestationResult: AttestationResult;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}

/**
 * WebAuthn L3 §7.1 "Registering a New Credential". Our own checks come first so that each refusal has a
 * stable code and a clear message, and so that hostile CBOR meets our bounded decoder (depth limit, length
 * checks) before any library sees it; then the attestation statement is verified by the one attestation
 * core (mds/ verifyAttestation, the same as `attestation verify` and the run's checks) against `mds` when
 * given. A false statement is refused (step 21); an untrusted one is registered and judged on the page.
 */
export async function verifyRegistration(
  body: RegistrationResponseBody,
  ceremony: Ceremony,
  expected: { origin: string; rpId: string; maxPublicKeyBytes: number; isRegistered: (credentialId: string) => boolean; mds?: MdsStore; at?: Date },
): Promise<VerifiedRegistration> {
  // §5.1: id is the base64url encoding of rawId
  if (body.id !== body.rawId) throw new RpError('CREDENTIAL_ID_MISMATCH', 'id and rawId differ');
  // steps 5-10
  const clientData = parseClientData(body.response.clientDataJSON);
  checkClientData(clientData, { type: 'webauthn.create', challenge: ceremony.challenge, origin: expected.origin });
  // step 12: decode the attestation object (bounded depth; non-canonical CBOR is tolerated here and
  // reported by the conformance suites, not by the RP)
  let attestation: AttestationObject;
  try {
    attestation = parseAttestationObject(new Uint8Array(Buffer.from(body.response.attestationObject, 'base64url')), { canonical: 'report' });
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new RpError('ATTESTATION_OBJECT_MALFORMED', `attestationObject: ${(e as Error).message}${code ? ` (${code})` : ''}`);
  }
  const ad = attestation.authData;
  // step 13
  const rpIdHash = createHash('sha256').update(expected.rpId).digest();
  if (!sameBytes(ad.rpIdHash, rpIdHash)) {
    throw new RpError('RPID_HASH_MISMATCH', `authData.rpIdHash is not SHA-256("${expected.rpId}")`);
  }
  // steps 14-15
  if (!ad.up) throw new RpError('USER_PRESENCE_MISSING', 'authData UP flag is not set');
  if (ceremony.userVerification === 'required' && !ad.uv) {
    throw new RpError('USER_VERIFICATION_MISSING', 'user verification was required but the authData UV flag is not set');
  }
  const acd = ad.attestedCredentialData;
  if (!acd) throw new RpError('ATTESTATION_OBJECT_MALFORMED', 'authData has no attested credential data (AT flag clear)');
  if (!sameBytes(acd.credentialId, Buffer.from(body.rawId, 'base64url'))) {
    throw new RpError('CREDENTIAL_ID_MISMATCH', 'the credential id in authData differs from rawId');
  }
  // the RP stores the key: one padded far beyond any real algorithm's size is refused (RSA-4096: 540 bytes)
  if (acd.credentialPublicKeyBytes.length > expected.maxPublicKeyBytes) {
    throw new RpError('PUBLIC_KEY_TOO_LARGE', `credentialPublicKey is ${acd.credentialPublicKeyBytes.length} bytes; this RP stores keys of at most ${expected.maxPublicKeyBytes}`);
  }
  // step 17: the key's algorithm must be one that was offered
  const alg = acd.credentialPublicKey.get(CoseKeyLabel.alg);
  if (typeof alg !== 'number' || !(ceremony.algorithms ?? []).includes(alg)) {
    throw new RpError('ALGORITHM_NOT_ALLOWED', `credential algorithm ${String(alg)} was not offered (${(ceremony.algorithms ?? []).join(', ')})`);
  }
  // step 26: a credential id registered before must be refused
  if (expected.isRegistered(body.id)) throw new RpError('CREDENTIAL_EXISTS', 'this credential id is already registered', 409);

  // steps 19-24: the attestation statement (format, signature, certificates), trust path and metadata
  const attestationResult = await verifyAttestation(body as Parameters<typeof verifyAttestation>[0], {
    at: expected.at ?? new Date(),
    expectedOrigin: expected.origin,
    rpId: expected.rpId,
    ...(expected.mds ? { store: expected.mds } : {}),
  });
  const refused = statementProblems(attestationResult.problems);
  if (refused.length > 0) {
    throw new RpError('VERIFICATION_FAILED', `attestation not verified: ${refused.map((p) => `${p.code}: ${p.message}`).join('; ')}`);
  }
  return {
    attestation,
    credentialId: body.id,
    publicKey: new Uint8Array(acd.credentialPublicKeyBytes),
    counter: ad.signCount,
    transports: body.response.transports ?? [],
    clientExtensionResults: body.clientExtensionResults ?? body.getClientExtensionResults,
    attestationResult,
  };
}
