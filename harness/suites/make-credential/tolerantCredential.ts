import { CheckFailed } from '../../runner/Check.ts';
import type { MakeCredentialRequest } from '../../protocol/index.ts';
import { poolMember, pooled } from '../credentialPool.ts';
import { allowListOf, makeCredential, type MadeCredential } from '../ops.ts';
import type { SuiteContext } from '../SuiteContext.ts';

const REFUSED = 'pool:tolerant:refused';

/** The RP of the tolerant credential. */
const TOLERANT_RP_ID = 'pool-tolerant.fido-harness.test';

/**
 * What a conformant authenticator must accept or ignore in makeCredential, one member per check:
 * an unknown algorithm before ES256 (CTAP 2.1 §6.1.2 step 3), an unknown option (step 5), excludeList
 * entries it does not know and a credential of another RP (step 11), a 64-byte user.id (WebAuthn L3
 * §5.4.3). All in one request, one touch (credentialPool.ts, `tolerant`); a check whose part is refused
 * finds out which by sending its own part alone (one more touch, only on a device that refused).
 */
export type TolerancePart = 'unknownAlgorithm' | 'unknownOption' | 'unknownExcluded' | 'otherRpExcluded' | 'longUserId';

function parts(plain: MadeCredential): Record<TolerancePart, Partial<MakeCredentialRequest>> {
  return {
    // Stryker disable next-line UnaryOperator: +65000 is as unassigned a COSE algorithm as -65000
    unknownAlgorithm: { pubKeyCredParams: [{ type: 'public-key', alg: -65000 }, { type: 'public-key', alg: -7 }] },
    unknownOption: { options: new Map([['fido-harness-unknown', true]]) },
    unknownExcluded: { excludeList: allowListOf(new Uint8Array(32).fill(1), new Uint8Array(64).fill(2)) },
    otherRpExcluded: { excludeList: allowListOf(plain.credentialId) },
    longUserId: { user: { id: new Uint8Array(64).fill(7), name: 'long id' } },
  };
}

/** The tolerant credential, or (when the combined request is refused) one made with `part` alone. */
export async function tolerantCredential(ctx: SuiteContext, part: TolerancePart, signal?: AbortSignal): Promise<MadeCredential> {
  const plain = await pooled(ctx, 'plain', signal);
  const all = parts(plain);
  if (ctx.shared.has(REFUSED)) return makeCredential(ctx, TOLERANT_RP_ID, all[part], signal);
  try {
    // Stryker disable next-line StringLiteral: the name only keys the pool entry; a refusal is caught below, so it never reaches a message
    return await poolMember(ctx, 'tolerant', () =>
      makeCredential(
        ctx,
        TOLERANT_RP_ID,
        {
          ...all.unknownAlgorithm,
          ...all.unknownOption,
          ...all.longUserId,
          excludeList: [...all.unknownExcluded.excludeList!, ...all.otherRpExcluded.excludeList!],
        },
        signal,
      ),
    );
  } catch (err) {
    if (!(err instanceof CheckFailed)) throw err;
    // later checks go straight to their own part
    // Stryker disable next-line BooleanLiteral: only the presence of the entry is read
    ctx.shared.set(REFUSED, Promise.resolve(true));
    return makeCredential(ctx, TOLERANT_RP_ID, all[part], signal);
  }
}
