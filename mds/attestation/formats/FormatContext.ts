import type { X509Certificate } from '@peculiar/x509';
import type { AuthenticatorData } from '../../../harness/protocol/index.ts';
import type { AttestationProblem } from '../AttestationProblem.ts';

export interface FormatContext {
  attStmt: Map<unknown, unknown>;
  authData: AuthenticatorData;
  /** SHA-256 of clientDataJSON (WebAuthn L3 §5.8.1); undefined when only the attestation object is known */
  clientDataHash?: Uint8Array;
  at: Date;
}

/** WebAuthn L3 §6.5.4 attestation types, plus "unknown" when the format cannot tell. */
export type AttestationType = 'basic' | 'attca' | 'anonca' | 'self' | 'none' | 'unknown';

export interface FormatOutcome {
  attestationType: AttestationType;
  /** the certificates the statement carries (x5c), leaf first; empty for self/none */
  trustPath: X509Certificate[];
  /** the statement's signature (or nonce binding) verified; false also when it could not be checked */
  signatureValid: boolean;
  problems: AttestationProblem[];
}

export function bytesMember(ctx: FormatContext, name: string): Uint8Array | undefined {
  const v = ctx.attStmt.get(name);
  return v instanceof Uint8Array ? v : undefined;
}

/** authenticatorData || clientDataHash, what every format's signature covers */
export function attToBeSigned(ctx: FormatContext): Uint8Array | undefined {
  if (!ctx.clientDataHash) return undefined;
  return new Uint8Array(Buffer.concat([ctx.authData.raw, ctx.clientDataHash]));
}

export const noClientData = (): AttestationProblem => ({
  code: 'ATT_NO_CLIENT_DATA',
  severity: 'warn',
  message: 'no clientDataJSON or clientDataHash given: the attestation signature could not be checked',
});
