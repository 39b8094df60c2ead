import { CtapRequest } from '../../ctap/index.ts';
import { CtapStatus } from '../../protocol/index.ts';
import { CheckSkipped, CheckWarning } from '../../runner/Check.ts';
import { ensure, expectStatus, hex } from '../expect.ts';
import { allowListOf, gaRequest, makeCredential } from '../ops.ts';
import { counterAcrossResets } from '../signCountLog.ts';
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
  {
    id: 'RESET-003',
    suite,
    title: 'a global signature counter keeps rising across authenticatorReset (advisory: a counter back at 0 warns, it does not fail)',
    // No MUST keeps the counter: authenticatorReset deletes every credential (CTAP 2.1 §6.6), so no relying
    // party holds a counter of the key that a restarted one could go below. A counter that starts again is
    // still worth knowing: WebAuthn L3 §6.1.1 describes a counter that only increases, and a restart looks the
    // same to a host as a key that lost its counter. So it warns.
    specRef: 'WebAuthn L3 §6.1.1 (signature counter), CTAP 2.1 §6.6 (reset deletes every credential: no MUST keeps the counter)',
    // It reads the counters of the run's own makeCredential / getAssertion answers on both sides of the
    // resets the run does anyway (SuiteContext.signCounts): no reset, no touch of its own.
    touches: 0,
    async run(ctx) {
      const { global, crossings } = counterAcrossResets(ctx.signCounts.seen);
      if (crossings.length === 0) throw new CheckSkipped('the run saw no signature counter on both sides of an authenticatorReset (it reads the counters of the other checks: run it with them)');
      if (!global) throw new CheckSkipped('the counters the run saw are per credential or constant: a reset leaves no credential whose counter could go back');
      const back = crossings.filter((c) => c.after <= c.before);
      const evidence = { expected: 'after each reset, a counter above the highest before it', actual: crossings.map((c) => `reset ${c.epoch}: ${c.before} then ${c.after}`).join('; ') };
      if (back.length > 0) {
        const c = back[0]!;
        throw new CheckWarning(`the signature counter went back across authenticatorReset (${c.before} before, ${c.after} after): allowed, as the reset deleted every credential, but a host cannot tell it from a lost counter`, evidence);
      }
      return { message: `the counter kept rising across ${crossings.length} reset${crossings.length === 1 ? '' : 's'}`, evidence };
    },
  },
];
