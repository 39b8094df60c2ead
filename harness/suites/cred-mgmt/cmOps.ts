import type { PinUvAuthTokenHandle } from '../../client/index.ts';
import { credentialManagementRequest } from '../../ctap/index.ts';
import {
  CredentialManagementSubCommand as Sub,
  CtapStatus,
  credentialManagementSubParamKeys,
  encodeCanonicalCbor,
  encodeEntity,
  encodeParams,
  type CborMap,
  type CredentialManagementResponse,
  type UserEntity,
} from '../../protocol/index.ts';
import { ensure, expectStatus, hex } from '../expect.ts';
import { sha256 } from '../ops.ts';
import type { CallResult, SuiteContext } from '../SuiteContext.ts';

/** authenticatorCredentialManagement as checks send it (CTAP 2.1 §6.8): the cred-mgmt and ctap22 areas. */
export interface CmOptions {
  params?: CborMap;
  token?: PinUvAuthTokenHandle;
  command?: number;
  /** change the pinUvAuthParam (e.g. flip a bit) */
  tamperAuth?: (auth: Uint8Array) => Uint8Array;
}

/** One credentialManagement subcommand; pinUvAuthParam = authenticate(token, subCommand || subCommandParams) (§6.8). */
export async function cm(ctx: SuiteContext, subCommand: number, opts: CmOptions, signal: AbortSignal): Promise<CallResult<CredentialManagementResponse>> {
  const command = opts.command ?? ctx.ctap2.credentialManagementCommand();
  let auth: { pinUvAuthProtocol?: number; pinUvAuthParam?: Uint8Array } = {};
  if (opts.token) {
    const message = opts.params ? new Uint8Array(Buffer.concat([Buffer.of(subCommand), encodeCanonicalCbor(opts.params)])) : Uint8Array.of(subCommand);
    const param = opts.token.protocol.authenticate(opts.token.token, message);
    auth = { pinUvAuthProtocol: opts.token.protocol.version, pinUvAuthParam: opts.tamperAuth ? opts.tamperAuth(param) : param };
  }
  return ctx.request(credentialManagementRequest(command), { subCommand, subCommandParams: opts.params, ...auth }, signal);
}

export function decoded(r: CallResult<CredentialManagementResponse>, what: string): CredentialManagementResponse {
  expectStatus(r, CtapStatus.CTAP2_OK, what);
  return r.response!;
}

export const rpParams = (rpId: string) => encodeParams(credentialManagementSubParamKeys, { rpIDHash: sha256(rpId) });
export const credParams = (id: Uint8Array, user?: UserEntity) =>
  encodeParams(credentialManagementSubParamKeys, {
    credentialID: encodeEntity({ type: 'public-key', id }),
    ...(user ? { user: encodeEntity(user) } : {}),
  });

/** enumerateCredentialsBegin + GetNextCredential for one RP, checking totalCredentials. */
export async function listCredentials(ctx: SuiteContext, rpId: string, token: PinUvAuthTokenHandle, signal: AbortSignal): Promise<CredentialManagementResponse[]> {
  const first = await cm(ctx, Sub.enumerateCredentialsBegin, { params: rpParams(rpId), token }, signal);
  if (first.status === CtapStatus.CTAP2_ERR_NO_CREDENTIALS) return [];
  const head = decoded(first, 'enumerateCredentialsBegin');
  const total = head.totalCredentials ?? 0;
  ensure(total >= 1, `enumerateCredentialsBegin totalCredentials is ${head.totalCredentials ?? 'missing'}`);
  const all = [head];
  for (let i = 1; i < Math.min(total, 64); i++) {
    all.push(decoded(await cm(ctx, Sub.enumerateCredentialsGetNextCredential, {}, signal), `enumerateCredentialsGetNextCredential #${i + 1}`));
  }
  return all;
}

export const idOf = (r: CredentialManagementResponse) => hex(r.credentialID?.get('id') as Uint8Array | undefined);

