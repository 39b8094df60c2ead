import { listQuirks } from '../../authenticator-sim/quirks/index.ts';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CtapCommand, CtapStatus } from '../../harness/protocol/index.ts';
import { deserializeState, FileStorage, runSimCommand, StateStorageError } from '../../authenticator-sim/index.ts';
import { makeCredentialParams } from './helpers/ctap2Requests.ts';
import { UdpTestClient } from './helpers/UdpTestClient.ts';

// `fido-harness sim` (runSimCommand) and the --state file storage.

const dir = mkdtempSync(join(tmpdir(), 'fido-sim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

/** Runs the command until it prints its port; returns the port, the lines and a stop function. */
async function start(args: string[]) {
  const c = capture();
  const ac = new AbortController();
  const done = runSimCommand(['--udp', '127.0.0.1:0', ...args], { ...c.io, signal: ac.signal });
  for (let i = 0; i < 200 && !c.out.some((l) => l.includes('listening')); i++) {
    if (await Promise.race([done.then(() => true), new Promise((r) => setTimeout(() => r(false), 10))])) break;
  }
  const m = /listening on udp 127\.0\.0\.1:(\d+)/.exec(c.out.join('\n'));
  return {
    ...c,
    port: m ? Number(m[1]) : 0,
    async stop() {
      ac.abort();
      return done;
    },
    done,
  };
}

describe('runSimCommand', () => {
  it('prints where it listens and the AAGUID, serves CTAPHID, and stops cleanly (exit 0)', async () => {
    const s = await start(['--quirk', 'counter-stuck']);
    expect(s.port).toBeGreaterThan(0);
    expect(s.out.join('\n')).toContain('AAGUID be7c888f-f407-45b9-bab1-f1e15cedc047');
    expect(s.out.join('\n')).toContain('quirks counter-stuck');
    const client = await UdpTestClient.open(s.port);
    try {
      const cid = await client.allocateChannel();
      expect((await client.cbor(cid, CtapCommand.authenticatorGetInfo)).status).toBe(CtapStatus.CTAP2_OK);
    } finally {
      client.close();
    }
    expect(await s.stop()).toBe(0);
    expect(s.out.at(-1)).toBe('fido-harness sim: stopped');
  });

  it('--list-quirks prints every quirk, one a line, and exits 0', async () => {
    const c = capture();
    expect(await runSimCommand(['--list-quirks'], c.io)).toBe(0);
    expect(c.out.map((l) => l.split(/\s+/)[0])).toEqual(listQuirks().map((q) => q.name));
    expect(c.out.length).toBeGreaterThanOrEqual(15);
    expect(c.out[0]).toMatch(/^counter-stuck\s+signature counter never increases/);
  });

  it('usage errors exit 2 with one line saying why', async () => {
    for (const args of [['--quirk', 'nope'], ['--udp', 'localhost'], ['--udp', '127.0.0.1:99999'], ['--frobnicate'], ['--state']]) {
      const c = capture();
      expect(await runSimCommand(args, c.io)).toBe(2);
      expect(c.err[0]).toMatch(/^fido-harness sim: /);
    }
  });

  it('a port in use exits 2', async () => {
    const s = await start([]);
    const c = capture();
    expect(await runSimCommand(['--udp', `127.0.0.1:${s.port}`], c.io)).toBe(2);
    expect(c.err[0]).toMatch(/cannot listen on udp 127\.0\.0\.1:\d+/);
    await s.stop();
  });

  it('--state keeps credentials across restarts', async () => {
    const path = join(dir, 'keep.json');
    const s1 = await start(['--state', path]);
    const client = await UdpTestClient.open(s1.port);
    const cid = await client.allocateChannel();
    expect((await client.cbor(cid, CtapCommand.authenticatorMakeCredential, makeCredentialParams({ rk: true }))).status).toBe(0);
    client.close();
    await s1.stop();
    expect(deserializeState(readFileSync(path, 'utf8')).credentials.length).toBe(1);
    const s2 = await start(['--state', path]);
    const client2 = await UdpTestClient.open(s2.port);
    const cid2 = await client2.allocateChannel();
    const ga = await client2.cbor(cid2, CtapCommand.authenticatorGetAssertion, Uint8Array.from([
      0xa2, 0x01, 0x6b, ...Buffer.from('example.com'), 0x02, 0x58, 0x20, ...new Uint8Array(32),
    ]));
    expect(ga.status).toBe(CtapStatus.CTAP2_OK);
    client2.close();
    await s2.stop();
  });

  it('refuses a corrupted state file with a clear error (exit 2) and leaves it byte for byte untouched', async () => {
    for (const [name, text] of [
      ['truncated.json', '{"version":1,"aaguid":{"$b":"vnyIj_QHRbm6sfHhXO3A'],
      ['wrong-shape.json', '{"version":1}'],
      ['empty.json', ''],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, text);
      const c = capture();
      expect(await runSimCommand(['--udp', '127.0.0.1:0', '--state', path], c.io)).toBe(2);
      expect(c.err.join('\n')).toMatch(new RegExp(`state file .*${name} is not usable .*left untouched`));
      expect(readFileSync(path, 'utf8')).toBe(text);
    }
  });
});

describe('FileStorage', () => {
  it('answers undefined for a missing file and writes through a temporary file that is renamed away', () => {
    const sub = mkdtempSync(join(dir, 'fs-'));
    const storage = new FileStorage(join(sub, 'state.json'));
    expect(storage.load()).toBeUndefined();
    storage.save('{"a":1}');
    storage.save('{"a":2}');
    expect(storage.load()).toBe('{"a":2}');
    expect(readdirSync(sub)).toEqual(['state.json']);
  });

  it('does not follow a symlink planted at the temporary name: the save fails and the victim is untouched', () => {
    const sub = mkdtempSync(join(dir, 'fs-'));
    const victim = join(sub, 'victim.txt');
    writeFileSync(victim, 'precious');
    // the name the attacker guessed (the old fixed name) and the exact name the next save will use
    symlinkSync(victim, join(sub, '.state.json.tmp'));
    symlinkSync(victim, join(sub, '.state.json.PLANTEDNAME1.tmp'));
    const storage = new FileStorage(join(sub, 'state.json'), () => 'PLANTEDNAME1');
    expect(() => storage.save('{"masterKey":"secret"}')).toThrow(StateStorageError);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(join(sub, '.state.json.PLANTEDNAME1.tmp')).isSymbolicLink()).toBe(true);
    // with a fresh random name the save goes through, still without touching the victim
    const random = new FileStorage(join(sub, 'state.json'));
    random.save('{"masterKey":"secret"}');
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(readFileSync(join(sub, 'state.json'), 'utf8')).toBe('{"masterKey":"secret"}');
    expect(statSync(join(sub, 'state.json')).mode & 0o777).toBe(0o600);
  });

  it('removes temporaries of a killed writer at load, and a planted symlink among them without touching its target', () => {
    const sub = mkdtempSync(join(dir, 'fs-'));
    const victim = join(sub, 'victim.txt');
    writeFileSync(victim, 'precious');
    writeFileSync(join(sub, '.state.json.abcdefghijkl.tmp'), 'half');
    symlinkSync(victim, join(sub, '.state.json.mnopqrstuvwx.tmp'));
    expect(new FileStorage(join(sub, 'state.json')).load()).toBeUndefined();
    expect(readdirSync(sub).sort()).toEqual(['victim.txt']);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });

  it('throws STATE_WRITE_FAILED when the directory does not exist', () => {
    const storage = new FileStorage(join(dir, 'no', 'such', 'dir', 'state.json'));
    expect(() => storage.save('x')).toThrow(StateStorageError);
    try {
      storage.save('x');
    } catch (e) {
      expect((e as StateStorageError).code).toBe('STATE_WRITE_FAILED');
    }
  });
});
