import 'reflect-metadata';
import { statementProblems, verifyAttestation } from '../../mds/index.ts';
import { buildAttestationObject } from '../protocol/index.ts';
import type { MadeCredential } from './ops.ts';
import type { SuiteContext } from './SuiteContext.ts';

/**
 * Why the attestation statement of `made` is false — its signature, its rpIdHash, its flags, the format's
 * own rules (WebAuthn L3 §7.1 steps 13-14 and 21, §8) — or undefined when it verifies. Trust (chain to a
 * root, metadata, status) is the attestation area's to judge, not this.
 */
export async function attestationFalseness(ctx: SuiteContext, made: MadeCredential): Promise<string | undefined> {
  const object = buildAttestationObject(made.response.fmt, made.response.authData, made.response.attStmt);
  const result = await verifyAttestation(object, { at: ctx.options.mds?.at ?? new Date(), clientDataHash: made.request.clientDataHash, rpId: made.request.rp.id });
  const problem = statementProblems(result.problems)[0];
  if (problem) return `${problem.code}: ${problem.message}`;
  return result.signatureValid ? undefined : 'the signature does not verify';
}
