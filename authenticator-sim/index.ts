// The software authenticator (DESIGN.md): imports nothing of the harness beyond harness/protocol.
export { Authenticator, SIMULATOR_AAGUID, EMPTY_LARGE_BLOB_ARRAY } from './Authenticator.ts';
export type { AuthenticatorOptions, CborResponse, HandleOptions } from './Authenticator.ts';
export * from './env.ts';
export { defaultBehaviour, type Behaviour, type AttestationMode } from './behaviour.ts';
export { generateAttestationMaterial, type AttestationMaterial } from './attestationMaterial.ts';
export { serializeState, deserializeState, StateFileError, type PersistentState, type StoredCredential } from './state.ts';
export { buildInfo } from './commands/getInfo.ts';
