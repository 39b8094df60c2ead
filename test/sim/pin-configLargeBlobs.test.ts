import { describe, expect, it } from 'vitest';
import {
  ConfigSubCommand as C,
  CtapCommand,
  CtapStatus as S,
  encodeCanonicalCbor,
  PinUvAuthPermission as P,
} from '../../harness/protocol/index.ts';
import { PinDriver, PROTOCOLS } from '../helpers/pinDriver.ts';
import { authenticatorConfig as config, largeBlobsRead as read, largeBlobsWrite as writeFragment, serializeLargeBlobArray } from '../helpers/simCommands.ts';

const PIN = '1234';

/** A serialized large-blob array of these entries (§6.10.2). */
const serialize = (entries: unknown[]) => serializeLargeBlobArray(encodeCanonicalCbor(entries as never));

describe.each(PROTOCOLS)('authenticatorConfig (CTAP 2.1 §6.11), protocol %i', (v) => {
  const name = (x: string) => `${x} _v${v}`;

  it(name('toggleAlwaysUv needs an acfg token once a PIN is set, and flips getInfo alwaysUv'), async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    expect((await config(d, C.toggleAlwaysUv, undefined)).status).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
    const mcOnly = (await d.token(v, PIN, P.mc, 'example.com')).token!;
    expect((await config(d, C.toggleAlwaysUv, mcOnly)).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    expect(d.a.state.alwaysUv).toBe(false);
    const t = (await d.token(v, PIN, P.acfg)).token!;
    expect((await config(d, C.toggleAlwaysUv, t)).status).toBe(S.CTAP2_OK);
    expect(((await d.info()).get(4) as Map<string, boolean>).get('alwaysUv')).toBe(true);
    expect((await config(d, C.toggleAlwaysUv, t)).status).toBe(S.CTAP2_OK);
    expect(d.a.state.alwaysUv).toBe(false);
    // Survives in storage.
    expect(d.storage.load()).toContain('"alwaysUv":false');
  });

  it(name('alwaysUv on without a PIN: config without pinUvAuthParam is CTAP2_ERR_PUAT_REQUIRED (§6.11 step 2)'), async () => {
    const d = await PinDriver.create();
    // No PIN and alwaysUv off: an unprotected authenticator is configured without a token.
    expect((await config(d, C.toggleAlwaysUv, undefined)).status).toBe(S.CTAP2_OK);
    expect(d.a.state.alwaysUv).toBe(true);
    for (const sub of [C.toggleAlwaysUv, C.enableEnterpriseAttestation]) {
      expect((await config(d, sub, undefined)).status).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
    }
    expect((await config(d, C.setMinPINLength, undefined, new Map([[1, 6]]))).status).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
    expect(d.a.state.alwaysUv).toBe(true);
    expect(d.a.state.minPinLength).toBe(4);
    // Setting a PIN and sending an acfg token switches it off again.
    await d.setPin(v, PIN);
    const t = (await d.token(v, PIN, P.acfg)).token!;
    expect((await config(d, C.toggleAlwaysUv, t)).status).toBe(S.CTAP2_OK);
    expect(d.a.state.alwaysUv).toBe(false);
  });

  it(name('setMinPINLength: raises the minimum, never lowers it, sets forcePINChange, bounds the RP ID list'), async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    const t = (await d.token(v, PIN, P.acfg)).token!;
    const set = (m: [number, unknown][]) => config(d, C.setMinPINLength, t, new Map(m));
    expect((await set([[1, 3]])).status).toBe(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
    expect((await set([[2, Array.from({ length: 9 }, (_, i) => `rp${i}.example`)]])).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
    expect(d.a.state.minPinLength).toBe(4);
    expect((await set([[1, 6], [2, ['trusted.example']]])).status).toBe(S.CTAP2_OK);
    const info = await d.info();
    expect(info.get(0x0d)).toBe(6);
    // The current 4-digit PIN is now too short: forcePINChange.
    expect(info.get(0x0c)).toBe(true);
    expect(d.a.state.minPinLengthRpIds).toEqual(['trusted.example']);
    expect((await d.token(v, PIN, P.mc, 'example.com')).status).toBe(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
    expect(await d.changePin(v, PIN, '12345')).toBe(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
    expect(await d.changePin(v, PIN, '123456')).toBe(S.CTAP2_OK);
    expect((await d.info()).get(0x0c)).toBeUndefined();
  });

  it(name('setMinPINLength forceChangePin, and without a PIN no token is needed'), async () => {
    const d = await PinDriver.create();
    expect((await config(d, C.setMinPINLength, undefined, new Map([[3, true]]))).status).toBe(S.CTAP2_ERR_PIN_NOT_SET);
    expect((await config(d, C.setMinPINLength, undefined, new Map([[1, 5]]))).status).toBe(S.CTAP2_OK);
    expect(await d.setPin(v, '1234')).toBe(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
    expect(await d.setPin(v, '12345')).toBe(S.CTAP2_OK);
    const t = (await d.token(v, '12345', P.acfg)).token!;
    expect((await config(d, C.setMinPINLength, t, new Map([[3, true]]))).status).toBe(S.CTAP2_OK);
    expect(d.a.state.forcePinChange).toBe(true);
  });

  it(name('enableEnterpriseAttestation: getInfo ep, then enterpriseAttestation 2 gives epAtt'), async () => {
    const d = await PinDriver.create();
    expect((await d.makeCredential({ enterpriseAttestation: 2 })).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
    expect(((await d.info()).get(4) as Map<string, boolean>).get('ep')).toBe(false);
    expect((await config(d, C.enableEnterpriseAttestation, undefined)).status).toBe(S.CTAP2_OK);
    expect(((await d.info()).get(4) as Map<string, boolean>).get('ep')).toBe(true);
    const ea = await d.makeCredential({ enterpriseAttestation: 2 });
    expect(ea.body!.get(4)).toBe(true);
    const vendor = await d.makeCredential({ enterpriseAttestation: 1 });
    expect(vendor.body!.has(4)).toBe(false);
    expect((await d.makeCredential({ enterpriseAttestation: 3 })).status).toBe(S.CTAP2_ERR_INVALID_OPTION);
  });

  it(name('unknown subcommand and the vendor prototype are CTAP2_ERR_INVALID_SUBCOMMAND'), async () => {
    const d = await PinDriver.create();
    expect((await config(d, C.vendorPrototype, undefined)).status).toBe(S.CTAP2_ERR_INVALID_SUBCOMMAND);
    expect((await config(d, 0x07, undefined)).status).toBe(S.CTAP2_ERR_INVALID_SUBCOMMAND);
    expect((await d.call(CtapCommand.authenticatorConfig, new Map([[2, new Map()]]))).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
  });
});

describe.each(PROTOCOLS)('authenticatorLargeBlobs (CTAP 2.1 §6.10), protocol %i', (v) => {
  const name = (x: string) => `${x} _v${v}`;

  it(name('starts with the empty array and its hash'), async () => {
    const d = await PinDriver.create();
    const r = await read(d, 100, 0);
    expect(r.status).toBe(S.CTAP2_OK);
    expect(Buffer.from(r.body!.get(1) as Uint8Array).toString('hex')).toBe('8076be8b528d0075f7aae98d6fa57a6d3c');
    expect((await d.info()).get(0x0b)).toBe(4096);
  });

  it(name('writes in fragments with an lbw token and reads back the same bytes'), async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    const array = serialize([new Map<number, unknown>([[1, new Uint8Array(300).fill(7)], [2, 12], [3, 300]])]);
    const t = (await d.token(v, PIN, P.lbw)).token!;
    expect((await writeFragment(d, array.subarray(0, 200), 0, array.length, t)).status).toBe(S.CTAP2_OK);
    // Not committed until the last fragment.
    expect((await read(d, 20, 0)).body!.get(1)).toHaveLength(17);
    expect((await writeFragment(d, array.subarray(200), 200, undefined, t)).status).toBe(S.CTAP2_OK);
    const back = Buffer.concat([(await read(d, 150, 0)).body!.get(1) as Uint8Array, (await read(d, 1000, 150)).body!.get(1) as Uint8Array]);
    expect(back.equals(Buffer.from(array))).toBe(true);
    expect((await read(d, 10, array.length + 1)).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
  });

  it(name('refuses: no token, wrong permission, out-of-sequence fragment, bad hash, too large, get and set'), async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    const array = serialize(['entry']);
    expect((await writeFragment(d, array, 0, array.length, undefined)).status).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
    const mc = (await d.token(v, PIN, P.mc, 'example.com')).token!;
    expect((await writeFragment(d, array, 0, array.length, mc)).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    const t = (await d.token(v, PIN, P.lbw)).token!;
    expect((await writeFragment(d, array.subarray(4), 4, undefined, t)).status).toBe(S.CTAP1_ERR_INVALID_SEQ);
    expect((await writeFragment(d, array, 0, 5000, t)).status).toBe(S.CTAP2_ERR_LARGE_BLOB_STORAGE_FULL);
    expect((await writeFragment(d, array, 0, 10, t)).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
    expect((await writeFragment(d, array, 0, undefined, t)).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
    const corrupt = array.slice();
    corrupt[corrupt.length - 1]! ^= 0xff;
    expect((await writeFragment(d, corrupt, 0, corrupt.length, t)).status).toBe(S.CTAP2_ERR_INTEGRITY_FAILURE);
    expect((await writeFragment(d, array.subarray(0, 4), 0, array.length, t)).status).toBe(S.CTAP2_OK);
    expect((await writeFragment(d, array.subarray(4, 8), 5, undefined, t)).status).toBe(S.CTAP1_ERR_INVALID_SEQ);
    expect((await writeFragment(d, new Uint8Array(50), 4, undefined, t)).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
    const both = new Map<number, unknown>([[1, 10], [2, array], [3, 0]]);
    expect((await d.call(CtapCommand.authenticatorLargeBlobs, both)).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
    expect((await d.call(CtapCommand.authenticatorLargeBlobs, new Map([[3, 0]]))).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
    expect((await d.call(CtapCommand.authenticatorLargeBlobs, new Map([[1, 10]]))).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    expect((await read(d, 8000, 0)).status).toBe(S.CTAP1_ERR_INVALID_LENGTH);
    // Still the empty array.
    expect((await read(d, 100, 0)).body!.get(1)).toHaveLength(17);
    // The pending write survived the refused fragments and completes.
    expect((await writeFragment(d, array.subarray(4), 4, undefined, t)).status).toBe(S.CTAP2_OK);
    expect(Buffer.from((await read(d, 100, 0)).body!.get(1) as Uint8Array).equals(Buffer.from(array))).toBe(true);
  });

  it(name('a power cycle drops a half-written array'), async () => {
    const d = await PinDriver.create();
    const array = serialize(['a', 'b']);
    expect((await writeFragment(d, array.subarray(0, 5), 0, array.length, undefined)).status).toBe(S.CTAP2_OK);
    d.a.powerCycle();
    expect((await writeFragment(d, array.subarray(5), 5, undefined, undefined)).status).toBe(S.CTAP1_ERR_INVALID_SEQ);
    expect((await read(d, 100, 0)).body!.get(1)).toHaveLength(17);
  });

  it(name('without a PIN, writes need no token'), async () => {
    const d = await PinDriver.create();
    const array = serialize([]);
    expect((await writeFragment(d, array, 0, array.length, undefined)).status).toBe(S.CTAP2_OK);
  });
});
