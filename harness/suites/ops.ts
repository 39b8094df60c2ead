import { createHash, randomBytes } from 'node:crypto';
import {
  CtapCommand,
  CtapStatus,
  decodeGetAssertionResponse,
  decodeMakeCredentialResponse,
  encodeGetAssertionRequest,
  encodeMakeCredentialRequest,
  formatCtapStatus,
  parseAuthenticatorData,
  type AuthenticatorData,
  type CborMap,
  type GetAssertionRequest,
  type GetAssertionResponse,
  type MakeCredentialRequest,
  type MakeCredentialResponse,
} from '../protocol/index.ts';
import { CheckFailed } from '../runner/Check.ts';
import type { CallResult, SuiteContext } from './SuiteContext.ts';

export const sha256 = (data: string | Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest());

/** A fresh 32-byte clientDataHash (checks do not need real clientDataJSON; the webauthn suite does). */
export const newClientDataHash = () => new Uint8Array(randomBytes(32));

export function mcRequest(rpId: string, overrides: Partial<MakeCredentialRequest> = {}): MakeCredentialRequest {
  return {
    clientDataHash: newClientDataHash(),
    rp: { id: rpId, name: 'fido-harness check' },
    user: { id: new Uint8Array(randomBytes(16)), name: 'check@fido-harness.test', displayName: 'Check User' },
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    ...overrides,
  };
}

export interface MadeCredential {
  result: CallResult;
  request: MakeCredentialRequest;
  response: MakeCredentialResponse;
  authData: AuthenticatorData;
  credentialId: Uint8Array;
  publicKey: CborMap;
}

/** makeCredential that must succeed (a failure here is the check's failure, with the status named). */
export async function makeCredential(
  ctx: SuiteContext,
  rpId: string,
  overrides: Partial<MakeCredentialRequest> = {},
  signal?: AbortSignal,
): Promise<MadeCredential> {
  const request = mcRequest(rpId, overrides);
  const result = await ctx.call(CtapCommand.authenticatorMakeCredential, encodeMakeCredentialRequest(request), signal);
  if (result.status !== CtapStatus.CTAP2_OK) {
    throw new CheckFailed(`makeCredential answered ${formatCtapStatus(result.status)}`, { actual: formatCtapStatus(result.status) });
  }
  const response = decodeOrFail(() => decodeMakeCredentialResponse(result.value), 'makeCredential response');
  const authData = decodeOrFail(() => parseAuthenticatorData(response.authData, { canonical: 'report' }), 'authenticatorData');
  const acd = authData.attestedCredentialData;
  if (!acd) throw new CheckFailed('makeCredential authenticatorData has no attested credential data (AT flag clear)');
  return { result, request, response, authData, credentialId: acd.credentialId, publicKey: acd.credentialPublicKey };
}

export interface GotAssertion {
  result: CallResult;
  response: GetAssertionResponse;
  authData: AuthenticatorData;
}

export function gaRequest(rpId: string, overrides: Partial<GetAssertionRequest> = {}): GetAssertionRequest {
  return { rpId, clientDataHash: newClientDataHash(), ...overrides };
}

export async function getAssertion(
  ctx: SuiteContext,
  request: GetAssertionRequest,
  signal?: AbortSignal,
): Promise<GotAssertion> {
  const result = await ctx.call(CtapCommand.authenticatorGetAssertion, encodeGetAssertionRequest(request), signal);
  if (result.status !== CtapStatus.CTAP2_OK) {
    throw new CheckFailed(`getAssertion answered ${formatCtapStatus(result.status)}`, { actual: formatCtapStatus(result.status) });
  }
  return decodeAssertion(result);
}

export function decodeAssertion(result: CallResult): GotAssertion {
  const response = decodeOrFail(() => decodeGetAssertionResponse(result.value), 'getAssertion response');
  const authData = decodeOrFail(() => parseAuthenticatorData(response.authData, { canonical: 'report' }), 'authenticatorData');
  return { result, response, authData };
}

export function decodeOrFail<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (err) {
    throw new CheckFailed(`${what} is malformed: ${(err as Error).message}`);
  }
}

export const allowListOf = (...ids: Uint8Array[]) => ids.map((id) => ({ type: 'public-key', id }));
