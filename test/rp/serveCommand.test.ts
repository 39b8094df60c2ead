// `fido-harness serve` (runServeCommand) in-process: usage errors, an MDS BLOB that does not verify, and a
// real listen on an ephemeral port answering over HTTP until SIGINT.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestMdsBlob, createTestMdsSigner } from '../../mds/testBlob.ts';
import { runServeCommand } from '../../harness/commands/serve.ts';

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
}

describe('runServeCommand', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fh-serve-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    [['--port', '70000'], /--port must be 0..65535/],
    [['--port', 'abc'], /--port must be/],
    [['--bogus'], /^fido-harness serve: unknown option --bogus\nusage: fido-harness serve/],
    [['--origin', 'localhost:8080'], /--origin is not an origin/],
    [['--origin', 'http://localhost:8080/path'], /write it as http:\/\/localhost:8080/],
    [['--rp-id', '127.0.0.1'], /an IP address is not a valid RP ID/],
    [['--mds', '/nonexistent/blob.jwt'], /^fido-harness serve: --mds \/nonexistent\/blob.jwt: cannot read it \(ENOENT\)/],
  ])('exits 2 with one clear line for %j', async (args, message) => {
    const { io, err } = captureIo();
    expect(await runServeCommand(args, io)).toBe(2);
    expect(err.join('\n')).toMatch(message);
  });

  it('refuses an MDS BLOB signed under an untrusted root (exit 2)', async () => {
    const signer = await createTestMdsSigner();
    const file = join(dir, 'blob.jwt');
    await writeFile(file, await createTestMdsBlob(signer, { entries: [{ aaguid: 'be7c888f-f407-45b9-bab1-f1e15cedc047', description: 'x' }] }));
    const { io, err } = captureIo();
    expect(await runServeCommand(['--mds', file, '--no-page'], io)).toBe(2);
    expect(err.join('\n')).toMatch(/^fido-harness serve: --mds .*blob.jwt does not verify: MDS_CHAIN_UNTRUSTED/);
  });

  it('prints usage for --help', async () => {
    const { io, out } = captureIo();
    expect(await runServeCommand(['--help'], io)).toBe(0);
    expect(out.join('\n')).toMatch(/usage: fido-harness serve \[options\][^]*--host HOST .*\(default: 127\.0\.0\.1\)[^]*--port PORT .*\(default: 8080\)/);
  });

  it('serves on an ephemeral port with a test MDS and its root, then stops on SIGINT', async () => {
    const signer = await createTestMdsSigner();
    const blob = join(dir, 'test-blob.jwt');
    const root = join(dir, 'root.pem');
    await writeFile(blob, await createTestMdsBlob(signer, { entries: [{ aaguid: 'be7c888f-f407-45b9-bab1-f1e15cedc047', description: 'sim' }] }));
    await writeFile(root, signer.root.cert.toString('pem'));
    const { io, out } = captureIo();
    const done = runServeCommand(['--port', '0', '--mds', blob, '--mds-root', root, '--no-page', '--conformance', '--rp-id', 'localhost'], io);
    let url: string | undefined;
    for (let i = 0; i < 100 && !url; i++) {
      url = /open (http:\/\/localhost:\d+)/.exec(out.join('\n'))?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 50));
    }
    expect(url).toBeDefined();
    const port = new URL(url!).port;
    const cfg = await (await fetch(`http://127.0.0.1:${port}/api/config`)).json();
    expect(cfg).toMatchObject({ origin: url, rpId: 'localhost', conformanceAtRoot: true, mdsLoaded: true });
    const opts = await fetch(`http://127.0.0.1:${port}/attestation/options`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'a', displayName: 'a' }) });
    expect((await opts.json()).status).toBe('ok');
    expect(out.join('\n')).toMatch(/MDS: BLOB no 1, 1 entries/);
    process.emit('SIGINT');
    expect(await done).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/api/config`)).rejects.toThrow();
  });
});
