import {
  CredentialManagementSubCommand,
  CtapCommand,
  CtapStatus,
  CtapStatusError,
  decodeCredentialDescriptor,
  decodeCredentialManagementRequest,
  decodeParams,
  decodeUserEntity,
  encodeCanonicalCbor,
  encodeCredentialManagementResponse,
  encodeEntity,
  credentialManagementSubParamKeys,
  PinUvAuthPermission,
  PUBLIC_KEY,
  type CborMap,
  type CredentialManagementRequest,
} from '../../harness/protocol/index.ts';
import type { Authenticator, HandleOptions } from '../Authenticator.ts';
import { unwrapCredentialId } from '../credentialId.ts';
import { credentialKey } from '../credentialKeys.ts';
import type { StoredCredential } from '../state.ts';
import { LEGACY_TOKEN_KEY } from './clientPin.ts';
import { selectProtocol } from './pinUvAuthChecks.ts';

const ENUMERATION_KEY = 'credentialManagement.enumeration';

interface Enumeration {
  kind: 'rps' | 'credentials';
  /** a.commandSerial of the command that produced the last answer */
  serial: number;
  items: StoredCredential[];
  index: number;
}

/**
 * authenticatorCredentialManagement, CTAP 2.1 §6.8, as command 0x0A and as the FIDO_2_1_PRE prototype
 * 0x41 (CTAP 2.1 §6.8, credentialMgmtPreview). The prototype command also accepts a token from getPINToken (hosts of that era have no
 * permissions); 0x0A wants the cm permission.
 */
export function credentialManagementHandler(command: number) {
  const preview = command === CtapCommand.prototypeCredentialManagement;
  return async (a: Authenticator, params: unknown, _options: HandleOptions): Promise<CborMap | null> =>
    credentialManagement(a, params, preview);
}

async function credentialManagement(a: Authenticator, params: unknown, preview: boolean): Promise<CborMap | null> {
  const req = decodeCredentialManagementRequest(params);
  const S = CredentialManagementSubCommand;
  const sub = req.subCommand!;
  switch (sub) {
    case S.getCredsMetadata: {
      authorize(a, req, preview, undefined, true);
      const existing = a.state.credentials.length;
      return encodeCredentialManagementResponse({
        existingResidentCredentialsCount: existing,
        maxPossibleRemainingResidentCredentialsCount: Math.max(0, a.maxDiscoverableCredentials - existing),
      });
    }
    case S.enumerateRPsBegin: {
      authorize(a, req, preview, undefined, true);
      const rps = distinctRps(a.state.credentials);
      if (rps.length === 0) throw new CtapStatusError(CtapStatus.CTAP2_ERR_NO_CREDENTIALS);
      a.volatile.set(ENUMERATION_KEY, { kind: 'rps', serial: a.commandSerial, items: rps, index: 1 } satisfies Enumeration);
      return rpResponse(a, rps[0]!, rps.length);
    }
    case S.enumerateRPsGetNextRP: {
      const e = continueEnumeration(a, 'rps');
      return rpResponse(a, e.items[e.index++]!, undefined);
    }
    case S.enumerateCredentialsBegin: {
      const sp = subParams(req);
      const rpIdHash = sp.rpIDHash;
      if (!rpIdHash) throw new CtapStatusError(CtapStatus.CTAP2_ERR_MISSING_PARAMETER, 'rpIDHash missing');
      authorize(a, req, preview, rpIdHash, false);
      const creds = a.state.credentials
        .filter((c) => Buffer.compare(a.rpIdHash(c.rpId), rpIdHash) === 0)
        .sort((x, y) => x.created - y.created);
      if (creds.length === 0) throw new CtapStatusError(CtapStatus.CTAP2_ERR_NO_CREDENTIALS);
      a.volatile.set(ENUMERATION_KEY, {
        kind: 'credentials',
        serial: a.commandSerial,
        items: creds,
        index: 1,
      } satisfies Enumeration);
      return credentialResponse(a, creds[0]!, creds.length);
    }
    case S.enumerateCredentialsGetNextCredential: {
      const e = continueEnumeration(a, 'credentials');
      return credentialResponse(a, e.items[e.index++]!, undefined);
    }
    case S.deleteCredential: {
      const sp = subParams(req);
      if (!sp.credentialID) throw new CtapStatusError(CtapStatus.CTAP2_ERR_MISSING_PARAMETER, 'credentialID missing');
      // Stryker disable next-line StringLiteral: the label only names the member in a decoding error's detail, never sent
      const id = decodeCredentialDescriptor(sp.credentialID, 'credentialID').id;
      const target = a.state.credentials.find((c) => Buffer.compare(c.id, id) === 0);
      authorize(a, req, preview, target ? a.rpIdHash(target.rpId) : undefined, false);
      if (!target) throw new CtapStatusError(CtapStatus.CTAP2_ERR_NO_CREDENTIALS);
      a.state.credentials = a.state.credentials.filter((c) => c !== target);
      a.volatile.delete(ENUMERATION_KEY);
      a.persist();
      return null;
    }
    case S.updateUserInformation: {
      const sp = subParams(req);
      if (!sp.credentialID) throw new CtapStatusError(CtapStatus.CTAP2_ERR_MISSING_PARAMETER, 'credentialID missing');
      if (!sp.user) throw new CtapStatusError(CtapStatus.CTAP2_ERR_MISSING_PARAMETER, 'user missing');
      // Stryker disable next-line StringLiteral: the label only names the member in a decoding error's detail, never sent
      const id = decodeCredentialDescriptor(sp.credentialID, 'credentialID').id;
      const user = decodeUserEntity(sp.user);
      const target = a.state.credentials.find((c) => Buffer.compare(c.id, id) === 0);
      authorize(a, req, preview, target ? a.rpIdHash(target.rpId) : undefined, false);
      if (!target) throw new CtapStatusError(CtapStatus.CTAP2_ERR_NO_CREDENTIALS);
      // §6.8.6: the user handle cannot change.
      if (Buffer.compare(target.userId, user.id) !== 0) {
        throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'user.id differs from the credential');
      }
      // §6.8.6: name and displayName are replaced; an absent or empty one is removed.
      const updated: StoredCredential = { ...target };
      delete updated.userName;
      delete updated.userDisplayName;
      if (user.name) updated.userName = user.name;
      if (user.displayName) updated.userDisplayName = user.displayName;
      a.state.credentials = a.state.credentials.map((c) => (c === target ? updated : c));
      a.persist();
      return null;
    }
    default:
      throw new CtapStatusError(CtapStatus.CTAP2_ERR_INVALID_SUBCOMMAND, `credentialManagement subCommand ${sub}`);
  }
}

function subParams(req: CredentialManagementRequest) {
  if (!req.subCommandParams) throw new CtapStatusError(CtapStatus.CTAP2_ERR_MISSING_PARAMETER, 'subCommandParams missing');
  // Stryker disable next-line StringLiteral: the label only names the map in a decoding error's detail, never sent
  return decodeParams(credentialManagementSubParamKeys, req.subCommandParams, 'subCommandParams');
}

/**
 * §6.8.2-§6.8.6 common steps: pinUvAuthParam present (else CTAP2_ERR_PUAT_REQUIRED), protocol given and
 * supported, param = authenticate(token, subCommand || subCommandParams) (else CTAP2_ERR_PIN_AUTH_INVALID),
 * cm permission, and the token's permissions RP ID: none for metadata and RP enumeration, matching the
 * RP otherwise.
 */
function authorize(
  a: Authenticator,
  req: CredentialManagementRequest,
  preview: boolean,
  rpIdHash: Uint8Array | undefined,
  unboundOnly: boolean,
): void {
  if (!req.pinUvAuthParam) throw new CtapStatusError(CtapStatus.CTAP2_ERR_PUAT_REQUIRED, 'pinUvAuthParam missing');
  const protocol = selectProtocol(a, req.pinUvAuthProtocol);
  const message = req.subCommandParams
    ? Buffer.concat([Uint8Array.of(req.subCommand!), encodeCanonicalCbor(req.subCommandParams)])
    : Uint8Array.of(req.subCommand!);
  // CTAP 2.2: the persistent token (pcmr) may read, never change: metadata and the enumerations only.
  const persistent = a.state.persistentToken;
  if (persistent && protocol.verify(persistent, new Uint8Array(message), req.pinUvAuthParam)) {
    if (!READ_ONLY.has(req.subCommand!)) throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'the persistent token is read-only');
    return;
  }
  const token = a.pinUvAuthToken;
  if (!token.inUse || !protocol.verify(token.token, new Uint8Array(message), req.pinUvAuthParam)) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'pinUvAuthParam does not verify');
  }
  const legacyOk = preview && a.volatile.get(LEGACY_TOKEN_KEY) === true;
  if ((token.permissions & PinUvAuthPermission.cm) === 0 && !legacyOk) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'token lacks the cm permission');
  }
  if (token.rpId !== undefined) {
    if (unboundOnly) {
      throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'token is bound to an RP ID');
    }
    if (rpIdHash && Buffer.compare(a.rpIdHash(token.rpId), rpIdHash) !== 0) {
      throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'token is bound to another RP ID');
    }
  }
  token.touch();
}

/** The subcommands a pcmr token may use (CTAP 2.2 persistent credential management read-only). */
const READ_ONLY: ReadonlySet<number> = new Set([
  CredentialManagementSubCommand.getCredsMetadata,
  CredentialManagementSubCommand.enumerateRPsBegin,
  CredentialManagementSubCommand.enumerateCredentialsBegin,
]);

/** ...GetNext subcommands must come straight after their Begin or a previous GetNext (§6.8.3, §6.8.4). */
function continueEnumeration(a: Authenticator, kind: Enumeration['kind']): Enumeration {
  const e = a.volatile.get(ENUMERATION_KEY) as Enumeration | undefined;
  if (!e || e.kind !== kind || e.serial !== a.commandSerial - 1 || e.index >= e.items.length) {
    a.volatile.delete(ENUMERATION_KEY);
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_NOT_ALLOWED, 'no enumeration in progress');
  }
  e.serial = a.commandSerial;
  return e;
}

/** One credential per RP, in order of first creation. */
function distinctRps(credentials: StoredCredential[]): StoredCredential[] {
  const seen = new Map<string, StoredCredential>();
  for (const c of [...credentials].sort((x, y) => x.created - y.created)) if (!seen.has(c.rpId)) seen.set(c.rpId, c);
  return [...seen.values()];
}

function rpResponse(a: Authenticator, c: StoredCredential, total: number | undefined): CborMap {
  return encodeCredentialManagementResponse({
    rp: encodeEntity({ id: c.rpId, name: c.rpName }),
    rpIDHash: a.rpIdHash(c.rpId),
    totalRPs: total,
  });
}

function credentialResponse(a: Authenticator, c: StoredCredential, total: number | undefined): CborMap {
  const key = unwrapCredentialId(a.state.masterKey, a.rpIdHash(c.rpId), c.id);
  // Stryker disable next-line ConditionalExpression: without it key.privateKey throws, which handleCbor answers CTAP1_ERR_OTHER too
  if (!key) throw new CtapStatusError(CtapStatus.CTAP1_ERR_OTHER, 'stored credential does not open');
  return encodeCredentialManagementResponse({
    user: encodeEntity({ id: c.userId, name: c.userName, displayName: c.userDisplayName }),
    credentialID: encodeEntity({ id: c.id, type: PUBLIC_KEY }),
    publicKey: credentialKey(c.alg, key.privateKey).cose,
    totalCredentials: total,
    credProtect: c.credProtect,
    ...(c.largeBlobKey ? { largeBlobKey: c.largeBlobKey } : {}),
    // CTAP 2.2 §6.8: whether the credential was made with thirdPartyPayment.
    ...(a.ctap22 ? { thirdPartyPayment: c.thirdPartyPayment === true } : {}),
  });
}
