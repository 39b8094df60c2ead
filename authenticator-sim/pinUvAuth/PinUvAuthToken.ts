import type { Clock, Rng } from '../env.ts';

/**
 * The authenticator's pinUvAuthToken and its state (CTAP 2.1 §6.5.2.1): permissions, the RP ID it is
 * bound to, the in-use timer and the userPresent / userVerified flags. One token serves both protocols.
 */
export class PinUvAuthToken {
  token: Uint8Array;
  permissions = 0;
  rpId: string | undefined;
  inUse = false;
  userPresent = false;
  userVerified = false;
  private startedAt = 0;
  private lastUsedAt = 0;

  /** §6.5.2.1: a token not used for 30 s stops being in use ("initial usage time limit", USB value). */
  static readonly USAGE_WINDOW_MS = 30_000;
  /** §6.5.2.1: at most 10 minutes after it was issued ("maximum usage time period"). */
  static readonly MAX_USAGE_MS = 10 * 60_000;

  constructor(
    private readonly rng: Rng,
    private readonly clock: Clock,
  ) {
    this.token = rng.bytes(32);
  }

  /** resetPinUvAuthToken(): a new random token, no permissions, not in use. */
  reset(): void {
    this.token = this.rng.bytes(32);
    this.stopUsing();
  }

  /** beginUsingPinUvAuthToken(userIsPresent) */
  beginUsing(userPresent: boolean, permissions: number, rpId: string | undefined): void {
    this.inUse = true;
    this.userPresent = userPresent;
    this.userVerified = true;
    this.permissions = permissions;
    this.rpId = rpId;
    this.startedAt = this.lastUsedAt = this.clock.now();
  }

  /** pinUvAuthTokenUsageTimerObserver(): expires the token when its timers run out. */
  observeTimers(): void {
    if (!this.inUse) return;
    const now = this.clock.now();
    if (now - this.lastUsedAt > PinUvAuthToken.USAGE_WINDOW_MS || now - this.startedAt > PinUvAuthToken.MAX_USAGE_MS) {
      this.stopUsing();
    }
  }

  /** Marks a successful use, which keeps the rolling usage window open. */
  touch(): void {
    this.lastUsedAt = this.clock.now();
  }

  /** stopUsingPinUvAuthToken() */
  stopUsing(): void {
    this.inUse = false;
    this.permissions = 0;
    this.rpId = undefined;
    this.userPresent = false;
    this.userVerified = false;
  }

  /** clearPinUvAuthTokenPermissionsExceptLbw() (§6.5.2.1) */
  clearPermissionsExceptLbw(): void {
    this.permissions &= 0x10;
  }
}
