import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../reports/index.ts';
import { cli, REPO, REQUIRED, SLOTS, startCardSimulator, virtualReaderProblem } from './virtualReader.ts';

// `fido-harness sim --pcsc` in vsmartcard's virtual reader, `fido-harness run --device pcsc` through the real
// pcscd and PC/SC API (no mock in between), against a run over UDP of the same simulator: every check that
// is not about the transport gets the same status, and the Microsoft and Entra verdicts are the same.

const SLOT = SLOTS[0];
const problem = await virtualReaderProblem(SLOT);

/** Checks that depend on the transport: CTAPHID framing, ISO 7816 framing, getInfo's transport list. */
const transportSpecific = (c: { id: string; suite: string }) => c.suite === 'ctaphid' || c.suite === 'nfc' || c.id === 'INFO-TRANSPORTS-001';

async function runTo(device: string): Promise<{ code: number | null; report: Report; stderr: string }> {
  const out = mkdtempSync(join(tmpdir(), 'fido-harness-nfc-'));
  const r = await cli(['run', '--device', device, '--out', out, '--format', 'json']);
  let report: Report;
  try {
    report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  } catch {
    throw new Error(`no report from run --device ${device} (exit ${r.code}): ${r.stderr}`);
  }
  return { code: r.code, report, stderr: r.stderr };
}

describe('fido-harness run --device pcsc against fido-harness sim --pcsc (pcscd, vpcd)', () => {
  if (problem && REQUIRED) {
    it('pcscd with vsmartcard-vpcd runs (required under CI)', () => {
      expect.fail(problem);
    });
    return;
  }
  it.skipIf(problem !== undefined)(
    problem ? `skipped: ${problem}` : 'passes every applicable check (nfc included) with the verdicts of a run over UDP; devices lists the card',
    async () => {
      const card = await startCardSimulator(SLOT);
      const udpSim = spawn(process.execPath, ['bin/fido-harness.mjs', 'sim', '--udp', '127.0.0.1:0'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        const port = await new Promise<number>((resolve, reject) => {
          let out = '';
          udpSim.stdout.on('data', (d) => {
            out += String(d);
            const m = /listening on udp 127\.0\.0\.1:(\d+)/.exec(out);
            if (m) resolve(Number(m[1]));
          });
          udpSim.once('exit', (code) => reject(new Error(`fido-harness sim --udp exited ${code}: ${out}`)));
        });

        const devices = await cli(['devices', '--json']);
        expect(devices.code, devices.stderr).toBe(0);
        const listed = JSON.parse(devices.stdout) as { path: string; transport: string; version: string }[];
        expect(listed).toContainEqual(expect.objectContaining({ path: `pcsc:${SLOT.reader}`, transport: 'nfc', version: 'U2F_V2' }));

        const [nfc, udp] = await Promise.all([runTo('pcsc'), runTo(`udp:127.0.0.1:${port}`)]);
        expect(nfc.report.device.transport).toBe('nfc');
        expect(nfc.report.device.path).toBe(`pcsc:${SLOT.reader}`);
        expect(nfc.report.incomplete, nfc.stderr).toBeUndefined();
        expect(nfc.report.checks.filter((c) => c.status === 'fail' || c.status === 'error').map((c) => `${c.id}: ${c.message}`)).toEqual([]);
        expect([nfc.code, udp.code]).toEqual([0, 0]);

        const nfcChecks = nfc.report.checks.filter((c) => c.suite === 'nfc');
        expect(nfcChecks.length).toBeGreaterThanOrEqual(14);
        expect(nfcChecks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual([]);
        for (const c of nfc.report.checks.filter((c) => c.suite === 'ctaphid')) expect(c.status).toBe('skip');
        expect(nfc.report.checks.find((c) => c.id === 'INFO-TRANSPORTS-001')?.status).toBe('pass');
        expect(nfc.report.checks.filter((c) => c.suite === 'u2f' && c.status === 'pass').length).toBeGreaterThan(0);

        const overUdp = new Map(udp.report.checks.map((c) => [c.id, c]));
        const differing = nfc.report.checks
          .filter((c) => !transportSpecific(c) && overUdp.get(c.id)?.status !== c.status)
          .map((c) => `${c.id}: nfc ${c.status} (${c.message}), udp ${overUdp.get(c.id)?.status} (${overUdp.get(c.id)?.message})`);
        expect(differing).toEqual([]);
        expect(nfc.report.checks.filter((c) => !transportSpecific(c)).length).toBe(udp.report.checks.filter((c) => !transportSpecific(c)).length);
        expect(nfc.report.microsoft?.verdict).toBe(udp.report.microsoft?.verdict);
        expect(nfc.report.entra?.verdict).toBe(udp.report.entra?.verdict);
        expect(nfc.report.microsoft?.verdict).toBe('compatible');
        // the Microsoft section says what the key was tested over
        expect(JSON.stringify(nfc.report.microsoft)).toContain('NFC (PC/SC)');
      } finally {
        udpSim.kill('SIGTERM');
        expect(await card.stop()).toBe(0);
      }
    },
    400_000,
  );

  it.skipIf(problem !== undefined)(
    problem ? `skipped: ${problem}` : 'ends a run whose card leaves the reader with exit 2 and an incomplete report, never a hang',
    async () => {
      const card = await startCardSimulator(SLOT);
      const out = mkdtempSync(join(tmpdir(), 'fido-harness-nfc-pulled-'));
      const child = spawn(process.execPath, ['bin/fido-harness.mjs', 'run', '--device', 'pcsc', '--out', out, '--format', 'json'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d) => (text += String(d)));
      child.stderr.on('data', (d) => (text += String(d)));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      try {
        // the first area is done: the run is well into the card
        for (let i = 0; i < 1200 && !/getinfo: \d+ passed/.test(text); i++) await new Promise((r) => setTimeout(r, 100));
        expect(text).toMatch(/getinfo: \d+ passed/);
        expect(await card.stop()).toBe(0);
        expect(await exited, text).toBe(2);
        const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
        expect(report.incomplete).toBe(true);
        expect(report.incompleteReason).toMatch(/the device (was lost|stopped working) during/);
      } finally {
        child.kill('SIGKILL');
        await card.stop();
      }
    },
    300_000,
  );
});
