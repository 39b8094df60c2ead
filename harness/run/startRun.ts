import { terminalSafe } from '../../reports/terminalSafe.ts';
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
  const { opts, devices } = prepared;
  if (devices.length === 1) return (await runOnDevice({ ...opts, device: devices[0]! }, io, deps)).code;
  const { runSeveralDevices } = await import('./runSeveralDevices.ts');
  return runSeveralDevices(opts, devices, io, (o, deviceIo) => runOnDevice(o, deviceIo, deps));
}
