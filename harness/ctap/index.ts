// Host-side typed CTAP2/CTAP1 device API (CTAP 2.1 §6, §11.2.9.1.1).
export { Ctap2, type Ctap2Options, type CtapFinding, type CtapResponse } from './Ctap2.ts';
export { refused, unwrapCtap, type CtapOk, type CtapRefused, type CtapResult } from './CtapResult.ts';
export { bioEnrollmentRequest, credentialManagementRequest, CtapRequest, type CtapRequestKind } from './requests.ts';
export { Ctap1, parseU2fRegistration, type U2fAuthentication, type U2fRegistration, type U2fResponse } from './Ctap1.ts';
export type { CtapCallOptions, CtapChannel } from './CtapChannel.ts';
export { DirectAuthenticatorChannel, type CborHandler } from './DirectAuthenticatorChannel.ts';
export { CtapProtocolError, U2fStatusError, type CtapProtocolErrorCode } from './CtapProtocolError.ts';
export { CtapTrace, type CtapTraceEntry } from './CtapTrace.ts';
export { openDevice, parseDeviceSpec, type DeviceSpec, type OpenedDevice } from './openDevice.ts';
export { namedInfo, formatAaguid } from './namedInfo.ts';
export { listFidoCards, openNfcDevice, type FidoCard, type NfcDeviceSpec, type OpenedNfcDevice } from './openNfcDevice.ts';
