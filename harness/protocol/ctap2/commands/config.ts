import type { CborMap } from '../../cbor/CborValue.ts';
import { decodeParams, encodeParams, type Params } from '../params.ts';

/** authenticatorConfig (0x0D) request parameters, CTAP 2.1 §6.11 */
export const configRequestKeys = {
  subCommand: { key: 0x01, type: 'uint', required: true },
  subCommandParams: { key: 0x02, type: 'map' },
  pinUvAuthProtocol: { key: 0x03, type: 'uint' },
  pinUvAuthParam: { key: 0x04, type: 'bytes' },
} as const;

/** setMinPINLength subCommandParams, CTAP 2.1 §6.11.4 */
export const setMinPinLengthParamKeys = {
  newMinPINLength: { key: 0x01, type: 'uint' },
  minPinLengthRPIDs: { key: 0x02, type: 'array' },
  forceChangePin: { key: 0x03, type: 'bool' },
} as const;

/** subCommand values, CTAP 2.1 §6.11 */
export const ConfigSubCommand = {
  enableEnterpriseAttestation: 0x01,
  toggleAlwaysUv: 0x02,
  setMinPINLength: 0x03,
  vendorPrototype: 0xff,
} as const;

export type ConfigRequest = Params<typeof configRequestKeys>;

export const decodeConfigRequest = (v: unknown): ConfigRequest => decodeParams(configRequestKeys, v, 'config');
export const encodeConfigRequest = (r: ConfigRequest): CborMap => encodeParams(configRequestKeys, r);
