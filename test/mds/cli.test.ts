import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMdsCommand, type MdsCliIo } from '../../harness/commands/mds.ts';
import { runAttestationCommand } from '../../harness/commands/attestation.ts';
import { createTestMdsBlob, createTestMdsSigner } from '../../mds/testBlob.ts';
import { FIXTURES } from './helpers.ts';

let home: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'mds-cli-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

function io(fetchImpl?: typeof fetch): MdsCliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  // HOME points at an empty temp dir so no real cache is read or written
  return {
    lines,
    errors,
    out: (l) => lines.push(l),
    err: (l) => errors.push(l),
    json: (v) => lines.push(JSON.stringify(v)),
    env: { HOME: home },
    now: () => new Date('2026-11-27T00:00:00Z'),
    ...(fetchImpl ? { fetchImpl } : {}),
  };
}
const BLOB = `${FIXTURES}blob-2023-no23.jwt`;
const offline = (() => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'EAI_AGAIN', message: 'getaddrinfo EAI_AGAIN mds3.fidoalliance.org' } }))) as typeof fetch;

describe('runMdsCommand', () => {
  it('verify at the BLOB time: exit 0 with serial and chain', async () => {
    const t = io();
    expect(await runMdsCommand(['verify', BLOB, '--at', '2023-01-15'], t)).toBe(0);
    expect(t.lines.join('\n')).toContain('serial (no)   23');
    expect(t.lines.join('\n')).toContain('MDS_CRL_UNAVAILABLE');
  });

  it('verify today: exit 1 with the expiry reason', async () => {
    const t = io();
    expect(await runMdsCommand(['verify', BLOB], t)).toBe(1);
    expect(t.errors[0]).toMatch(/^MDS_CERT_EXPIRED: .*expired 2023-06-13/);
  });

  it('verify --json and --root with a root that does not fit', async () => {
    const t = io();
    expect(await runMdsCommand(['verify', BLOB, '--at', '2023-01-15', '--json'], t)).toBe(0);
    expect(JSON.parse(t.lines.join('\n'))).toMatchObject({ verified: true, no: 23, entries: 148 });
    const u = io();
    expect(await runMdsCommand(['verify', BLOB, '--at', '2023-01-15', '--root', `${FIXTURES}globalsign-root-r46.pem`], u)).toBe(1);
    expect(u.errors[0]).toMatch(/^MDS_CHAIN_UNTRUSTED/);
  });

  it('lookup prints description, status history, certification, getInfo, roots', async () => {
    const t = io();
    expect(await runMdsCommand(['lookup', '2fc0579f-8113-47ea-b116-bb5a8db9202a', '--mds', BLOB, '--at', '2023-01-15'], t)).toBe(0);
    const text = t.lines.join('\n');
    expect(text).toContain('YubiKey 5 Series with NFC');
    expect(text).toContain('certification FIDO_CERTIFIED_L1');
    expect(text).toContain('2020-05-12  FIDO_CERTIFIED_L1');
    expect(text).toContain('"FIDO_2_1_PRE"');
    expect(text).toContain('CN=Yubico U2F Root CA Serial 457200631');
    const miss = io();
    expect(await runMdsCommand(['lookup', '00000000-0000-0000-0000-000000000001', '--mds', BLOB, '--at', '2023-01-15'], miss)).toBe(1);
    expect(miss.errors[0]).toContain('not in MDS BLOB serial 23');
  });

  it('lookup without --mds and without a cache says what to do (exit 2)', async () => {
    const t = io();
    expect(await runMdsCommand(['lookup', '2fc0579f-8113-47ea-b116-bb5a8db9202a'], t)).toBe(2);
    expect(t.errors[0]).toMatch(/^MDS_CACHE_EMPTY: .*mds fetch/);
  });

  it('fetch without network: one clear line, exit 2, nothing cached', async () => {
    const t = io(offline);
    const cache = join(home, 'c1');
    expect(await runMdsCommand(['fetch', '--cache', cache], t)).toBe(2);
    expect(t.errors.at(-1)).toMatch(/^MDS_NETWORK_UNAVAILABLE: cannot reach https:\/\/mds3\.fidoalliance\.org\/: EAI_AGAIN/);
    const l = io();
    expect(await runMdsCommand(['lookup', 'x', '--cache', cache], l)).toBe(2);
  });

  it('fetch with a (injected) download verifies and caches, then lookup reads the cache', async () => {
    const signer = await createTestMdsSigner();
    const jws = await createTestMdsBlob(signer, { no: 4, entries: [{ aaguid: '0a0b0c0d-1111-2222-3333-444455556666', description: 'fido-harness simulator' }] });
    const rootPem = join(home, 'testroot.pem');
    writeFileSync(rootPem, signer.root.pem);
    const cache = join(home, 'c2');
    const t = io((() => Promise.resolve(new Response(jws))) as typeof fetch);
    expect(await runMdsCommand(['fetch', '--cache', cache, '--root', rootPem], t)).toBe(0);
    expect(t.lines.join('\n')).toContain(`cached in ${cache}`);
    const l = io();
    expect(await runMdsCommand(['lookup', '0a0b0c0d-1111-2222-3333-444455556666', '--cache', cache, '--root', rootPem], l)).toBe(0);
    expect(l.lines[0]).toBe('fido-harness simulator');
    // the real roots refuse the test BLOB: a fetch of it changes nothing
    const r = io((() => Promise.resolve(new Response(jws))) as typeof fetch);
    expect(await runMdsCommand(['fetch', '--cache', cache], r)).toBe(1);
    expect(r.errors.at(-1)).toMatch(/^MDS_CHAIN_UNTRUSTED/);
  });

  it.each([[[]], [['frobnicate']], [['verify']], [['verify', BLOB, '--at', 'soon']], [['verify', '/nonexistent.jwt']], [['verify', BLOB, '--bogus']]])(
    'usage errors exit 2: %j',
    async (args) => {
      const t = io();
      expect(await runMdsCommand(args, t)).toBe(2);
    },
  );
});

describe('runAttestationCommand', () => {
  const A = `${FIXTURES}attestation/`;
  it('a YubiKey packed registration is trusted at the BLOB time and Microsoft attestation passes', async () => {
    const t = io();
    expect(await runAttestationCommand(['verify', `${A}tweag/with-transports.json`, '--mds', BLOB, '--at', '2023-01-15'], t)).toBe(0);
    const text = t.lines.join('\n');
    expect(text).toContain('TRUSTED');
    expect(text).toContain('model         YubiKey 5 Series with NFC');
    expect(text).toContain('pass MS-ATTESTATION');
  });

  it('self attestation: exit 1, explained, Microsoft attestation fails; --json for machines', async () => {
    const t = io();
    expect(await runAttestationCommand(['verify', `${A}tweag/regression-150.json`, '--mds', BLOB, '--at', '2023-01-15', '--json'], t)).toBe(1);
    const j = JSON.parse(t.lines.join('\n')) as { format: string; attestationType: string; problems: { code: string }[]; microsoft: { requirements: { id: string; status: string }[] } };
    expect(j).toMatchObject({ format: 'packed', attestationType: 'self', trusted: false });
    expect(j.problems.map((p) => p.code)).toEqual(['ATT_SELF_ATTESTATION']);
    expect(j.microsoft.requirements.find((m) => m.id === 'MS-ATTESTATION')?.status).toBe('fail');
  });

  it('origin and rp id mismatches are reported', async () => {
    const t = io();
    expect(await runAttestationCommand(['verify', `${A}tweag/packed-02.json`, '--mds', BLOB, '--at', '2023-01-15', '--origin', 'https://other.example', '--rp-id', 'other.example'], t)).toBe(1);
    expect(t.lines.join('\n')).toContain('ATT_RP_ID_MISMATCH');
  });

  it('usage and unreadable input exit 2', async () => {
    expect(await runAttestationCommand(['verify'], io())).toBe(2);
    expect(await runAttestationCommand(['verify', '/nonexistent.json'], io())).toBe(2);
    expect(await runAttestationCommand(['verify', BLOB], io())).toBe(2);
  });
});
