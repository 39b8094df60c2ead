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

/** who asked: the browser session (page routes) and the peer address; budgets are kept per client */
export interface CeremonyClient {
  sessionId: string | undefined;
  peer: string;
}

export interface CeremonyBudgets {
  perSession: number;
  perPeer: number;
  total: number;
}

/**
 * Outstanding challenges, single-use and with a TTL (WebAuthn L3 §13.4.3: challenges must be random and
 * used once). `take` removes the entry before anything is checked, so a failed verification also consumes
 * it and a replay finds nothing.
 *
 * Bounded per client, so a flood from one client costs only that client: a session holds at most
 * `perSession` (its oldest is dropped, as a browser tab that starts over abandons its last ceremony); a
 * peer address holds at most `perPeer` (then 429 for that peer alone; the page's ceremonies and the
 * conformance API's are counted apart, so a conformance flood does not stop the page); when `total` is
 * reached the peer holding the most loses its oldest. Expired entries are swept when a budget is reached.
 */
export class CeremonyStore {
  private readonly byId = new Map<string, Ceremony>();
  /** owner key → its ceremony ids, oldest first */
  private readonly byOwner = new Map<string, Set<string>>();
  private readonly owners = new Map<string, string[]>();

  constructor(
    private readonly clock: RpClock,
    private readonly ttlMs: number,
    private readonly budgets: CeremonyBudgets,
  ) {}

  add(entry: Omit<Ceremony, 'expiresAt'>, client: CeremonyClient): Ceremony {
    const sessionKey = client.sessionId === undefined ? undefined : `session ${client.sessionId}`;
    const peerKey = `${client.sessionId === undefined ? 'api' : 'page'} ${client.peer}`;
    if (sessionKey && this.count(sessionKey) >= this.budgets.perSession) {
      this.sweepOwner(sessionKey);
      if (this.count(sessionKey) >= this.budgets.perSession) this.remove(this.byOwner.get(sessionKey)!.values().next().value!);
    }
    if (this.count(peerKey) >= this.budgets.perPeer) {
      this.sweepOwner(peerKey);
      if (this.count(peerKey) >= this.budgets.perPeer) {
        throw new RpError(
          'LIMIT_REACHED',
          `too many outstanding ceremonies from ${client.peer} (${this.budgets.perPeer}): finish them or wait for their challenges to expire (${Math.round(this.ttlMs / 1000)} s)`,
          429,
        );
      }
    }
    if (this.byId.size >= this.budgets.total) {
      this.sweep();
      if (this.byId.size >= this.budgets.total) this.evictFromLargestPeer();
    }
    const ceremony: Ceremony = { ...entry, expiresAt: this.clock.now() + this.ttlMs };
    this.remove(ceremony.id);
    this.byId.set(ceremony.id, ceremony);
    const keys = sessionKey ? [sessionKey, peerKey] : [peerKey];
    this.owners.set(ceremony.id, keys);
    for (const k of keys) {
      let set = this.byOwner.get(k);
      if (!set) this.byOwner.set(k, (set = new Set()));
      set.add(ceremony.id);
    }
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
    this.remove(id);
    if (this.clock.now() > c.expiresAt) {
      throw new RpError('CEREMONY_EXPIRED', `challenge expired ${this.clock.now() - c.expiresAt} ms ago (TTL ${this.ttlMs} ms)`);
    }
    return c;
  }

  /** the session got a new id (signed in): its outstanding ceremonies can be finished under the new one only */
  rekeySession(from: string, to: string): void {
    const ids = this.byOwner.get(`session ${from}`);
    if (!ids || from === to) return;
    this.byOwner.delete(`session ${from}`);
    const moved = this.byOwner.get(`session ${to}`) ?? new Set<string>();
    for (const id of ids) {
      this.byId.get(id)!.sessionId = to;
      this.owners.set(id, this.owners.get(id)!.map((k) => (k === `session ${from}` ? `session ${to}` : k)));
      moved.add(id);
    }
    this.byOwner.set(`session ${to}`, moved);
  }

  get size(): number {
    return this.byId.size;
  }

  private count(owner: string): number {
    return this.byOwner.get(owner)?.size ?? 0;
  }

  private remove(id: string): void {
    if (!this.byId.delete(id)) return;
    for (const k of this.owners.get(id) ?? []) {
      const set = this.byOwner.get(k);
      set?.delete(id);
      if (set?.size === 0) this.byOwner.delete(k);
    }
    this.owners.delete(id);
  }

  private sweepOwner(owner: string): void {
    const now = this.clock.now();
    for (const id of [...(this.byOwner.get(owner) ?? [])]) if (now > this.byId.get(id)!.expiresAt) this.remove(id);
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [id, c] of this.byId) if (now > c.expiresAt) this.remove(id);
  }

  private evictFromLargestPeer(): void {
    let largest: Set<string> | undefined;
    for (const [k, set] of this.byOwner) if (!k.startsWith('session ') && (!largest || set.size > largest.size)) largest = set;
    const oldest = largest?.values().next().value;
    if (oldest !== undefined) this.remove(oldest);
  }
}
