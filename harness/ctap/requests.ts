import {
  CtapCommand,
  decodeBioEnrollmentResponse,
  decodeClientPinResponse,
  decodeCredentialManagementResponse,
  decodeGetAssertionResponse,
  decodeGetInfoResponse,
  decodeLargeBlobsResponse,
  decodeMakeCredentialResponse,
  encodeBioEnrollmentRequest,
  encodeClientPinRequest,
  encodeConfigRequest,
  encodeCredentialManagementRequest,
  encodeGetAssertionRequest,
  encodeLargeBlobsRequest,
  encodeMakeCredentialRequest,
  type AuthenticatorInfo,
  type BioEnrollmentRequest,
  type BioEnrollmentResponse,
  type CborValue,
  type ClientPinRequest,
  type ClientPinResponse,
  type ConfigRequest,
  type CredentialManagementRequest,
  type CredentialManagementResponse,
  type GetAssertionRequest,
  type GetAssertionResponse,
  type LargeBlobsRequest,
  type LargeBlobsResponse,
  type MakeCredentialRequest,
  type MakeCredentialResponse,
} from '../protocol/index.ts';

/**
 * One authenticator API command as the typed request API sends it (CTAP 2.1 §6): its byte, how its
 * parameters are encoded and how a CTAP2_OK answer is decoded. `Ctap2.request(kind, params)` sends one.
 */
export interface CtapRequestKind<Req, Res> {
  name: string;
  command: number;
  encode(req: Req): CborValue | undefined;
  /** throws on a malformed answer; Ctap2 turns that into CTAP_MALFORMED_RESPONSE */
  decode(value: CborValue | undefined): Res;
}

const kind = <Req, Res>(
  name: string,
  command: number,
  encode: (req: Req) => CborValue | undefined,
  decode: (value: CborValue | undefined) => Res,
): CtapRequestKind<Req, Res> => ({ name, command, encode, decode });

const none = (): undefined => undefined;
/** Commands whose answer may be empty (a status byte alone) decode that as an empty map's members. */
const emptyOr = <T>(decode: (v: unknown) => T) => (v: CborValue | undefined): T => (v === undefined ? ({} as T) : decode(v));

/** The typed commands (CTAP 2.1 §6.1-§6.11). */
export const CtapRequest = {
  makeCredential: kind<MakeCredentialRequest, MakeCredentialResponse>(
    'authenticatorMakeCredential',
    CtapCommand.authenticatorMakeCredential,
    encodeMakeCredentialRequest,
    decodeMakeCredentialResponse,
  ),
  getAssertion: kind<GetAssertionRequest, GetAssertionResponse>(
    'authenticatorGetAssertion',
    CtapCommand.authenticatorGetAssertion,
    encodeGetAssertionRequest,
    decodeGetAssertionResponse,
  ),
  getNextAssertion: kind<void, GetAssertionResponse>('authenticatorGetNextAssertion', CtapCommand.authenticatorGetNextAssertion, none, decodeGetAssertionResponse),
  getInfo: kind<void, AuthenticatorInfo>('authenticatorGetInfo', CtapCommand.authenticatorGetInfo, none, decodeGetInfoResponse),
  clientPin: kind<ClientPinRequest, ClientPinResponse>(
    'authenticatorClientPIN',
    CtapCommand.authenticatorClientPIN,
    encodeClientPinRequest,
    emptyOr(decodeClientPinResponse),
  ),
  reset: kind<void, void>('authenticatorReset', CtapCommand.authenticatorReset, none, none),
  selection: kind<void, void>('authenticatorSelection', CtapCommand.authenticatorSelection, none, none),
  largeBlobs: kind<LargeBlobsRequest, LargeBlobsResponse>(
    'authenticatorLargeBlobs',
    CtapCommand.authenticatorLargeBlobs,
    encodeLargeBlobsRequest,
    emptyOr(decodeLargeBlobsResponse),
  ),
  config: kind<ConfigRequest, void>('authenticatorConfig', CtapCommand.authenticatorConfig, encodeConfigRequest, none),
} as const;

/**
 * authenticatorCredentialManagement on `command`: 0x0A, or the FIDO_2_1_PRE prototype 0x41 (CTAP 2.1 §6.8).
 * `Ctap2.credentialManagementCommand()` says which one a device takes.
 */
export const credentialManagementRequest = (command: number): CtapRequestKind<CredentialManagementRequest, CredentialManagementResponse> =>
  kind('authenticatorCredentialManagement', command, encodeCredentialManagementRequest, emptyOr(decodeCredentialManagementResponse));

/** authenticatorBioEnrollment on `command`: 0x09, or the FIDO_2_1_PRE prototype 0x40 (CTAP 2.1 §6.7). */
export const bioEnrollmentRequest = (command: number): CtapRequestKind<BioEnrollmentRequest, BioEnrollmentResponse> =>
  kind('authenticatorBioEnrollment', command, encodeBioEnrollmentRequest, emptyOr(decodeBioEnrollmentResponse));
