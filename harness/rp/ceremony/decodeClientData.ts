import { z } from 'zod';
import { RpError } from '../RpError.ts';

/** CollectedClientData (WebAuthn L3 §5.8.1), the members the RP checks */
export interface ClientData {
  type: string;
  challenge: string;
  origin: string;
  crossOrigin?: boolean;
  topOrigin?: string;
  raw: Uint8Array;
}

const clientDataShape = z.object({
  type: z.string().max(64),
  challenge: z.string().max(1024),
  origin: z.string().max(2048),
  crossOrigin: z.boolean().optional(),
  topOrigin: z.string().max(2048).optional(),
});

/** Decodes clientDataJSON (base64url → UTF-8 → JSON, §7.1 steps 5-6) without judging it. */
export function parseClientData(b64: string): ClientData {
  const raw = new Uint8Array(Buffer.from(b64, 'base64url'));
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch (e) {
    throw new RpError('CLIENT_DATA_MALFORMED', `clientDataJSON is not UTF-8 JSON: ${(e as Error).message}`);
  }
  const parsed = clientDataShape.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RpError('CLIENT_DATA_MALFORMED', `clientDataJSON ${issue?.path.join('.') || ''}: ${issue?.message ?? 'invalid'}`.replace('  ', ' '));
  }
  return { ...parsed.data, raw } as ClientData;
}

/**
 * WebAuthn L3 §7.1 steps 7-10 (§7.2 steps 10-13): type, challenge, origin; crossOrigin must not be true
 * (this RP is never embedded in another site's frame, so a cross-origin ceremony is refused).
 */
export function checkClientData(
  cd: ClientData,
  expected: { type: 'webauthn.create' | 'webauthn.get'; challenge: string; origin: string },
): void {
  if (cd.type !== expected.type) {
    throw new RpError('CLIENT_DATA_TYPE', `clientDataJSON.type is ${JSON.stringify(cd.type)}, expected "${expected.type}"`);
  }
  if (cd.challenge !== expected.challenge) {
    throw new RpError('CHALLENGE_MISMATCH', 'clientDataJSON.challenge is not the challenge issued for this ceremony');
  }
  if (cd.origin !== expected.origin) {
    throw new RpError('ORIGIN_MISMATCH', `clientDataJSON.origin is ${JSON.stringify(cd.origin)}, expected "${expected.origin}"`, 403);
  }
  if (cd.crossOrigin === true) {
    throw new RpError('ORIGIN_MISMATCH', 'clientDataJSON.crossOrigin is true: this RP is not embedded in other origins', 403);
  }
}
