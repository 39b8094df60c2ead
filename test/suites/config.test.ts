import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CtapStatus as S } from '../../harness/protocol/index.ts';
import { editInfo, failed, infoOption, openPinSuiteSim, subCommandIs, swapStatus, type PinSuiteSim, type Tamper } from './pinSuiteSim.ts';

const MC = 0x01;
const PIN = 0x06;
const CFG = 0x0d;

const OK = '0x00 CTAP2_OK';
const OTHER = '0x7f CTAP1_ERR_OTHER';
const POLICY = '0x37 CTAP2_ERR_PIN_POLICY_VIOLATION';
const cfgSub = (n: number) => (req: Map<unknown, unknown> | undefined) => req?.get(1) === n;

/** For each config check, a device answer that breaks the rule it enforces, and what the check must then say. */
const table: Record<string, [Tamper, string]> = {
  'CONFIG-AUTH-001': [swapStatus(CFG, S.CTAP2_ERR_PUAT_REQUIRED, S.CTAP2_OK), `authenticatorConfig without pinUvAuthParam: expected 0x36 CTAP2_ERR_PUAT_REQUIRED, got ${OK}`],
  'CONFIG-AUTH-002': [swapStatus(CFG, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_OK), `authenticatorConfig with an mc-only token: expected 0x33 CTAP2_ERR_PIN_AUTH_INVALID, got ${OK}`],
  'CONFIG-AUTH-003': [swapStatus(CFG, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_ERR_PUAT_REQUIRED), 'authenticatorConfig with a wrong pinUvAuthParam: expected 0x33 CTAP2_ERR_PIN_AUTH_INVALID, got 0x36 CTAP2_ERR_PUAT_REQUIRED'],
  'CONFIG-SUBCMD-001': [swapStatus(CFG, S.CTAP2_ERR_INVALID_SUBCOMMAND, S.CTAP1_ERR_INVALID_COMMAND), 'authenticatorConfig subCommand 0x7e: expected 0x3e CTAP2_ERR_INVALID_SUBCOMMAND, got 0x01 CTAP1_ERR_INVALID_COMMAND'],
  'CONFIG-ALWAYSUV-001': [infoOption('alwaysUv', false), 'alwaysUv is still false after toggleAlwaysUv'],
  'CONFIG-ALWAYSUV-002': [swapStatus(MC, S.CTAP2_ERR_PUAT_REQUIRED, S.CTAP2_ERR_OPERATION_DENIED), 'non-discoverable makeCredential without a token under alwaysUv: expected 0x36 CTAP2_ERR_PUAT_REQUIRED, got 0x27 CTAP2_ERR_OPERATION_DENIED'],
  'CONFIG-EP-001': [infoOption('ep', false), 'getInfo ep is not true after enableEnterpriseAttestation'],
  'CONFIG-MINPIN-001': [editInfo((info) => info.delete(0x0c)), 'forcePINChange is undefined with a PIN of 4 code points under a minimum of 6'],
  'CONFIG-MINPIN-002': [swapStatus(CFG, S.CTAP2_ERR_PIN_POLICY_VIOLATION, S.CTAP2_OK), `setMinPINLength 5 after 6: expected ${POLICY}, got ${OK}`],
  // the simulator's answer before it was fixed (getPINToken's code used for the permissions subcommand)
  'CONFIG-MINPIN-003': [swapStatus(PIN, S.CTAP2_ERR_PIN_POLICY_VIOLATION, S.CTAP2_ERR_PIN_INVALID, subCommandIs(9)), `getPinUvAuthTokenUsingPinWithPermissions while forcePINChange is true: expected ${POLICY}, got 0x31 CTAP2_ERR_PIN_INVALID`],
  'CONFIG-MINPIN-004': [swapStatus(PIN, S.CTAP2_ERR_PIN_POLICY_VIOLATION, S.CTAP2_OK, subCommandIs(4)), `changePIN to the same PIN under forcePINChange: expected ${POLICY}, got ${OK}`],
  'CONFIG-MINPIN-005': [swapStatus(PIN, S.CTAP2_ERR_PIN_POLICY_VIOLATION, S.CTAP2_OK, subCommandIs(3)), `setPIN with 5 digits under a minimum of 6: expected ${POLICY}, got ${OK}`],
};

/** More ways to get each rule wrong: a subcommand refused, a state that does not change, or changes back. */
const more: Array<[string, Tamper, string]> = [
  ['CONFIG-ALWAYSUV-001', swapStatus(CFG, S.CTAP2_OK, S.CTAP1_ERR_OTHER, cfgSub(2)), `toggleAlwaysUv: expected ${OK}, got ${OTHER}`],
  ['CONFIG-ALWAYSUV-001', stickyAfterToggle('alwaysUv', true), 'alwaysUv is true after two toggles, was false'],
  ['CONFIG-ALWAYSUV-002', infoOption('alwaysUv', false), 'alwaysUv not true after toggleAlwaysUv'],
  ['CONFIG-ALWAYSUV-002', stickyAfterToggle('makeCredUvNotRqd', true), 'makeCredUvNotRqd still true while alwaysUv is on'],
  ['CONFIG-ALWAYSUV-002', swapStatus(CFG, S.CTAP2_OK, S.CTAP1_ERR_OTHER, cfgSub(2)), `toggleAlwaysUv: expected ${OK}, got ${OTHER}`],
  ['CONFIG-EP-001', swapStatus(CFG, S.CTAP2_OK, S.CTAP1_ERR_OTHER, cfgSub(1)), `enableEnterpriseAttestation: expected ${OK}, got ${OTHER}`],
  ['CONFIG-MINPIN-001', editInfo((info) => info.set(0x0d, 4)), 'getInfo minPINLength is 4, expected 6'],
  ['CONFIG-MINPIN-001', swapStatus(CFG, S.CTAP2_OK, S.CTAP1_ERR_OTHER, cfgSub(3)), `setMinPINLength 6: expected ${OK}, got ${OTHER}`],
  ['CONFIG-MINPIN-002', swapStatus(CFG, S.CTAP2_OK, S.CTAP1_ERR_OTHER, cfgSub(3)), `raise: expected ${OK}, got ${OTHER}`],
  ['CONFIG-MINPIN-002', swapStatus(PIN, S.CTAP2_OK, S.CTAP1_ERR_OTHER, subCommandIs(4)), `changePIN to a longer PIN: expected ${OK}, got ${OTHER}`],
  ['CONFIG-MINPIN-003', editInfo((info) => info.delete(0x0c)), 'getInfo forcePINChange is not true'],
  ['CONFIG-MINPIN-003', swapStatus(CFG, S.CTAP2_OK, S.CTAP1_ERR_OTHER, cfgSub(3)), `setMinPINLength forceChangePin: expected ${OK}, got ${OTHER}`],
  ['CONFIG-MINPIN-004', editInfo((info) => info.set(0x0c, true)), 'forcePINChange still true after changePIN'],
  ['CONFIG-MINPIN-004', swapStatus(PIN, S.CTAP2_OK, S.CTAP1_ERR_OTHER, subCommandIs(4)), `changePIN to a new PIN: expected ${OK}, got ${OTHER}`],
  ['CONFIG-MINPIN-004', swapStatus(CFG, S.CTAP2_OK, S.CTAP1_ERR_OTHER, cfgSub(3)), `setMinPINLength forceChangePin: expected ${OK}, got ${OTHER}`],
  ['CONFIG-MINPIN-005', swapStatus(CFG, S.CTAP2_OK, S.CTAP1_ERR_OTHER, cfgSub(3)), `setMinPINLength 6 without a PIN: expected ${OK}, got ${OTHER}`],
];

/** getInfo reports `option` as `value` once a toggleAlwaysUv went through (and the right state before). */
function stickyAfterToggle(option: string, value: boolean): Tamper {
  let toggled = false;
  return (c, req, res) => {
    if (c === CFG && cfgSub(2)(req) && res.status === 0) toggled = true;
    if (c === 0x04 && toggled) return infoOption(option, value)(c, req, res);
    return res;
  };
}

describe('config suite', () => {
  let sim: PinSuiteSim;
  beforeAll(async () => {
    sim = await openPinSuiteSim();
  });
  afterAll(async () => sim.close());

  it('should pass every check on the clean simulator, and cover each with a failing case', async () => {
    const results = await sim.run({ suites: ['config'] });
    expect(results.filter((r) => r.status !== 'pass').map((r) => `${r.id} ${r.message}`)).toEqual([]);
    expect(results.map((r) => r.id).sort()).toEqual(Object.keys(table).sort());
  });

  // one test per row: a mutant in one check then re-runs only the rows of that check
  for (const [id, [tamper, message]] of Object.entries(table)) {
    it(`should fail ${id} when the device breaks the rule it enforces`, async () => {
      const [r] = await sim.run({ checks: [id] }, tamper);
      expect(`${r?.status}: ${r?.message}`).toBe(`fail: ${message}`);
    });
  }
  for (const [id, tamper, message] of more) {
    it(`should fail ${id}: ${message}`, async () => {
      const [r] = await sim.run({ checks: [id] }, tamper);
      expect(`${r?.status}: ${r?.message}`).toBe(`fail: ${message}`);
    });
  }

  it('should skip every check with a reason when authnrCfg is not advertised', async () => {
    const results = await sim.run({ suites: ['config'] }, infoOption('authnrCfg', undefined));
    expect(failed(results)).toEqual([]);
    for (const r of results) {
      expect(r.status).toBe('skip');
      expect(r.message).toBe('authenticatorConfig not offered (getInfo authnrCfg not true)');
    }
  });

  it('should skip, with the reason, what the device does not offer', async () => {
    const skip = async (id: string, tamper: Tamper) => {
      const [r] = await sim.run({ checks: [id] }, tamper);
      return `${r?.status}: ${r?.message}`;
    };
    expect(await skip('CONFIG-ALWAYSUV-001', infoOption('alwaysUv', undefined))).toBe('skip: alwaysUv option absent (toggleAlwaysUv not supported)');
    expect(await skip('CONFIG-ALWAYSUV-002', infoOption('uv', true))).toBe('skip: built-in user verification is enrolled: under alwaysUv the key uses it by itself (CTAP 2.1 §6.1.2 step 6)');
    expect(await skip('CONFIG-EP-001', infoOption('ep', undefined))).toBe('skip: ep option absent (no enterprise attestation)');
    for (const id of ['CONFIG-MINPIN-001', 'CONFIG-MINPIN-002', 'CONFIG-MINPIN-003', 'CONFIG-MINPIN-004']) {
      expect(await skip(id, infoOption('setMinPINLength', false))).toBe('skip: setMinPINLength option not true');
    }
    expect(await skip('CONFIG-MINPIN-003', infoOption('pinUvAuthToken', undefined))).toBe('skip: pinUvAuthToken option absent');
  });

  it('should raise a minimum of 9 and change the PIN to one that meets the new minimum of 11 (CONFIG-MINPIN-002)', async () => {
    // the longer PIN must have minPINLength + 2 code points even past ten digits
    // (reported once the PIN is set: the run sets its 4-digit PIN first)
    const minimum9 = editInfo((info) => (info.get(4) as Map<string, boolean>).get('clientPin') === true && info.set(0x0d, 9));
    const [r] = await sim.run({ checks: ['CONFIG-MINPIN-002'] }, minimum9);
    expect(`${r?.status}: ${r?.message}`).toBe('pass: as specified');
  });

  it('should probe authorization with toggleAlwaysUv on a key without setMinPINLength, and reset after a probe the key accepted', async () => {
    const seen: number[] = [];
    const record: Tamper = (c, req, res) => {
      if (c === CFG) seen.push(req?.get(1) as number);
      if (c === 0x07) seen.push(-7);
      return infoOption('setMinPINLength', false)(c, req, res);
    };
    const [r] = await sim.run({ checks: ['CONFIG-AUTH-001'] }, record);
    expect(r?.status).toBe('pass');
    expect(seen).toEqual([2]);
    seen.length = 0;
    const accepted: Tamper = (c, req, res) => {
      if (c === CFG) seen.push(req?.get(1) as number);
      if (c === 0x07) seen.push(-7);
      return swapStatus(CFG, S.CTAP2_ERR_PUAT_REQUIRED, S.CTAP2_OK)(c, req, res);
    };
    const [r2] = await sim.run({ checks: ['CONFIG-AUTH-001'] }, accepted);
    expect(r2?.status).toBe('fail');
    // setMinPINLength (3) with no parameters, then the reset: the probe may have changed the key
    expect(seen).toEqual([3, -7]);
  });
});
