import {
  CredentialManagementSubCommand,
  CtapOption,
  decodeRpEntity,
  decodeUserEntity,
  decodeCredentialDescriptor,
  encodeCanonicalCbor,
  encodeEntity,
  encodeParams,
  credentialManagementSubParamKeys,
  type CborMap,
  type CredentialDescriptor,
  type CredentialManagementResponse,
  type RpEntity,
  type UserEntity,
} from '../protocol/index.ts';
import type { Ctap2, CtapCallOptions } from '../ctap/index.ts';
import type { PinUvAuthTokenHandle } from './ClientPin.ts';
import { concat } from './ClientPin.ts';

export interface ManagedRp {
  rp: RpEntity;
  rpIDHash: Uint8Array;
}

export interface ManagedCredential {
  user: UserEntity;
  credentialID: CredentialDescriptor;
  publicKey: CborMap;
  credProtect?: number;
  largeBlobKey?: Uint8Array;
}

/**
 * The platform's side of authenticatorCredentialManagement (CTAP 2.1 §6.8), over 0x0A or the
 * FIDO_2_1_PRE 0x41 as getInfo says (Ctap2.credentialManagementCommand). Needs a token with the `cm`
 * permission; pinUvAuthParam = authenticate(token, subCommand || subCommandParams) (§6.8.1).
 */
export class CredentialManagement {
  constructor(
    readonly ctap: Ctap2,
    readonly token: PinUvAuthTokenHandle,
    private readonly callOptions: CtapCallOptions = {},
  ) {}

  static isSupported(info: { options?: Record<string, boolean> } | undefined): boolean {
    return info?.options?.[CtapOption.credMgmt] === true || info?.options?.[CtapOption.credentialMgmtPreview] === true;
  }

  private async call(subCommand: number, subCommandParams?: CborMap, authenticated = true): Promise<CredentialManagementResponse> {
    let auth: { pinUvAuthProtocol?: number; pinUvAuthParam?: Uint8Array } = {};
    if (authenticated) {
      const message = subCommandParams ? concat(Uint8Array.of(subCommand), encodeCanonicalCbor(subCommandParams)) : Uint8Array.of(subCommand);
      auth = { pinUvAuthProtocol: this.token.protocol.version, pinUvAuthParam: this.token.protocol.authenticate(this.token.token, message) };
    }
    const req = { subCommand, subCommandParams, ...auth };
    return this.ctap.credentialManagement(req, this.callOptions);
  }

  /** getCredsMetadata (§6.8.2). */
  async getMetadata(): Promise<{ existingResidentCredentialsCount: number; maxPossibleRemainingResidentCredentialsCount: number }> {
    const r = await this.call(CredentialManagementSubCommand.getCredsMetadata);
    return {
      existingResidentCredentialsCount: r.existingResidentCredentialsCount ?? 0,
      maxPossibleRemainingResidentCredentialsCount: r.maxPossibleRemainingResidentCredentialsCount ?? 0,
    };
  }

  /** enumerateRPsBegin + enumerateRPsGetNextRP (§6.8.3); [] when the device has no credentials. */
  async enumerateRps(): Promise<ManagedRp[]> {
    let first: CredentialManagementResponse;
    try {
      first = await this.call(CredentialManagementSubCommand.enumerateRPsBegin);
    } catch (err) {
      if ((err as { code?: number }).code === 0x2e) return []; // CTAP2_ERR_NO_CREDENTIALS
      throw err;
    }
    const total = first.totalRPs ?? 0;
    const out: ManagedRp[] = [toRp(first)];
    for (let i = 1; i < Math.min(total, 1000); i++) {
      out.push(toRp(await this.call(CredentialManagementSubCommand.enumerateRPsGetNextRP, undefined, false)));
    }
    return out;
  }

  /** enumerateCredentialsBegin + GetNextCredential (§6.8.4) for one RP. */
  async enumerateCredentials(rpIDHash: Uint8Array): Promise<ManagedCredential[]> {
    const params = encodeParams(credentialManagementSubParamKeys, { rpIDHash });
    let first: CredentialManagementResponse;
    try {
      first = await this.call(CredentialManagementSubCommand.enumerateCredentialsBegin, params);
    } catch (err) {
      if ((err as { code?: number }).code === 0x2e) return [];
      throw err;
    }
    const total = first.totalCredentials ?? 0;
    const out: ManagedCredential[] = [toCredential(first)];
    for (let i = 1; i < Math.min(total, 1000); i++) {
      out.push(toCredential(await this.call(CredentialManagementSubCommand.enumerateCredentialsGetNextCredential, undefined, false)));
    }
    return out;
  }

  /** deleteCredential (§6.8.5). */
  async deleteCredential(credentialId: CredentialDescriptor): Promise<void> {
    await this.call(CredentialManagementSubCommand.deleteCredential, encodeParams(credentialManagementSubParamKeys, { credentialID: encodeEntity(credentialId) }));
  }

  /** updateUserInformation (§6.8.6). */
  async updateUserInformation(credentialId: CredentialDescriptor, user: UserEntity): Promise<void> {
    await this.call(
      CredentialManagementSubCommand.updateUserInformation,
      encodeParams(credentialManagementSubParamKeys, { credentialID: encodeEntity(credentialId), user: encodeEntity(user) }),
    );
  }
}

function toRp(r: CredentialManagementResponse): ManagedRp {
  return { rp: decodeRpEntity(r.rp), rpIDHash: r.rpIDHash ?? new Uint8Array(0) };
}

function toCredential(r: CredentialManagementResponse): ManagedCredential {
  const c: ManagedCredential = {
    user: decodeUserEntity(r.user),
    credentialID: decodeCredentialDescriptor(r.credentialID, 'credentialID'),
    publicKey: r.publicKey ?? new Map(),
  };
  if (r.credProtect !== undefined) c.credProtect = r.credProtect;
  if (r.largeBlobKey) c.largeBlobKey = r.largeBlobKey;
  return c;
}
