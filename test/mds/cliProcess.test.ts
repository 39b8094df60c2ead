import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestMds } from '../../mds/testBlob.ts';
import { createTestCertificate } from '../../mds/testCertificates.ts';
import { FIXTURES } from './helpers.ts';
import { makePackedRegistration } from './packedFixture.ts';

// The real process, as a user or a script runs it: what reaches stdout is what is judged here.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BLOB = `${FIXTURES}blob-2023-no23.jwt`;
const RESPONSE = `${FIXTURES}attestation/tweag/with-transports.json`;
const EVIL = 'Evil\nKey \u202egnp.exe\u0007';
const EVIL_AAGUID = '0a0b0c0d-1111-2222-3333-444455556666';

let home: string;
let evilBlob: string;
let evilRoot: string;
beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'cli-process-'));
  const mds = await createTestMds([{ aaguid: EVIL_AAGUID, description: EVIL }]);
  evilBlob = join(home, 'evil.jwt');
  evilRoot = join(home, 'evil-root.pem');
  writeFileSync(evilBlob, mds.jws);
  writeFileSync(evilRoot, mds.rootPem);
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  // HOME is an empty directory: no cached BLOB of the user's is read
  const r = spawnSync(process.execPath, ['bin/fido-harness.mjs', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, HOME: home, XDG_CACHE_HOME: '' }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** python3 -m json.tool must accept the output, as the pipe `fido-harness … --json | python3 -m json.tool` would. */
function jsonTool(text: string): unknown {
  const r = spawnSync('python3', ['-m', 'json.tool'], { input: text, encoding: 'utf8', timeout: 30_000 });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

describe('--json of every command that has it parses (spawned CLI | python3 -m json.tool)', () => {
  it('mds verify --json', () => {
    const r = cli(['mds', 'verify', BLOB, '--at', '2023-01-15', '--json']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\\u000a');
    const j = jsonTool(r.stdout) as { no: number; warnings: { code: string }[] };
    expect(j.no).toBe(23);
    expect(j.warnings.map((w) => w.code)).toContain('MDS_CRL_UNAVAILABLE');
  });

  it('mds lookup --json, with a description carrying a newline, a bidi override and BEL', () => {
    const r = cli(['mds', 'lookup', EVIL_AAGUID, '--mds', evilBlob, '--root', evilRoot, '--json']);
    expect(r.code).toBe(0);
    const j = jsonTool(r.stdout) as { entry: { metadataStatement: { description: string } } };
    // the value survives exactly; the raw control characters never reach the terminal
    expect(j.entry.metadataStatement.description).toBe(EVIL);
    expect(r.stdout).not.toMatch(/[\u0007\u202e]/);
  });

  it('attestation verify --json', () => {
    const r = cli(['attestation', 'verify', RESPONSE, '--mds', BLOB, '--at', '2023-01-15', '--json']);
    expect(r.code).toBe(0);
    const j = jsonTool(r.stdout) as { trusted: boolean; model: string };
    expect(j).toMatchObject({ trusted: true, model: 'YubiKey 5 Series with NFC' });
  });

  it('devices --json', () => {
    const r = cli(['devices', '--json']);
    expect(r.code).toBe(0);
    expect(Array.isArray(jsonTool(r.stdout))).toBe(true);
  });
});

describe('text output', () => {
  it("the command's own line breaks stay line breaks; MDS-supplied control characters are escaped", () => {
    const help = cli(['mds', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).not.toContain('\\u000a');
    expect(help.stdout.split('\n').length).toBeGreaterThan(3);
    const attHelp = cli(['attestation', '--help']);
    expect(attHelp.stdout).toContain('--attestation-root PEM');
    expect(attHelp.stdout).not.toContain('\\u000a');
    const r = cli(['mds', 'lookup', EVIL_AAGUID, '--mds', evilBlob, '--root', evilRoot]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('Evil\\u000aKey \\u202egnp.exe\\u0007');
    expect(r.stdout).not.toMatch(/[\u0007\u202e]/);
  });
});

describe('attestation verify says what it relied on and what it did not check', () => {
  const AAGUID = '5e5e5e5e-1111-4222-8333-444455556666';
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cli-att-'));
    const d = { notBefore: new Date('2020-01-01'), notAfter: new Date('2040-01-01'), ca: true };
    const vendorRoot = await createTestCertificate({ subject: 'CN=Vendor Root, O=Vendor, C=US', serialNumber: '51', ...d });
    const operatorRoot = await createTestCertificate({ subject: 'CN=Operator Root, O=Operator, C=US', serialNumber: '52', ...d });
    const honest = await makePackedRegistration({ aaguid: AAGUID, root: vendorRoot });
    const forged = await makePackedRegistration({ aaguid: AAGUID, root: operatorRoot });
    // a BLOB whose nextUpdate (2026-01-01) is before the verification time used below
    const mds = await createTestMds([{ aaguid: AAGUID, description: 'Vendor Key', attestationRootCertificates: [vendorRoot.cert] }], { nextUpdate: '2026-01-01' });
    writeFileSync(join(dir, 'blob.jwt'), mds.jws);
    writeFileSync(join(dir, 'mds-root.pem'), mds.rootPem);
    writeFileSync(join(dir, 'operator-root.pem'), operatorRoot.pem);
    writeFileSync(join(dir, 'honest.json'), JSON.stringify(honest.json));
    writeFileSync(join(dir, 'forged.json'), JSON.stringify(forged.json));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const base = () => ['--mds', join(dir, 'blob.jwt'), '--root', join(dir, 'mds-root.pem'), '--at', '2026-06-01'];

  it('a stale BLOB is verified with a warning, and rpIdHash/origin not checked is said (text and JSON)', () => {
    const text = cli(['attestation', 'verify', join(dir, 'honest.json'), ...base()]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('model         Vendor Key');
    expect(text.stdout).toMatch(/warning MDS_NEXT_UPDATE_PASSED: nextUpdate 2026-01-01/);
    expect(text.stdout).toContain('rpIdHash/origin not checked');
    const json = jsonTool(cli(['attestation', 'verify', join(dir, 'honest.json'), ...base(), '--json']).stdout) as {
      mds: { warnings: { code: string }[] };
      notChecked: string[];
      notCheckedNote: string;
    };
    expect(json.mds.warnings.map((w) => w.code)).toContain('MDS_NEXT_UPDATE_PASSED');
    expect(json.notChecked).toEqual(['rpIdHash', 'origin']);
    expect(json.notCheckedNote).toBe('rpIdHash/origin not checked');
    const checked = jsonTool(cli(['attestation', 'verify', join(dir, 'honest.json'), ...base(), '--rp-id', 'example.test', '--origin', 'https://example.test', '--json']).stdout) as { notChecked: string[] };
    expect(checked.notChecked).toEqual([]);
  });

  it('--attestation-root makes a forged chain valid but never names the model; the anchor is named', () => {
    const r = cli(['attestation', 'verify', join(dir, 'forged.json'), ...base(), '--attestation-root', join(dir, 'operator-root.pem')]);
    expect(r.stdout).toContain('anchor "CN=Operator Root, O=Operator, C=US" from an operator root (--attestation-root)');
    expect(r.stdout).toMatch(/model +not verified \(the AAGUID's MDS entry "Vendor Key" does not back this chain\)/);
    expect(r.stdout).toMatch(/fail MS-MDS-LISTED/);
    const j = jsonTool(cli(['attestation', 'verify', join(dir, 'forged.json'), ...base(), '--attestation-root', join(dir, 'operator-root.pem'), '--json']).stdout) as Record<string, unknown>;
    expect(j).toMatchObject({ model: null, claimedModel: 'Vendor Key', rootSource: 'given', metadataBacked: false });
    // without the operator root the forged registration is not trusted at all
    expect(cli(['attestation', 'verify', join(dir, 'forged.json'), ...base()]).code).toBe(1);
  });
});
