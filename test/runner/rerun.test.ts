import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { failing, runHarness, runHarnessRaw } from './runHarness.ts';

/** Vendors iterate one failure at a time with --check and --rerun-failed. */
describe('re-running single checks', () => {
  it('should run only the named checks, each with the set-up it needs, and put the re-run command in failing evidence', async () => {
    const { code, report } = await runHarness(['--check', 'GA-COUNTER-001,CLIENTPIN-V2-WRONG-001', '--sim-quirk', 'counter-stuck']);
    expect(report.checks.map((c) => c.id)).toEqual(['GA-COUNTER-001', 'CLIENTPIN-V2-WRONG-001']);
    expect(report.checks.map((c) => c.status)).toEqual(['fail', 'pass']); // the PIN check set its PIN up itself
    expect(code).toBe(1);
    expect(report.checks[0]!.evidence?.rerun).toBe('fido-harness run --device sim --check GA-COUNTER-001 --sim-quirk counter-stuck');
    expect(report.checks[1]!.evidence?.rerun).toBeUndefined();
  }, 60_000);

  it('should re-run exactly the failed and errored checks of an earlier report', async () => {
    const first = await runHarness(['--suite', 'make-credential,get-assertion', '--sim-quirk', 'wrong-rpid-hash']);
    expect(failing(first.report)).toEqual(['MC-RPID-001', 'GA-RPID-001']);
    const dir = mkdtempSync(join(tmpdir(), 'fido-harness-rerun-'));
    const file = join(dir, 'report.json');
    writeFileSync(file, JSON.stringify(first.report));
    // without --device: the report's device, here the simulator with the quirk it ran with (never a
    // clean simulator that would pass what the device failed)
    const same = await runHarness(['--rerun-failed', dir]);
    expect(same.report.checks.map((c) => [c.id, c.status])).toEqual([
      ['MC-RPID-001', 'fail'],
      ['GA-RPID-001', 'fail'],
    ]);
    expect(same.stderr).toContain("re-running 2 failed check(s) on the report's device sim with --sim-quirk wrong-rpid-hash (give --device to choose another)");
    // --device chosen: the clean simulator, as asked
    const again = await runHarness(['--rerun-failed', file, '--device', 'sim']);
    expect(again.report.checks.map((c) => [c.id, c.status])).toEqual([
      ['MC-RPID-001', 'pass'],
      ['GA-RPID-001', 'pass'],
    ]);
    expect(again.code).toBe(0);
  }, 60_000);

  it('should refuse an unknown check id with exit 2', async () => {
    const { code, stderr } = await runHarnessRaw(['--check', 'NO-SUCH-001']);
    expect(code).toBe(2);
    expect(stderr).toBe('fido-harness run: unknown check id "NO-SUCH-001" (fido-harness run --list shows them)\n');
  });
});
