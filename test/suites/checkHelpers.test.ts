import { describe, expect, it } from 'vitest';
import { ClientError } from '../../harness/client/index.ts';
import { CtapProtocolError } from '../../harness/ctap/index.ts';
import { AuthDataFlag, buildAuthenticatorData, CtapStatus, CtapStatusError, CtapVersion, PinUvAuthPermission, type AuthenticatorInfo, type CborMap } from '../../harness/protocol/index.ts';
import { CheckFailed } from '../../harness/runner/Check.ts';
import { ensure, expectStatus, expectStatusIn, hex } from '../../harness/suites/expect.ts';
import { failOnStatus } from '../../harness/suites/failOnStatus.ts';
import { all, needsAlwaysUvOff, needsClientPin, needsCtap21, needsExtension, needsNoBuiltInUv, needsPermissionsToken, needsRk, offersProtocol } from '../../harness/suites/needs.ts';
import { parameterChecks } from '../../harness/suites/parameterChecks.ts';
import { grantedPermissionOtherThan, unsupportedPermissions } from '../../harness/suites/permissionSupport.ts';
import { countPresenceWaits, expectOneTouchWithUp, needsPresenceCount } from '../../harness/suites/presenceCount.ts';
import type { CallResult, SuiteContext } from '../../harness/suites/SuiteContext.ts';

// The small pieces every check is made of (harness/suites/*.ts): each turns a device's answer into the
// check's verdict, so each is shown to fail a device that gets it wrong, with the words it says.

/** What a CheckFailed (or anything else) thrown by `f` says: "failed: message" or "threw: name message". */
async function outcome(f: () => unknown): Promise<string> {
  try {
    await f();
    return 'ok';
  } catch (err) {
    if (err instanceof CheckFailed) return `failed: ${err.message}`;
    return `threw: ${(err as Error).name} ${(err as Error).message}`;
  }
}

/** The evidence of the CheckFailed `f` throws ('no failure' when it throws none). */
function detailOf(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return (err as CheckFailed).evidence;
  }
  return 'no failure';
}

const info = (i: Partial<AuthenticatorInfo> & { options?: Record<string, boolean> } = {}): AuthenticatorInfo => ({ versions: [CtapVersion.FIDO_2_1], aaguid: new Uint8Array(16), ...i }) as AuthenticatorInfo;
const ctxOf = (i: AuthenticatorInfo, device: object = {}) => ({ info: i, device: { kind: 'sim', ...device } }) as unknown as SuiteContext;

describe('expect.ts', () => {
  it('expectStatus passes the expected status only, failing with both named', async () => {
    expect(await outcome(() => expectStatus({ status: 0x2e }, CtapStatus.CTAP2_ERR_NO_CREDENTIALS, 'x'))).toBe('ok');
    expect(await outcome(() => expectStatus({ status: 0 }, CtapStatus.CTAP2_ERR_NO_CREDENTIALS, 'getAssertion of nothing'))).toBe(
      'failed: getAssertion of nothing: expected 0x2e CTAP2_ERR_NO_CREDENTIALS, got 0x00 CTAP2_OK',
    );
    expect(detailOf(() => expectStatus({ status: 0 }, 0x2e, 'x'))).toMatchObject({ expected: '0x2e CTAP2_ERR_NO_CREDENTIALS', actual: '0x00 CTAP2_OK' });
  });

  it('expectStatusIn passes any allowed status, failing with the list', async () => {
    expect(await outcome(() => expectStatusIn({ status: 0x14 }, [0x12, 0x14], 'x'))).toBe('ok');
    expect(await outcome(() => expectStatusIn({ status: 0x12 }, [0x12, 0x14], 'x'))).toBe('ok');
    expect(await outcome(() => expectStatusIn({ status: 0 }, [0x12, 0x14], 'bad request'))).toBe(
      'failed: bad request: expected 0x12 CTAP2_ERR_INVALID_CBOR or 0x14 CTAP2_ERR_MISSING_PARAMETER, got 0x00 CTAP2_OK',
    );
    expect(detailOf(() => expectStatusIn({ status: 0 }, [0x12, 0x14], 'x'))).toMatchObject({ expected: '0x12 CTAP2_ERR_INVALID_CBOR or 0x14 CTAP2_ERR_MISSING_PARAMETER', actual: '0x00 CTAP2_OK' });
  });

  it('ensure fails with its message and detail on a falsy condition; hex names absent bytes', async () => {
    expect(await outcome(() => ensure(1, 'never'))).toBe('ok');
    for (const no of [false, 0, '', undefined, null]) expect(await outcome(() => ensure(no, 'UP clear'))).toBe('failed: UP clear');
    expect(detailOf(() => ensure(false, 'm', { expected: 'a', actual: 'b' }))).toMatchObject({ expected: 'a', actual: 'b' });
    expect(hex(Uint8Array.of(0, 0xab))).toBe('00ab');
    expect(hex(undefined)).toBe('(none)');
  });
});

describe('failOnStatus', () => {
  it('returns the value of a call that worked', async () => {
    expect(await failOnStatus('x', async () => 42)).toBe(42);
  });

  it('turns what the device did wrong into the failure: a CTAP status, a malformed answer, a bad response to the client', async () => {
    expect(await outcome(() => failOnStatus('setPIN', async () => Promise.reject(new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_POLICY_VIOLATION))))).toBe('failed: setPIN answered 0x37 CTAP2_ERR_PIN_POLICY_VIOLATION');
    const err = await failOnStatus('setPIN', async () => Promise.reject(new CtapStatusError(0x37))).catch((e: unknown) => e);
    expect((err as CheckFailed).evidence).toEqual({ actual: '0x37 CTAP2_ERR_PIN_POLICY_VIOLATION' });
    expect(await outcome(() => failOnStatus('x', async () => Promise.reject(new CtapProtocolError('CTAP_MALFORMED_RESPONSE', 'member 2 missing'))))).toBe('failed: CTAP_MALFORMED_RESPONSE: member 2 missing');
    expect(await outcome(() => failOnStatus('x', async () => Promise.reject(new ClientError('CLIENT_BAD_RESPONSE', 'NotAllowedError', 'no token'))))).toBe('failed: CLIENT_BAD_RESPONSE: no token');
  });

  it('leaves other errors as errors: the transport, the harness, other protocol and client errors', async () => {
    expect(await outcome(() => failOnStatus('x', async () => Promise.reject(new CtapProtocolError('CTAP_REQUEST_TOO_LARGE', 'big'))))).toBe('threw: CtapProtocolError CTAP_REQUEST_TOO_LARGE: big');
    expect(await outcome(() => failOnStatus('x', async () => Promise.reject(new ClientError('CLIENT_PIN_REQUIRED', 'NotAllowedError', 'no PIN'))))).toMatch(/^threw: ClientError CLIENT_PIN_REQUIRED/);
    expect(await outcome(() => failOnStatus('x', async () => Promise.reject(new TypeError('bug'))))).toBe('threw: TypeError bug');
  });
});

describe('needs.ts', () => {
  it('all() gives the first reason, or none', () => {
    const yes = () => undefined;
    expect(all(yes, () => 'a', () => 'b')(ctxOf(info()))).toBe('a');
    expect(all(yes, yes)(ctxOf(info()))).toBeUndefined();
    expect(all()(ctxOf(info()))).toBeUndefined();
  });

  it('protocols: a key listing none speaks protocol one', () => {
    expect(offersProtocol(ctxOf(info()), 1)).toBe(true);
    expect(offersProtocol(ctxOf(info()), 2)).toBe(false);
    expect(offersProtocol(ctxOf(info({ pinUvAuthProtocols: [2] })), 1)).toBe(false);
    expect(offersProtocol(ctxOf(info({ pinUvAuthProtocols: [2] })), 2)).toBe(true);
  });

  it('needsClientPin: clientPin present (true or false), and the protocol when asked', () => {
    expect(needsClientPin()(ctxOf(info()))).toBe('clientPin option absent: the device has no PIN');
    expect(needsClientPin()(ctxOf(info({ options: { clientPin: false } })))).toBeUndefined();
    expect(needsClientPin(2)(ctxOf(info({ options: { clientPin: true }, pinUvAuthProtocols: [1] })))).toBe('PIN/UV auth protocol 2 not in getInfo pinUvAuthProtocols');
    expect(needsClientPin(1)(ctxOf(info({ options: { clientPin: true }, pinUvAuthProtocols: [1] })))).toBeUndefined();
  });

  it('a getInfo without options: every option-based need gives its reason', () => {
    const bare = ctxOf({ versions: ['FIDO_2_1'], aaguid: new Uint8Array(16) } as AuthenticatorInfo);
    expect(needsPermissionsToken(bare)).toBe('pinUvAuthToken option absent (no getPinUvAuthTokenUsingPinWithPermissions)');
    expect(needsRk(bare)).toBe('discoverable credentials not offered (rk)');
    expect(needsAlwaysUvOff(bare)).toBeUndefined();
    expect(needsNoBuiltInUv(bare)).toBeUndefined();
    expect(needsClientPin()(bare)).toBe('clientPin option absent: the device has no PIN');
  });

  it('the one-option needs', () => {
    expect(needsCtap21(ctxOf(info({ versions: ['FIDO_2_0'] })))).toBe('device does not claim FIDO_2_1');
    expect(needsCtap21(ctxOf(info()))).toBeUndefined();
    expect(needsPermissionsToken(ctxOf(info({ options: { pinUvAuthToken: false } })))).toBe('pinUvAuthToken option absent (no getPinUvAuthTokenUsingPinWithPermissions)');
    expect(needsPermissionsToken(ctxOf(info({ options: { pinUvAuthToken: true } })))).toBeUndefined();
    expect(needsExtension('credBlob')(ctxOf(info({ extensions: ['hmac-secret'] })))).toBe('the credBlob extension is not offered in getInfo');
    expect(needsExtension('credBlob')(ctxOf(info()))).toBe('the credBlob extension is not offered in getInfo');
    expect(needsExtension('credBlob')(ctxOf(info({ extensions: ['credBlob'] })))).toBeUndefined();
    expect(needsRk(ctxOf(info({ options: { rk: false } })))).toBe('discoverable credentials not offered (rk)');
    expect(needsRk(ctxOf(info({ options: { rk: true } })))).toBeUndefined();
    expect(needsNoBuiltInUv(ctxOf(info({ options: { uv: true } })))).toBe('device has a configured built-in user verification method (uv true)');
    expect(needsNoBuiltInUv(ctxOf(info({ options: { uv: false } })))).toBeUndefined();
    expect(needsNoBuiltInUv(ctxOf(info()))).toBeUndefined();
    expect(needsAlwaysUvOff(ctxOf(info({ options: { alwaysUv: true } })))).toMatch(/^alwaysUv is on: the key verifies the user in every request/);
    expect(needsAlwaysUvOff(ctxOf(info({ options: { alwaysUv: false } })))).toBeUndefined();
  });
});

describe('permissionSupport', () => {
  const names = (i: AuthenticatorInfo) => unsupportedPermissions(i).map((p) => p.name);
  const { lbw, acfg, cm, be, ga, mc } = PinUvAuthPermission;

  it('refuses each permission whose getInfo statement holds (CTAP 2.1 §6.5.5.7.2 step 4)', () => {
    expect(names(info())).toEqual(['cm', 'be', 'lbw', 'acfg']);
    expect(names(info({ options: { credMgmt: true, bioEnroll: false, largeBlobs: true, authnrCfg: true } }))).toEqual([]);
    expect(names(info({ options: { credMgmt: false, largeBlobs: false, authnrCfg: false } }))).toEqual(['cm', 'be', 'lbw', 'acfg']);
    // the preview options count as offering (not judged on a reading of the preview)
    expect(names(info({ options: { credentialMgmtPreview: true, userVerificationMgmtPreview: false } }))).toEqual(['lbw', 'acfg']);
    expect(names(info({ options: { noMcGaPermissionsWithClientPin: true, credMgmt: true, bioEnroll: true, largeBlobs: true, authnrCfg: true } }))).toEqual(['mc', 'ga']);
    expect(names(info({ options: { noMcGaPermissionsWithClientPin: false, credMgmt: true, bioEnroll: true, largeBlobs: true, authnrCfg: true } }))).toEqual([]);
  });

  it('judges pcmr only on a CTAP 2.2 key (undefined to a 2.1 key)', () => {
    const all22 = { credMgmt: true, bioEnroll: true, largeBlobs: true, authnrCfg: true };
    expect(names(info({ versions: [CtapVersion.FIDO_2_1, CtapVersion.FIDO_2_2], options: all22 }))).toEqual(['pcmr']);
    expect(names(info({ versions: [CtapVersion.FIDO_2_1, CtapVersion.FIDO_2_2], options: { ...all22, perCredMgmtRO: false } }))).toEqual(['pcmr']);
    expect(names(info({ versions: [CtapVersion.FIDO_2_1, CtapVersion.FIDO_2_2], options: { ...all22, perCredMgmtRO: true } }))).toEqual([]);
    expect(names(info({ options: { ...all22, perCredMgmtRO: false } }))).toEqual([]);
    const statement = unsupportedPermissions(info({ versions: [CtapVersion.FIDO_2_2] })).find((p) => p.name === 'pcmr')!;
    expect(statement).toMatchObject({ bit: PinUvAuthPermission.pcmr, statement: 'perCredMgmtRO is false or absent' });
  });

  it('picks another permission a PIN token may carry: not RP-bound first, then ga', () => {
    const full = info({ options: { credMgmt: true, bioEnroll: true, largeBlobs: true, authnrCfg: true } });
    expect(grantedPermissionOtherThan(full, lbw)).toBe(acfg);
    expect(grantedPermissionOtherThan(full, acfg)).toBe(lbw);
    expect(grantedPermissionOtherThan(info({ options: { credMgmt: true } }), mc)).toBe(cm);
    // credentialMgmtPreview alone is not offering cm; bioEnroll false is offering be (present)
    expect(grantedPermissionOtherThan(info({ options: { credentialMgmtPreview: true } }), mc)).toBe(ga);
    expect(grantedPermissionOtherThan(info({ options: { bioEnroll: false } }), mc)).toBe(be);
    expect(grantedPermissionOtherThan(info({ options: { userVerificationMgmtPreview: true } }), mc)).toBe(ga);
    expect(grantedPermissionOtherThan(info(), lbw)).toBe(ga);
    expect(grantedPermissionOtherThan(info({ options: { noMcGaPermissionsWithClientPin: true } }), lbw)).toBeUndefined();
    expect(grantedPermissionOtherThan(info(), ga)).toBeUndefined();
  });
});

describe('parameterChecks', () => {
  const valid = (): CborMap => new Map([[1, 'a'], [2, 'b']]);
  const checks = parameterChecks('make-credential', 0x01, 'CTAP 2.1 §6.1', () => valid(), [
    ['T-MISS-001', 'member 1 missing', 1, undefined, CtapStatus.CTAP2_ERR_MISSING_PARAMETER],
    ['T-TYPE-001', 'member 2 of the wrong type', 2, 7, CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE],
  ]);
  /** a device that answers `status` and records what it was sent */
  const device = (status: (req: CborMap) => number) => {
    const sent: { command: number; request: CborMap }[] = [];
    const ctx = { call: async (command: number, request: CborMap) => (sent.push({ command, request }), { status: status(request), ok: false }) } as unknown as SuiteContext;
    return { ctx, sent };
  };

  it('one check per case, touch-free, titled with the status', () => {
    expect(checks.map((c) => [c.id, c.suite, c.title, c.specRef, c.touches])).toEqual([
      ['T-MISS-001', 'make-credential', 'member 1 missing is refused with CTAP2_ERR_MISSING_PARAMETER', 'CTAP 2.1 §6.1', 0],
      ['T-TYPE-001', 'make-credential', 'member 2 of the wrong type is refused with CTAP2_ERR_CBOR_UNEXPECTED_TYPE', 'CTAP 2.1 §6.1', 0],
    ]);
  });

  it('sends the valid request with the one member deleted or replaced, and fails on another status', async () => {
    const strict = device((req) => (!req.has(1) ? CtapStatus.CTAP2_ERR_MISSING_PARAMETER : typeof req.get(2) !== 'string' ? CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE : 0));
    for (const c of checks) expect(await outcome(() => c.run(strict.ctx, new AbortController().signal))).toBe('ok');
    expect(strict.sent.map((s) => [s.command, [...s.request]])).toEqual([
      [0x01, [[2, 'b']]],
      [0x01, [[1, 'a'], [2, 7]]],
    ]);
    const lax = device(() => 0);
    expect(await outcome(() => checks[0]!.run(lax.ctx, new AbortController().signal))).toBe('failed: member 1 missing: expected 0x14 CTAP2_ERR_MISSING_PARAMETER, got 0x00 CTAP2_OK');
    expect(await outcome(() => checks[1]!.run(lax.ctx, new AbortController().signal))).toBe('failed: member 2 of the wrong type: expected 0x11 CTAP2_ERR_CBOR_UNEXPECTED_TYPE, got 0x00 CTAP2_OK');
  });
});

describe('presenceCount', () => {
  const presence = () => ({ waits: 0 });
  const gaAnswer = (flags: number): CallResult<unknown> =>
    ({
      ok: true,
      status: 0,
      value: new Map<number, unknown>([
        [1, new Map<string, unknown>([['type', 'public-key'], ['id', new Uint8Array(16)]])],
        [2, buildAuthenticatorData({ rpIdHash: new Uint8Array(32), flags, signCount: 1 })],
        [3, new Uint8Array(70)],
      ]),
    }) as unknown as CallResult<unknown>;

  it('needs a transport that shows the device waiting: CTAPHID or NFC', () => {
    expect(needsPresenceCount(ctxOf(info()))).toBe('the transport does not show the device waiting for a touch');
    expect(needsPresenceCount(ctxOf(info(), { hid: { presence: presence() } }))).toBeUndefined();
    expect(needsPresenceCount(ctxOf(info(), { nfc: { presence: presence() } }))).toBeUndefined();
  });

  it('counts the waits announced while the body ran (undefined without such a transport)', async () => {
    for (const via of ['hid', 'nfc']) {
      const p = { waits: 5 };
      const ctx = ctxOf(info(), { [via]: { presence: p } });
      expect(await countPresenceWaits(ctx, async () => ((p.waits += 2), 'v'))).toEqual({ value: 'v', waits: 2 });
    }
    expect(await countPresenceWaits(ctxOf(info()), async () => 'v')).toEqual({ value: 'v', waits: undefined });
  });

  it('a request with a PIN token must ask for exactly one touch and set UP', async () => {
    const p = { waits: 0 };
    const ctx = ctxOf(info(), { hid: { presence: p } });
    const touches = (n: number, flags: number) => async () => ((p.waits += n), gaAnswer(flags));
    expect((await expectOneTouchWithUp(ctx, 'getAssertion', touches(1, AuthDataFlag.UP))).up).toBe(true);
    expect(await outcome(() => expectOneTouchWithUp(ctx, 'getAssertion', touches(0, AuthDataFlag.UP)))).toBe('failed: getAssertion with a PIN token asked for 0 touches, not 1');
    expect(await outcome(() => expectOneTouchWithUp(ctx, 'getAssertion', touches(2, AuthDataFlag.UP)))).toBe('failed: getAssertion with a PIN token asked for 2 touches, not 1');
    expect(await outcome(() => expectOneTouchWithUp(ctx, 'getAssertion', touches(1, 0)))).toBe('failed: UP clear after getAssertion collected the touch');
    const err = await expectOneTouchWithUp(ctx, 'getAssertion', touches(3, AuthDataFlag.UP)).catch((e: unknown) => e);
    expect((err as CheckFailed).evidence).toEqual({ expected: '1 presence wait', actual: '3' });
  });
});
