// `fido-harness run --device udp:…,udp:…,…` runs the suites on several devices in parallel. Four
// simulators over UDP (in-process, ephemeral ports) give four reports identical in verdicts to a single
// run on a fifth, one subfolder each, and an index (JSON + escaped HTML) with each device's counts.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createSimulatorDevice, DEFAULT_SELECTION_HOLD, UdpSimulator } from '../../authenticator-sim/index.ts';
import { runRunCommand } from '../../harness/commands/run.ts';
import { deviceFolders } from '../../harness/run/runSeveralDevices.ts';
import { renderRunIndexHtml } from '../../harness/run/runIndex.ts';
import type { Report } from '../../reports/index.ts';
import { comparableStatuses } from '../runner/runHarness.ts';

const dir = mkdtempSync(join(tmpdir(), 'fido-multi-'));
const sims: UdpSimulator[] = [];
afterAll(async () => {
  for (const s of sims) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `fido-harness sim --udp 127.0.0.1:0` in this process */
async function udpSimulator(): Promise<string> {
  const { device } = await createSimulatorDevice<import('node:dgram').RemoteInfo>({ allowResetAnytime: true, presenceHold: DEFAULT_SELECTION_HOLD });
  const sim = await UdpSimulator.start(device, '127.0.0.1', 0);
  sims.push(sim);
  return `udp:127.0.0.1:${sim.endpoint.port}`;
}

function capture() {
  let text = '';
  const stream = new Writable({ write(c, _e, done) { text += c.toString(); done(); } });
  return { stream, text: () => text };
}

// five runs at once load the host: a timing check's host-load warning counts as its pass
const verdicts = (r: Report) => comparableStatuses(r.checks);
const read = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

describe('several devices at once', () => {
  it('runs the suites on four UDP simulators in parallel: four reports with the verdicts of a single run, an index, the worst exit code', async () => {
    const devices = await Promise.all([1, 2, 3, 4].map(() => udpSimulator()));
    const single = await udpSimulator();
    const out = capture();
    const err = capture();
    const io = (o: ReturnType<typeof capture>, e: ReturnType<typeof capture>) => ({ stdout: o.stream, stderr: e.stream, env: { NO_COLOR: '1' } });
    const singleOut = capture();
    const [code, singleCode] = await Promise.all([
      runRunCommand(['--device', devices.join(','), '--out', join(dir, 'multi'), '--format', 'json,html'], io(out, err)),
      runRunCommand(['--device', single, '--out', join(dir, 'single'), '--format', 'json'], io(singleOut, capture())),
    ]);
    expect(singleCode, singleOut.text()).toBe(0);
    expect(code, out.text() + err.text()).toBe(0);
    const reference = verdicts(read(join(dir, 'single', 'report.json')));
    expect(Object.keys(reference).length).toBeGreaterThan(200);
    const folders = deviceFolders(devices);
    expect(new Set(folders).size).toBe(4);
    for (const [i, folder] of folders.entries()) {
      const report: Report = read(join(dir, 'multi', folder, 'report.json'));
      expect(report.device.transport).toBe('udp');
      expect(report.device.path).toBe(devices[i]);
      expect(report.incomplete).toBeUndefined();
      expect(verdicts(report)).toEqual(reference);
      expect(existsSync(join(dir, 'multi', folder, 'report.html'))).toBe(true);
    }
    const index = read(join(dir, 'multi', 'index.json'));
    expect(index.exitCode).toBe(0);
    expect(index.devices.map((d: { device: string }) => d.device)).toEqual(devices);
    for (const d of index.devices) {
      expect(d.summary.failed + d.summary.errored).toBe(0);
      expect(d.summary.passed).toBe(Object.values(reference).filter((s) => s === 'pass').length);
      expect(d.microsoft).toBe('compatible');
      expect(d.files).toContain(`${d.folder}/report.html`);
    }
    const page = readFileSync(join(dir, 'multi', 'index.html'), 'utf8');
    for (const d of devices) expect(page).toContain(`>${d}</a>`);
    // every output line says which device it is about
    for (const d of devices) expect(out.text()).toContain(`[${d}] `);
    expect(out.text()).toContain(`${devices[0]}: exit 0`);
  }, 120_000);

  it('a device that cannot be used makes the whole run exit 2, and the index says why; the other runs still report', async () => {
    const good = await udpSimulator();
    const out = capture();
    const err = capture();
    // a UDP port nobody answers on: INIT times out
    const dead = 'udp:127.0.0.1:9';
    const code = await runRunCommand(['--device', `${good},${dead}`, '--suite', 'getinfo', '--out', join(dir, 'mixed'), '--format', 'json'], { stdout: out.stream, stderr: err.stream, env: {} });
    expect(code).toBe(2);
    const index = read(join(dir, 'mixed', 'index.json'));
    expect(index.exitCode).toBe(2);
    expect(index.devices[0].exitCode).toBe(0);
    expect(index.devices[0].summary.passed).toBeGreaterThan(5);
    expect(index.devices[1].exitCode).toBe(2);
    expect(index.devices[1].error).toMatch(/could not be used/);
    expect(existsSync(join(dir, 'mixed', deviceFolders([good])[0]!, 'report.json'))).toBe(true);
    expect(err.text()).toContain(`[${dead}] fido-harness run: the device could not be used`);
  }, 60_000);

  it('--device all with no key attached is a usage error (exit 2); with keys it stands for each hid:PATH', async () => {
    const err = capture();
    const code = await runRunCommand(['--device', 'all', '--out', join(dir, 'none')], { stdout: capture().stream, stderr: err.stream, env: {} }, { listHidPaths: async () => [] });
    expect(code).toBe(2);
    expect(err.text()).toMatch(/no FIDO HID device is attached/);
    const opened: string[] = [];
    const code2 = await runRunCommand(['--device', 'all', '--out', join(dir, 'all'), '--format', 'json'], { stdout: capture().stream, stderr: capture().stream, env: {} }, {
      listHidPaths: async () => ['/dev/hidraw7', '/dev/hidraw9'],
      openDevice: async (d) => {
        opened.push(d);
        throw Object.assign(new Error('not in this test'), { code: 'TRANSPORT_OPEN_FAILED' });
      },
    });
    expect(code2).toBe(2);
    expect(opened.sort()).toEqual(['hid:/dev/hidraw7', 'hid:/dev/hidraw9']);
    expect(read(join(dir, 'all', 'index.json')).devices.map((d: { folder: string }) => d.folder)).toEqual(['hid-dev-hidraw7', 'hid-dev-hidraw9']);
  });

  it('folder names are safe and unique, and the index page escapes what devices and reports say', () => {
    expect(deviceFolders(['udp:127.0.0.1:8111', 'hid:/dev/hidraw3', 'sim', 'sim', '../../etc', 'hid:<x>'])).toEqual(['udp-127.0.0.1-8111', 'hid-dev-hidraw3', 'sim', 'sim-2', 'etc', 'hid-x']);
    const page = renderRunIndexHtml({
      schemaVersion: 1,
      tool: { name: 'fido-harness', version: '0' },
      startedAt: 'a',
      finishedAt: 'b',
      exitCode: 2,
      devices: [{ device: 'hid:<script>alert(1)</script>', folder: 'x', exitCode: 2, error: '"><img src=x onerror=alert(1)>', files: [], aaguid: '<b>' }],
    });
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<b>');
    expect(page).toContain('hid:&lt;script&gt;');
  });
});
