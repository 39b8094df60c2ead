import { ClientError } from './ClientError.ts';

export function toBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Decodes base64url as WebAuthn's JSON forms carry it; anything else is CLIENT_BAD_OPTIONS. */
export function fromBase64url(text: string, what: string): Uint8Array {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*={0,2}$/.test(text)) {
    throw new ClientError('CLIENT_BAD_OPTIONS', 'TypeError', `${what} is not base64url`);
  }
  return new Uint8Array(Buffer.from(text, 'base64url'));
}
