import { readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { terminalSafe } from '../../reports/terminalSafe.ts';
import { createRunFolder, pointLatest } from './runFolder.ts';
import { runOnDevice } from './runOnDevice.ts';
import { checkRunInputs } from './checkRunInputs.ts';
import { RunInputError, type RunDeps, type RunIo, type RunOptions } from './RunOptions.ts';

/**
 * `fido-harness run` after its flags are parsed: the inputs checked (checkRunInputs), then the suites on one
 * device, or on several in parallel (runSeveralDevices). Exit 0 every check passed, warned or was skipped
 * with a reason; 1 a check failed or errored; 2 an input cannot be used (one line, no device touched), the
 * device could not be used, or the run was cut short (report written, marked incomplete).
 */
export async function startRun(options: RunOptions, io: RunIo, deps: RunDeps = {}): Promise<number> {
  let prepared;
  try {
    prepared = await checkRunInputs(options, deps);
  } catch (err) {
    if (!(err instanceof RunInputError)) throw err;
    io.stderr.write(`fido-harness run: ${terminalSafe(err.message)}\n`);
    return 2;
  }
  const { devices, notes } = prepared;
  let opts = prepared.opts;
  for (const note of notes) io.stderr.write(`${terminalSafe(note)}\n`);
  // Without --out every run gets a folder of its own, and runs/latest names the newest (a dry run writes none).
  const history = opts.runsDir && !opts.dryRun ? await createRunFolder(opts.runsDir, new Date(), devices.length === 1 ? devices[0]! : `${devices.length}-devices`) : undefined;
  if (history) opts = { ...opts, out: history };
  let code: number;
  if (devices.length === 1) code = (await runOnDevice({ ...opts, device: devices[0]! }, io, deps)).code;
  else {
    const { runSeveralDevices } = await import('./runSeveralDevices.ts');
    code = await runSeveralDevices(opts, devices, io, (o, deviceIo) => runOnDevice(o, deviceIo, deps));
  }
  if (history) await finishRunFolder(opts.runsDir!, history, io);
  return code;
}

/** A run folder that holds a report becomes runs/latest; an empty one (the device could not be used) goes. */
async function finishRunFolder(runsDir: string, folder: string, io: RunIo): Promise<void> {
  const entries = await readdir(folder).catch(() => []);
  if (!entries.some((e) => e === 'report.json' || e === 'index.json')) {
    await rm(folder, { recursive: true, force: true });
    return;
  }
  const how = await pointLatest(runsDir, folder);
  io.stdout.write(`${join(runsDir, 'latest')} → ${basename(folder)}${how === 'copy' ? ' (a copy: this system cannot make links)' : ''}\n`);
}
