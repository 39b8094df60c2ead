import { describe, expect, it } from 'vitest';
import {
  ConfigSubCommand as C,
  CtapCommand,
  CtapStatus as S,
  encodeCanonicalCbor,
  PinUvAuthPermission as P,
} from '../../harness/protocol/index.ts';
import { ScriptedBuiltInUv } from '../../authenticator-sim/pinUvAuth/builtInUv.ts';
import { DEFAULT_FEATURES } from '../../authenticator-sim/profile/SimFeatures.ts';
import { PinDriver, PROTOCOLS } from '../helpers/pinDriver.ts';
import { authenticatorConfig as config, largeBlobsRead as read, largeBlobsWrite as write, serializeLargeBlobArray as serialize } from '../helpers/simCommands.ts';

const PIN = '1234';

describe('authenticatorConfig (CTAP 2.1 §6.11)', () => {
  it('only the subcommands of the features the model has (ep, alwaysUv, setMinPINLength)', async () => {
    for (const [feature, sub] of [['ep', C.enableEnterpriseAttestation], ['alwaysUv', C.toggleAlwaysUv], ['setMinPINLength', C.setMinPINLength]] as const) {
      const d = await PinDriver.create({ features: { ...DEFAULT_FEATURES, [feature]: false } });
      expect((await config(d, sub)).status, feature).toBe(S.CTAP2_ERR_INVALID_SUBCOMMAND);
      // the others are still there
      const other = sub === C.toggleAlwaysUv ? C.enableEnterpriseAttestation : C.toggleAlwaysUv;
      expect((await config(d, other)).status, `${feature}: ${other}`).toBe(S.CTAP2_OK);
    }
  });

  it('without a PIN a given pinUvAuthParam is still checked', async () => {
    const d = await PinDriver.create();
    const req = new Map<number, unknown>([[1, C.toggleAlwaysUv], [3, 2], [4, new Uint8Array(32)]]);
    expect((await d.call(CtapCommand.authenticatorConfig, req)).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    expect(d.a.state.alwaysUv).toBe(false);
  });

  it('a key protected by built-in UV only needs a token too (CTAP2_ERR_PUAT_REQUIRED)', async () => {
    const d = await PinDriver.create({ builtInUv: new ScriptedBuiltInUv() });
    expect((await config(d, C.toggleAlwaysUv)).status).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
    expect(d.a.state.alwaysUv).toBe(false);
  });

  describe.each(PROTOCOLS)('with a PIN, protocol %i', (v) => {
    async function keyWithAcfg() {
      const d = await PinDriver.create();
      expect(await d.setPin(v, PIN)).toBe(S.CTAP2_OK);
      return { d, t: (await d.token(v, PIN, P.acfg)).token! };
    }

    it('the protocol must be given and supported; the param covers subCommandParams', async () => {
      const { d, t } = await keyWithAcfg();
      const params = new Map<number, unknown>([[1, 6]]);
      expect((await config(d, C.setMinPINLength, t, params, { protocol: null })).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
      expect((await config(d, C.setMinPINLength, t, params, { protocol: 7 })).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
      expect((await config(d, C.setMinPINLength, t, params, { signedParams: null })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
      expect((await config(d, C.setMinPINLength, t, params, { signedParams: new Map([[1, 7]]) })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
      expect(d.a.state.minPinLength).toBe(4);
      expect((await config(d, C.setMinPINLength, t, params)).status).toBe(S.CTAP2_OK);
      expect(d.a.state.minPinLength).toBe(6);
      expect(d.storage.load()).toContain('"minPinLength":6');
    });

    it('setMinPINLength: 63 is the most, the same length is no change, the RP list stays unless given', async () => {
      const { d, t } = await keyWithAcfg();
      const set = (m: [number, unknown][]) => config(d, C.setMinPINLength, t, new Map(m));
      // the current length again: allowed, and the 4-character PIN is long enough (no forcePINChange)
      expect((await set([[1, 4]])).status).toBe(S.CTAP2_OK);
      expect(d.a.state.forcePinChange).toBe(false);
      expect((await set([[2, ['one.example', 'two.example']]])).status).toBe(S.CTAP2_OK);
      expect(d.a.state.minPinLength).toBe(4);
      expect(d.a.state.minPinLengthRpIds).toEqual(['one.example', 'two.example']);
      // eight RP IDs (maxRPIDsForSetMinPINLength) are accepted
      const eight = Array.from({ length: 8 }, (_, i) => `rp${i}.example`);
      expect((await set([[2, eight]])).status).toBe(S.CTAP2_OK);
      expect(d.a.state.minPinLengthRpIds).toEqual(eight);
      expect((await set([[1, 5]])).status).toBe(S.CTAP2_OK);
      expect(d.a.state.minPinLengthRpIds).toEqual(eight);
      expect(d.a.state.forcePinChange).toBe(true);
      expect((await set([[1, 64]])).status).toBe(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
      expect((await set([[2, ['ok.example', 5]]])).status).toBe(S.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
      expect(d.a.state.minPinLengthRpIds).toEqual(eight);
      expect((await set([[1, 63]])).status).toBe(S.CTAP2_OK);
      expect(d.a.state.minPinLength).toBe(63);
      expect((await set([[3, false]])).status).toBe(S.CTAP2_OK);
    });

    it('each use restarts the token usage window (§6.5.2.1)', async () => {
      const { d, t } = await keyWithAcfg();
      for (let i = 0; i < 3; i++) {
        d.clock.advance(20_000);
        expect((await config(d, C.toggleAlwaysUv, t)).status, `use ${i}`).toBe(S.CTAP2_OK);
      }
      d.clock.advance(30_001);
      expect((await config(d, C.toggleAlwaysUv, t)).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    });
  });
});

describe('authenticatorLargeBlobs limits (CTAP 2.1 §6.10.2)', () => {
  // maxFragmentLength = maxMsgSize (7609) - 64
  const MAX_FRAGMENT = 7609 - 64;

  it('get: up to maxFragmentLength; an offset at the end answers empty; length with get is refused', async () => {
    const d = await PinDriver.create();
    const all = await read(d, MAX_FRAGMENT, 0);
    expect(all.status).toBe(S.CTAP2_OK);
    expect(all.body!.get(1)).toHaveLength(17);
    expect((await read(d, MAX_FRAGMENT + 1, 0)).status).toBe(S.CTAP1_ERR_INVALID_LENGTH);
    const end = await read(d, 10, 17);
    expect(end.status).toBe(S.CTAP2_OK);
    expect(end.body!.get(1)).toHaveLength(0);
    expect(Buffer.from((await read(d, 5, 3)).body!.get(1) as Uint8Array).toString('hex')).toBe('8b528d0075');
    expect((await read(d, 10, 0, [[4, 17]])).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
  });

  it('set: a fragment of maxFragmentLength is taken, one byte more is INVALID_LENGTH; length 17 to maxSerializedLargeBlobArray', async () => {
    const d = await PinDriver.create();
    expect((await write(d, new Uint8Array(MAX_FRAGMENT + 1), 0, 4096)).status).toBe(S.CTAP1_ERR_INVALID_LENGTH);
    expect((await write(d, new Uint8Array(MAX_FRAGMENT), 0, 4096)).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER); // beyond the announced length
    expect((await write(d, new Uint8Array(0), 0, 4097)).status).toBe(S.CTAP2_ERR_LARGE_BLOB_STORAGE_FULL);
    expect((await write(d, new Uint8Array(0), 0, 16)).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
    // exactly 4096 bytes: an array of one byte string, written in two fragments
    const body = encodeCanonicalCbor([new Uint8Array(4096 - 16 - 4)] as never);
    const array = serialize(body);
    expect(array.length).toBe(4096);
    expect((await write(d, array.subarray(0, 3000), 0, 4096)).status).toBe(S.CTAP2_OK);
    expect((await write(d, array.subarray(3000), 3000, 1096)).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER); // length only at offset 0
    expect((await write(d, array.subarray(3000), 3000, undefined)).status).toBe(S.CTAP2_OK);
    expect(d.a.state.largeBlobArray).toEqual(array);
    // stored: a simulator started on the same storage reads it back
    const again = await PinDriver.create({ storage: d.storage });
    expect(Buffer.from((await read(again, MAX_FRAGMENT, 0)).body!.get(1) as Uint8Array).equals(Buffer.from(array))).toBe(true);
    // the smallest array: [] and its hash, 17 bytes
    expect((await write(d, serialize(Uint8Array.of(0x80)), 0, 17)).status).toBe(S.CTAP2_OK);
    expect(d.a.state.largeBlobArray).toHaveLength(17);
  });

  it('a new write at offset 0 replaces a pending one', async () => {
    const d = await PinDriver.create();
    const a = serialize(encodeCanonicalCbor(['first entry'] as never));
    const b = serialize(encodeCanonicalCbor(['second'] as never));
    expect((await write(d, a.subarray(0, 5), 0, a.length)).status).toBe(S.CTAP2_OK);
    expect((await write(d, b.subarray(0, 5), 0, b.length)).status).toBe(S.CTAP2_OK);
    expect((await write(d, a.subarray(5), 5, undefined)).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER); // longer than b's length
    expect((await write(d, b.subarray(5), 5, undefined)).status).toBe(S.CTAP2_OK);
    expect(d.a.state.largeBlobArray).toEqual(b);
  });

  it('alwaysUv without a PIN, or built-in UV only: writes need a token (CTAP2_ERR_PUAT_REQUIRED)', async () => {
    const d = await PinDriver.create();
    d.a.state.alwaysUv = true;
    const array = serialize(Uint8Array.of(0x80));
    expect((await write(d, array, 0, 17)).status).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
    const uv = await PinDriver.create({ builtInUv: new ScriptedBuiltInUv() });
    expect((await write(uv, array, 0, 17)).status).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
  });

  it.each(PROTOCOLS)('with a PIN: protocol given and supported, the param covers the offset, an expired token fails _v%i', async (v) => {
    const d = await PinDriver.create();
    expect(await d.setPin(v, PIN)).toBe(S.CTAP2_OK);
    const t = (await d.token(v, PIN, P.lbw)).token!;
    const array = serialize(encodeCanonicalCbor(['x'.repeat(40)] as never));
    expect((await write(d, array.subarray(0, 20), 0, array.length, t, { protocol: null })).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    expect((await write(d, array.subarray(0, 20), 0, array.length, t, { protocol: 9 })).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
    expect((await write(d, array.subarray(0, 20), 0, array.length, t)).status).toBe(S.CTAP2_OK);
    expect((await write(d, array.subarray(20), 20, undefined, t, { signedOffset: 0 })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    // each fragment restarts the token's usage window
    d.clock.advance(20_000);
    expect((await write(d, array.subarray(20, 30), 20, undefined, t)).status).toBe(S.CTAP2_OK);
    d.clock.advance(20_000);
    expect((await write(d, array.subarray(30), 30, undefined, t)).status).toBe(S.CTAP2_OK);
    expect(d.a.state.largeBlobArray).toEqual(array);
    d.clock.advance(30_001);
    expect((await write(d, array, 0, array.length, t)).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
  });
});
