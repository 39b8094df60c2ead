import { describe, expect, it } from 'vitest';
import { CtapRequest } from '../../harness/ctap/index.ts';
import { CtapCommand, CtapStatus, decodeCbor, encodeCanonicalCbor, type AuthenticatorInfo, type CborMap } from '../../harness/protocol/index.ts';
import { CheckFailed, CheckSkipped } from '../../harness/runner/Check.ts';
import {
  allowListOf,
  decodeAssertion,
  gaRequest,
  gaWithToken,
  getAssertion,
  getAssertionUv,
  makeCredential,
  makeCredentialUv,
  mcRequest,
  mcWithToken,
  outOfOrderRequest,
  rkOption,
  uvParams,
  type TokenLike,
} from '../../harness/suites/ops.ts';
import type { SuiteContext } from '../../harness/suites/SuiteContext.ts';
import { refuse, simContext, type RawFault } from './contextSim.ts';

// The suites' request helpers (harness/suites/ops.ts): what a makeCredential / getAssertion that must succeed
// makes of each refusal (the check's failure, or a skip where the key rightly demands user verification),
// and the requests they build.

const MC = CtapCommand.authenticatorMakeCredential;
const GA = CtapCommand.authenticatorGetAssertion;
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** What `p` throws (it must throw). */
async function thrown(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof Error)) throw new Error('it did not throw');
  return e;
}

/** The getInfo of the context changed as given (skipWhenUvRequired reads ctx.info). */
function withInfo(ctx: SuiteContext, info: { versions?: string[]; options?: AuthenticatorInfo['options']; remainingDiscoverableCredentials?: number }): SuiteContext {
  ctx.info = { ...ctx.info, ...info };
  if (info.remainingDiscoverableCredentials === undefined) delete ctx.info.remainingDiscoverableCredentials;
  return ctx;
}

/** A fault rewriting the authenticatorData (0x02) of each makeCredential answer. */
const rewriteMcAuthData =
  (f: (authData: Uint8Array) => Uint8Array): RawFault =>
  async (cmd, _payload, next) => {
    const r = await next();
    if (cmd !== MC || r.status !== 0) return r;
    const body = decodeCbor(r.payload).value as CborMap;
    body.set(2, f(body.get(2) as Uint8Array));
    return { status: 0, payload: encodeCanonicalCbor(body) };
  };

describe('mcRequest / gaRequest', () => {
  it('should build an ES256 makeCredential for the RP with a fresh clientDataHash and user id each time, overrides winning', () => {
    const a = mcRequest('ops.fido-harness.test');
    const b = mcRequest('ops.fido-harness.test', { pubKeyCredParams: [{ type: 'public-key', alg: -8 }] });
    expect(a).toEqual({
      clientDataHash: expect.any(Uint8Array),
      rp: { id: 'ops.fido-harness.test', name: 'fido-harness check' },
      user: { id: expect.any(Uint8Array), name: 'check@fido-harness.test', displayName: 'Check User' },
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    });
    expect([a.clientDataHash.length, a.user.id.length]).toEqual([32, 16]);
    expect(hex(a.clientDataHash)).not.toBe(hex(b.clientDataHash));
    expect(hex(a.user.id)).not.toBe(hex(b.user.id));
    expect(b.pubKeyCredParams).toEqual([{ type: 'public-key', alg: -8 }]);
  });

  it('should build a getAssertion for the RP with a fresh 32-byte clientDataHash, overrides winning', () => {
    const a = gaRequest('ops.fido-harness.test');
    expect(Object.keys(a)).toEqual(['rpId', 'clientDataHash']);
    expect([a.rpId, a.clientDataHash.length]).toEqual(['ops.fido-harness.test', 32]);
    const id = Uint8Array.of(1, 2);
    expect(gaRequest('x.test', { rpId: 'y.test', allowList: allowListOf(id) })).toMatchObject({ rpId: 'y.test', allowList: [{ type: 'public-key', id }] });
    expect(hex(gaRequest('x.test').clientDataHash)).not.toBe(hex(a.clientDataHash));
    expect([...rkOption()]).toEqual([['rk', true]]);
  });
});

describe('outOfOrderRequest', () => {
  it('should encode the top-level keys in descending numeric order (not CTAP 2.1 §8 canonical)', () => {
    const params: CborMap = new Map<number, number>([
      [1, 0],
      [2, 0],
      [9, 0],
      [10, 0],
    ]);
    // a4, then 10 (0x0a), 9, 2, 1, each with its value 0
    expect(hex(outOfOrderRequest(params))).toBe('a40a00090002000100');
  });
});

describe('makeCredential (must succeed)', () => {
  it('should return the credential the key made: its id and public key from the attested credential data', async () => {
    const { ctx } = await simContext();
    const made = await makeCredential(ctx, 'ops.fido-harness.test');
    expect(made.result.ok).toBe(true);
    expect(made.request.rp.id).toBe('ops.fido-harness.test');
    expect(made.credentialId).toEqual(made.authData.attestedCredentialData!.credentialId);
    expect(made.publicKey.get(3)).toBe(-7);
    expect(made.response.authData).toEqual(made.authData.raw);
  });

  it('should fail naming the status the key answered', async () => {
    const { ctx } = await simContext({}, refuse(MC, CtapStatus.CTAP2_ERR_INVALID_OPTION));
    const e = await thrown(makeCredential(ctx, 'ops.fido-harness.test'));
    expect(e).toBeInstanceOf(CheckFailed);
    expect(e.message).toBe('makeCredential answered 0x2c CTAP2_ERR_INVALID_OPTION');
    expect((e as CheckFailed).evidence).toEqual({ actual: '0x2c CTAP2_ERR_INVALID_OPTION' });
  });

  it('should skip a discoverable credential the full key refused (§6.1.2 step 18.1), naming its slots, and fail a non-discoverable one', async () => {
    const { ctx } = await simContext({}, refuse(MC, CtapStatus.CTAP2_ERR_KEY_STORE_FULL));
    withInfo(ctx, { remainingDiscoverableCredentials: 0 });
    const full = await thrown(makeCredential(ctx, 'ops.fido-harness.test', { options: rkOption() }));
    expect(full).toBeInstanceOf(CheckSkipped);
    expect(full.message).toBe("the key's discoverable-credential storage is full (the run's earlier checks filled its 0 slots); answered 0x28 CTAP2_ERR_KEY_STORE_FULL");
    withInfo(ctx, {});
    const unlisted = await thrown(makeCredential(ctx, 'ops.fido-harness.test', { options: rkOption() }));
    expect(unlisted.message).toBe("the key's discoverable-credential storage is full (the run's earlier checks filled its unlisted number of slots); answered 0x28 CTAP2_ERR_KEY_STORE_FULL");
    expect((await thrown(makeCredential(ctx, 'ops.fido-harness.test'))).message).toBe('makeCredential answered 0x28 CTAP2_ERR_KEY_STORE_FULL');
    const plain = await thrown(makeCredential(ctx, 'ops.fido-harness.test', { options: new Map([['rk', false]]) }));
    expect(plain).toBeInstanceOf(CheckFailed);
    expect(plain.message).toBe('makeCredential answered 0x28 CTAP2_ERR_KEY_STORE_FULL');
  });

  it('should fail on authenticatorData that does not parse, and on one without attested credential data', async () => {
    const short = await simContext({}, rewriteMcAuthData((a) => a.subarray(0, 36)));
    const e = await thrown(makeCredential(short.ctx, 'ops.fido-harness.test'));
    expect(e).toBeInstanceOf(CheckFailed);
    expect(e.message).toBe('authenticatorData is malformed: authenticatorData is 36 bytes, at least 37 needed');
    const noAt = await simContext({}, rewriteMcAuthData((a) => Uint8Array.from([...a.subarray(0, 32), a[32]! & ~0x40, ...a.subarray(33, 37)])));
    const e2 = await thrown(makeCredential(noAt.ctx, 'ops.fido-harness.test'));
    expect(e2).toBeInstanceOf(CheckFailed);
    expect(e2.message).toBe('makeCredential authenticatorData has no attested credential data (AT flag clear)');
  });
});

describe('a request the key refuses for want of user verification (skipWhenUvRequired)', () => {
  const puat = CtapStatus.CTAP2_ERR_PUAT_REQUIRED;
  const denied = CtapStatus.CTAP2_ERR_OPERATION_DENIED;
  const v21 = ['FIDO_2_0', 'FIDO_2_1'];
  const v20 = ['U2F_V2', 'FIDO_2_0'];

  /** What makeCredential (or getAssertion) makes of `status` on a key with this getInfo: 'skip: …' or 'fail: …'. */
  async function outcome(status: number, info: { versions: string[]; options: AuthenticatorInfo['options'] }, what: 'mc' | 'ga', request: { uv?: boolean; param?: boolean; rk?: boolean } = {}) {
    const { ctx } = await simContext({}, refuse(what === 'mc' ? MC : GA, status));
    withInfo(ctx, info);
    const options = new Map<string, boolean>();
    if (request.uv !== undefined) options.set('uv', request.uv);
    if (request.rk !== undefined) options.set('rk', request.rk);
    const extra = { ...(options.size ? { options } : {}), ...(request.param ? { pinUvAuthParam: new Uint8Array(16), pinUvAuthProtocol: 1 } : {}) };
    const e = await thrown(what === 'mc' ? makeCredential(ctx, 'uv.fido-harness.test', extra) : getAssertion(ctx, gaRequest('uv.fido-harness.test', extra)));
    expect(e instanceof CheckSkipped || e instanceof CheckFailed).toBe(true);
    return `${e instanceof CheckSkipped ? 'skip' : 'fail'}: ${e.message}`;
  }

  it('should skip either request on an alwaysUv key (CTAP 2.1 §6.1.2 step 6, §6.2.2 step 5), with either status', async () => {
    const info = { versions: v21, options: { alwaysUv: true } };
    expect(await outcome(puat, info, 'mc')).toBe(
      'skip: the key verifies the user for every makeCredential because alwaysUv is on (CTAP 2.1 §6.1.2 step 6, §6.2.2 step 5); this check sends one without (answered 0x36 CTAP2_ERR_PUAT_REQUIRED)',
    );
    expect(await outcome(denied, info, 'ga')).toBe(
      'skip: the key verifies the user for every getAssertion because alwaysUv is on (CTAP 2.1 §6.1.2 step 6, §6.2.2 step 5); this check sends one without (answered 0x27 CTAP2_ERR_OPERATION_DENIED)',
    );
  });

  it('should fail a request that asked for user verification, and any other status, even on an alwaysUv key', async () => {
    const info = { versions: v21, options: { alwaysUv: true, clientPin: true } };
    expect(await outcome(puat, info, 'mc', { uv: true })).toBe('fail: makeCredential answered 0x36 CTAP2_ERR_PUAT_REQUIRED');
    expect(await outcome(puat, info, 'mc', { param: true })).toBe('fail: makeCredential answered 0x36 CTAP2_ERR_PUAT_REQUIRED');
    expect(await outcome(puat, info, 'ga', { param: true })).toBe('fail: getAssertion answered 0x36 CTAP2_ERR_PUAT_REQUIRED');
    expect(await outcome(CtapStatus.CTAP2_ERR_UV_BLOCKED, info, 'mc')).toBe('fail: makeCredential answered 0x3c CTAP2_ERR_UV_BLOCKED');
    // uv:false is no verification: the alwaysUv key's refusal is right
    expect(await outcome(puat, info, 'mc', { uv: false })).toMatch(/^skip: .* because alwaysUv is on/);
  });

  it('should skip a makeCredential without UV on a protected 2.1 key without makeCredUvNotRqd, or for a discoverable credential (§6.1.2 steps 7-8)', async () => {
    const why = 'because it is protected by user verification and has no makeCredUvNotRqd (CTAP 2.1 §6.1.2 steps 7-8)';
    expect(await outcome(puat, { versions: v21, options: { clientPin: true } }, 'mc')).toBe(
      `skip: the key verifies the user for every makeCredential ${why}; this check sends one without (answered 0x36 CTAP2_ERR_PUAT_REQUIRED)`,
    );
    expect(await outcome(denied, { versions: v21, options: { uv: true } }, 'mc')).toMatch(new RegExp(`^skip: .*makeCredential ${why.replace(/[()§.]/g, '\\$&')}`));
    expect(await outcome(puat, { versions: v21, options: { clientPin: true, makeCredUvNotRqd: true } }, 'mc', { rk: true })).toMatch(/^skip: .*no makeCredUvNotRqd/);
    // makeCredUvNotRqd: a non-discoverable credential needs no UV, so the refusal is the check's failure
    expect(await outcome(puat, { versions: v21, options: { clientPin: true, makeCredUvNotRqd: true } }, 'mc')).toBe('fail: makeCredential answered 0x36 CTAP2_ERR_PUAT_REQUIRED');
    expect(await outcome(puat, { versions: v21, options: { clientPin: true, makeCredUvNotRqd: true } }, 'mc', { rk: false })).toBe('fail: makeCredential answered 0x36 CTAP2_ERR_PUAT_REQUIRED');
    // not protected (no PIN set, no built-in UV ready), or getAssertion: no such rule
    expect(await outcome(puat, { versions: v21, options: { clientPin: false, uv: false } }, 'mc', { rk: true })).toBe('fail: makeCredential answered 0x36 CTAP2_ERR_PUAT_REQUIRED');
    expect(await outcome(puat, { versions: v21, options: { clientPin: true } }, 'ga')).toBe('fail: getAssertion answered 0x36 CTAP2_ERR_PUAT_REQUIRED');
  });

  it('should skip a makeCredential without UV on a CTAP 2.0 key with a PIN set (CTAP 2.0 §5.1 step 6), not on one with built-in UV only', async () => {
    expect(await outcome(puat, { versions: v20, options: { clientPin: true } }, 'mc')).toBe(
      'skip: the key verifies the user for every makeCredential because it is a CTAP 2.0 key with a PIN set (CTAP 2.0 §5.1 step 6); this check sends one without (answered 0x36 CTAP2_ERR_PUAT_REQUIRED)',
    );
    expect(await outcome(denied, { versions: v20, options: { uv: true } }, 'mc')).toBe('fail: makeCredential answered 0x27 CTAP2_ERR_OPERATION_DENIED');
    expect(await outcome(puat, { versions: v20, options: { clientPin: true } }, 'ga')).toBe('fail: getAssertion answered 0x36 CTAP2_ERR_PUAT_REQUIRED');
    expect(await outcome(puat, { versions: v20, options: undefined }, 'mc')).toBe('fail: makeCredential answered 0x36 CTAP2_ERR_PUAT_REQUIRED');
  });
});

describe('decodeAssertion', () => {
  const answer = (value: unknown) => ({ ok: true as const, status: 0 as const, response: value, value: value as CborMap, raw: new Uint8Array(1), findings: [] });

  it('should fail naming the status of a refused getAssertion', () => {
    const e = (() => {
      try {
        decodeAssertion({ ok: false, status: CtapStatus.CTAP2_ERR_NO_CREDENTIALS, raw: Uint8Array.of(0x2e), findings: [] });
      } catch (err) {
        return err as CheckFailed;
      }
    })();
    expect(e).toBeInstanceOf(CheckFailed);
    expect([e!.message, e!.evidence]).toEqual(['getAssertion answered 0x2e CTAP2_ERR_NO_CREDENTIALS', { actual: '0x2e CTAP2_ERR_NO_CREDENTIALS' }]);
  });

  it('should fail an answer that is not a getAssertion response, or whose authenticatorData does not parse', () => {
    expect(() => decodeAssertion(answer('not a map'))).toThrow(/^getAssertion response is malformed: /);
    const short = new Map<number, unknown>([
      [1, new Map<string, unknown>([['type', 'public-key'], ['id', Uint8Array.of(1)]])],
      [2, new Uint8Array(36)],
      [3, Uint8Array.of(0x30)],
    ]);
    expect(() => decodeAssertion(answer(short))).toThrow('authenticatorData is malformed: authenticatorData is 36 bytes, at least 37 needed');
  });

  it("should give the decoded assertion and the result with the answer's value as its response", async () => {
    const { ctx } = await simContext();
    const made = await makeCredential(ctx, 'ops.fido-harness.test');
    const r = await ctx.call(GA, new Map<number, unknown>([[1, 'ops.fido-harness.test'], [2, new Uint8Array(32)], [3, allowListOf(made.credentialId).map((d) => new Map(Object.entries(d)))]]) as CborMap);
    const got = decodeAssertion(r);
    expect(got.response.credential.id).toEqual(made.credentialId);
    expect(got.authData.raw).toEqual(got.response.authData);
    expect(got.result.response).toBe(r.ok ? r.value : undefined);
    expect(got.result.status).toBe(0);
  });
});

describe('requests with a pinUvAuthToken', () => {
  /** A token whose authenticate() is a recognisable marker of its input. */
  const token: TokenLike = { token: Uint8Array.of(7, 7), protocol: { version: 2, authenticate: (key, message) => Uint8Array.of(key[0]!, message.length, 0xaa) } };

  /** The parameters of the `command` requests sent through the context. */
  async function sentParams(send: (ctx: SuiteContext) => Promise<unknown>, command: number) {
    const sent: CborMap[] = [];
    const { ctx } = await simContext({}, (cmd, payload, next) => {
      if (cmd === command) sent.push(decodeCbor(payload).value as CborMap);
      return next();
    });
    await send(ctx);
    return sent;
  }

  it('should send pinUvAuthParam = authenticate(token, clientDataHash) with the token protocol (§6.1.2 step 11.1.1, §6.2.2), or the param given', async () => {
    const [mc] = await sentParams((ctx) => mcWithToken(ctx, token, 'tok.fido-harness.test'), MC);
    expect([mc!.get(9), hex(mc!.get(8) as Uint8Array)]).toEqual([2, '0720aa']);
    const [ga] = await sentParams((ctx) => gaWithToken(ctx, token, 'tok.fido-harness.test', { pinUvAuthParam: Uint8Array.of(1, 2, 3) }), GA);
    expect([ga!.get(1), ga!.get(7), hex(ga!.get(6) as Uint8Array)]).toEqual(['tok.fido-harness.test', 2, '010203']);
  });

  it('should make and use credentials with user verification by fresh tokens, in the protocol asked for', async () => {
    const { ctx } = await simContext();
    await ctx.ensurePin('set');
    const made = await makeCredentialUv(ctx, 'uvops.fido-harness.test');
    expect(made.authData.flags & 0x04).toBe(0x04);
    const got = await getAssertionUv(ctx, 'uvops.fido-harness.test', { allowList: allowListOf(made.credentialId) });
    expect(got.authData.flags & 0x05).toBe(0x05);
    expect(got.response.credential.id).toEqual(made.credentialId);
    const v1 = await uvParams(ctx, gaRequest('uvops.fido-harness.test'), 1);
    const v2 = await uvParams(ctx, gaRequest('uvops.fido-harness.test'));
    expect([v1.pinUvAuthProtocol, v1.pinUvAuthParam?.length, v2.pinUvAuthProtocol, v2.pinUvAuthParam?.length]).toEqual([1, 16, 2, 32]);
    // the ga token is bound to the RP: another RP's request with it is refused (CTAP 2.1 §6.2.2 step 6.2.2)
    const other = await ctx.request(CtapRequest.getAssertion, { ...v2, rpId: 'elsewhere.fido-harness.test' });
    expect(other.status).toBe(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID);
  });
});
