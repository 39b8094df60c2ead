import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CtapStatus as S } from '../../harness/protocol/index.ts';
import { editInfo, failed, infoOption, openPinSuiteSim, subCommandIs, swapStatus, type PinSuiteSim, type Tamper } from './pinSuiteSim.ts';

const MC = 0x01;
const PIN = 0x06;
const CFG = 0x0d;

/** For each config check, a device answer that breaks the rule it enforces: the check must fail. */
const table: Record<string, Tamper> = {
  'CONFIG-AUTH-001': swapStatus(CFG, S.CTAP2_ERR_PUAT_REQUIRED, S.CTAP2_OK),
  'CONFIG-AUTH-002': swapStatus(CFG, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_OK),
  'CONFIG-AUTH-003': swapStatus(CFG, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_ERR_PUAT_REQUIRED),
  'CONFIG-SUBCMD-001': swapStatus(CFG, S.CTAP2_ERR_INVALID_SUBCOMMAND, S.CTAP1_ERR_INVALID_COMMAND),
  'CONFIG-ALWAYSUV-001': infoOption('alwaysUv', false),
  'CONFIG-ALWAYSUV-002': swapStatus(MC, S.CTAP2_ERR_PUAT_REQUIRED, S.CTAP2_ERR_OPERATION_DENIED),
  'CONFIG-EP-001': infoOption('ep', false),
  'CONFIG-MINPIN-001': editInfo((info) => info.delete(0x0c)),
  'CONFIG-MINPIN-002': swapStatus(CFG, S.CTAP2_ERR_PIN_POLICY_VIOLATION, S.CTAP2_OK),
  // the simulator's answer before it was fixed (getPINToken's code used for the permissions subcommand)
  'CONFIG-MINPIN-003': swapStatus(PIN, S.CTAP2_ERR_PIN_POLICY_VIOLATION, S.CTAP2_ERR_PIN_INVALID, subCommandIs(9)),
  'CONFIG-MINPIN-004': swapStatus(PIN, S.CTAP2_ERR_PIN_POLICY_VIOLATION, S.CTAP2_OK, subCommandIs(4)),
  'CONFIG-MINPIN-005': swapStatus(PIN, S.CTAP2_ERR_PIN_POLICY_VIOLATION, S.CTAP2_OK, subCommandIs(3)),
};

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

  it('should fail each check when the device breaks the rule it enforces', async () => {
    const survivors: string[] = [];
    for (const [id, tamper] of Object.entries(table)) {
      const [r] = await sim.run({ checks: [id] }, tamper);
      if (r?.status !== 'fail') survivors.push(`${id}: ${r?.status} ${r?.message}`);
    }
    expect(survivors).toEqual([]);
  });

  it('should skip every check with a reason when authnrCfg is not advertised', async () => {
    const results = await sim.run({ suites: ['config'] }, infoOption('authnrCfg', undefined));
    expect(failed(results)).toEqual([]);
    for (const r of results) {
      expect(r.status).toBe('skip');
      expect(r.message).toMatch(/authnrCfg/);
    }
  });
});
