import { attestationChecks } from './attestation/attestationChecks.ts';
import { getAssertionChecks } from './get-assertion/getAssertionChecks.ts';
import { getInfoChecks } from './getinfo/getInfoChecks.ts';
import { makeCredentialChecks } from './make-credential/makeCredentialChecks.ts';
import { resetChecks } from './reset/resetChecks.ts';
import { residentKeyChecks } from './resident-key/residentKeyChecks.ts';
import { rkSupportChecks } from './resident-key/rkSupportChecks.ts';
import { hmacSecretChecks } from './hmac-secret/hmacSecretChecks.ts';
import { credProtectChecks } from './cred-protect/credProtectChecks.ts';
import { credBlobChecks } from './cred-blob/credBlobChecks.ts';
import { largeBlobChecks } from './large-blob/largeBlobChecks.ts';
import { credMgmtChecks } from './cred-mgmt/credMgmtChecks.ts';
import { ctaphidChecks } from './ctaphid/ctaphidChecks.ts';
import { u2fChecks } from './u2f/u2fChecks.ts';
import { webauthnChecks } from './webauthn/webauthnChecks.ts';
import { clientPinChecks } from './client-pin/clientPinChecks.ts';
import { uvChecks } from './uv/uvChecks.ts';
import { configChecks } from './config/configChecks.ts';
import { minPinLengthChecks } from './min-pin-length/minPinLengthChecks.ts';
import type { SuiteCheck } from './SuiteContext.ts';

export { SuiteContext, type SuiteCheck, type SuiteDevice, type SuiteContextOptions, type CallResult } from './SuiteContext.ts';

/**
 * Every check, in run order: checks that need no PIN first, then those that set one, so the device state
 * changes as few times as possible; reset last.
 */
export const ALL_CHECKS: readonly SuiteCheck[] = [
  ...getInfoChecks,
  ...makeCredentialChecks,
  ...getAssertionChecks,
  ...rkSupportChecks,
  ...residentKeyChecks,
  ...attestationChecks,
  ...ctaphidChecks,
  ...u2fChecks,
  ...webauthnChecks,
  ...clientPinChecks,
  ...uvChecks,
  ...configChecks,
  ...minPinLengthChecks,
  ...hmacSecretChecks,
  ...credProtectChecks,
  ...credBlobChecks,
  ...largeBlobChecks,
  ...credMgmtChecks,
  ...resetChecks,
];

export class CheckSelectionError extends Error {
  override readonly name = 'CheckSelectionError';
}

/** The checks named by `--suite` and `--check` (both optional; unknown names are an error). */
export function selectChecks(select: { suites?: string[]; checks?: string[] } = {}): SuiteCheck[] {
  const suites = new Set(ALL_CHECKS.map((c) => c.suite));
  for (const s of select.suites ?? []) {
    if (!suites.has(s)) throw new CheckSelectionError(`unknown suite "${s}"; suites: ${[...suites].join(', ')}`);
  }
  const ids = new Set(ALL_CHECKS.map((c) => c.id));
  for (const id of select.checks ?? []) {
    if (!ids.has(id)) throw new CheckSelectionError(`unknown check id "${id}"`);
  }
  return ALL_CHECKS.filter(
    (c) =>
      (!select.suites?.length || select.suites.includes(c.suite)) &&
      (!select.checks?.length || select.checks.includes(c.id)),
  );
}
