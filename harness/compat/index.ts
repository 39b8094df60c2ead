// harness/compat: the one Microsoft-compatible and Entra ID evaluator (docs/microsoft-entra.md), used by
// `run`, `attestation verify` and the RP page.
import type { EntraEvaluation, MdsSummary, MicrosoftEvaluation } from '../../reports/model.ts';
import { gatherFacts } from './evidence.ts';
import { evaluateMicrosoft } from './microsoft.ts';
import { evaluateEntra, type EntraInput } from './entra.ts';
import { summarizeMds } from './summarizeMds.ts';

export { evaluateMicrosoft, microsoftInformation, MICROSOFT_REQUIREMENTS, MICROSOFT_REQUIREMENT_IDS, TEST_MDS_NOTE, type MicrosoftRequirementId, type RequirementDefinition } from './microsoft.ts';
export { evaluateEntra, judgePolicy, deviceReasons, ENTRA_DEVICE_CHECKS, DEVICE_REASONS, type EntraInput } from './entra.ts';
export { entraFix, FIDO2_CONFIGURATION_PATH } from './entraFix.ts';
export { scopeOf, membership, type Scope } from './entraScope.ts';
export { parseEntraPolicy, defaultEntraPolicy, entraPolicySchema, EntraPolicyError, DEFAULT_PASSKEY_PROFILE_ID, FIDO2_CONFIGURATION_TYPE, type EntraPolicy } from './entraPolicy.ts';
export { parseAuthStrengths, evaluateAuthStrengths, BUILT_IN_STRENGTHS, STRENGTH_POLICIES_PATH, type AuthStrengthInput, type AuthStrengthPolicy } from './authStrength.ts';
export { gatherFacts, reliedOn, type CompatInput, type CheckOutcome, type MdsLookup, type MdsUsed, type Facts, type CheckReliance } from './evidence.ts';
export { registrationInput } from './registration.ts';
export { mdsUsed } from './mdsUsed.ts';
export { summarizeMds } from './summarizeMds.ts';

export interface CompatEvaluation {
  microsoft: MicrosoftEvaluation;
  entra: EntraEvaluation;
  mds?: MdsSummary;
}

/** Both evaluations of one input, as every entry point reports them. */
export function evaluateCompat(input: EntraInput): CompatEvaluation {
  const facts = gatherFacts(input);
  const microsoft = evaluateMicrosoft(input, facts);
  const entra = evaluateEntra({ ...input, microsoft }, facts);
  const mds = summarizeMds(facts);
  return { microsoft, entra, ...(mds ? { mds } : {}) };
}
