import { CheckFailed } from '../runner/Check.ts';
import { makeCredential, type MadeCredential } from './ops.ts';
import type { SuiteContext } from './SuiteContext.ts';
import type { MakeCredentialRequest } from '../protocol/index.ts';

/**
 * The per-run credential pool: credentials made once and reused by every check that needs "a credential"
 * of that kind rather than a fresh one (each makeCredential is a touch on a real key, CTAP 2.1 §6.1.2 step
 * 14). Checks name what they use (`uses` on the check) so the run plan counts each pool credential once,
 * in the first check that needs it. A reset empties the pool (a new master key kills every credential).
 * Pool credentials live on RP IDs of their own, so no check's credentials meet them.
 */
export const CREDENTIAL_POOL = {
  /** a non-discoverable ES256 credential, no extensions: the makeCredential response checks read it too */
  plain: { rpId: 'pool-plain.fido-harness.test', request: {} },
} satisfies Record<string, { rpId: string; request: Partial<MakeCredentialRequest> }>;

/**
 * The pool's members: the CTAP2 credentials above, a U2F registration (u2f/u2fOps.ts), and the webauthn
 * suite's accounts at its relying party (webauthn/ceremonies.ts).
 */
export type PoolName = keyof typeof CREDENTIAL_POOL | 'tolerant' | 'rkPair' | 'hmacSecret' | 'credProtect' | 'cmAccounts' | 'tokenMc1' | 'tokenMc2' | 'legacyMc1' | 'legacyMc2' | 'tppPair' | 'u2f' | 'webauthnAccount' | 'entraAccount';

/** The touches making each pool member costs (a makeCredential, U2F_REGISTER or ceremony each). */
export const POOL_TOUCHES: Record<PoolName, number> = {
  plain: 1,
  /** hmac-secret/hmacSecretChecks.ts: non-discoverable, hmac-secret, made with a PIN token */
  hmacSecret: 1,
  /** cred-protect/credProtectChecks.ts: one credential per level 1-3 */
  credProtect: 3,
  /** cred-mgmt/credMgmtChecks.ts: two accounts on one RP */
  cmAccounts: 2,
  /** client-pin/tokenChecks.ts: a makeCredential with a token of each protocol, and with a getPINToken token */
  tokenMc1: 1,
  tokenMc2: 1,
  legacyMc1: 1,
  legacyMc2: 1,
  /** ctap22/ctap22Checks.ts: a thirdPartyPayment credential and a plain one */
  tppPair: 2,
  /** make-credential/tolerantCredential.ts (reads `plain` too) */
  tolerant: 1,
  /** resident-key/residentKeyChecks.ts: two accounts on one RP */
  rkPair: 2,
  u2f: 1,
  /** registered and signed in once */
  webauthnAccount: 2,
  entraAccount: 1,
};

/** The pool credential `name`, made on first use (that use costs its touch); the same object afterwards. */
export function pooled(ctx: SuiteContext, name: keyof typeof CREDENTIAL_POOL, signal?: AbortSignal): Promise<MadeCredential> {
  const entry = CREDENTIAL_POOL[name];
  return poolMember(ctx, name, () => makeCredential(ctx, entry.rpId, entry.request, signal));
}

/** The pool member `name`: made by `make` on first use, shared until the next reset. */
export function poolMember<T>(ctx: SuiteContext, name: PoolName, make: () => Promise<T>): Promise<T> {
  const key = `pool:${name}`;
  let made = ctx.shared.get(key) as Promise<T> | undefined;
  if (!made) {
    made = make();
    ctx.shared.set(key, made);
    // a failed make is the failure of the check that asked, and the next one tries again
    made.catch(() => ctx.shared.delete(key));
  }
  return made.catch((err: unknown) => {
    throw err instanceof CheckFailed ? new CheckFailed(`making the pool credential "${name}": ${err.message}`, err.evidence) : err;
  });
}
