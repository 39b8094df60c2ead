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
import { nfcChecks } from './nfc/nfcChecks.ts';
import { u2fChecks } from './u2f/u2fChecks.ts';
import { webauthnChecks } from './webauthn/webauthnChecks.ts';
import { clientPinChecks } from './client-pin/clientPinChecks.ts';
import { uvChecks } from './uv/uvChecks.ts';
import { configChecks } from './config/configChecks.ts';
import { minPinLengthChecks } from './min-pin-length/minPinLengthChecks.ts';
import { bioEnrollmentChecks } from './bio-enrollment/bioEnrollmentChecks.ts';
import { enterpriseAttestationChecks } from './enterprise-attestation/enterpriseAttestationChecks.ts';
import { ctap22Checks } from './ctap22/ctap22Checks.ts';
import type { SuiteCheck } from './SuiteContext.ts';

export { SuiteContext, type SuiteCheck, type SuiteDevice, type SuiteContextOptions, type CallResult } from './SuiteContext.ts';

/** The areas that run on a PIN-less key (their few checks that need a PIN go after them all). */
const PIN_LESS_AREAS: readonly SuiteCheck[] = [
  ...getInfoChecks,
  ...makeCredentialChecks,
  ...getAssertionChecks,
  ...rkSupportChecks,
  ...residentKeyChecks,
  ...attestationChecks,
  ...ctaphidChecks,
  ...nfcChecks,
  ...u2fChecks,
  ...webauthnChecks,
];

/** The areas after client-pin: most of their checks need a PIN. */
const PIN_AREAS: readonly SuiteCheck[] = [
  ...uvChecks,
  ...configChecks,
  ...minPinLengthChecks,
  ...hmacSecretChecks,
  ...credProtectChecks,
  ...credBlobChecks,
  ...largeBlobChecks,
  ...credMgmtChecks,
  ...bioEnrollmentChecks,
  ...enterpriseAttestationChecks,
  ...ctap22Checks,
];

/**
 * Every check, in run order: checks that need no PIN first, then those that set one, so the device state
 * changes as few times as possible (each reset is a touch, and a replug on a real key: CTAP 2.1 §6.6);
 * reset last. A check of the PIN-less areas that needs a PIN runs after the client-pin area, which ends
 * with a PIN set and the credentials its token checks share (credentialPool.ts).
 */
export const ALL_CHECKS: readonly SuiteCheck[] = [
  ...PIN_LESS_AREAS.filter((c) => c.needs?.pin !== 'set'),
  ...clientPinChecks,
  ...PIN_LESS_AREAS.filter((c) => c.needs?.pin === 'set'),
  // the later areas' checks that need no PIN together (one reset for them all), then the rest
  ...PIN_AREAS.filter((c) => c.needs?.pin === 'unset'),
  ...PIN_AREAS.filter((c) => c.needs?.pin !== 'unset'),
  ...resetChecks,
];

export class CheckSelectionError extends Error {
  override readonly name = 'CheckSelectionError';
}

/**
 * The checks named by `--suite` and `--check` (both optional, both case-insensitive; unknown names are an
 * error, and so are a suite and a check that have no check in common: that run would run nothing).
 */
export function selectChecks(select: { suites?: string[]; checks?: string[] } = {}): SuiteCheck[] {
  const suites = new Map(ALL_CHECKS.map((c) => [c.suite.toLowerCase(), c.suite]));
  const wantSuites = (select.suites ?? []).map((s) => {
    const suite = suites.get(s.toLowerCase());
    if (!suite) throw new CheckSelectionError(`unknown suite "${s}"; suites: ${[...suites.values()].join(', ')}`);
    return suite;
  });
  const ids = new Map(ALL_CHECKS.map((c) => [c.id.toUpperCase(), c]));
  const wantChecks = (select.checks ?? []).map((id) => {
    const check = ids.get(id.toUpperCase());
    if (!check) throw new CheckSelectionError(`unknown check id "${id}" (fido-harness run --list shows them)`);
    return check;
  });
  const chosen = ALL_CHECKS.filter(
    (c) => (!wantSuites.length || wantSuites.includes(c.suite)) && (!wantChecks.length || wantChecks.includes(c)),
  );
  if (chosen.length === 0 && wantSuites.length && wantChecks.length) {
    const where = wantChecks.map((c) => `${c.id} is in suite ${c.suite}`).join(', ');
    throw new CheckSelectionError(`--suite ${wantSuites.join(',')} and --check select no check in common (${where}): give one of them`);
  }
  return chosen;
}
