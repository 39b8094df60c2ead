/**
 * Fuzz: random and structure-aware CTAPHID reports into the simulator's CtaphidDevice (CTAP 2.1 §11.2).
 * Properties, for every sequence of frames: `receive` never throws; every report the device sends is 64
 * bytes, carries a command the device may send, and an ERROR carries one defined CTAPHID error code (never
 * ERR_OTHER, the device's "internal failure"); once the holds the sequence set up are released the way a
 * host releases them (INIT on the channel, LOCK 0), a fresh INIT / PING / getInfo is answered correctly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSimulatorDevice, type CtaphidDevice } from '../../authenticator-sim/index.ts';
import {
  BROADCAST_CID,
  CtapCommand,
  CtaphidCommand,
  CtaphidErrorCode,
  encodeFrames,
  MessageAssembler,
  parsePacket,
} from '../../harness/protocol/index.ts';
import { fuzzBudgetMs, fuzzRuns, FUZZ_SEED, reportFuzzFigure } from './fuzzSize.ts';

const RUNS = fuzzRuns(1_500, 50_000);

/** A channel as the generator sees it: resolved against the channels allocated so far when the run executes. */
type CidRef = { kind: 'broadcast' } | { kind: 'zero' } | { kind: 'recent'; i: number } | { kind: 'small'; v: number } | { kind: 'random'; v: number };

type Frame =
  | { t: 'raw'; bytes: Uint8Array; pause: boolean }
  | { t: 'size'; bytes: Uint8Array; pause: boolean }
  | { t: 'init'; cid: CidRef; cmd: number; bcnt: number; data: Uint8Array; pause: boolean }
  | { t: 'cont'; cid: CidRef; seq: number; data: Uint8Array; pause: boolean }
  | { t: 'msg'; cid: CidRef; cmd: number; payload: Uint8Array; edit: 'none' | 'drop' | 'swap' | 'dup' | 'bcnt'; n: number; pause: boolean };

const KNOWN_CMDS = Object.values(CtaphidCommand);
const cidRef: fc.Arbitrary<CidRef> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'broadcast' } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'zero' } as const) },
  { weight: 6, arbitrary: fc.nat(7).map((i) => ({ kind: 'recent', i }) as const) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 40 }).map((v) => ({ kind: 'small', v }) as const) },
  { weight: 1, arbitrary: fc.nat({ max: 0xffffffff }).map((v) => ({ kind: 'random', v }) as const) },
);
const cmd = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KNOWN_CMDS) }, { weight: 1, arbitrary: fc.nat(0x7f) });
/** payloads that reach the CTAP layers: getInfo, a selection, a U2F VERSION APDU, random CBOR commands */
const payload = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.constantFrom(Uint8Array.of(CtapCommand.authenticatorGetInfo), Uint8Array.of(CtapCommand.authenticatorSelection), Uint8Array.of(0, 3, 0, 0, 0, 0, 0)),
  fc.tuple(fc.constantFrom(...Object.values(CtapCommand)), fc.uint8Array({ maxLength: 120 })).map(([c, b]) => Uint8Array.of(c, ...b)),
);
const pause = fc.boolean();

const frame: fc.Arbitrary<Frame> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ t: fc.constant('raw' as const), bytes: fc.uint8Array({ minLength: 64, maxLength: 64 }), pause }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('size' as const), bytes: fc.uint8Array({ maxLength: 130 }).filter((b) => b.length !== 64), pause }) },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('init' as const),
      cid: cidRef,
      cmd,
      bcnt: fc.oneof(fc.nat(80), fc.nat(0xffff), fc.constantFrom(7609, 7610, 8, 17)),
      data: fc.uint8Array({ maxLength: 57 }),
      pause,
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('cont' as const), cid: cidRef, seq: fc.oneof(fc.nat(4), fc.nat(0x7f)), data: fc.uint8Array({ maxLength: 59 }), pause }) },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('msg' as const),
      cid: cidRef,
      cmd: fc.constantFrom(CtaphidCommand.PING, CtaphidCommand.CBOR, CtaphidCommand.MSG, CtaphidCommand.INIT, CtaphidCommand.LOCK, CtaphidCommand.WINK, CtaphidCommand.CANCEL),
      payload,
      edit: fc.constantFrom('none', 'none', 'drop', 'swap', 'dup', 'bcnt'),
      n: fc.nat(),
      pause,
    }),
  },
);

const DEVICE_CMDS = new Set<number>([CtaphidCommand.PING, CtaphidCommand.MSG, CtaphidCommand.LOCK, CtaphidCommand.INIT, CtaphidCommand.WINK, CtaphidCommand.CBOR, CtaphidCommand.KEEPALIVE, CtaphidCommand.ERROR]);
const DEFINED_ERRORS = new Set<number>(Object.values(CtaphidErrorCode).filter((c) => c !== CtaphidErrorCode.ERR_OTHER));

/** The reports of one frame description, against the channels allocated so far. */
function materialize(f: Frame, recent: number[]): { reports: Uint8Array[]; cid?: number } {
  if (f.t === 'raw' || f.t === 'size') return { reports: [f.bytes] };
  const cid = resolveCid(f.cid, recent);
  if (f.t === 'init' || f.t === 'cont') {
    const r = new Uint8Array(64);
    new DataView(r.buffer).setUint32(0, cid);
    if (f.t === 'init') {
      r[4] = 0x80 | f.cmd;
      r[5] = f.bcnt >> 8;
      r[6] = f.bcnt & 0xff;
      r.set(f.data, 7);
    } else {
      r[4] = f.seq;
      r.set(f.data, 5);
    }
    return { reports: [r], cid };
  }
  const body = f.cmd === CtaphidCommand.INIT ? f.payload.subarray(0, 8) : f.cmd === CtaphidCommand.LOCK ? f.payload.subarray(0, 1) : f.payload;
  const reports = encodeFrames(cid, f.cmd, body);
  const i = reports.length > 1 ? 1 + (f.n % (reports.length - 1)) : 0;
  if (f.edit === 'drop' && reports.length > 1) reports.splice(i, 1);
  else if (f.edit === 'swap' && reports.length > 2) [reports[1], reports[2]] = [reports[2]!, reports[1]!];
  else if (f.edit === 'dup') reports.splice(i, 0, Uint8Array.from(reports[i]!));
  else if (f.edit === 'bcnt') new DataView(reports[0]!.buffer).setUint16(5, f.n & 0xffff);
  return { reports, cid };
}

function resolveCid(ref: CidRef, recent: number[]): number {
  if (ref.kind === 'broadcast') return BROADCAST_CID;
  if (ref.kind === 'zero') return 0;
  if (ref.kind === 'recent') return recent.length ? recent[recent.length - 1 - (ref.i % recent.length)]! : BROADCAST_CID;
  return ref.v >>> 0;
}

/** Everything the device said, checked report by report; returns the channels INIT allocated. */
function checkOutput(reports: Uint8Array[], errors: Map<number, number>): number[] {
  const allocated: number[] = [];
  for (const r of reports) {
    expect(r.length).toBe(64);
    const p = parsePacket(r);
    if (p.kind !== 'init') continue;
    expect(DEVICE_CMDS.has(p.cmd), `device sent command 0x${p.cmd.toString(16)}`).toBe(true);
    if (p.cmd === CtaphidCommand.ERROR) {
      expect(p.bcnt).toBe(1);
      expect(DEFINED_ERRORS.has(p.data[0]!), `CTAPHID_ERROR 0x${p.data[0]!.toString(16)}`).toBe(true);
      errors.set(p.data[0]!, (errors.get(p.data[0]!) ?? 0) + 1);
    }
    if (p.cmd === CtaphidCommand.INIT && p.cid === BROADCAST_CID && p.bcnt === 17) {
      allocated.push(new DataView(p.data.buffer, p.data.byteOffset).getUint32(8));
    }
  }
  return allocated;
}

/** One whole message on `cid` from the reports, or undefined. */
function messageOn(reports: Uint8Array[], cid: number): { cmd: number; payload: Uint8Array } | undefined {
  const asm = new MessageAssembler();
  for (const r of reports) {
    const p = parsePacket(r);
    if (p.cid !== cid) continue;
    const res = p.kind === 'init' ? asm.start(p) : asm.add(p);
    if (res.state === 'done') return { cmd: res.cmd, payload: res.payload };
  }
  return undefined;
}

function isKeepalive(r: Uint8Array): boolean {
  const p = parsePacket(r);
  return p.kind === 'init' && p.cmd === CtaphidCommand.KEEPALIVE;
}

async function untilIdle(device: CtaphidDevice): Promise<void> {
  for (let i = 0; device.busy && i < 2_000; i++) await new Promise((r) => setImmediate(r));
  expect(device.busy, 'a command never finished').toBe(false);
}

describe('fuzzing the simulator CTAPHID device with random and structure-aware reports', () => {
  it(`survives ${RUNS} frame sequences, answering only defined CTAPHID errors, and keeps serving`, async () => {
    const { device } = await createSimulatorDevice({ allowResetAnytime: true });
    const out: Uint8Array[] = [];
    device.onReport((r) => out.push(Uint8Array.from(r)));
    const recent: number[] = [];
    const errors = new Map<number, number>();
    let fuzzed = 0;
    let probes = 0;
    let runs = 0;
    const t0 = performance.now();
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 8 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.uint8Array({ maxLength: 200 }), async (frames, nonce, ping) => {
        runs++;
        out.length = 0;
        const touched = new Set<number>();
        let locked = false;
        for (const f of frames) {
          const { reports, cid } = materialize(f, recent);
          if (cid !== undefined) touched.add(cid);
          if ((f.t === 'msg' || f.t === 'init') && f.cmd === CtaphidCommand.LOCK) locked = true;
          for (const r of reports) {
            expect(() => device.receive(r)).not.toThrow();
            fuzzed++;
          }
          if (f.pause) await new Promise((r) => setImmediate(r));
          for (const c of checkOutput(out.splice(0), errors)) recent.push(c), touched.add(c);
        }
        await untilIdle(device);
        for (const c of checkOutput(out.splice(0), errors)) recent.push(c), touched.add(c);
        if (recent.length > 32) recent.splice(0, recent.length - 16);
        // Release what the sequence holds, as a host would: INIT on each channel (§11.2.9.1.3 resync), LOCK 0.
        for (const cid of touched) {
          if (cid === 0 || cid === BROADCAST_CID) continue;
          device.receive(encodeFrames(cid, CtaphidCommand.INIT, new Uint8Array(8))[0]!);
          if (locked) device.receive(encodeFrames(cid, CtaphidCommand.LOCK, Uint8Array.of(0))[0]!);
        }
        out.length = 0;
        // The probe: a new channel, a PING echoed exactly, and now and then a getInfo answered CTAP2_OK.
        device.receive(encodeFrames(BROADCAST_CID, CtaphidCommand.INIT, nonce)[0]!);
        const init = messageOn(out.splice(0), BROADCAST_CID);
        expect(init?.cmd).toBe(CtaphidCommand.INIT);
        expect(Buffer.from(init!.payload.subarray(0, 8)).equals(Buffer.from(nonce))).toBe(true);
        const cid = new DataView(init!.payload.buffer, init!.payload.byteOffset).getUint32(8);
        for (const r of encodeFrames(cid, CtaphidCommand.PING, ping)) device.receive(r);
        const echo = messageOn(out.splice(0), cid);
        expect(echo?.cmd).toBe(CtaphidCommand.PING);
        expect(Buffer.from(echo!.payload).equals(Buffer.from(ping))).toBe(true);
        if (runs % 16 === 0) {
          device.receive(encodeFrames(cid, CtaphidCommand.CBOR, Uint8Array.of(CtapCommand.authenticatorGetInfo))[0]!);
          await untilIdle(device);
          const info = messageOn(out.splice(0).filter((r) => !isKeepalive(r)), cid);
          expect(info?.cmd).toBe(CtaphidCommand.CBOR);
          expect(info!.payload[0]).toBe(0);
        }
        probes++;
      }),
      { numRuns: RUNS, seed: FUZZ_SEED, timeout: 5_000, interruptAfterTimeLimit: fuzzBudgetMs(600_000), markInterruptAsFailure: true },
    );
    device.close();
    const ms = performance.now() - t0;
    reportFuzzFigure('CTAPHID frames into CtaphidDevice', fuzzed, 'frames', ms, `${runs} sequences, ${probes} probes served; errors ${JSON.stringify([...errors].sort((a, b) => a[0] - b[0]))}`);
    expect(probes).toBe(RUNS);
    // the generator reaches the device's error paths, not just one of them
    for (const code of [CtaphidErrorCode.ERR_INVALID_CMD, CtaphidErrorCode.ERR_INVALID_LEN, CtaphidErrorCode.ERR_INVALID_SEQ, CtaphidErrorCode.ERR_CHANNEL_BUSY, CtaphidErrorCode.ERR_INVALID_CHANNEL]) {
      expect(errors.get(code) ?? 0, `CTAPHID error 0x${code.toString(16)} never provoked`).toBeGreaterThan(0);
    }
  }, 900_000);
});
