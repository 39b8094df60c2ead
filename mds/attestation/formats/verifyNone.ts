import type { FormatContext, FormatOutcome } from './FormatContext.ts';

/** WebAuthn L3 §8.7 None Attestation Statement Format: attStmt is empty; nothing can be trusted. */
export function verifyNone(ctx: FormatContext): FormatOutcome {
  const problems: FormatOutcome['problems'] = [];
  if (ctx.attStmt.size !== 0) problems.push({ code: 'ATT_MALFORMED', severity: 'fail', message: `"none" attStmt must be empty, has ${ctx.attStmt.size} member(s)` });
  problems.push({
    code: 'ATT_NO_ATTESTATION',
    severity: 'warn',
    message: 'attestation "none": the client or authenticator gave no attestation, so the model cannot be verified (ask for attestation "direct")',
  });
  return { attestationType: 'none', trustPath: [], signatureValid: problems.length === 1, problems };
}
