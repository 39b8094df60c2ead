import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runRunCommand } from '../../harness/commands/run.ts';
import type { Report } from '../../reports/index.ts';

/** Runs `fido-harness run ARGS` in-process with captured output; returns the exit code and report.json. */
export async function runHarness(args: string[]): Promise<{ code: number; report: Report; stdout: string; stderr: string }> {
  const run = await runHarnessRaw(args);
  const report = JSON.parse(readFileSync(join(run.out, 'report.json'), 'utf8')) as Report;
  return { ...run, report };
}

/** The same, for runs that write no report (usage errors): the exit code and the output. */
export async function runHarnessRaw(args: string[]): Promise<{ code: number; out: string; stdout: string; stderr: string }> {
  const out = mkdtempSync(join(tmpdir(), 'fido-harness-run-'));
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await runRunCommand([...args, '--out', out, '--format', 'json'], {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    env: { NO_COLOR: '1' },
  });
  return { code, out, stdout, stderr };
}

export const failing = (r: Report) => r.checks.filter((c) => c.status === 'fail' || c.status === 'error').map((c) => c.id);

export const warned = (r: Report) => r.checks.filter((c) => c.status === 'warn').map((c) => c.id);

/** The checks that time the device; on a loaded host they may warn (docs/decisions/009-host-timing.md). */
export const HOST_TIMED = new Set(['CTAPHID-KEEPALIVE-001', 'CTAPHID-TIMEOUT-002']);

/**
 * Each check's status, for comparing two runs of one device (over two transports, or with and without
 * another host on the bus): a timing check's warning is about the host at that moment, not a difference
 * between the runs, and counts as a pass.
 */
export const comparableStatuses = (checks: readonly { id: string; status: string }[]): Record<string, string> =>
  Object.fromEntries(checks.map((c) => [c.id, HOST_TIMED.has(c.id) && c.status === 'warn' ? 'pass' : c.status]));
