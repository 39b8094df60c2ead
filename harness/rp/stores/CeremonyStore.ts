import { RpError } from '../RpError.ts';
import type { RpClock } from '../RpConfig.ts';

export type CeremonyKind = 'registration' | 'authentication';

/** One outstanding ceremony: the challenge the RP issued and what it asked for. */
export interface Ceremony {
  id: string;
  kind: CeremonyKind;
  /** the session that asked for it (page routes), or undefined (conformance API: bound by challenge) */
  sessionId: string | undefined;
  /** base64url, exactly as sent in the options */
  challenge: string;
  expiresAt: number;
  /** registration: the account; authentication: the account, or undefined for discoverable sign-in */
  username: string | undefined;
  userVerification: 'required' | 'preferred' | 'discouraged';
  /** registration only */
  residentKey?: 'required' | 'preferred' | 'discouraged';
  attestation?: string;
  algorithms?: number[];
  profile?: 'entra' | 'custom';
  /** registration: the account's display name and user handle (stored only once verified) */
  displayName?: string;
  userId?: string;
  /** authentication: the credential ids offered in allowCredentials (empty: discoverable) */
  allowCredentialIds?: string[];
}

/**
 * Outstanding challenges, single-use and with a TTL (WebAuthn L3 §13.4.3: challenges must be random and
 * used once). `take` removes the entry before anything is checked, so a failed verification also consumes
 * it and a replay finds nothing. Size-bounded: expired entries are swept on insert, and a full store refuses.
 */
export class CeremonyStore {
  private readonly byId = new Map<string, Ceremony>();

  constructor(
    private readonly clock: RpClock,
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  add(entry: Omit<Ceremony, 'expiresAt'>): Ceremony {
    if (this.byId.size >= this.max) this.sweep();
    if (this.byId.size >= this.max) {
      throw new RpError('LIMIT_REACHED', `too many outstanding ceremonies (${this.max}); try again later`, 429);
    }
    const ceremony: Ceremony = { ...entry, expiresAt: this.clock.now() + this.ttlMs };
    this.byId.set(ceremony.id, ceremony);
    return ceremony;
  }

  /**
   * Removes and returns the ceremony. Refuses an unknown/used id, another kind, another session (without
   * consuming it: the rightful session may still finish), and an expired one (consumed).
   */
  take(id: string, kind: CeremonyKind, sessionId: string | undefined): Ceremony {
    const c = this.byId.get(id);
    if (!c) throw new RpError('CEREMONY_UNKNOWN', 'unknown or already used challenge: start the ceremony again');
    if (c.sessionId !== sessionId) {
      throw new RpError('CEREMONY_SESSION_MISMATCH', 'this challenge was issued to another session', 403);
    }
    if (c.kind !== kind) throw new RpError('CEREMONY_WRONG_KIND', `this challenge was issued for ${c.kind}, not ${kind}`);
    this.byId.delete(id);
    if (this.clock.now() > c.expiresAt) {
      throw new RpError('CEREMONY_EXPIRED', `challenge expired ${this.clock.now() - c.expiresAt} ms ago (TTL ${this.ttlMs} ms)`);
    }
    return c;
  }

  get size(): number {
    return this.byId.size;
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [id, c] of this.byId) if (now > c.expiresAt) this.byId.delete(id);
  }
}
