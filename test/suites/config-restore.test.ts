import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CtapStatus as S } from '../../harness/protocol/index.ts';
import { editInfo, editResponse, openPinSuiteSim, subCommandIs, swapStatus, type PinSuiteSim, type Tamper } from './pinSuiteSim.ts';

const PIN = 0x06;
const RESET = 0x07;
const CFG = 0x0d;
const cfgSub = (n: number) => (req: Map<unknown, unknown> | undefined) => req?.get(1) === n;

/**
 * What the config checks leave behind (CTAP 2.1 §6.11): a check that toggles alwaysUv or forces a PIN change
 * undoes it as a person would (toggle back, change the PIN away and back) and spends a reset (a touch on a
 * real key, §6.6) only when that does not work; a probe the key wrongly accepted may have changed it, so it
 * resets. The run's later checks depend on the key being as it was.
 */
describe('config checks: restoring the key', () => {
  let sim: PinSuiteSim;
  beforeAll(async () => {
    sim = await openPinSuiteSim();
  });
  afterAll(async () => sim.close());

  /** Runs `ids` with `tamper` after a recorder: what the host sent (c<cmd>.<sub>) and the statuses. */
  async function run(ids: string[], tamper?: Tamper) {
    const sent: string[] = [];
    const record: Tamper = (c, req, res) => {
      const sub = c === CFG ? req?.get(1) : c === PIN ? req?.get(2) : undefined;
      if (c === RESET || c === CFG || c === PIN) sent.push(sub === undefined ? `${c}` : `${c}.${String(sub)}`);
      return tamper ? tamper(c, req, res) : res;
    };
    const results = await sim.run({ checks: ids }, record);
    const resets = sent.filter((s) => s === `${RESET}`).length;
    const info = await sim.device.ctap2.getInfo();
    return { outcome: Object.fromEntries(results.map((r) => [r.id, `${r.status}: ${r.message}`])), resets, sent, info };
  }

  it('should toggle alwaysUv twice and not reset when CONFIG-ALWAYSUV-001 passes', async () => {
    const r = await run(['CONFIG-ALWAYSUV-001']);
    expect(r.outcome).toEqual({ 'CONFIG-ALWAYSUV-001': 'pass: as specified' });
    expect(r.sent.filter((s) => s === `${CFG}.2`)).toHaveLength(2);
    expect(r.resets).toBe(0);
    expect(r.info.options?.alwaysUv).toBe(false);
  });

  it('should reset when CONFIG-ALWAYSUV-001 fails half way (alwaysUv left on)', async () => {
    // the second toggle refused: alwaysUv stays on, so only a reset brings the key back
    let toggles = 0;
    const secondRefused: Tamper = (c, req, res) => (c === CFG && cfgSub(2)(req) && ++toggles === 2 ? { status: S.CTAP1_ERR_OTHER, payload: new Uint8Array(0) } : res);
    const r = await run(['CONFIG-ALWAYSUV-001'], secondRefused);
    expect(r.outcome).toEqual({ 'CONFIG-ALWAYSUV-001': 'fail: second toggleAlwaysUv: expected 0x00 CTAP2_OK, got 0x7f CTAP1_ERR_OTHER' });
    expect(r.resets).toBe(1);
    expect(r.info.options?.alwaysUv).toBe(false);
  });

  it('should turn alwaysUv back off without a reset after CONFIG-ALWAYSUV-002, and reset when that is refused', async () => {
    const clean = await run(['CONFIG-ALWAYSUV-002']);
    expect(clean.outcome).toEqual({ 'CONFIG-ALWAYSUV-002': 'pass: as specified' });
    expect(clean.sent.filter((s) => s === `${CFG}.2`)).toHaveLength(2);
    expect(clean.resets).toBe(0);
    expect(clean.info.options?.alwaysUv).toBe(false);

    let toggles = 0;
    const backRefused: Tamper = (c, req, res) => (c === CFG && cfgSub(2)(req) && ++toggles === 2 ? { status: S.CTAP1_ERR_OTHER, payload: new Uint8Array(0) } : res);
    const refused = await run(['CONFIG-ALWAYSUV-002'], backRefused);
    // the check itself passed; the restore did not work, so the key is reset
    expect(refused.outcome).toEqual({ 'CONFIG-ALWAYSUV-002': 'pass: as specified' });
    expect(refused.resets).toBe(1);
    expect(refused.info.options?.alwaysUv).toBe(false);
  });

  it('should change the PIN away and back after CONFIG-MINPIN-003, with no reset, and the PIN still works', async () => {
    // CONFIG-AUTH-003 runs after it with an acfg token from ctx.pin: it passes only if the PIN is ctx.pin again
    const r = await run(['CONFIG-MINPIN-003', 'CONFIG-AUTH-003']);
    expect(r.outcome).toEqual({ 'CONFIG-MINPIN-003': 'pass: as specified', 'CONFIG-AUTH-003': 'pass: as specified' });
    expect(r.sent.filter((s) => s === `${PIN}.4`)).toHaveLength(2);
    expect(r.resets).toBe(0);
    expect(r.info.forcePINChange).not.toBe(true);
  });

  it('should reset after CONFIG-MINPIN-003 when the PIN cannot be changed away, or back', async () => {
    const away = await run(['CONFIG-MINPIN-003'], swapStatus(PIN, S.CTAP2_OK, S.CTAP1_ERR_OTHER, subCommandIs(4)));
    expect(away.outcome).toEqual({ 'CONFIG-MINPIN-003': 'pass: as specified' });
    expect(away.sent.filter((s) => s === `${PIN}.4`)).toHaveLength(1);
    expect(away.resets).toBe(1);
    let changes = 0;
    const backRefused: Tamper = (c, req, res) => (c === PIN && subCommandIs(4)(req) && ++changes === 2 ? { status: S.CTAP1_ERR_OTHER, payload: new Uint8Array(0) } : res);
    const back = await run(['CONFIG-MINPIN-003'], backRefused);
    expect(back.outcome).toEqual({ 'CONFIG-MINPIN-003': 'pass: as specified' });
    expect(back.resets).toBe(1);
    // a key that answers both changePINs CTAP2_OK but still reports forcePINChange
    const stillForced = await run(['CONFIG-MINPIN-003'], editInfo((info) => info.set(0x0c, true)));
    expect(stillForced.outcome).toEqual({ 'CONFIG-MINPIN-003': 'pass: as specified' });
    expect(stillForced.sent.filter((s) => s === `${PIN}.4`)).toHaveLength(2);
    expect(stillForced.resets).toBe(1);
  });

  it('should reset after CONFIG-MINPIN-003 when it failed, without trying to change the PIN', async () => {
    const failing = await run(['CONFIG-MINPIN-003'], swapStatus(PIN, S.CTAP2_ERR_PIN_POLICY_VIOLATION, S.CTAP2_ERR_PIN_INVALID, subCommandIs(9)));
    expect(failing.outcome['CONFIG-MINPIN-003']).toBe('fail: getPinUvAuthTokenUsingPinWithPermissions while forcePINChange is true: expected 0x37 CTAP2_ERR_PIN_POLICY_VIOLATION, got 0x31 CTAP2_ERR_PIN_INVALID');
    expect(failing.sent.filter((s) => s === `${PIN}.4`)).toHaveLength(0);
    expect(failing.resets).toBe(1);
  });

  it('should change the PIN back after CONFIG-MINPIN-004 with no reset, and reset when a step fails', async () => {
    const clean = await run(['CONFIG-MINPIN-004', 'CONFIG-AUTH-003']);
    expect(clean.outcome).toEqual({ 'CONFIG-MINPIN-004': 'pass: as specified', 'CONFIG-AUTH-003': 'pass: as specified' });
    expect(clean.resets).toBe(0);
    expect(clean.info.forcePINChange).not.toBe(true);

    const sameAccepted = await run(['CONFIG-MINPIN-004'], swapStatus(PIN, S.CTAP2_ERR_PIN_POLICY_VIOLATION, S.CTAP2_OK, subCommandIs(4)));
    expect(sameAccepted.outcome['CONFIG-MINPIN-004']).toMatch(/^fail: changePIN to the same PIN under forcePINChange/);
    expect(sameAccepted.resets).toBe(1);
    // nothing was changed: no changePIN back with a PIN the key does not have (it would spend a PIN retry)
    expect(sameAccepted.sent.filter((s) => s === `${PIN}.4`)).toHaveLength(1);

    let changes = 0;
    const backRefused: Tamper = (c, req, res) => (c === PIN && subCommandIs(4)(req) && res.status === 0 && ++changes === 2 ? { status: S.CTAP1_ERR_OTHER, payload: new Uint8Array(0) } : res);
    const back = await run(['CONFIG-MINPIN-004'], backRefused);
    expect(back.outcome).toEqual({ 'CONFIG-MINPIN-004': 'pass: as specified' });
    expect(back.resets).toBe(1);
  });

  it('should ask for the tokens its messages name: mc-only bound to the check\'s RP ID, acfg unbound, by the protocol the key lists first', async () => {
    const tokens = async (id: string, protocols: number[]) => {
      const asked: string[] = [];
      const record: Tamper = (c, req, res) => {
        // getPinUvAuthTokenUsingPinWithPermissions (0x09): protocol 0x01, permissions 0x09, rpId 0x0a (CTAP 2.1 §6.5.5.7.2)
        if (c === PIN && subCommandIs(9)(req)) asked.push(`v${String(req?.get(1))} 0x${(req?.get(9) as number).toString(16)} ${String(req?.get(0x0a))}`);
        if (c === CFG && req?.has(3)) asked.push(`config v${String(req.get(3))}`);
        return c === 0x04 ? editResponse(res, (m) => m.set(6, protocols)) : res;
      };
      const results = await sim.run({ checks: [id] }, record);
      return [`${results[0]?.status}`, ...asked];
    };
    expect(await tokens('CONFIG-AUTH-002', [2, 1])).toEqual(['pass', 'v2 0x1 config-auth-002.fido-harness.test', 'config v2']);
    expect(await tokens('CONFIG-AUTH-003', [1, 2])).toEqual(['pass', 'v1 0x20 undefined', 'config v1']);
    expect(await tokens('CONFIG-SUBCMD-001', [3, 2])).toEqual(['pass', 'v2 0x20 undefined', 'config v2']);
    const minpin3 = await tokens('CONFIG-MINPIN-003', [1]);
    expect(minpin3.slice(0, 4)).toEqual(['pass', 'v1 0x20 undefined', 'config v1', 'v1 0x1 config-minpin-003.fido-harness.test']);
  });

  it('should derive the minimums it sets from the minimum the key reports (a key reporting 9)', async () => {
    // minPINLength 9 reported from the start (pin unset) or once the run's PIN is set, until a setMinPINLength went through
    const minimums = async (id: string, whenPinSet: boolean) => {
      const sent: number[] = [];
      let raised = false;
      const tamper: Tamper = (c, req, res) => {
        if (c === CFG && cfgSub(3)(req)) {
          const n = (req?.get(2) as Map<number, unknown> | undefined)?.get(1);
          if (typeof n === 'number') sent.push(n);
          if (res.status === 0) raised = true;
        }
        if (c !== 0x04 || raised) return res;
        return editInfo((info) => (!whenPinSet || (info.get(4) as Map<string, boolean>).get('clientPin') === true) && info.set(0x0d, 9))(c, req, res);
      };
      const [r] = await sim.run({ checks: [id] }, tamper);
      return [`${r?.status}`, ...sent];
    };
    // the PIN (4 digits) below it: max(4 + 2, 9 + 1)
    expect(await minimums('CONFIG-MINPIN-001', true)).toEqual(['pass', 10]);
    // raise by two, then one below that
    expect(await minimums('CONFIG-MINPIN-002', true)).toEqual(['pass', 11, 10]);
    expect(await minimums('CONFIG-MINPIN-005', false)).toEqual(['pass', 11]);
  });

  it('should skip every check when getInfo has no options (authenticatorConfig not offered)', async () => {
    const r = await run(['CONFIG-AUTH-001', 'CONFIG-MINPIN-005'], editInfo((info) => info.delete(4)));
    expect(r.outcome).toEqual({
      'CONFIG-AUTH-001': 'skip: authenticatorConfig not offered (getInfo authnrCfg not true)',
      'CONFIG-MINPIN-005': 'skip: authenticatorConfig not offered (getInfo authnrCfg not true)',
    });
  });

  it('should reset after an authorization probe the key accepted, and not after one it refused', async () => {
    for (const id of ['CONFIG-AUTH-002', 'CONFIG-AUTH-003']) {
      const refused = await run([id]);
      expect(refused.outcome[id], id).toBe('pass: as specified');
      expect(refused.resets, id).toBe(0);
      const accepted = await run([id], swapStatus(CFG, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_OK));
      expect(accepted.outcome[id], id).toMatch(/^fail: /);
      expect(accepted.resets, id).toBe(1);
    }
  });
});
