/**
 * Fuzz: a hostile device behind the memory transport. The simulator answers the host's requests, and
 * a mutator between them corrupts what comes back: single reports (bytes flipped, replaced, dropped,
 * duplicated, sent to another channel, cut short or made too long, KEEPALIVE floods, silence from some
 * point on) or whole answers re-framed with a mutated payload (status byte, CBOR, U2F data), so that the
 * CBOR and response decoders see well-framed garbage. Property: every host operation (open = INIT +
 * getInfo, then CTAP2 and CTAP1 commands) ends within its time limit with a value or one of the stack's
 * typed errors (TransportError, CtaphidError, CtapProtocolError, CtapStatusError, U2fStatusError); never
 * another exception, never a hang.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSimulatorDevice } from '../../authenticator-sim/index.ts';
import { CtapProtocolError, openDevice, U2fStatusError, type OpenedDevice } from '../../harness/ctap/index.ts';
import { CtaphidError } from '../../harness/ctaphid/index.ts';
import {
  CtapCommand,
  CtaphidCommand,
  CtapStatusError,
  encodeCanonicalCbor,
  encodeFrames,
  MessageAssembler,
  parsePacket,
} from '../../harness/protocol/index.ts';
import { TransportError, type InProcessDeviceFactory } from '../../harness/transport/index.ts';
import { mcRequest, sha256 } from '../helpers/sim.ts';
import { fuzzBudgetMs, fuzzRuns, FUZZ_SEED, reportFuzzFigure } from './fuzzSize.ts';

const RUNS = fuzzRuns(150, 6_000);
/** The channel's limits in this test: short, so that silence costs little; every operation must end within them. */
const TIMEOUT_MS = 120;
const LIMITS = { timeoutMs: TIMEOUT_MS, initTimeoutMs: TIMEOUT_MS, cancelGraceMs: 40 };
/** open (INIT + getInfo) and one command, each bounded by TIMEOUT_MS, plus scheduling slack on a loaded machine */
const HANG_MS = 6 * TIMEOUT_MS + 1_500;

type ReportEdit =
  | { t: 'flip'; at: number; bit: number }
  | { t: 'set'; at: number; v: number }
  | { t: 'random'; bytes: Uint8Array }
  | { t: 'drop' }
  | { t: 'dup' }
  | { t: 'cid'; v: number }
  | { t: 'cmd'; v: number }
  | { t: 'size'; len: number }
  | { t: 'keepalives'; n: number; status: number }
  | { t: 'silence' };

type MessageEdit =
  | { t: 'status'; v: number }
  | { t: 'bytes'; edits: Array<[number, number, 'flip' | 'set' | 'insert' | 'delete' | 'truncate']> }
  | { t: 'cbor'; value: unknown }
  | { t: 'empty' }
  | { t: 'huge'; len: number };

interface Mutation {
  /** reports (or messages) passed through untouched before the mutation starts */
  after: number;
  /** every `every`-th report/message from then on is mutated */
  every: number;
  level: 'report' | 'message';
  report: ReportEdit;
  message: MessageEdit;
}

const cborValue = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: -70000, max: 70000 }),
    fc.string({ maxLength: 16 }),
    fc.uint8Array({ maxLength: 80 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.array(fc.tuple(fc.oneof(fc.integer({ min: -3, max: 20 }), fc.constantFrom('fmt', 'authData', 'attStmt', 'versions', 'aaguid', 'options')), tie('v')), { maxLength: 6 }).map((e) => new Map(e)),
  ),
})).v;

const reportEdit: fc.Arbitrary<ReportEdit> = fc.oneof(
  fc.record({ t: fc.constant('flip' as const), at: fc.nat(63), bit: fc.nat(7) }),
  fc.record({ t: fc.constant('set' as const), at: fc.nat(63), v: fc.nat(255) }),
  fc.record({ t: fc.constant('random' as const), bytes: fc.uint8Array({ minLength: 64, maxLength: 64 }) }),
  fc.constant({ t: 'drop' as const }),
  fc.constant({ t: 'dup' as const }),
  fc.record({ t: fc.constant('cid' as const), v: fc.nat({ max: 0xffffffff }) }),
  fc.record({ t: fc.constant('cmd' as const), v: fc.nat(0x7f) }),
  fc.record({ t: fc.constant('size' as const), len: fc.oneof(fc.nat(63), fc.integer({ min: 65, max: 200 })) }),
  fc.record({ t: fc.constant('keepalives' as const), n: fc.integer({ min: 1, max: 40 }), status: fc.nat(255) }),
  fc.constant({ t: 'silence' as const }),
);
const messageEdit: fc.Arbitrary<MessageEdit> = fc.oneof(
  fc.record({ t: fc.constant('status' as const), v: fc.nat(255) }),
  fc.record({ t: fc.constant('bytes' as const), edits: fc.array(fc.tuple(fc.nat(), fc.nat(255), fc.constantFrom('flip' as const, 'set' as const, 'insert' as const, 'delete' as const, 'truncate' as const)), { minLength: 1, maxLength: 4 }) }),
  fc.record({ t: fc.constant('cbor' as const), value: cborValue }),
  fc.constant({ t: 'empty' as const }),
  fc.record({ t: fc.constant('huge' as const), len: fc.integer({ min: 1025, max: 7609 }) }),
);
const mutation: fc.Arbitrary<Mutation> = fc.record({
  after: fc.nat(12),
  every: fc.integer({ min: 1, max: 4 }),
  level: fc.constantFrom('report' as const, 'message' as const),
  report: reportEdit,
  message: messageEdit,
});

type Op = 'getInfo' | 'makeCredential' | 'getAssertion' | 'clientPin' | 'largeBlobs' | 'selection' | 'ping' | 'u2fVersion' | 'u2fRegister' | 'wink';
const op = fc.constantFrom<Op>('getInfo', 'makeCredential', 'getAssertion', 'clientPin', 'largeBlobs', 'selection', 'ping', 'u2fVersion', 'u2fRegister', 'wink');

function isTyped(err: unknown): boolean {
  return (
    err instanceof TransportError ||
    err instanceof CtaphidError ||
    err instanceof CtapProtocolError ||
    err instanceof CtapStatusError ||
    err instanceof U2fStatusError
  );
}

function editReport(r: Uint8Array, e: ReportEdit): Uint8Array[] {
  const c = Uint8Array.from(r);
  switch (e.t) {
    case 'flip':
      c[e.at] = c[e.at]! ^ (1 << e.bit);
      return [c];
    case 'set':
      c[e.at] = e.v;
      return [c];
    case 'random':
      return [e.bytes];
    case 'drop':
    case 'silence':
      return [];
    case 'dup':
      return [c, Uint8Array.from(c)];
    case 'cid':
      new DataView(c.buffer).setUint32(0, e.v);
      return [c];
    case 'cmd':
      if (c[4]! & 0x80) c[4] = 0x80 | e.v;
      return [c];
    case 'size': {
      const s = new Uint8Array(e.len);
      s.set(c.subarray(0, Math.min(64, e.len)));
      return [s];
    }
    case 'keepalives': {
      const cid = new DataView(c.buffer).getUint32(0);
      return [...Array.from({ length: e.n }, () => encodeFrames(cid, CtaphidCommand.KEEPALIVE, Uint8Array.of(e.status))[0]!), c];
    }
  }
}

function editMessage(payload: Uint8Array, e: MessageEdit): Uint8Array {
  switch (e.t) {
    case 'status':
      return payload.length ? Uint8Array.of(e.v, ...payload.subarray(1)) : Uint8Array.of(e.v);
    case 'bytes': {
      let b = Array.from(payload);
      for (const [pos, v, k] of e.edits) {
        const i = b.length ? pos % b.length : 0;
        if (k === 'flip') b[i] = (b[i] ?? 0) ^ (1 << (v % 8));
        else if (k === 'set') b[i] = v;
        else if (k === 'insert') b.splice(i, 0, v);
        else if (k === 'delete') b.splice(i, 1);
        else b = b.slice(0, i);
      }
      return Uint8Array.from(b);
    }
    case 'cbor': {
      let cbor: Uint8Array;
      try {
        cbor = encodeCanonicalCbor(e.value as never);
      } catch {
        cbor = Uint8Array.of(0xf6);
      }
      return Uint8Array.of(0, ...cbor);
    }
    case 'empty':
      return new Uint8Array(0);
    case 'huge':
      return Uint8Array.of(0, 0x59, e.len >> 8, e.len & 0xff, ...new Uint8Array(e.len));
  }
}

/**
 * The simulator's CTAPHID device, with `mutator.current` applied to everything it sends. KEEPALIVEs are
 * passed through unmutated at message level (they are not answers).
 */
async function hostileSimulator() {
  const { device } = await createSimulatorDevice({ allowResetAnytime: true });
  const state: { mutation: Mutation | undefined; seen: number; silenced: boolean; mutated: number } = { mutation: undefined, seen: 0, silenced: false, mutated: 0 };
  const connect: InProcessDeviceFactory = (emit) => {
    const assembler = new MessageAssembler();
    const unsubscribe = device.onReport((report) => {
      const m = state.mutation;
      if (!m || state.silenced) {
        if (!state.silenced) emit(report);
        return;
      }
      if (m.level === 'report') {
        const n = state.seen++;
        if (n < m.after || (n - m.after) % m.every !== 0) return emit(report);
        state.mutated++;
        if (m.report.t === 'silence') state.silenced = true;
        for (const r of editReport(report, m.report)) emit(r);
        return;
      }
      // message level: reassemble each answer, mutate its payload, frame it again
      const p = parsePacket(report);
      if (p.kind === 'init' && p.cmd === CtaphidCommand.KEEPALIVE) return emit(report);
      const res = p.kind === 'init' ? assembler.start(p) : assembler.add(p);
      if (res.state !== 'done') return;
      const n = state.seen++;
      const payload = n < m.after || (n - m.after) % m.every !== 0 ? res.payload : editMessage(res.payload, m.message);
      if (payload !== res.payload) state.mutated++;
      for (const r of encodeFrames(res.cid, res.cmd, payload.subarray(0, 7609))) emit(r);
    });
    return { receiveReport: (r) => device.receive(r), disconnect: unsubscribe };
  };
  return { device, state, connect };
}

async function runOp(d: OpenedDevice, o: Op): Promise<unknown> {
  switch (o) {
    case 'getInfo':
      return d.ctap2.getInfo();
    case 'makeCredential':
      return d.ctap2.makeCredential(mcRequest({ rp: { id: 'fuzz.example', name: 'Fuzz' } }));
    case 'getAssertion':
      return d.ctap2.getAssertion({ rpId: 'fuzz.example', clientDataHash: sha256('x') });
    case 'clientPin':
      return d.ctap2.clientPin({ pinUvAuthProtocol: 2, subCommand: 2 });
    case 'largeBlobs':
      return d.ctap2.largeBlobs({ get: 64, offset: 0 });
    case 'selection':
      return d.ctap2.selection();
    case 'ping':
      return d.hid.ping(new Uint8Array(100).fill(7));
    case 'u2fVersion':
      return d.ctap1.version();
    case 'u2fRegister':
      return d.ctap1.register(sha256('c'), sha256('fuzz.example'));
    case 'wink':
      return d.hid.wink();
  }
}

describe('a hostile device: mutated answers into the host stack', () => {
  it(`ends ${RUNS} exchanges with a value or a typed error, within the time limit`, async () => {
    const sim = await hostileSimulator();
    const outcomes = new Map<string, number>();
    let ops = 0;
    let slowest = 0;
    const t0 = performance.now();
    await fc.assert(
      fc.asyncProperty(mutation, fc.array(op, { minLength: 1, maxLength: 3 }), async (m, list) => {
        Object.assign(sim.state, { mutation: m, seen: 0, silenced: false });
        const started = performance.now();
        let device: OpenedDevice | undefined;
        const outcome = async (p: Promise<unknown>): Promise<string> => {
          let timer: NodeJS.Timeout | undefined;
          const hang = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('HANG'), HANG_MS)));
          const t = performance.now();
          try {
            return await Promise.race([
              p.then(
                () => 'ok',
                (err) => (isTyped(err) ? (err as { code?: unknown }).code?.toString() ?? (err as Error).name : `UNTYPED ${(err as Error)?.stack ?? String(err)}`),
              ),
              hang,
            ]);
          } finally {
            clearTimeout(timer);
            slowest = Math.max(slowest, performance.now() - t);
            ops++;
          }
        };
        const record = (o: string) => {
          const key = o.includes(':UNTYPED') ? o : o.replace(/\d+/g, 'N');
          outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
          expect(o.includes(':UNTYPED'), o).toBe(false);
          expect(o.endsWith(':HANG'), `${o}: an operation outlived its time limit`).toBe(false);
        };
        const opened = await outcome(openDevice({ kind: 'memory', connect: sim.connect, name: 'memory:hostile' }, { ctaphid: LIMITS }).then((d) => (device = d)));
        record(`open:${opened}`);
        try {
          if (device) {
            for (const o of list) record(`${o}:${await outcome(runOp(device, o))}`);
          }
        } finally {
          await device?.close();
        }
        expect(performance.now() - started).toBeLessThan(HANG_MS * (list.length + 1));
      }),
      { numRuns: RUNS, seed: FUZZ_SEED, interruptAfterTimeLimit: fuzzBudgetMs(900_000), markInterruptAsFailure: true },
    );
    const ms = performance.now() - t0;
    reportFuzzFigure('hostile device into the host stack', ops, 'operations', ms, `${sim.state.mutated} answers/reports mutated; slowest operation ${Math.round(slowest)} ms; outcomes ${outcomes.size} kinds`);
    if (process.env.FUZZ_VERBOSE) console.log([...outcomes].sort((a, b) => b[1] - a[1]).slice(0, 60));
    // The mutations reach every layer: transport, CTAPHID framing, CBOR decoding, response decoding.
    const kinds = [...outcomes.keys()].join(' ');
    for (const code of ['TRANSPORT_REPORT_SIZE', 'CTAPHID_TIMEOUT', 'CTAPHID_INVALID_SEQ', 'CTAP_INVALID_CBOR', 'CTAP_MALFORMED_RESPONSE', ':ok']) {
      expect(kinds, code).toContain(code);
    }
  }, 1_000_000);
});
