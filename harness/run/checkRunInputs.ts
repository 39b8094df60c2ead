import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseReport, type Report } from '../../reports/index.ts';
import { parseAuthStrengths, parseEntraPolicy } from '../compat/index.ts';
import { CheckSelectionError, selectChecks } from '../suites/index.ts';
import { listFidoHidDevices, loadNodeHidBackend } from '../transport/index.ts';
import { loadMdsFile } from './loadRunMds.ts';
import { readPinFile } from './readPin.ts';
import { loadSimProfile } from './loadSimProfile.ts';
import { ProfileError } from '../../authenticator-sim/profile/profileFromGetInfo.ts';
import { checkQuirksApply } from './openRunDevice.ts';
import { resolveReportFile } from './runFolder.ts';
import { RunInputError, type RunDeps, type RunOptions } from './RunOptions.ts';

/**
 * Everything a run needs from the user, checked before any device is touched: --rerun-failed and
 * --entra-policy read, the check selection resolved (it must select something), the --mds BLOB verified,
 * --out writable, --device expanded. Returns the options completed and the devices; throws RunInputError.
 */
export async function checkRunInputs(opts: RunOptions, deps: RunDeps): Promise<{ opts: RunOptions; devices: string[]; notes: string[] }> {
  const ready: RunOptions = { ...opts };
  if (opts.pinFile) ready.pin = await readPinFile(opts.pinFile);
  const notes: string[] = [];
  if (opts.rerunFailed) {
    const earlier = await failedChecks(opts.rerunFailed);
    ready.checks = [...(opts.checks ?? []), ...earlier.failed];
    ready.expectAaguid = earlier.report.device.aaguid;
    // The failures were the report's device's: without --device the re-run goes to that device (and, for a
    // simulator, with its quirks), never silently to the built-in simulator.
    if (!opts.deviceGiven) {
      ready.device = reportDevice(earlier.report);
      const quirks = earlier.report.device.simulatorQuirks;
      if (opts.quirks.length === 0 && Array.isArray(quirks) && quirks.every((q) => typeof q === 'string')) ready.quirks = quirks as string[];
      notes.push(`re-running ${earlier.failed.length} failed check(s) on the report's device ${ready.device}${ready.quirks.length ? ` with --sim-quirk ${ready.quirks.join(',')}` : ''} (give --device to choose another)`);
    }
  }
  try {
    selectChecks({ suites: ready.suites, checks: ready.checks });
  } catch (err) {
    if (err instanceof CheckSelectionError) throw new RunInputError(err.message);
    throw err;
  }
  if (opts.entraPolicy) ready.policy = await readEntraFile('--entra-policy', opts.entraPolicy, parseEntraPolicy);
  for (const file of opts.entraAuthStrengths ?? []) {
    ready.authStrengths = [...(ready.authStrengths ?? []), ...(await readEntraFile('--entra-auth-strength', file, (text) => parseAuthStrengths(text, file)))];
  }
  if (opts.mds) ready.mdsStore = await loadMdsFile(opts.mds, opts.at);
  if (opts.simProfile !== undefined && ready.mdsStore) {
    // The BLOB is the profile's source; the run is judged against the simulator's test MDS, which lists
    // the model's AAGUID with the simulator's attestation root (the simulator is not that model's hardware).
    try {
      ready.profile = loadSimProfile(ready.mdsStore.store, opts.simProfile, opts.mds!);
    } catch (err) {
      if (err instanceof ProfileError) throw new RunInputError(err.message);
      throw err;
    }
    delete ready.mdsStore;
  }
  await checkWritable(opts.out);
  const devices = await expandDevices(ready.device, deps);
  checkQuirksApply(devices, ready.quirks);
  if (opts.simLatency && devices.some((d) => d !== 'sim')) throw new RunInputError('--sim-latency applies to the built-in simulator (--device sim) only');
  const real = devices.find((d) => d !== 'sim' && !d.startsWith('udp:'));
  if (ready.simProfile !== undefined && real) throw new RunInputError(`--sim-profile applies to the simulator only (sim, or udp: started with fido-harness sim --profile), not ${real}`);
  return { opts: ready, devices, notes };
}

/** `--out DIR`: created and written to once (a probe file, removed), so a bad path costs no run. */
async function checkWritable(out: string): Promise<void> {
  const probe = join(out, `.fido-harness-probe-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(out, { recursive: true });
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new RunInputError(`--out ${out} cannot hold the reports (${e.code ?? e.message}): give a directory you can write, e.g. --out runs/latest`);
  }
}

/** `--entra-policy FILE`, `--entra-auth-strength FILE`: read and checked against the Graph shape up front, so a wrong file costs no run. */
async function readEntraFile<T>(flag: string, file: string, parse: (text: string) => T): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new RunInputError(`${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parse(text);
  } catch (err) {
    throw new RunInputError(`${flag} ${file}: ${(err as Error).message}`);
  }
}

/** `--rerun-failed RUN` (report.json or its run folder): the failed and errored checks of an earlier run. */
async function failedChecks(arg: string): Promise<{ report: Report; failed: string[] }> {
  let report: Report;
  const file = await resolveReportFile(arg);
  try {
    report = parseReport(await readFile(file, 'utf8'));
  } catch (err) {
    throw new RunInputError(`--rerun-failed ${arg}: ${(err as Error).message}`);
  }
  const failed = report.checks.filter((c) => c.status === 'fail' || c.status === 'error').map((c) => c.id);
  if (failed.length === 0) throw new RunInputError(`--rerun-failed ${arg}: that run has no failed checks`);
  return { report, failed };
}

/** The --device text of the device a report is of (as recorded, else from its transport and path). */
function reportDevice(report: Report): string {
  const d = report.device;
  if (typeof d.spec === 'string' && d.spec) return d.spec;
  if (d.transport === 'sim') return 'sim';
  if (d.transport === 'udp' && d.path?.startsWith('udp:')) return d.path;
  if (d.transport === 'hid' && d.path) return `hid:${d.path}`;
  throw new RunInputError(`--rerun-failed: the report does not say which device it is of (transport ${d.transport}); give --device`);
}

/** `--device a,b,…` → each; `all` → every attached FIDO HID key (hid:PATH); one device → itself. */
async function expandDevices(text: string, deps: RunDeps): Promise<string[]> {
  const list = text.split(',').map((d) => d.trim()).filter(Boolean);
  if (list.length === 0) throw new RunInputError('--device is empty (sim, hid, hid:PATH, udp:HOST:PORT, a list, or all)');
  if (!list.includes('all')) return list;
  if (list.length > 1) throw new RunInputError('--device all stands for every attached key: give it alone');
  const paths = await (deps.listHidPaths ?? listHidPaths)();
  if (paths.length === 0) throw new RunInputError('--device all: no FIDO HID device is attached (fido-harness devices lists them)');
  return paths.map((p) => `hid:${p}`);
}

async function listHidPaths(): Promise<string[]> {
  const found = await listFidoHidDevices(await loadNodeHidBackend());
  return found.map((d) => d.path);
}
