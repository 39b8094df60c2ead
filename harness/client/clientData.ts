import { createHash } from 'node:crypto';

export interface ClientDataInput {
  type: 'webauthn.create' | 'webauthn.get';
  /** base64url, as the options carry it */
  challenge: string;
  origin: string;
  crossOrigin?: boolean;
  topOrigin?: string;
}

export interface ClientData {
  json: string;
  bytes: Uint8Array;
  /** SHA-256 of the bytes: the clientDataHash CTAP signs over (WebAuthn L3 §5.8.1) */
  hash: Uint8Array;
}

/**
 * CollectedClientData serialized as WebAuthn L3 §5.8.1.1 prescribes (the "limited verification" order:
 * type, challenge, origin, crossOrigin, then topOrigin when cross-origin). JSON.stringify escapes as the
 * spec's CCDToString does for the characters that matter here.
 */
export function buildClientData(input: ClientDataInput): ClientData {
  let json = `{"type":${JSON.stringify(input.type)},"challenge":${JSON.stringify(input.challenge)},"origin":${JSON.stringify(input.origin)},"crossOrigin":${input.crossOrigin ? 'true' : 'false'}`;
  if (input.crossOrigin && input.topOrigin) json += `,"topOrigin":${JSON.stringify(input.topOrigin)}`;
  json += '}';
  const bytes = new Uint8Array(Buffer.from(json, 'utf8'));
  return { json, bytes, hash: new Uint8Array(createHash('sha256').update(bytes).digest()) };
}
