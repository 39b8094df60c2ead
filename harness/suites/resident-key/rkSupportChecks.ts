import { ensure } from '../expect.ts';
import type { SuiteCheck } from '../SuiteContext.ts';

/** The Microsoft-compatible discoverable-credential requirement as getInfo states it. */
export const rkSupportChecks: SuiteCheck[] = [
  {
    id: 'RK-SUPPORT-001',
    suite: 'resident-key',
    title: 'getInfo offers discoverable credentials (option rk true)',
    specRef: 'CTAP 2.1 §6.4 options.rk; Microsoft S1/S2 (discoverable credentials)',
    touches: 0,
    async run(ctx) {
      const rk = ctx.info.options?.rk;
      ensure(rk === true, `getInfo options.rk is ${rk === undefined ? 'absent (false)' : String(rk)}; discoverable credentials are required`, {
        expected: 'true',
        actual: String(rk),
      });
    },
  },
];
