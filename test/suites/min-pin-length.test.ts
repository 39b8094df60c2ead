import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCanonicalCbor } from '../../harness/protocol/index.ts';
import type { CborMap } from '../../harness/protocol/index.ts';
import { editInfo, editResponse, failed, openPinSuiteSim, type PinSuiteSim, swapStatus, type Tamper } from './pinSuiteSim.ts';

const MC = 0x01;
const CFG = 0x0d;

const ED = 0x80;
const MIN_PIN_LENGTH_KEY = Buffer.from([0x6c, ...Buffer.from('minPinLength')]);

/** Rewrites authenticatorData in makeCredential answers (member 0x02). */
function editMcAuthData(edit: (authData: Uint8Array) => Uint8Array): Tamper {
  return (c, _req, res) => (c === MC ? editResponse(res, (m) => m.set(2, edit(m.get(2) as Uint8Array))) : res);
}

/** A device that returns a minPinLength one above its minimum. */
const bumpOutput = editMcAuthData((authData) => {
  const at = Buffer.from(authData).indexOf(MIN_PIN_LENGTH_KEY);
  if (at < 0) return authData;
  const out = new Uint8Array(authData);
  out[at + MIN_PIN_LENGTH_KEY.length] = out[at + MIN_PIN_LENGTH_KEY.length]! + 1; // small uint: one byte
  return out;
});

/** A device that returns minPinLength to any RP, asked or not. */
const alwaysOutput = editMcAuthData((authData) => {
  if ((authData[32]! & ED) !== 0) return authData;
  const ext = encodeCanonicalCbor(new Map([['minPinLength', 4]]));
  const out = new Uint8Array(authData.length + ext.length);
  out.set(authData);
  out.set(ext, authData.length);
  out[32] = out[32]! | ED;
  return out;
});

describe('min-pin-length suite', () => {
  let sim: PinSuiteSim;
  beforeAll(async () => {
    sim = await openPinSuiteSim();
  });
  afterAll(async () => sim.close());

  it('should pass every check on the clean simulator', async () => {
    const results = await sim.run({ suites: ['min-pin-length'] });
    expect(results.filter((r) => r.status !== 'pass').map((r) => `${r.id} ${r.message}`)).toEqual([]);
    expect(results.map((r) => r.id)).toEqual(['MINPIN-EXT-001', 'MINPIN-EXT-002', 'MINPIN-EXT-003', 'MINPIN-EXT-004']);
  });

  const cases: Array<[string, Tamper, string]> = [
    ['MINPIN-EXT-001', bumpOutput, 'minPinLength output is 5, expected 4'],
    ['MINPIN-EXT-002', alwaysOutput, 'an unlisted RP received minPinLength 4'],
    ['MINPIN-EXT-003', bumpOutput, 'minPinLength output is 7, expected 6'],
    ['MINPIN-EXT-004', alwaysOutput, 'minPinLength 4 returned without the extension input'],
  ];
  for (const [id, tamper, message] of cases) {
    it(`should fail ${id} when the device breaks its rule`, async () => {
      const [r] = await sim.run({ checks: [id] }, tamper);
      expect(`${r!.status}: ${r!.message}`).toBe(`fail: ${message}`);
    });
  }

  it('should give the expected and the returned minPinLength of a failed comparison', async () => {
    const [first] = await sim.run({ checks: ['MINPIN-EXT-001'] }, bumpOutput);
    expect(first!.evidence).toMatchObject({ expected: '4', actual: '5' });
    const [raised] = await sim.run({ checks: ['MINPIN-EXT-003'] }, bumpOutput);
    expect(raised!.evidence).toMatchObject({ expected: '6', actual: '7' });
  });

  it('should take 4 for a minPINLength getInfo leaves out (CTAP 2.1 §6.4), and pass on the simulator that has 4', async () => {
    const results = await sim.run({ suites: ['min-pin-length'] }, editInfo((info) => info.delete(0x0d)));
    expect(results.filter((r) => r.status !== 'pass').map((r) => `${r.id} ${r.message}`)).toEqual([]);
  });

  it('should skip with a reason when getInfo lists no extensions at all', async () => {
    const results = await sim.run({ suites: ['min-pin-length'] }, editInfo((info) => info.delete(0x02)));
    expect(results.map((r) => `${r.status}: ${r.message}`)).toEqual(results.map(() => 'skip: the minPinLength extension is not offered in getInfo'));
  });

  it('should fail with the step that the device refused: setMinPINLength, the longer PIN', async () => {
    const [listing] = await sim.run({ checks: ['MINPIN-EXT-001'] }, swapStatus(CFG, 0x00, 0x7f, (req) => req?.get(0x01) === 0x03));
    expect(`${listing!.status}: ${listing!.message}`).toBe('fail: setMinPINLength minPinLengthRPIDs [minpin-ext-001.fido-harness.test]: expected 0x00 CTAP2_OK, got 0x7f CTAP1_ERR_OTHER');
    const [longer] = await sim.run({ checks: ['MINPIN-EXT-003'] }, swapStatus(0x06, 0x00, 0x7f, (req) => req?.get(0x02) === 0x04));
    expect(`${longer!.status}: ${longer!.message}`).toBe('fail: changePIN to a longer PIN: expected 0x00 CTAP2_OK, got 0x7f CTAP1_ERR_OTHER');
  });

  it('should list each check\'s own RP ID, and ask for minPinLength where the check says, of that RP or an unlisted one', async () => {
    const listed: unknown[] = [];
    const made: unknown[] = [];
    const record: Tamper = (c, req, res) => {
      const params = req?.get(0x02) as CborMap | undefined;
      if (c === CFG && req?.get(0x01) === 0x03) listed.push([params?.get(0x02), params?.get(0x01)]);
      if (c === MC) made.push([(params as CborMap).get('id'), (req?.get(0x06) as CborMap | undefined)?.get('minPinLength')]);
      return res;
    };
    const results = await sim.run({ suites: ['min-pin-length'] }, record);
    expect(failed(results)).toEqual([]);
    expect(listed).toEqual([
      [['minpin-ext-001.fido-harness.test'], undefined],
      [['minpin-ext-002.fido-harness.test'], undefined],
      [['minpin-ext-003.fido-harness.test'], 6],
      [['minpin-ext-004.fido-harness.test'], undefined],
    ]);
    expect(made).toEqual([
      ['minpin-ext-001.fido-harness.test', true],
      ['unlisted.minpin-ext-002.fido-harness.test', true],
      ['minpin-ext-003.fido-harness.test', true],
      ['minpin-ext-004.fido-harness.test', undefined],
    ]);
  });

  it('should skip with a reason when the extension is not advertised', async () => {
    const results = await sim.run({ suites: ['min-pin-length'] }, editInfo((info) => info.set(2, (info.get(2) as string[]).filter((e) => e !== 'minPinLength'))));
    expect(failed(results)).toEqual([]);
    for (const r of results) expect(r.message).toMatch(/minPinLength extension is not offered/);
  });
});
