import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CtapCommand,
  encodeCanonicalCbor,
  encodeGetAssertionRequest,
  encodeMakeCredentialRequest,
  isDefinedCtapStatus,
  CtapStatus,
} from '../../harness/protocol/index.ts';
import { serializeState } from '../../authenticator-sim/index.ts';
import { createTestSim, mcRequest, sha256 } from '../helpers/sim.ts';
import { FUZZ_SEED, fuzzRuns, reportFuzzFigure } from '../fuzz/fuzzSize.ts';

/** CI-sized by default; `npm run fuzz` (FUZZ_FULL=1) runs the full size; FUZZ_RUNS overrides. */
const RUNS = fuzzRuns(10_000, 150_000);

const commands = [...Object.values(CtapCommand), 0x00, 0x05, 0x0e, 0x3f, 0x7f, 0xff];

const seeds: Uint8Array[] = [
  encodeCanonicalCbor(encodeMakeCredentialRequest(mcRequest())),
  encodeCanonicalCbor(
    encodeMakeCredentialRequest(
      mcRequest({
        options: new Map([['rk', true]]),
        excludeList: [{ type: 'public-key', id: new Uint8Array(64) }],
        extensions: new Map<string, unknown>([['credProtect', 2], ['hmac-secret', true]]) as never,
      }),
    ),
  ),
  encodeCanonicalCbor(encodeGetAssertionRequest({ rpId: 'example.com', clientDataHash: sha256('x') })),
  encodeCanonicalCbor(new Map<number, unknown>([[1, 2], [2, 1]])), // clientPIN getPINRetries
  encodeCanonicalCbor(new Map<number, unknown>([[1, 1], [2, new Map([[1, new Uint8Array(32)]])], [3, 2], [4, new Uint8Array(32)]])),
  encodeCanonicalCbor(new Map<number, unknown>([[1, 64], [3, 0]])), // largeBlobs get
];

/** Mutations of a valid request: the inputs most likely to reach deep into a handler. */
const mutated = fc
  .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.nat(255), fc.constantFrom('flip', 'set', 'insert', 'delete', 'truncate')), { minLength: 1, maxLength: 4 }))
  .map(([seed, edits]) => {
    let bytes = Array.from(seed);
    for (const [pos, value, op] of edits) {
      const i = bytes.length ? pos % bytes.length : 0;
      if (op === 'flip') bytes[i] = (bytes[i] ?? 0) ^ (1 << (value % 8));
      else if (op === 'set') bytes[i] = value;
      else if (op === 'insert') bytes.splice(i, 0, value);
      else if (op === 'delete') bytes.splice(i, 1);
      else bytes = bytes.slice(0, i);
    }
    return Uint8Array.from(bytes);
  });

/** Well-formed CBOR of random shape, with CTAP-like integer keys. */
const cborValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: -70000, max: 70000 }),
    fc.string({ maxLength: 20 }),
    fc.uint8Array({ maxLength: 80 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(fc.oneof(fc.integer({ min: -3, max: 12 }), fc.constantFrom('rk', 'up', 'uv', 'id', 'type', 'alg', 'hmac-secret')), tie('value')), { maxLength: 6 }).map(
      (entries) => new Map(entries),
    ),
  ),
})).value;

const payload = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  mutated,
  cborValue.map((v) => {
    try {
      return encodeCanonicalCbor(v);
    } catch {
      return Uint8Array.of(0xf6);
    }
  }),
);

describe('fuzzing every simulator command with random and mutated CBOR', () => {
  it(`should answer a defined status to ${RUNS} payloads and leave state untouched when it refuses`, async () => {
    const t = await createTestSim();
    // a discoverable credential so getAssertion has something to find
    await t.sim.handleCbor(
      CtapCommand.authenticatorMakeCredential,
      encodeCanonicalCbor(encodeMakeCredentialRequest(mcRequest({ options: new Map([['rk', true]]) }))),
    );
    const statuses = new Map<number, number>();
    const t0 = performance.now();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...commands), payload, async (command, bytes) => {
        const before = serializeState(t.sim.state);
        const r = await t.sim.handleCbor(command, bytes);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        expect(isDefinedCtapStatus(r.status)).toBe(true);
        expect(r.status).not.toBe(CtapStatus.CTAP1_ERR_OTHER); // an internal failure is a bug
        if (r.status !== CtapStatus.CTAP2_OK) {
          expect(r.payload.length).toBe(0);
          // A wrong PIN lowers the retry counter by design (CTAP 2.1 §6.5.5.5); nothing else may change.
          const after = serializeState(t.sim.state);
          if (r.status !== CtapStatus.CTAP2_ERR_PIN_INVALID && r.status !== CtapStatus.CTAP2_ERR_PIN_BLOCKED) {
            expect(after).toBe(before);
          }
        }
      }),
      { numRuns: RUNS, seed: FUZZ_SEED },
    );
    reportFuzzFigure('CBOR commands into Authenticator.handleCbor', RUNS, 'commands', performance.now() - t0, `${statuses.size} distinct statuses`);
    if (process.env.FUZZ_VERBOSE) console.log(JSON.stringify([...statuses.entries()]));
    // the fuzzer reached past the CBOR layer into the handlers
    expect(statuses.get(CtapStatus.CTAP2_ERR_INVALID_CBOR) ?? 0).toBeGreaterThan(0);
    expect([...statuses.keys()].length).toBeGreaterThan(6);
  }, 600_000);
});
