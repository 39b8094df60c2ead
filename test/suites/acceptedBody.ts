import { buildAuthenticatorData, type CborMap, type CborValue } from '../../harness/protocol/index.ts';

/**
 * The body of a well-formed CTAP2_OK answer to makeCredential (0x01) or getAssertion (0x02): "none"
 * attestation, UP and UV set, an attested credential on makeCredential. It stands for a device that accepts
 * what it must refuse, so a check fails on the status it answered, not on a body that does not decode.
 */
export function acceptedBody(command: number): CborMap {
  const flags = 0x01 | 0x04;
  const credentialId = new Uint8Array(16).fill(7);
  const key = new Map<CborValue, CborValue>([[1, 2], [3, -7], [-1, 1], [-2, new Uint8Array(32).fill(1)], [-3, new Uint8Array(32).fill(2)]]);
  if (command === 0x01) {
    const authData = buildAuthenticatorData({ rpIdHash: new Uint8Array(32), flags, signCount: 1, attestedCredentialData: { aaguid: new Uint8Array(16), credentialId, credentialPublicKey: key } });
    return new Map<CborValue, CborValue>([[1, 'none'], [2, authData], [3, new Map()]]);
  }
  return new Map<CborValue, CborValue>([
    [1, new Map<CborValue, CborValue>([['id', credentialId], ['type', 'public-key']])],
    [2, buildAuthenticatorData({ rpIdHash: new Uint8Array(32), flags, signCount: 1 })],
    [3, new Uint8Array(70)],
  ]);
}
