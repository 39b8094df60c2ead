import { ctapStatusName, type CborMap, type CborValue } from '../protocol/index.ts';
import { expectStatus } from './expect.ts';
import type { SuiteCheck, SuiteContext } from './SuiteContext.ts';

/** One malformed-parameter case: a valid request with one member replaced (undefined deletes it). */
export type ParameterCase = [id: string, what: string, key: number, value: CborValue | undefined, status: number];

/**
 * Checks that send a command's valid request with one member missing or of the wrong type, and expect the
 * spec's status (CTAP 2.1 §8.2: CTAP2_ERR_MISSING_PARAMETER, CTAP2_ERR_CBOR_UNEXPECTED_TYPE).
 */
export function parameterChecks(
  suite: string,
  command: number,
  specRef: string,
  validRequest: (ctx: SuiteContext, checkId: string) => CborMap,
  cases: readonly ParameterCase[],
): SuiteCheck[] {
  return cases.map(([id, what, key, value, status]) => ({
    id,
    suite,
    title: `${what} is refused with ${ctapStatusName(status)}`,
    specRef,
    // a malformed request is refused before presence is asked for (CTAP 2.1 §6.1.2, §6.2.2: parameters first)
    touches: 0,
    async run(ctx, signal) {
      const request = validRequest(ctx, id);
      if (value === undefined) request.delete(key);
      else request.set(key, value);
      expectStatus(await ctx.call(command, request, signal), status, what);
    },
  }));
}
