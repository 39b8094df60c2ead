// harness/compat: Microsoft-compatible and Entra evaluations over getInfo, results and MDS (DESIGN.md).
export { evaluateMicrosoft, microsoftInformation, MICROSOFT_REQUIREMENT_IDS } from './microsoft.ts';
export { evaluateEntra, scopedProfiles, suggestPolicy, authenticationMethodView, type EntraInput } from './entra.ts';
export { parseEntraPolicy, defaultEntraPolicy, entraPolicySchema, EntraPolicyError, DEFAULT_PASSKEY_PROFILE_ID, type EntraPolicy } from './entraPolicy.ts';
export { gatherFacts, type CompatInput, type MdsLookup, type DeviceFacts } from './compatInput.ts';
export { summarizeMds } from './summarizeMds.ts';
