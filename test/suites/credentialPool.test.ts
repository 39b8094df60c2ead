import { describe, expect, it } from 'vitest';
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
});
