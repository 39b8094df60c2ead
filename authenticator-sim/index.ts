// The software authenticator (docs/architecture.md): imports nothing of the harness beyond harness/protocol.
export { Authenticator, ENTERPRISE_RP_IDS, SIMULATOR_AAGUID, EMPTY_LARGE_BLOB_ARRAY } from './Authenticator.ts';
export type { AuthenticatorOptions, CborResponse, HandleOptions } from './Authenticator.ts';
export * from './env.ts';
export { defaultBehaviour, type Behaviour, type AttestationMode } from './behaviour.ts';
export { generateAttestationMaterial, SIMULATOR_ATTESTATION_SEED, type AttestationMaterial, type AttestationMaterialOptions } from './attestationMaterial.ts';
export { serializeState, deserializeState, StateFileError, type PersistentState, type StoredCredential } from './state.ts';
export { buildInfo } from './commands/getInfo.ts';
export {
  ScriptedBuiltInUv,
  UvModality,
  builtInUvByName,
  type BuiltInUv,
  type BuiltInUvAttempt,
  type BuiltInUvOutcome,
} from './pinUvAuth/builtInUv.ts';
// The simulator as a device (docs/simulator.md): CTAPHID, UDP, CTAP1/U2F, file state, quirks, the `sim` command.
export { CtaphidDevice, type CtaphidDeviceOptions, type ReportListener } from './ctaphid/CtaphidDevice.ts';
export { createSimulatorDevice, type SimulatorDeviceOptions } from './ctaphid/createSimulatorDevice.ts';
export { TrackedUserPresence } from './ctaphid/TrackedUserPresence.ts';
export { DEFAULT_SELECTION_HOLD, CTAP20_PRESENCE_HOLD, presenceHoldFor, holdPresence, type PresenceHold } from './ctaphid/holdPresence.ts';
export { LATENCY_PROFILES, REALISTIC_LATENCY, type LatencyProfile } from './ctaphid/latency.ts';
export { handleU2fMessage } from './ctap1/handleU2fMessage.ts';
export {
  UdpSimulator,
  UdpSimulatorError,
  POWER_CYCLE_DATAGRAM,
  DEFAULT_UDP_HOST,
  DEFAULT_UDP_PORT,
  type UdpEndpoint,
} from './udp/UdpSimulator.ts';
export { FileStorage, StateStorageError } from './FileStorage.ts';
export {
  QUIRKS,
  listQuirks,
  findQuirk,
  behaviourForQuirks,
  authenticatorOptionsForQuirks,
  testMdsStatusForQuirks,
  QuirkError,
  EVIL_TEXT,
  WRONG_RP_ID,
  type Quirk,
} from './quirks/index.ts';
export { runSimCommand, runSimulator, parseUdpEndpoint, SIM_USAGE, type SimOptions } from './cli.ts';
// The simulator as a contactless card (CTAP 2.1 §11.3): the APDU handler and vsmartcard's virtual reader.
export { NfcApplet, SIM_FINGER_INS, type NfcAppletOptions } from './nfc/NfcApplet.ts';
export { createSimulatorCard } from './nfc/createSimulatorCard.ts';
export {
  VpcdCard,
  VpcdCardError,
  VpcdControl,
  DEFAULT_VPCD_HOST,
  DEFAULT_VPCD_PORT,
  SIMULATOR_CARD_ATR,
  SIMULATOR_CARD_HISTORICAL,
} from './nfc/VpcdCard.ts';
export { SimulatedFingerprintSensor, fingerSample, DEFAULT_FINGER, type FingerprintSensor, type FingerSample } from './bio/fingerprintSensor.ts';
export { fingerDatagram, parseFingerDatagram } from './udp/fingerDatagram.ts';
// Device profiles: the simulator shaped like a key model's getInfo (profile/).
export { DEFAULT_FEATURES, speaksCtap2, isCtap21, type SimFeatures } from './profile/SimFeatures.ts';
export { profileFromGetInfo, ProfileError, type DeviceProfile } from './profile/profileFromGetInfo.ts';
