import { CtapRequest } from '../../ctap/index.ts';
import { AuthDataFlag, CtapStatus, formatCtapStatus } from '../../protocol/index.ts';
import { CheckFailed } from '../../runner/Check.ts';
import { ensure, hex } from '../expect.ts';
import { allowListOf, decodeAssertion, gaRequest } from '../ops.ts';
import type { SuiteCheck } from '../SuiteContext.ts';
import { needsU2f, POOL_U2F_RP_ID, pooledU2f, suite, userPublicKey, verifiesEs256 } from './u2fOps.ts';

export const interopChecks: SuiteCheck[] = [
  {
    id: 'U2F-INTEROP-001',
    suite,
    title: 'a U2F registration works with CTAP2 getAssertion (allowList = key handle, rpId whose SHA-256 is the application parameter)',
    specRef: 'CTAP 2.1 §10.3 (CTAP1/U2F credentials usable from CTAP2), §6.2.2; WebAuthn L3 §6.3.3',
    requires: needsU2f,
    // a silent assertion (up false, CTAP 2.1 §6.2.2 step 9): what is checked is the credential, not presence
    touches: 0,
    uses: ['u2f'],
    async run(ctx, signal) {
      const rpId = POOL_U2F_RP_ID;
      const { reg, application } = await pooledU2f(ctx);
      const request = gaRequest(rpId, { allowList: allowListOf(reg.keyHandle), options: new Map([['up', false]]) });
      const result = await ctx.request(CtapRequest.getAssertion, request, signal);
      if (result.status !== CtapStatus.CTAP2_OK) {
        throw new CheckFailed(`getAssertion with the U2F key handle answered ${formatCtapStatus(result.status)}`, { expected: formatCtapStatus(CtapStatus.CTAP2_OK), actual: formatCtapStatus(result.status) });
      }
      const got = decodeAssertion(result);
      const credId = got.response.credential.id;
      ensure(Buffer.from(credId).equals(Buffer.from(reg.keyHandle)), 'the assertion names another credential than the U2F key handle', { expected: hex(reg.keyHandle), actual: hex(credId) });
      ensure(Buffer.from(got.authData.rpIdHash).equals(Buffer.from(application)), 'authenticatorData rpIdHash is not the U2F application parameter', { expected: hex(application), actual: hex(got.authData.rpIdHash) });
      ensure((got.authData.flags & AuthDataFlag.UP) === 0, 'UP flag set in an assertion asked for with up false (CTAP 2.1 §6.2.2 step 11)');
      const signed = new Uint8Array(Buffer.concat([got.response.authData, request.clientDataHash]));
      ensure(verifiesEs256(userPublicKey(reg.publicKey), signed, got.response.signature), 'the CTAP2 assertion signature does not verify with the U2F public key', { actual: hex(got.response.signature) });
      return { message: `signCount ${got.authData.signCount}` };
    },
  },
];
