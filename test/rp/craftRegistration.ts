// Test helper: a hand-made "none" attestation registration, as an attacker would post it to the
// conformance API (no authenticator involved): a real P-256 key in the COSE_Key, padded with an extra
// label to `padBytes` bytes, which no verification step looks at.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { buildAttestationObject, buildAuthenticatorData, type CborMap, type CborValue } from '../../harness/protocol/index.ts';

const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');

/** a COSE_Key (RFC 9053 EC2, ES256) with label 100 holding `padBytes` bytes (0: no padding) */
export function paddedCoseKey(padBytes: number): CborMap {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  const key: CborMap = new Map<CborValue, CborValue>([
    [1, 2],
    [3, -7],
    [-1, 1],
    [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
    [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
  ]);
  if (padBytes > 0) key.set(100, new Uint8Array(padBytes));
  return key;
}

/** RegistrationResponseJSON for `challenge`, fmt "none", UP set */
export function craftRegistration(challenge: string, origin: string, rpId: string, padBytes: number): Record<string, unknown> {
  const credentialId = new Uint8Array(randomBytes(16));
  const authData = buildAuthenticatorData({
    rpIdHash: new Uint8Array(createHash('sha256').update(rpId).digest()),
    flags: 0x01,
    signCount: 0,
    attestedCredentialData: { aaguid: new Uint8Array(16), credentialId, credentialPublicKey: paddedCoseKey(padBytes) },
  });
  const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge, origin, crossOrigin: false }));
  return {
    id: b64u(credentialId),
    rawId: b64u(credentialId),
    type: 'public-key',
    response: { clientDataJSON: b64u(clientDataJSON), attestationObject: b64u(buildAttestationObject('none', authData, new Map())), transports: ['usb'] },
    clientExtensionResults: {},
  };
}
