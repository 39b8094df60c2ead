import { describe, expect, it } from 'vitest';
import { CheckFailed, CheckSkipped } from '../../harness/runner/Check.ts';
import { poolMember, pooled } from '../../harness/suites/credentialPool.ts';
import { simContext } from './contextSim.ts';
import { outcomes, runAgainst, type Fault } from './faultyDevice.ts';

/** The first makeCredential refused (CTAP1_ERR_OTHER), every later one made. */
function firstMakeCredentialRefused(): Fault {
  let refused = false;
  return async (cmd, params, next) => {
    if (cmd !== 0x01 || refused) return next(params);
    refused = true;
    return { status: 0x7f };
  };
}

describe('the credential pool (credentialPool.ts)', () => {
  it('should fail the check whose pool credential could not be made, naming it, and make it again for the next check', async () => {
    const results = await runAgainst({ checks: ['MC-BASIC-001', 'MC-FLAGS-001', 'MC-RPID-001'], fault: firstMakeCredentialRefused() });
    expect(outcomes(results)).toEqual({
      'MC-BASIC-001': 'fail: making the pool credential "plain": makeCredential answered 0x7f CTAP1_ERR_OTHER',
      'MC-FLAGS-001': 'pass: as specified',
      'MC-RPID-001': 'pass: as specified',
    });
  });

  it('should make a pool credential once for every check that uses it', async () => {
    let made = 0;
    const counting: Fault = async (cmd, params, next) => {
      if (cmd === 0x01) made++;
      return next(params);
    };
    const results = await runAgainst({ checks: ['MC-BASIC-001', 'MC-FLAGS-001', 'MC-RPID-001', 'MC-COSE-001', 'MC-CBOR-001'], fault: counting });
    expect([...results.values()].every((r) => r.status === 'pass')).toBe(true);
    expect(made).toBe(1);
  });

  it('should keep each member under its own key until a reset, made once however many checks ask at once', async () => {
    const { ctx } = await simContext();
    let makes = 0;
    const make = async () => ++makes;
    const [a, b] = await Promise.all([poolMember(ctx, 'u2f', make), poolMember(ctx, 'u2f', make)]);
    expect([a, b, makes]).toEqual([1, 1, 1]);
    expect(await poolMember(ctx, 'rkPair', make)).toBe(2);
    expect([...ctx.shared.keys()]).toEqual(['pool:u2f', 'pool:rkPair']);
    const plain = await pooled(ctx, 'plain');
    expect(await pooled(ctx, 'plain')).toBe(plain);
    expect(plain.request.rp.id).toBe('pool-plain.fido-harness.test');
    await ctx.reset();
    expect(await poolMember(ctx, 'u2f', make)).toBe(3);
  });

  it("should name the member in a failure to make it, keeping the failure's evidence, and pass any other outcome on as it is", async () => {
    const { ctx } = await simContext();
    const evidence = { expected: 'a credential', actual: '0x7f CTAP1_ERR_OTHER' };
    const failed = await poolMember(ctx, 'cmAccounts', () => Promise.reject(new CheckFailed('makeCredential answered 0x7f CTAP1_ERR_OTHER', evidence))).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(CheckFailed);
    expect((failed as CheckFailed).message).toBe('making the pool credential "cmAccounts": makeCredential answered 0x7f CTAP1_ERR_OTHER');
    expect((failed as CheckFailed).evidence).toBe(evidence);
    const skip = new CheckSkipped('no hmac-secret');
    expect(await poolMember(ctx, 'hmacSecret', () => Promise.reject(skip)).catch((e: unknown) => e)).toBe(skip);
    const gone = new Error('device gone');
    expect(await poolMember(ctx, 'tppPair', () => Promise.reject(gone)).catch((e: unknown) => e)).toBe(gone);
    // nothing failed stays: the next check that asks makes each again
    await new Promise((r) => setTimeout(r, 0));
    expect(ctx.shared.size).toBe(0);
    expect(await poolMember(ctx, 'hmacSecret', async () => 'made')).toBe('made');
  });
});
