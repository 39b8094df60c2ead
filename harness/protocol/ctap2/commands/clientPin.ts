import type { CborMap } from '../../cbor/CborValue.ts';
import { decodeParams, encodeParams, type Params } from '../params.ts';

/** authenticatorClientPIN (0x06) request parameters, CTAP 2.1 §6.5.5 */
export const clientPinRequestKeys = {
  pinUvAuthProtocol: { key: 0x01, type: 'uint' },
  subCommand: { key: 0x02, type: 'uint', required: true },
  keyAgreement: { key: 0x03, type: 'map' },
  pinUvAuthParam: { key: 0x04, type: 'bytes' },
  newPinEnc: { key: 0x05, type: 'bytes' },
  pinHashEnc: { key: 0x06, type: 'bytes' },
  permissions: { key: 0x09, type: 'uint' },
  rpId: { key: 0x0a, type: 'text' },
} as const;

/** authenticatorClientPIN response members, CTAP 2.1 §6.5.5 */
export const clientPinResponseKeys = {
  keyAgreement: { key: 0x01, type: 'map' },
  pinUvAuthToken: { key: 0x02, type: 'bytes' },
  pinRetries: { key: 0x03, type: 'uint' },
  powerCycleState: { key: 0x04, type: 'bool' },
  uvRetries: { key: 0x05, type: 'uint' },
} as const;

/** clientPIN subCommand values, CTAP 2.1 §6.5.5 */
export const ClientPinSubCommand = {
  getPINRetries: 0x01,
  getKeyAgreement: 0x02,
  setPIN: 0x03,
  changePIN: 0x04,
  getPINToken: 0x05,
  getPinUvAuthTokenUsingUvWithPermissions: 0x06,
  getUVRetries: 0x07,
  getPinUvAuthTokenUsingPinWithPermissions: 0x09,
} as const;

export type ClientPinRequest = Params<typeof clientPinRequestKeys>;
export type ClientPinResponse = Params<typeof clientPinResponseKeys>;

export const decodeClientPinRequest = (v: unknown): ClientPinRequest =>
  decodeParams(clientPinRequestKeys, v, 'clientPIN');
export const encodeClientPinRequest = (r: ClientPinRequest): CborMap => encodeParams(clientPinRequestKeys, r);
export const decodeClientPinResponse = (v: unknown): ClientPinResponse =>
  decodeParams(clientPinResponseKeys, v, 'clientPIN response');
export const encodeClientPinResponse = (r: ClientPinResponse): CborMap => encodeParams(clientPinResponseKeys, r);
