import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ENTRA_DEVICE_CHECKS, MICROSOFT_REQUIREMENTS, reliedOn } from '../../harness/compat/index.ts';
import type { Report } from '../../reports/model.ts';

// `fido-harness run` as CI runs it: exit codes, the printed fix and the reports, from the real process.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const exec = promisify(execFile);
/** every check a Microsoft or Entra point relies on: the smallest run that can judge both verdicts */
const JUDGING = [...new Set([...MICROSOFT_REQUIREMENTS.flatMap((r) => reliedOn(r)), ...Object.values(ENTRA_DEVICE_CHECKS).flatMap((r) => reliedOn(r))])];

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string; out: string }> {
  const out = mkdtempSync(join(tmpdir(), 'fido-harness-cli-'));
  const r = await exec(process.execPath, ['bin/fido-harness.mjs', 'run', '--out', out, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } }).then(
    (x) => ({ code: 0, stdout: x.stdout, stderr: x.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
  return { ...r, out };
}

const file = (name: string, value: unknown) => {
  const p = join(mkdtempSync(join(tmpdir(), 'fido-harness-in-')), name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
};
const report = (out: string) => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;

describe('run --require, Entra inputs and verdicts CI can act on (spawned CLI)', () => {
  it('should exit 0 with --require microsoft,entra on the clean simulator, and carry the verdicts in junit.xml', async () => {
    const r = await cli(['--check', JUDGING.join(','), '--require', 'microsoft,entra', '--format', 'junit']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("test material, not Microsoft's view");
    const xml = readFileSync(join(r.out, 'junit.xml'), 'utf8');
    expect(xml).toContain('<testsuite name="microsoft-entra"');
    expect(xml).toMatch(/<testcase classname="fido-harness.microsoft" name="Microsoft-compatible verdict" time="0.000"\/>/);
    expect(xml).toContain('name="EN-AUTH-STRENGTH Phishing-resistant MFA"');
    const rep = report(r.out);
    expect(rep.device.mds?.testMaterial).toBe(true);
  }, 300_000);

  it('should exit 1 with --require entra when a given authentication strength is not met (the method policy allows the key)', async () => {
    const strength = file('strength.json', { value: [{ id: 'c0ffee00-0000-0000-0000-000000000001', displayName: 'Keys only', policyType: 'custom', allowedCombinations: ['password,sms'] }] });
    const r = await cli(['--check', JUDGING.join(','), '--require', 'entra', '--entra-auth-strength', strength, '--format', 'junit']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('--require entra: Entra is blocked');
    expect(r.stdout).toContain('EN-AUTH-STRENGTH "Keys only"');
    expect(r.stdout).toContain('POST /identity/conditionalAccess/authenticationStrength/policies/c0ffee00-0000-0000-0000-000000000001/updateAllowedCombinations');
    const rep = report(r.out);
    expect(rep.summary.failed + rep.summary.errored).toBe(0); // the checks passed: only the verdict fails the run
    expect(rep.entra?.reasons.filter((x) => x.status === 'fail').map((x) => x.id)).toEqual(['EN-AUTH-STRENGTH']);
    expect(readFileSync(join(r.out, 'junit.xml'), 'utf8')).toMatch(/name="Entra ID passkey verdict" time="0.000">\s*<failure message="blocked"/);
  }, 300_000);

  it('should exit 1 with --require entra under a disabled method, printing the PATCH that enables it', async () => {
    const policy = file('policy.json', { '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration', id: 'Fido2', state: 'disabled', includeTargets: [{ id: 'all_users', targetType: 'group' }] });
    const r = await cli(['--check', JUDGING.join(','), '--require', 'entra', '--entra-policy', policy]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('To allow it, PATCH /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2 with:');
    expect(r.stdout).toContain('"state": "enabled"');
    expect(report(r.out).entra?.fix).toMatchObject({ kind: 'policy', body: { '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration', state: 'enabled' } });
  }, 300_000);

  it('should exit 1 with --require microsoft when the run cannot judge the verdict (incomplete)', async () => {
    const r = await cli(['--suite', 'getinfo', '--require', 'microsoft']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('--require microsoft: Microsoft-compatible is incomplete');
    const plain = await cli(['--suite', 'getinfo']);
    expect(plain.code).toBe(0);
  }, 300_000);

  it('should judge wrong-rpid-hash and uv-without-pin not compatible (and uv-without-pin blocked in Entra)', async () => {
    const rpid = await cli(['--check', JUDGING.join(','), '--sim-quirk', 'wrong-rpid-hash']);
    expect(rpid.code).toBe(1);
    expect(report(rpid.out).microsoft?.verdict).toBe('not-compatible');
    expect(report(rpid.out).microsoft?.requirements.find((x) => x.id === 'MS-ATTESTATION')?.status).toBe('fail');
    const uv = await cli(['--check', JUDGING.join(','), '--sim-quirk', 'uv-without-pin']);
    expect(uv.code).toBe(1);
    const rep = report(uv.out);
    expect(rep.microsoft?.requirements.find((x) => x.id === 'MS-UV')?.status).toBe('fail');
    expect(rep.entra?.verdict).toBe('blocked');
    expect(rep.entra?.fix?.kind).toBe('device');
    expect(uv.stdout).toMatch(/fix the key: .*UV-FLAG-00/);
  }, 300_000);

  it.each([
    [['--entra-policy', 'POLICY'], { foo: 1 }, /^fido-harness run: --entra-policy .*policy\.json: \/state: not a fido2AuthenticationMethodConfiguration/],
    [['--entra-auth-strength', 'POLICY'], { id: 'x' }, /^fido-harness run: --entra-auth-strength .*policy\.json: \/allowedCombinations: not an authenticationStrengthPolicy/],
    [['--require', 'windows'], {}, /unknown --require "windows"/],
  ])('should refuse %j before any device is touched: one line, exit 2', async (args, content, why) => {
    const p = file('policy.json', content);
    const r = await cli(args.map((a) => (a === 'POLICY' ? p : a)));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')[0]).toMatch(why);
  }, 60_000);
});
