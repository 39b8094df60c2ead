import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CtapCommand, CtapStatus, decodeCbor, decodeMakeCredentialResponse, parseAuthenticatorData } from '../../harness/protocol/index.ts';
import { deserializeState } from '../../authenticator-sim/index.ts';
import { makeCredentialParams } from './helpers/ctap2Requests.ts';
import { bundleSimulator, startSimChild, waitForExit } from './helpers/simChild.ts';
import { UdpTestClient } from './helpers/UdpTestClient.ts';
import { FUZZ_FULL } from '../fuzz/fuzzSize.ts';

// A simulator process SIGKILLed while it writes its state file, 20 times over (100 at
// full size, `npm run fuzz`; CRASH_TRIALS overrides): the state always loads, no discoverable credential
// whose makeCredential was answered is lost, and the signature counter never falls below a value already
// answered. The simulator keeps 50 discoverable credentials: when those answered come near that, the
// round starts with an answered authenticatorReset and the bookkeeping starts over.

const dir = mkdtempSync(join(tmpdir(), 'fido-sim-crash-'));
const bundleDir = mkdtempSync(join(tmpdir(), 'fido-sim-bundle-'));
let bundle: string | undefined;
beforeAll(async () => {
  bundle = await bundleSimulator(bundleDir);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(bundleDir, { recursive: true, force: true });
});

const KILLS = Number(process.env.CRASH_TRIALS ?? (FUZZ_FULL ? 100 : 20));
const RK_ROOM = 46;

it(`keeps every answered credential across ${KILLS} SIGKILLs during writes`, async () => {
  const statePath = join(dir, 'state.json');
  const answered: string[] = [];
  let killedMidCommand = 0;
  let maxCounter = 0;
  let writes = 0;
  let resets = 0;
  let checkedCredentials = 0;
  for (let round = 0; round < KILLS; round++) {
    const sim = await startSimChild(['--state', statePath], { bundle }); // rejects if the state did not load
    const client = await UdpTestClient.open(sim.port);
    try {
      const cid = await client.allocateChannel();
      if (answered.length >= RK_ROOM) {
        expect((await client.cbor(cid, CtapCommand.authenticatorReset, undefined, 2000)).status).toBe(CtapStatus.CTAP2_OK);
        answered.length = 0;
        maxCounter = 0;
        resets++;
      }
      const exited = waitForExit(sim.child);
      exited.catch(() => {});
      // Event-driven, not timed (the machine may be loaded): answer 2..8 makeCredential calls (each one
      // writes the file), then send one more and SIGKILL the process 0..5 ms after it went out, so the
      // kill lands while that command is being handled or written.
      const answeredThisRound = 2 + (round % 7);
      const killDelay = (round * 37) % 6;
      for (let j = 0; j <= answeredThisRound; j++) {
        // two discoverable credentials a round (the simulator keeps 50), then non-discoverable ones,
        // which still write the file (the signature counter)
        const rk = j < 2;
        const call = client.cbor(
          cid,
          CtapCommand.authenticatorMakeCredential,
          makeCredentialParams({ rk, userId: Uint8Array.of(round, j & 0xff, j >> 8, 7) }),
          30_000,
        );
        call.catch(() => {});
        if (j === answeredThisRound) setTimeout(() => sim.child.kill('SIGKILL'), killDelay);
        let r: { status: number; body: Uint8Array };
        try {
          r = await Promise.race([call, exited.then(() => Promise.reject(new Error('killed')))]);
        } catch {
          killedMidCommand++; // no answer: the process died with the command in flight
          break;
        }
        expect(r.status).toBe(CtapStatus.CTAP2_OK);
        const att = decodeMakeCredentialResponse(decodeCbor(r.body).value);
        const ad = parseAuthenticatorData(att.authData);
        if (rk) answered.push(Buffer.from(ad.attestedCredentialData!.credentialId).toString('hex'));
        maxCounter = Math.max(maxCounter, ad.signCount);
        writes++;
      }
      expect((await waitForExit(sim.child)).signal).toBe('SIGKILL');
    } finally {
      client.close();
    }
    // After every kill the file parses and holds every answered credential.
    const state = deserializeState(readFileSync(statePath, 'utf8'));
    const stored = new Set(state.credentials.map((c) => Buffer.from(c.id).toString('hex')));
    const lost = answered.filter((id) => !stored.has(id));
    expect(lost).toEqual([]);
    checkedCredentials += answered.length;
    // and the signature counter never goes back below one already answered
    expect(state.signCount).toBeGreaterThanOrEqual(maxCounter);
  }
  if (process.env.FUZZ_VERBOSE || FUZZ_FULL) {
    console.log(`[fault] SIGKILL during state writes: ${KILLS} kills, ${killedMidCommand} with a command in flight, ${writes} answered writes, ${resets} resets, ${checkedCredentials} credential checks after kills, 0 lost`);
  }
  expect(answered.length + resets * RK_ROOM).toBeGreaterThanOrEqual(KILLS); // writes really happened between the kills
  expect(writes).toBeGreaterThanOrEqual(2 * KILLS);
  expect(killedMidCommand).toBeGreaterThan(KILLS / 2); // and most kills hit a command in flight
  // a last start loads the state that survived all of it
  const sim = await startSimChild(['--state', statePath], { bundle });
  sim.child.kill('SIGTERM');
  expect((await waitForExit(sim.child)).code).toBe(0);
  // only the state file (and at most the temp file of an interrupted write) is left
  expect(readdirSync(dir).filter((n) => n !== 'state.json' && !/^\.state\.json\.[A-Za-z0-9_-]+\.tmp$/.test(n))).toEqual([]);
  expect(readdirSync(dir).filter((n) => n.endsWith('.tmp')).length).toBeLessThanOrEqual(1);
}, 60_000 + KILLS * 3_000);
