import { describe, expect, it } from 'vitest';
import { listQuirks } from '../../authenticator-sim/quirks/index.ts';
import { failing, runHarness, warned } from './runHarness.ts';
import { NFC_ARGS, QUIRK_CATCHES } from '../../harness/suites/quirkCatches.ts';

/**
 * The quirk matrix: each simulator quirk makes the simulator misbehave on purpose, and the checks named for
 * it in harness/suites/quirkCatches.ts must fail, the run must exit 1, and the Microsoft/Entra verdicts must
 * turn where docs/microsoft-entra.md says so. A misbehaviour the spec allows is caught by a warning: the
 * checks named in `warns` must warn (not fail: with no failing check the run exits 0). The clean simulator
 * passes every applicable check and gives none of those warnings.
 */
const NFC = [...NFC_ARGS];

const MATRIX = QUIRK_CATCHES;

describe('the quirk matrix', () => {
  it('should cover every quirk the simulator has', () => {
    expect(Object.keys(MATRIX).sort()).toEqual(listQuirks().map((q) => q.name).sort());
  });

  it('should pass every applicable check on the clean simulator, exit 0 and judge it Microsoft-compatible', async () => {
    const { code, report } = await runHarness([]);
    expect(failing(report)).toEqual([]);
    // the warnings that catch a quirk stay silent (a timing check, KEEPALIVE cadence, may warn on a loaded host)
    const catching = new Set(Object.values(MATRIX).flatMap((q) => q.warns ?? []));
    expect(warned(report).filter((id) => catching.has(id as never))).toEqual([]);
    expect(code).toBe(0);
    for (const c of report.checks.filter((c) => c.status === 'skip')) expect(c.message).not.toBe('');
    expect(report.checks.length).toBeGreaterThanOrEqual(150);
    expect(report.microsoft?.verdict).toBe('compatible');
    expect(report.entra?.verdict).toBe('allowed');
  }, 120_000);

  it('should pass every nfc check on the clean simulator as a card', async () => {
    const { code, report } = await runHarness(NFC);
    expect(failing(report)).toEqual([]);
    expect(report.checks.filter((c) => c.status === 'pass').map((c) => c.id)).toHaveLength(report.checks.length);
    expect(report.device.transport).toBe('nfc');
    expect(code).toBe(0);
  }, 120_000);

  for (const [quirk, expected] of Object.entries(MATRIX)) {
    const warns = expected.warns ?? [];
    const what = [...expected.checks, ...warns.map((id) => `${id} (warn)`)].join(', ');
    it(`should catch ${quirk}: ${what || 'nothing may fail'}`, async () => {
      const { code, report } = await runHarness([...(expected.args ?? []), '--sim-quirk', quirk]);
      const failed = failing(report);
      expect(warned(report)).toEqual(expect.arrayContaining([...warns]));
      if (expected.checks.length === 0) {
        expect(failed).toEqual([]);
        expect(code).toBe(0);
      } else {
        expect(failed).toEqual(expect.arrayContaining([...expected.checks]));
        expect(code).toBe(1);
      }
      if (expected.microsoft) expect(report.microsoft?.verdict).toBe(expected.microsoft);
      if (expected.entra) expect(report.entra?.verdict).toBe(expected.entra);
    }, 120_000);
  }
});
