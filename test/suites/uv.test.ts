import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedBuiltInUv } from '../../authenticator-sim/index.ts';
import { CtapStatus as S } from '../../harness/protocol/index.ts';
import { outcomes, rewriteRequest, runAgainst } from './faultyDevice.ts';
import { clearAuthDataFlags, editInfo, editResponse, failed, infoOption, openPinSuiteSim, subCommandIs, swapStatus, type PinSuiteSim, type Tamper } from './pinSuiteSim.ts';

const MC = 0x01;
const GA = 0x02;
const PIN = 0x06;
const UV = 0x04;

/** what each check says when its tamper below breaks the rule */
const MESSAGES: Record<string, string> = {
  'UV-OPT-001': 'makeCredential with uv=true on a device without built-in UV: expected 0x2c CTAP2_ERR_INVALID_OPTION, got 0x2b CTAP2_ERR_UNSUPPORTED_OPTION',
  // an empty CTAP2_OK where a refusal belongs: the answer is not even a makeCredential response
  'UV-FLAG-003': 'CTAP_MALFORMED_RESPONSE: authenticatorMakeCredential response: 0x11 CTAP2_ERR_CBOR_UNEXPECTED_TYPE: makeCredential response is not a CBOR map',
  'UV-BUILTIN-001': 'UV flag clear after makeCredential with uv=true',
  'UV-TOKEN-001': 'UV flag clear after makeCredential with a UV token',
  'UV-TOKEN-002': 'CLIENT_BAD_RESPONSE: token answer has no pinUvAuthToken (0x02)',
  'UV-RETRIES-001': 'uvRetries is 0',
};

describe('uv suite on the PIN-only simulator', () => {
  let sim: PinSuiteSim;
  beforeAll(async () => {
    sim = await openPinSuiteSim();
  });
  afterAll(async () => sim.close());

  it('should pass the UV-flag checks and skip the built-in UV checks with a reason', async () => {
    const results = await sim.run({ suites: ['uv'] });
    expect(failed(results)).toEqual([]);
    const skipped = results.filter((r) => r.status === 'skip');
    expect(skipped.map((r) => r.id).sort()).toEqual(['UV-BUILTIN-001', 'UV-RETRIES-001', 'UV-TOKEN-001', 'UV-TOKEN-002']);
    for (const r of skipped) expect(r.message).toBe('no built-in user verification (getInfo uv is false)');
    expect(results.filter((r) => r.status === 'pass').map((r) => r.id).sort()).toEqual(['UV-FLAG-001', 'UV-FLAG-002', 'UV-FLAG-003', 'UV-OPT-001']);
  });

  it('should skip, with the reason, what the device does not offer', async () => {
    const outcome = async (id: string, tamper: Tamper) => {
      const [r] = await sim.run({ checks: [id] }, tamper);
      return `${r?.status}: ${r?.message}`;
    };
    expect(await outcome('UV-BUILTIN-001', infoOption('uv', undefined))).toBe('skip: no built-in user verification (getInfo uv is absent)');
    expect(await outcome('UV-FLAG-002', infoOption('clientPin', undefined))).toBe('skip: no clientPin');
    expect(await outcome('UV-FLAG-003', infoOption('clientPin', undefined))).toBe('skip: no clientPin');
    expect(await outcome('UV-FLAG-002', infoOption('makeCredUvNotRqd', false))).toBe('skip: makeCredUvNotRqd not true: a credential cannot be made without UV here');
    expect(await outcome('UV-OPT-001', editInfo((info) => info.set(1, ['U2F_V2', 'FIDO_2_0'])))).toBe('skip: device does not claim FIDO_2_1');
  });

  it('should fail UV-FLAG-001 and UV-FLAG-002 with what set the UV flag', async () => {
    const uvOn = (commands: number[]): Tamper => (c, req, res) =>
      commands.includes(c) ? editResponse(res, (m) => {
        const authData = new Uint8Array(m.get(2) as Uint8Array);
        authData[32] = authData[32]! | UV;
        m.set(2, authData);
      }) : res;
    const outcome = async (id: string, tamper: Tamper) => {
      const [r] = await sim.run({ checks: [id] }, tamper);
      return `${r?.status}: ${r?.message}`;
    };
    expect(await outcome('UV-FLAG-001', uvOn([MC]))).toBe('fail: makeCredential set the UV flag although the user was never verified');
    expect(await outcome('UV-FLAG-001', uvOn([GA]))).toBe('fail: getAssertion set the UV flag although the user was never verified');
    expect(await outcome('UV-FLAG-002', uvOn([MC]))).toBe('fail: makeCredential without a token set the UV flag');
    expect(await outcome('UV-FLAG-002', uvOn([GA]))).toBe('fail: getAssertion without a token set the UV flag');
  });

  const table: Record<string, Tamper> = {
    'UV-OPT-001': swapStatus(MC, S.CTAP2_ERR_INVALID_OPTION, S.CTAP2_ERR_UNSUPPORTED_OPTION),
    'UV-FLAG-003': swapStatus(MC, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_OK),
  };
  for (const [id, tamper] of Object.entries(table)) {
    it(`should fail ${id} when the device breaks its rule`, async () => {
      const [r] = await sim.run({ checks: [id] }, tamper);
      expect(`${r!.status}: ${r!.message}`).toBe(`fail: ${MESSAGES[id]}`);
    });
  }
});

describe('uv suite on a simulator with built-in UV', () => {
  let sim: PinSuiteSim;
  beforeAll(async () => {
    sim = await openPinSuiteSim({ builtInUv: new ScriptedBuiltInUv() });
  });
  afterAll(async () => sim.close());

  it('should pass every applicable check (UV-OPT-001 does not apply)', async () => {
    const results = await sim.run({ suites: ['uv'] });
    expect(failed(results)).toEqual([]);
    expect(results.filter((r) => r.status === 'skip').map((r) => r.id)).toEqual(['UV-OPT-001']);
  });

  it('should say which answer broke the rule', async () => {
    const outcome = async (id: string, tamper: Tamper) => {
      const [r] = await sim.run({ checks: [id] }, tamper);
      return `${r?.status}: ${r?.message}`;
    };
    expect(await outcome('UV-BUILTIN-001', clearAuthDataFlags(UV, [GA]))).toBe('fail: UV flag clear after getAssertion with uv=true');
    const OTHER = '0x7f CTAP1_ERR_OTHER';
    expect(await outcome('UV-TOKEN-001', swapStatus(PIN, S.CTAP2_OK, S.CTAP1_ERR_OTHER, subCommandIs(6)))).toBe(`fail: getPinUvAuthTokenUsingUvWithPermissions: expected 0x00 CTAP2_OK, got ${OTHER}`);
    expect(await outcome('UV-TOKEN-002', swapStatus(PIN, S.CTAP1_ERR_INVALID_PARAMETER, S.CTAP2_ERR_PIN_AUTH_INVALID))).toBe('fail: UV token request with permissions 0: expected 0x02 CTAP1_ERR_INVALID_PARAMETER, got 0x33 CTAP2_ERR_PIN_AUTH_INVALID');
    expect(await outcome('UV-RETRIES-001', swapStatus(PIN, S.CTAP2_OK, S.CTAP1_ERR_OTHER, subCommandIs(7)))).toBe(`fail: getUVRetries: expected 0x00 CTAP2_OK, got ${OTHER}`);
    expect(await outcome('UV-RETRIES-001', (c, req, res) => (c === PIN && subCommandIs(7)(req) ? editResponse(res, (m) => m.delete(5)) : res))).toBe('fail: uvRetries is undefined');
    expect(await outcome('UV-RETRIES-001', (c, req, res) => (c === PIN && subCommandIs(7)(req) ? editResponse(res, (m) => m.set(5, 1)) : res))).toBe('pass: as specified');
    for (const id of ['UV-TOKEN-001', 'UV-TOKEN-002', 'UV-RETRIES-001']) {
      expect(await outcome(id, infoOption('pinUvAuthToken', undefined))).toBe('skip: pinUvAuthToken option absent (no getPinUvAuthTokenUsingUvWithPermissions)');
    }
  });

  it('should use the PIN/UV auth protocol the device lists first (CTAP 2.1 §6.4 pinUvAuthProtocols)', async () => {
    const used = async (id: string, protocols: number[]) => {
      const seen = new Set<unknown>();
      const record: Tamper = (c, req, res) => {
        if (c === PIN && req?.has(1)) seen.add(req.get(1));
        if (c === MC && req?.has(9)) seen.add(req.get(9));
        return c === 0x04 ? editResponse(res, (m) => m.set(6, protocols)) : res;
      };
      const [r] = await sim.run({ checks: [id] }, record);
      return `${r?.status} ${[...seen].join(',')}`;
    };
    expect(await used('UV-TOKEN-001', [2, 1])).toBe('pass 2');
    expect(await used('UV-TOKEN-001', [1, 2])).toBe('pass 1');
    expect(await used('UV-TOKEN-001', [3, 1])).toBe('pass 1');
    expect(await used('UV-RETRIES-001', [1])).toBe('pass 1');
    expect(await used('UV-FLAG-003', [2])).toBe('pass 2');
  });

  const table: Record<string, Tamper> = {
    'UV-BUILTIN-001': clearAuthDataFlags(UV),
    'UV-TOKEN-001': clearAuthDataFlags(UV, [MC]),
    'UV-TOKEN-002': swapStatus(PIN, S.CTAP1_ERR_INVALID_PARAMETER, S.CTAP2_OK),
    'UV-RETRIES-001': (c, req, res) => (c === PIN && subCommandIs(7)(req) ? editResponse(res, (m) => m.set(5, 0)) : res),
  };
  for (const [id, tamper] of Object.entries(table)) {
    it(`should fail ${id} when the device breaks its rule`, async () => {
      const [r] = await sim.run({ checks: [id] }, tamper);
      expect(`${r!.status}: ${r!.message}`).toBe(`fail: ${MESSAGES[id]}`);
    });
  }
});

/** What each check sent: makeCredential's rp.id, getAssertion's rpId and up option (a silent assertion asks for no touch). */
function recorder(sent: string[]): Tamper {
  return (c, req, res) => {
    if (c === MC) sent.push(`mc ${String((req?.get(2) as Map<string, unknown> | undefined)?.get('id'))}`);
    if (c === GA) sent.push(`ga ${String(req?.get(1))} up=${String((req?.get(5) as Map<string, boolean> | undefined)?.get('up'))}`);
    return res;
  };
}

describe('what the uv checks send (their own RP ID, silent assertions where they say so)', () => {
  it('should use each check\'s RP ID, and up=false in the UV-flag checks\' assertions', async () => {
    const pinOnly = await openPinSuiteSim();
    const builtIn = await openPinSuiteSim({ builtInUv: new ScriptedBuiltInUv() });
    try {
      const sent = async (sim: PinSuiteSim, id: string) => {
        const out: string[] = [];
        const [r] = await sim.run({ checks: [id] }, recorder(out));
        return [`${r?.status}`, ...out.filter((x) => !x.includes('pool'))];
      };
      expect(await sent(pinOnly, 'UV-FLAG-001')).toEqual(['pass', 'mc uv-flag-001.fido-harness.test', 'ga uv-flag-001.fido-harness.test up=false']);
      expect(await sent(pinOnly, 'UV-FLAG-002')).toEqual(['pass', 'mc uv-flag-002.fido-harness.test', 'ga uv-flag-002.fido-harness.test up=false']);
      expect(await sent(pinOnly, 'UV-OPT-001')).toEqual(['pass', 'mc uv-opt-001.fido-harness.test']);
      expect(await sent(pinOnly, 'UV-FLAG-003')).toEqual(['pass', 'mc uv-flag-003.fido-harness.test']);
      expect(await sent(builtIn, 'UV-BUILTIN-001')).toEqual(['pass', 'mc uv-builtin-001.fido-harness.test', 'ga uv-builtin-001.fido-harness.test up=undefined']);
      expect(await sent(builtIn, 'UV-TOKEN-001')).toEqual(['pass', 'mc uv-token-001.fido-harness.test']);
    } finally {
      await pinOnly.close();
      await builtIn.close();
    }
  });
});

describe('UV-FLAG-003 on a key that does not verify pinUvAuthParam', () => {
  it('should fail when a makeCredential with a forged pinUvAuthParam is made anyway', async () => {
    // the key ignores pinUvAuthParam and makes the credential (makeCredUvNotRqd lets it without UV)
    const ignoresParam = rewriteRequest(MC, (p) => {
      p.delete(0x08);
      p.delete(0x09);
    });
    const results = await runAgainst({ checks: ['UV-FLAG-003'], fault: ignoresParam });
    expect(outcomes(results)).toEqual({ 'UV-FLAG-003': 'fail: makeCredential with a pinUvAuthParam under a random key: expected 0x33 CTAP2_ERR_PIN_AUTH_INVALID, got 0x00 CTAP2_OK' });
  });
});

describe('uv suite with the uv-without-pin quirk', () => {
  it('should fail the checks that the UV flag comes only after verification', async () => {
    const sim = await openPinSuiteSim({ quirks: ['uv-without-pin'] });
    try {
      expect(failed(await sim.run({ suites: ['uv'] })).sort()).toEqual(['UV-FLAG-001', 'UV-FLAG-002']);
    } finally {
      await sim.close();
    }
  });
});
