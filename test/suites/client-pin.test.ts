import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FEATURES } from '../../authenticator-sim/index.ts';
import { CtapStatus as S, type CborMap } from '../../harness/protocol/index.ts';
import { clearAuthDataFlags, editResponse, failed, openPinSuiteSim, subCommandIs, swapStatus, type PinSuiteSim, type Tamper } from './pinSuiteSim.ts';

const MC = 0x01;
const GA = 0x02;
const PIN = 0x06;
const OTHER = S.CTAP1_ERR_OTHER;
const UV = 0x04;
const sub = { getPINRetries: 1, getKeyAgreement: 2, setPIN: 3, changePIN: 4, getPINToken: 5, withPermissions: 9 };

/**
 * For each check of the client-pin suite, a device answer that breaks the rule it enforces (a tamper
 * between host and simulator): with it in place the check must fail. Where a simulator quirk exists
 * (pin-retries-not-decremented) the quirk is used instead.
 */
const perProtocol: Record<string, Tamper> = {
  'KA-001': (c, req, res) => (c === PIN && subCommandIs(sub.getKeyAgreement)(req) ? editResponse(res, (m) => (m.get(1) as CborMap).set(3, -7)) : res),
  'SETPIN-001': swapStatus(PIN, S.CTAP2_OK, OTHER, subCommandIs(sub.setPIN)),
  // the status the brief asked for (CTAP2_ERR_NOT_ALLOWED) is not the spec's: a device answering it fails
  'SETPIN-002': swapStatus(PIN, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_ERR_NOT_ALLOWED, subCommandIs(sub.setPIN)),
  'SETPIN-003': swapStatus(PIN, S.CTAP2_ERR_PIN_AUTH_INVALID, OTHER, subCommandIs(sub.setPIN)),
  'POLICY-001': swapStatus(PIN, S.CTAP2_ERR_PIN_POLICY_VIOLATION, S.CTAP2_OK, subCommandIs(sub.setPIN)),
  'POLICY-002': swapStatus(PIN, S.CTAP2_ERR_PIN_POLICY_VIOLATION, S.CTAP2_OK, subCommandIs(sub.setPIN)),
  'POLICY-003': swapStatus(PIN, S.CTAP2_ERR_PIN_POLICY_VIOLATION, S.CTAP2_OK, subCommandIs(sub.setPIN)),
  'POLICY-004': swapStatus(PIN, S.CTAP2_OK, S.CTAP2_ERR_PIN_POLICY_VIOLATION, subCommandIs(sub.setPIN)),
  'PAD-001': swapStatus(PIN, S.CTAP1_ERR_INVALID_PARAMETER, S.CTAP2_OK, subCommandIs(sub.setPIN)),
  'CHANGE-001': swapStatus(PIN, S.CTAP2_OK, OTHER, subCommandIs(sub.changePIN)),
  'CHANGE-002': swapStatus(PIN, S.CTAP2_ERR_PIN_INVALID, S.CTAP2_ERR_PIN_AUTH_INVALID, subCommandIs(sub.changePIN)),
  'CHANGE-003': swapStatus(MC, S.CTAP2_ERR_PIN_AUTH_INVALID, OTHER),
  'WRONG-002': swapStatus(PIN, S.CTAP2_ERR_PIN_INVALID, S.CTAP2_OK),
  'BLOCK-001': swapStatus(PIN, S.CTAP2_ERR_PIN_AUTH_BLOCKED, S.CTAP2_ERR_PIN_INVALID),
  'MISSING-001': swapStatus(PIN, S.CTAP2_ERR_MISSING_PARAMETER, S.CTAP1_ERR_INVALID_PARAMETER),
  'MISSING-002': swapStatus(PIN, S.CTAP2_ERR_MISSING_PARAMETER, S.CTAP2_ERR_PIN_INVALID),
  'PERM-001': swapStatus(GA, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_OK),
  'PERM-002': swapStatus(MC, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_OK),
  'PERM-003': swapStatus(MC, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_OK),
  'PERM-004': swapStatus(PIN, S.CTAP1_ERR_INVALID_PARAMETER, S.CTAP2_ERR_UNAUTHORIZED_PERMISSION, subCommandIs(sub.withPermissions)),
  'PERM-005': swapStatus(GA, S.CTAP2_OK, S.CTAP2_ERR_PIN_AUTH_INVALID),
  'ONCE-001': swapStatus(MC, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_OK),
  'LEGACY-001': clearAuthDataFlags(UV, [MC]),
  'LEGACY-002': swapStatus(PIN, S.CTAP1_ERR_INVALID_PARAMETER, S.CTAP2_OK, subCommandIs(sub.getPINToken)),
  'LEGACY-003': swapStatus(MC, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_OK),
  'UVFLAG-001': clearAuthDataFlags(UV, [MC]),
  'UVFLAG-002': clearAuthDataFlags(UV, [GA]),
  'PARAM-001': swapStatus(MC, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_OK),
  'PROBE-001': swapStatus(MC, S.CTAP2_ERR_PIN_INVALID, S.CTAP2_ERR_PIN_NOT_SET),
  'PROBE-002': swapStatus(GA, S.CTAP2_ERR_PIN_INVALID, S.CTAP2_ERR_PIN_NOT_SET),
};

const general: Record<string, Tamper> = {
  'CLIENTPIN-RETRIES-001': (c, req, res) => (c === PIN && subCommandIs(sub.getPINRetries)(req) ? editResponse(res, (m) => m.set(3, 9)) : res),
  'CLIENTPIN-SUBCMD-001': swapStatus(PIN, S.CTAP2_ERR_INVALID_SUBCOMMAND, S.CTAP1_ERR_INVALID_PARAMETER),
  'CLIENTPIN-PROTO-001': swapStatus(PIN, S.CTAP1_ERR_INVALID_PARAMETER, S.CTAP2_ERR_MISSING_PARAMETER),
  'CLIENTPIN-PROTO-002': swapStatus(PIN, S.CTAP2_ERR_MISSING_PARAMETER, S.CTAP1_ERR_INVALID_PARAMETER),
  'CLIENTPIN-PUAT-001': swapStatus(MC, S.CTAP2_ERR_PUAT_REQUIRED, S.CTAP2_ERR_PIN_AUTH_INVALID),
  'PIN-TOKEN-001': clearAuthDataFlags(UV, [MC]),
  'PIN-TOKEN-002': clearAuthDataFlags(UV, [MC]),
};

const table: Array<[string, Tamper]> = [
  ...Object.entries(general),
  ...[1, 2].flatMap((v) => Object.entries(perProtocol).map(([rest, t]): [string, Tamper] => [`CLIENTPIN-V${v}-${rest}`, t])),
];

describe('client-pin suite', () => {
  let sim: PinSuiteSim;
  beforeAll(async () => {
    sim = await openPinSuiteSim();
  });
  afterAll(async () => sim.close());

  it('should pass every check on the clean simulator (including PIN-TOKEN-001/002 and the power-cycle check)', async () => {
    const results = await sim.run({ suites: ['client-pin'] });
    expect(failed(results)).toEqual([]);
    // the simulator offers the feature of every permission: none to refuse (its own test is below)
    expect(results.filter((r) => r.status === 'skip').map((r) => `${r.id}: ${r.message}`)).toEqual([
      'CLIENTPIN-UNAUTHPERM-001: getInfo offers the feature of every pinUvAuthToken permission: none to refuse',
    ]);
    const ids = results.map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining(['PIN-TOKEN-001', 'PIN-TOKEN-002', 'CLIENTPIN-V1-BLOCK-001', 'CLIENTPIN-V2-BLOCK-001']));
    expect(ids.length).toBeGreaterThanOrEqual(60);
  }, 30_000);

  it('should have a failing case for every check of the suite', async () => {
    const results = await sim.run({ suites: ['client-pin'] });
    // the WRONG checks fail on pin-retries-not-decremented, UNAUTHPERM on its key without features (below)
    const covered = new Set([...table.map(([id]) => id), 'CLIENTPIN-V1-WRONG-001', 'CLIENTPIN-V2-WRONG-001', 'CLIENTPIN-UNAUTHPERM-001']);
    expect(results.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  }, 30_000);

  it('should fail each check when the device breaks the rule it enforces', async () => {
    const survivors: string[] = [];
    for (const [id, tamper] of table) {
      // alone and untampered it passes, so the failure below is the tamper's doing
      const [clean] = await sim.run({ checks: [id] });
      if (clean?.status !== 'pass') survivors.push(`${id} untampered: ${clean?.status} ${clean?.message}`);
      const [result] = await sim.run({ checks: [id] }, tamper);
      if (result?.status !== 'fail') survivors.push(`${id}: ${result?.status} ${result?.message}`);
    }
    expect(survivors).toEqual([]);
  }, 60_000);

  it('should skip the three-wrong-PINs check with a reason when the device cannot be power-cycled', async () => {
    const { runSuites } = await import('../../harness/suites/runSuites.ts');
    const { results } = await runSuites({
      device: { ctap2: sim.device.ctap2, kind: 'sim' },
      context: { allowDestructive: true, pin: '1234' },
      checks: ['CLIENTPIN-V2-BLOCK-001'],
    });
    expect(results[0]!.status).toBe('skip');
    expect(results[0]!.message).toMatch(/power-cycled/);
  });
});

describe('client-pin suite with the pin-retries-not-decremented quirk', () => {
  it('should fail exactly the retry-count checks of both protocols', async () => {
    const sim = await openPinSuiteSim({ quirks: ['pin-retries-not-decremented'] });
    try {
      const results = await sim.run({ suites: ['client-pin'] });
      expect(failed(results).sort()).toEqual(['CLIENTPIN-V1-WRONG-001', 'CLIENTPIN-V2-WRONG-001']);
    } finally {
      await sim.close();
    }
  }, 30_000);
});

describe('CLIENTPIN-UNAUTHPERM-001 on a key without credential management, large blobs, authenticatorConfig or a fingerprint sensor', () => {
  const without = { features: { ...DEFAULT_FEATURES, credMgmt: false, credMgmtPreview: false, largeBlobs: false, authnrCfg: false }, fingerprint: false as const };
  const run = async (options: Parameters<typeof openPinSuiteSim>[0], tamper?: Tamper) => {
    const sim = await openPinSuiteSim(options);
    try {
      const [result] = await sim.run({ checks: ['CLIENTPIN-UNAUTHPERM-001'] }, tamper);
      return result!;
    } finally {
      await sim.close();
    }
  };

  it('should pass when the key refuses cm, be, lbw and acfg (CTAP 2.1 §6.5.5.7.2 step 4)', async () => {
    const result = await run(without);
    expect(result.status).toBe('pass');
    expect(result.message).toBe('refused cm, be, lbw, acfg');
  }, 30_000);

  it('should fail when one of them is granted: a device answering CTAP2_OK, and the unsupported-permission-granted quirk', async () => {
    const granted = await run(without, swapStatus(PIN, S.CTAP2_ERR_UNAUTHORIZED_PERMISSION, S.CTAP2_OK, (req) => subCommandIs(sub.withPermissions)(req) && req?.get(9) === 0x20));
    expect(granted.status).toBe('fail');
    expect(granted.message).toMatch(/acfg \(0x20; authnrCfg is false or absent\): 0x00 CTAP2_OK/);
    const quirk = await run({ quirks: ['unsupported-permission-granted'] });
    expect(quirk.status).toBe('fail');
    expect(quirk.message).toMatch(/^permissions getInfo rules out were not refused: lbw \(0x10; largeBlobs is false or absent\)/);
  }, 30_000);
});
