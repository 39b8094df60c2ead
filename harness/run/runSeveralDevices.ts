import { join } from 'node:path';
import { Writable } from 'node:stream';
import { TOOL, type DeviceRunOutcome, type RunOptions, type RunIo } from './RunOptions.ts';
import { runIndexEntry, writeRunIndex, type RunIndex } from './runIndex.ts';

/**
 * `fido-harness run --device a,b,…` (or `--device all`): the suites run on every device in
 * parallel, each device's reports in a subfolder of --out named after it, then index.json and index.html
 * in --out list each device's verdicts and counts. The exit code is the worst of the runs (2 > 1 > 0).
 * Output lines carry the device's name, and progress is plain lines (parallel runs cannot share one
 * updating line).
 */
export async function runSeveralDevices(
  opts: RunOptions,
  devices: string[],
  io: RunIo,
  runOne: (opts: RunOptions, io: RunIo) => Promise<DeviceRunOutcome>,
): Promise<number> {
  const startedAt = new Date().toISOString();
  const folders = deviceFolders(devices);
  io.stdout.write(`running on ${devices.length} devices in parallel: ${devices.join(', ')}\n`);
  const outcomes = await Promise.all(
    devices.map((device, i) => runOne({ ...opts, device, several: true, out: join(opts.out, folders[i]!) }, deviceIo(io, device))),
  );
  const exitCode = Math.max(...outcomes.map((o) => o.code));
  const index: RunIndex = {
    schemaVersion: 1,
    tool: { name: 'fido-harness', version: outcomes.find((o) => o.report)?.report?.tool.version ?? TOOL.version },
    startedAt,
    finishedAt: new Date().toISOString(),
    exitCode,
    devices: outcomes.map((o, i) => runIndexEntry(o.device, folders[i]!, o.code, o.report, o.written, o.error)),
  };
  const written = await writeRunIndex(index, opts.out);
  for (const e of index.devices) {
    const s = e.summary;
    const what = e.error ? `could not be used` : `${s!.passed} passed, ${s!.failed} failed, ${s!.errored} errored${e.incomplete ? ', INCOMPLETE' : ''}`;
    io.stdout.write(`${e.device}: exit ${e.exitCode}, ${what}\n`);
  }
  io.stdout.write(`${written.map((f) => `wrote ${f}`).join('\n')}\n`);
  return exitCode;
}

/** A folder name per device: its text with anything but letters, digits and single dots made "-"; unique. */
export function deviceFolders(devices: string[]): string[] {
  const used = new Set<string>();
  return devices.map((d) => {
    const base =
      d
        .replace(/[^A-Za-z0-9.]+/g, '-')
        .replace(/\.{2,}/g, '-')
        .replace(/-{2,}/g, '-')
        .replace(/^[-.]+|[-.]+$/g, '')
        .slice(0, 80) || 'device';
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
    used.add(name);
    return name;
  });
}

/** The device's own io: every line prefixed with "[device] ", never a live progress line. */
function deviceIo(io: RunIo, device: string): RunIo {
  return {
    stdout: prefixLines(io.stdout, device),
    stderr: prefixLines(io.stderr, device),
    env: io.env,
    ...(io.interrupt ? { interrupt: io.interrupt } : {}),
  };
}

function prefixLines(target: NodeJS.WritableStream, device: string): Writable & { isTTY: false } {
  let partial = '';
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _enc, done) {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) target.write(`[${device}] ${line}\n`);
      done();
    },
    final(done) {
      if (partial) target.write(`[${device}] ${partial}\n`);
      done();
    },
  });
  return Object.assign(stream, { isTTY: false as const });
}
