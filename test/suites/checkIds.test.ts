import { describe, expect, it } from 'vitest';
import { ALL_CHECKS } from '../../harness/suites/index.ts';
import { CHECK_IDS, isCheckId } from '../../harness/suites/checkIds.ts';
import { QUIRK_CATCHES } from '../../harness/suites/quirkCatches.ts';
import { ENTRA_DEVICE_CHECKS, MICROSOFT_REQUIREMENTS, reliedOn } from '../../harness/compat/index.ts';

/**
 * CheckId is the list in harness/suites/checkIds.ts; it must be exactly the ids the suites define, so a
 * renamed or removed check breaks the build or this test instead of turning a requirement into `skip`.
 */
describe('check ids', () => {
  it('should list exactly the checks the suites define, once each', () => {
    const defined = ALL_CHECKS.map((c) => c.id);
    expect(new Set(CHECK_IDS).size).toBe(CHECK_IDS.length);
    expect([...CHECK_IDS].sort()).toEqual([...defined].sort());
  });

  it('should refuse an unknown or renamed id', () => {
    expect(isCheckId('MC-RPID-001')).toBe(true);
    expect(isCheckId('MC-RPID-01')).toBe(false);
    expect(isCheckId('mc-rpid-001')).toBe(false);
  });

  it('should name only defined checks in the requirements and the quirk table', () => {
    const used = [
      ...MICROSOFT_REQUIREMENTS.flatMap((r) => reliedOn(r)),
      ...Object.values(ENTRA_DEVICE_CHECKS).flatMap((r) => reliedOn(r)),
      ...Object.values(QUIRK_CATCHES).flatMap((q) => q.checks),
    ];
    expect(used.filter((id) => !isCheckId(id))).toEqual([]);
  });
});
