import { RpError } from '../RpError.ts';
import type { RegistrationSummary } from '../ceremony/decodeRegistration.ts';

export interface RpUser {
  username: string;
  displayName: string;
  /** the WebAuthn user handle (random, 16 bytes; §14.6.1: no personal data), base64url */
  userId: string;
  credentialIds: string[];
}

/**
 * What the credential list shows of a registration. The full decoded registration (certificate chain,
 * COSE diagnostic, checks) is answered once and not kept: it can be many times the credential's size.
 */
export interface CredentialListing {
  model: string | undefined;
  userVerified: boolean;
  residentKey: boolean | undefined;
  algorithm: string;
}

export interface StoredCredential {
  /** base64url credential id */
  id: string;
  username: string;
  userId: string;
  /** COSE_Key bytes as the authenticator wrote them (at most maxPublicKeyBytes) */
  publicKey: Uint8Array;
  counter: number;
  /** the BE flag at registration (WebAuthn L3 §4 credential record backupEligible): it may never change */
  backupEligible?: boolean;
  transports: string[];
  aaguid: string;
  fmt: string;
  createdAt: string;
  lastUsedAt?: string;
  signIns: number;
  listing: CredentialListing;
}

export interface CredentialBudgets {
  totalBytes: number;
  perPeerBytes: number;
  perUser: number;
}

/** a fixed charge for the record's own fields and map entries, besides its strings and key */
const RECORD_OVERHEAD = 512;

/** approximate bytes one stored credential (and a new user record) keeps alive */
function credentialBytes(c: StoredCredential, newUser: RpUser | undefined): number {
  const strings = c.id.length + c.username.length + c.userId.length + c.aaguid.length + c.fmt.length + (c.listing.model?.length ?? 0) + c.transports.join('').length;
  const user = newUser ? RECORD_OVERHEAD + newUser.username.length + newUser.displayName.length + newUser.userId.length : 0;
  return RECORD_OVERHEAD + 2 * strings + c.publicKey.length + user;
}

/**
 * Users and their credentials, per app instance. Writes happen only after a ceremony fully verified.
 * Registration is open to anyone, so storage is bounded in bytes: in total and per peer address that
 * registered (one client filling its share leaves room for the others), and in credentials per user.
 */
export class CredentialStore {
  private readonly users = new Map<string, RpUser>();
  private readonly credentials = new Map<string, StoredCredential>();
  private readonly bytesByPeer = new Map<string, number>();
  private totalBytes = 0;

  constructor(private readonly budgets: CredentialBudgets) {}

  user(username: string): RpUser | undefined {
    return this.users.get(username);
  }

  /** The user's record, or a new unsaved one with a fresh handle (saved by addCredential). */
  userOrNew(username: string, displayName: string, newUserId: () => string): RpUser {
    return this.users.get(username) ?? { username, displayName, userId: newUserId(), credentialIds: [] };
  }

  credential(id: string): StoredCredential | undefined {
    return this.credentials.get(id);
  }

  credentialsOf(username: string): StoredCredential[] {
    return (this.users.get(username)?.credentialIds ?? []).map((id) => this.credentials.get(id)!).filter(Boolean);
  }

  /** Throws before anything is written when a bound would be exceeded (`bytes`: what is about to be added). */
  checkRoom(user: RpUser, peer: string, bytes = RECORD_OVERHEAD): void {
    if (user.credentialIds.length >= this.budgets.perUser) {
      throw new RpError('LIMIT_REACHED', `credential limit reached for ${user.username} (${this.budgets.perUser})`, 429);
    }
    if ((this.bytesByPeer.get(peer) ?? 0) + bytes > this.budgets.perPeerBytes) {
      throw new RpError('STORAGE_FULL', `credentials registered from ${peer} fill their share of the store (${this.budgets.perPeerBytes} bytes)`, 429);
    }
    if (this.totalBytes + bytes > this.budgets.totalBytes) {
      throw new RpError('STORAGE_FULL', `the credential store is full (${this.budgets.totalBytes} bytes)`, 429);
    }
  }

  addCredential(user: RpUser, credential: StoredCredential, peer: string): void {
    if (this.credentials.has(credential.id)) {
      throw new RpError('CREDENTIAL_EXISTS', 'this credential id is already registered', 409);
    }
    const saved = this.users.get(user.username);
    const bytes = credentialBytes(credential, saved ? undefined : user);
    this.checkRoom(saved ?? user, peer, bytes);
    const record = saved ?? { ...user, credentialIds: [] };
    record.credentialIds.push(credential.id);
    this.users.set(record.username, record);
    this.credentials.set(credential.id, credential);
    this.bytesByPeer.set(peer, (this.bytesByPeer.get(peer) ?? 0) + bytes);
    this.totalBytes += bytes;
  }

  /** After a verified assertion: new counter and last use. */
  recordSignIn(id: string, counter: number, at: string): void {
    const c = this.credentials.get(id);
    if (!c) return;
    c.counter = counter;
    c.lastUsedAt = at;
    c.signIns += 1;
  }

  get userCount(): number {
    return this.users.size;
  }

  get credentialCount(): number {
    return this.credentials.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }
}
