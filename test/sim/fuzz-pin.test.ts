/**
 * Property-based fuzzing of the PIN/UV commands (clientPIN, credential management 0x0A/0x41, config,
 * large blobs). Requests are built from recipes that mix correct members (a real key agreement, a
 * correctly encrypted PIN hash, a pinUvAuthParam from a real token over the right message) with random
 * ones, so most requests get past decoding into the subcommand logic. Properties: every answer is a
 * status the spec defines, never CTAP1_ERR_OTHER (an internal failure); a refused request changes no
 * persistent state, except the PIN / UV retry counters that a wrong PIN or failed UV lowers by one.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serializeState } from '../../authenticator-sim/index.ts';
import { ScriptedBuiltInUv } from '../../authenticator-sim/pinUvAuth/builtInUv.ts';
import { CtapCommand, CtapStatus as S, encodeCanonicalCbor, isDefinedCtapStatus, PinUvAuthPermission as P } from '../../harness/protocol/index.ts';
import { padPin, pinHashLeft16, tokenAuthenticate } from '../helpers/pinClient.ts';
import { PinDriver, type Token } from '../helpers/pinDriver.ts';
import { FUZZ_SEED, fuzzRuns, reportFuzzFigure } from '../fuzz/fuzzSize.ts';

const RUNS = Number(process.env.FUZZ_PIN_RUNS ?? fuzzRuns(1500, 20_000));
const PIN = '1234';

type Field<T> = { kind: 'valid' } | { kind: 'absent' } | { kind: 'random'; v: T };
const field = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<Field<T>> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant({ kind: 'valid' } as const) },
    { weight: 1, arbitrary: fc.constant({ kind: 'absent' } as const) },
    { weight: 1, arbitrary: arb.map((v) => ({ kind: 'random', v }) as const) },
  );

const smallValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -300, max: 70000 }),
  fc.string({ maxLength: 12 }),
  fc.uint8Array({ maxLength: 70 }),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 12 }), { maxLength: 10 }),
);
const smallMap = fc
  .array(fc.tuple(fc.integer({ min: -3, max: 5 }), smallValue), { maxLength: 4 })
  .map((e) => new Map<number, unknown>(e));

const recipe = fc.record({
  command: fc.constantFrom(
    CtapCommand.authenticatorClientPIN,
    CtapCommand.authenticatorClientPIN,
    CtapCommand.authenticatorCredentialManagement,
    CtapCommand.prototypeCredentialManagement,
    CtapCommand.authenticatorConfig,
    CtapCommand.authenticatorLargeBlobs,
  ),
  sub: fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 1, max: 9 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, 10, 0xff, 300) },
  ),
  protocol: fc.constantFrom(1, 2, 3, undefined),
  pinRight: fc.boolean(),
  newPin: fc.oneof(fc.constant(PIN), fc.string({ maxLength: 70 })),
  keyAgreement: field(smallMap),
  param: field(fc.uint8Array({ maxLength: 40 })),
  newPinEnc: field(fc.uint8Array({ maxLength: 96 })),
  pinHashEnc: field(fc.uint8Array({ maxLength: 48 })),
  permissions: fc.option(fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.constantFrom(P.cm, P.acfg, P.lbw, P.cm | P.lbw))),
  rpId: fc.option(fc.constantFrom('a.example', 'b.example', '')),
  subParams: fc.option(
    fc.oneof(
      smallMap,
      fc.constantFrom('a.example', 'b.example').map((rp) => new Map<number, unknown>([[1, sha256(rp)]])),
    ),
  ),
  tokenPermissions: fc.constantFrom(0, P.cm, P.acfg, P.lbw, P.cm | P.acfg | P.lbw, P.mc),
  blobGet: fc.option(fc.integer({ min: 0, max: 9000 })),
  blobSet: fc.option(fc.uint8Array({ maxLength: 40 })),
  blobOffset: fc.option(fc.integer({ min: 0, max: 60 })),
  blobLength: fc.option(fc.integer({ min: 0, max: 5000 })),
});

function sha256(s: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(s).digest());
}

/** Persistent state without the retry counters, which a refused request may lower. */
function stateWithoutRetries(d: PinDriver): string {
  return serializeState({ ...d.a.state, pinRetries: 0, uvRetries: 0 });
}

async function materialize(d: PinDriver, r: RecipeValue): Promise<Map<number, unknown>> {
  const req = new Map<number, unknown>();
  const version = r.protocol === 1 || r.protocol === 2 ? r.protocol : 2;
  if (r.command === CtapCommand.authenticatorClientPIN) {
    const s = await d.session(version);
    if (r.protocol !== undefined) req.set(1, r.protocol);
    req.set(2, r.sub);
    const pick = <T>(f: Field<T>, valid: () => T) => (f.kind === 'valid' ? valid() : f.kind === 'random' ? f.v : undefined);
    const ka = pick(r.keyAgreement, () => s.platformKey);
    const newPinEnc = pick(r.newPinEnc, () => s.encrypt(padPin(r.newPin)));
    const pinHashEnc = pick(r.pinHashEnc, () => s.encrypt(pinHashLeft16(r.pinRight ? PIN : '9999')));
    const authed = Buffer.concat([newPinEnc ?? new Uint8Array(0), r.sub === 4 ? (pinHashEnc ?? new Uint8Array(0)) : new Uint8Array(0)]);
    const param = pick(r.param, () => s.authenticate(new Uint8Array(authed)));
    if (ka !== undefined) req.set(3, ka);
    if (param !== undefined) req.set(4, param);
    if (newPinEnc !== undefined) req.set(5, newPinEnc);
    if (pinHashEnc !== undefined) req.set(6, pinHashEnc);
    if (r.permissions !== null) req.set(9, r.permissions);
    if (r.rpId !== null) req.set(10, r.rpId);
    return req;
  }
  // The other commands: a real token with the recipe's permissions, or a random param.
  let token: Token | undefined;
  if (r.param.kind === 'valid' && r.tokenPermissions !== 0) {
    token = (await d.token(version, PIN, r.tokenPermissions, r.tokenPermissions === P.mc ? 'a.example' : undefined)).token;
  }
  const sign = (message: Uint8Array) =>
    token ? tokenAuthenticate(token.version, token.token, message) : r.param.kind === 'random' ? r.param.v : undefined;
  if (r.command === CtapCommand.authenticatorLargeBlobs) {
    if (r.blobGet !== null) req.set(1, r.blobGet);
    if (r.blobSet !== null) req.set(2, r.blobSet);
    if (r.blobOffset !== null) req.set(3, r.blobOffset);
    if (r.blobLength !== null) req.set(4, r.blobLength);
    const off = Buffer.alloc(4);
    off.writeUInt32LE(r.blobOffset ?? 0);
    const p = sign(new Uint8Array(Buffer.concat([Buffer.alloc(32, 0xff), Buffer.of(0x0c, 0), off, sha256Bytes(r.blobSet ?? new Uint8Array(0))])));
    if (p !== undefined && r.param.kind !== 'absent') req.set(5, p);
    if (r.protocol !== undefined) req.set(6, token?.version ?? r.protocol);
    return req;
  }
  const sub = r.sub;
  req.set(1, sub);
  if (r.subParams !== null) req.set(2, r.subParams);
  const params = r.subParams !== null ? encodeCanonicalCbor(r.subParams) : new Uint8Array(0);
  const message =
    r.command === CtapCommand.authenticatorConfig
      ? Buffer.concat([Buffer.alloc(32, 0xff), Buffer.of(0x0d, sub & 0xff), params])
      : Buffer.concat([Buffer.of(sub & 0xff), params]);
  const p = sign(new Uint8Array(message));
  if (r.protocol !== undefined) req.set(3, token?.version ?? r.protocol);
  if (p !== undefined && r.param.kind !== 'absent') req.set(4, p);
  return req;
}

const sha256Bytes = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());

type RecipeValue = typeof recipe extends fc.Arbitrary<infer T> ? T : never;

/** Statuses after which the retry counters may have dropped by one (§6.5.5.7.1, §6.5.5.7.3). */
const RETRY_STATUSES = new Set<number>([
  S.CTAP2_ERR_PIN_INVALID,
  S.CTAP2_ERR_PIN_BLOCKED,
  S.CTAP2_ERR_PIN_AUTH_BLOCKED,
  S.CTAP2_ERR_UV_INVALID,
  S.CTAP2_ERR_UV_BLOCKED,
]);

describe('fuzzing the PIN/UV commands with recipes of valid and random members', () => {
  it(`answers a defined status to ${RUNS} requests and changes nothing when it refuses (except retries)`, async () => {
    const uv = new ScriptedBuiltInUv();
    const d = await PinDriver.create({ builtInUv: uv });
    expect(await d.setPin(2, PIN)).toBe(S.CTAP2_OK);
    for (const [rpId, user] of [['a.example', 1], ['b.example', 2]] as const) {
      const t = (await d.token(1, PIN, P.mc, rpId)).token!;
      expect((await d.makeCredential({ rk: true, rpId, userId: Uint8Array.of(user), token: t })).status).toBe(S.CTAP2_OK);
    }
    const statuses = new Map<number, number>();
    const t0 = performance.now();
    await fc.assert(
      fc.asyncProperty(recipe, fc.constantFrom<'match' | 'nomatch' | 'timeout'>('match', 'nomatch', 'timeout'), async (r, uvOutcome) => {
        // Keep the PIN usable so that deep paths stay reachable.
        if (d.a.state.pinRetries < 3 || d.a.consecutivePinFailures >= 2) {
          d.a.powerCycle();
          d.a.state.pinRetries = 8;
        }
        if (d.a.state.uvRetries < 2) d.a.state.uvRetries = 8;
        const req = await materialize(d, r);
        uv.queue.length = 0;
        uv.queue.push(uvOutcome);
        const before = stateWithoutRetries(d);
        const pinBefore = d.a.state.pinRetries;
        const uvBefore = d.a.state.uvRetries;
        const answer = await d.a.handleCbor(r.command, encodeCanonicalCbor(req));
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        expect(isDefinedCtapStatus(answer.status)).toBe(true);
        expect(answer.status).not.toBe(S.CTAP1_ERR_OTHER);
        if (answer.status !== S.CTAP2_OK) {
          expect(answer.payload.length).toBe(0);
          expect(stateWithoutRetries(d)).toBe(before);
          if (RETRY_STATUSES.has(answer.status)) {
            expect(pinBefore - d.a.state.pinRetries).toBeLessThanOrEqual(1);
            expect(uvBefore - d.a.state.uvRetries).toBeLessThanOrEqual(1);
          } else {
            expect(d.a.state.pinRetries).toBe(pinBefore);
            expect(d.a.state.uvRetries).toBe(uvBefore);
          }
          expect(d.a.state.pinRetries).toBeLessThanOrEqual(pinBefore);
        }
      }),
      { numRuns: RUNS, seed: FUZZ_SEED },
    );
    reportFuzzFigure('PIN/UV recipes into clientPIN, credMgmt, config, largeBlobs', RUNS, 'commands', performance.now() - t0);
    if (process.env.FUZZ_VERBOSE) console.log(JSON.stringify([...statuses.entries()].sort((a, b) => b[1] - a[1])));
    // The recipes reach the subcommand logic: successes and the deep statuses occur.
    for (const s of [S.CTAP2_OK, S.CTAP2_ERR_PIN_INVALID, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_ERR_INVALID_SUBCOMMAND]) {
      expect(statuses.get(s) ?? 0).toBeGreaterThan(0);
    }
  }, 600_000);
});
