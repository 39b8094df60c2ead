// The relying party: Hono app factory, config, ceremonies, the serve command's server (docs: README "serve").
export { createRpApp, type RpApp } from './createRpApp.ts';
export { resolveRpConfig, systemRpClock, type RpConfig, type RpConfigInput, type RpClock } from './RpConfig.ts';
export { RpError, type RpErrorCode } from './RpError.ts';
export type { RpState, RpEnv } from './RpState.ts';
export { ENTRA_PROFILE, resolveRegistrationChoices, type RegistrationChoices } from './ceremony/registrationOptions.ts';
export { MDS_NOT_LOADED, type RegistrationSummary, type CeremonyCheck, type MdsVerdict } from './ceremony/decodeRegistration.ts';
export { startRegistration } from './ceremony/startRegistration.ts';
export { finishRegistration } from './ceremony/finishRegistration.ts';
export { startAuthentication } from './ceremony/startAuthentication.ts';
export { finishAuthentication } from './ceremony/finishAuthentication.ts';
export { rpIdProblem, defaultRpId } from './rpIdProblem.ts';
