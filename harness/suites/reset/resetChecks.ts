import { CtapRequest } from '../../ctap/index.ts';
import { CtapStatus } from '../../protocol/index.ts';
import { ensure, expectStatus, hex } from '../expect.ts';
import { allowListOf, gaRequest, makeCredential } from '../ops.ts';
import type { SuiteCheck } from '../SuiteContext.ts';

const suite = 'reset';

export const resetChecks: SuiteCheck[] = [
  {
    id: 'RESET-001',
    suite,
    title: 'after authenticatorReset earlier credentials no longer work',
    specRef: 'CTAP 2.1 §6.6 (reset deletes all credentials)',
    // the credential made before, and the reset
    touches: 2,
    resets: 1,
    destructive: true,
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('RESET-001');
      const made = await makeCredential(ctx, rpId, {}, signal);
      await ctx.reset();
      const r = await ctx.request(CtapRequest.getAssertion, gaRequest(rpId, { allowList: allowListOf(made.credentialId) }), signal);
      expectStatus(r, CtapStatus.CTAP2_ERR_NO_CREDENTIALS, 'getAssertion with a credential made before reset');
    },
  },
  {
    id: 'RESET-002',
    suite,
    title: 'after authenticatorReset no PIN is set and the AAGUID is unchanged',
    specRef: 'CTAP 2.1 §6.6 (reset removes the PIN), §6.4',
    touches: 1,
    resets: 1,
    destructive: true,
    async run(ctx) {
      const before = hex(ctx.info.aaguid);
      await ctx.reset();
      ensure(ctx.info.options?.clientPin !== true, 'clientPin still true after reset');
      ensure(hex(ctx.info.aaguid) === before, 'aaguid changed across reset');
    },
  },
];
