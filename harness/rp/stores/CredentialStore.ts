import { RpError } from '../RpError.ts';
import type { RegistrationSummary } from '../ceremony/decodeRegistration.ts';

export interface RpUser {
  username: string;
  displayName: string;
  /** the WebAuthn user handle (random, 16 bytes; §14.6.1: no personal data), base64url */
  userId: string;
  credentialIds: string[];
}

export interface StoredCredential {
  /** base64url credential id */
  id: string;
  username: string;
  userId: string;
  /** COSE_Key bytes as the authenticator wrote them */
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  aaguid: string;
  fmt: string;
  createdAt: string;
  lastUsedAt?: string;
  signIns: number;
  /** what the decoded registration showed (flags, model, verdicts) for the credential list */
  summary: RegistrationSummary;
}

/** Users and their credentials, per app instance. Writes happen only after a ceremony fully verified. */
export class CredentialStore {
  private readonly users = new Map<string, RpUser>();
  private readonly credentials = new Map<string, StoredCredential>();

  constructor(
    private readonly maxUsers: number,
    private readonly maxCredentialsPerUser: number,
  ) {}

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

  /** Throws LIMIT_REACHED before anything is written when a bound would be exceeded. */
  checkRoom(user: RpUser): void {
    if (!this.users.has(user.username) && this.users.size >= this.maxUsers) {
      throw new RpError('LIMIT_REACHED', `user limit reached (${this.maxUsers})`, 429);
    }
    if (user.credentialIds.length >= this.maxCredentialsPerUser) {
      throw new RpError('LIMIT_REACHED', `credential limit reached for ${user.username} (${this.maxCredentialsPerUser})`, 429);
    }
  }

  addCredential(user: RpUser, credential: StoredCredential): void {
    if (this.credentials.has(credential.id)) {
      throw new RpError('CREDENTIAL_EXISTS', 'this credential id is already registered', 409);
    }
    this.checkRoom(user);
    const saved = this.users.get(user.username) ?? { ...user, credentialIds: [] };
    saved.credentialIds.push(credential.id);
    this.users.set(saved.username, saved);
    this.credentials.set(credential.id, credential);
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
}
