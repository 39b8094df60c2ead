import type { Context } from 'hono';
import { setSignedCookie } from 'hono/cookie';
import type { RpEnv } from '../RpState.ts';

export const SESSION_COOKIE = 'fh_session';

export interface SessionOptions {
  /** HMAC key of the cookie */
  secret: Uint8Array;
  /** Secure cookie (the origin is https) */
  secure: boolean;
  newId: () => string;
  /** signed-in sessions remembered; the least recently used is forgotten first */
  max: number;
}

/**
 * Browser sessions: the id lives in an HMAC-signed cookie (HttpOnly, SameSite=Strict; Secure on https);
 * only a signed-in session (one that registered or signed in) has an entry here, naming its user. The id
 * is replaced at every registration and sign-in (OWASP session management: renew the id when the privilege
 * level changes), so an id planted before cannot be used to read the user's credentials afterwards.
 */
export class SessionStore {
  private readonly users = new Map<string, string>();
  private readonly rotateListeners: ((from: string, to: string) => void)[] = [];

  constructor(readonly options: SessionOptions) {}

  /** the user this session signed in as, if any */
  userOf(sessionId: string): string | undefined {
    const user = this.users.get(sessionId);
    if (user !== undefined) {
      this.users.delete(sessionId);
      this.users.set(sessionId, user);
    }
    return user;
  }

  async issue(c: Context<RpEnv>): Promise<string> {
    const id = this.options.newId();
    await setSignedCookie(c, SESSION_COOKIE, id, Buffer.from(this.options.secret).toString('base64url'), {
      httpOnly: true,
      sameSite: 'Strict',
      path: '/',
      secure: this.options.secure,
    });
    c.set('sessionId', id);
    return id;
  }

  /** After a verified registration or sign-in: a new session id, bound to `username`; the old one ends. */
  async signIn(c: Context<RpEnv>, username: string): Promise<string> {
    const from = c.get('sessionId');
    const to = await this.issue(c);
    this.users.delete(from);
    this.users.set(to, username);
    if (this.users.size > this.options.max) this.users.delete(this.users.keys().next().value!);
    for (const listener of this.rotateListeners) listener(from, to);
    return to;
  }

  /** state kept per session (the simulator mode's simulator) moves to the new id */
  onRotate(listener: (from: string, to: string) => void): void {
    this.rotateListeners.push(listener);
  }

  get size(): number {
    return this.users.size;
  }
}
