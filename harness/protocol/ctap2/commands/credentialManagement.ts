import type { CborMap } from '../../cbor/CborValue.ts';
import { decodeParams, encodeParams, type Params } from '../params.ts';

/** authenticatorCredentialManagement (0x0A, preview 0x41) request parameters, CTAP 2.1 §6.8 */
export const credentialManagementRequestKeys = {
  subCommand: { key: 0x01, type: 'uint', required: true },
  subCommandParams: { key: 0x02, type: 'map' },
  pinUvAuthProtocol: { key: 0x03, type: 'uint' },
  pinUvAuthParam: { key: 0x04, type: 'bytes' },
} as const;

/** subCommandParams members, CTAP 2.1 §6.8 */
export const credentialManagementSubParamKeys = {
  rpIDHash: { key: 0x01, type: 'bytes' },
  credentialID: { key: 0x02, type: 'map' },
  user: { key: 0x03, type: 'map' },
} as const;

/** response members, CTAP 2.1 §6.8 */
export const credentialManagementResponseKeys = {
  existingResidentCredentialsCount: { key: 0x01, type: 'uint' },
  maxPossibleRemainingResidentCredentialsCount: { key: 0x02, type: 'uint' },
  rp: { key: 0x03, type: 'map' },
  rpIDHash: { key: 0x04, type: 'bytes' },
  totalRPs: { key: 0x05, type: 'uint' },
  user: { key: 0x06, type: 'map' },
  credentialID: { key: 0x07, type: 'map' },
  publicKey: { key: 0x08, type: 'map' },
  totalCredentials: { key: 0x09, type: 'uint' },
  credProtect: { key: 0x0a, type: 'uint' },
  largeBlobKey: { key: 0x0b, type: 'bytes' },
  thirdPartyPayment: { key: 0x0c, type: 'bool' },
} as const;

/** subCommand values, CTAP 2.1 §6.8 */
export const CredentialManagementSubCommand = {
  getCredsMetadata: 0x01,
  enumerateRPsBegin: 0x02,
  enumerateRPsGetNextRP: 0x03,
  enumerateCredentialsBegin: 0x04,
  enumerateCredentialsGetNextCredential: 0x05,
  deleteCredential: 0x06,
  updateUserInformation: 0x07,
} as const;

export type CredentialManagementRequest = Params<typeof credentialManagementRequestKeys>;
export type CredentialManagementResponse = Params<typeof credentialManagementResponseKeys>;

export const decodeCredentialManagementRequest = (v: unknown): CredentialManagementRequest =>
  decodeParams(credentialManagementRequestKeys, v, 'credentialManagement');
export const encodeCredentialManagementRequest = (r: CredentialManagementRequest): CborMap =>
  encodeParams(credentialManagementRequestKeys, r);
export const decodeCredentialManagementResponse = (v: unknown): CredentialManagementResponse =>
  decodeParams(credentialManagementResponseKeys, v, 'credentialManagement response');
export const encodeCredentialManagementResponse = (r: CredentialManagementResponse): CborMap =>
  encodeParams(credentialManagementResponseKeys, r);
