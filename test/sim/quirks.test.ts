import { createHash, verify, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  behaviourForQuirks,
  EVIL_TEXT,
  listQuirks,
  QuirkError,
  DEFAULT_FEATURES,
  SIMULATOR_AAGUID,
  testMdsStatusForQuirks,
} from '../../authenticator-sim/index.ts';
import {
  ClientPinSubCommand,
  CtapCommand,
  CtapStatus,
  CtaphidCommand,
  CtaphidErrorCode,
  decodeCbor,
  PinUvAuthPermission,
  verifyCoseSignature,
  type CborMap,
} from '../../harness/protocol/index.ts';
import { pinHashLeft16 } from '../helpers/pinClient.ts';
import { CDH, PinDriver } from '../helpers/pinDriver.ts';
import { contPacket, initPacket } from './helpers/UdpTestClient.ts';
import { startUdpFixture } from './helpers/simulatorFixture.ts';

// Each quirk (README "Simulator quirks") next to the well-behaved simulator: the difference is exactly
// the named misbehaviour.

const sha256 = (s: string) => new Uint8Array(createHash('sha256').update(s).digest());

async function pair(quirk: string): Promise<{ good: PinDriver; bad: PinDriver }> {
  return {
    good: await PinDriver.create(),
    bad: await PinDriver.create({ behaviour: behaviourForQuirks([quirk]) }),
  };
}

/** makeCredential then two getAssertions with the credential in the allowList. */
async function register(d: PinDriver, o: { rk?: boolean; extensions?: Map<string, unknown> } = {}) {
  const mc = await d.makeCredential(o);
  expect(mc.status).toBe(CtapStatus.CTAP2_OK);
  const acd = mc.authData!.attestedCredentialData!;
  return { mc, id: acd.credentialId, key: acd.credentialPublicKey };
}

describe('the quirk set', () => {
  it("names the original fifteen quirks in order, then the suites' additions", () => {
    expect(listQuirks().map((q) => q.name)).toEqual([
      'counter-stuck',
      'bad-assertion-signature',
      'bad-attestation-signature',
      'wrong-rpid-hash',
      'uv-without-pin',
      'no-hmac-secret',
      'no-resident-keys',
      'zero-aaguid',
      'self-attestation',
      'noncanonical-cbor',
      'pin-retries-not-decremented',
      'ctaphid-ignore-seq',
      'exclude-list-ignored',
      'evil-strings',
      'mds-revoked',
      'hmac-secret-no-uv-split',
      'cred-protect-ignored',
      'mds-root-compromised',
      'bio-enroll-never-completes',
      'bio-uv-any-finger',
      'ea-any-rp',
      'attestation-preference-ignored',
      'nfc-select-any-aid',
      'nfc-no-select-needed',
      'nfc-wrong-version',
      'nfc-no-command-chaining',
      'nfc-no-response-chaining',
      'nfc-extended-as-short',
      'nfc-status-updates-unasked',
      'nfc-lax-apdus',
      'lax-cbor-requests',
      'pin-token-presence',
      'up-without-touch',
      'touch-when-up-false',
      'assertion-without-touch',
      'unsupported-permission-granted',
      'counter-reset-on-reset',
      'rk-oldest-first',
      'hmac-secret-salt2-ignored',
      'hmac-secret-fresh-credrandom',
      'hmac-secret-salt-ignored',
    ]);
  });

  it('refuses an unknown quirk with SIM_UNKNOWN_QUIRK, and all of them combine', () => {
    expect(() => behaviourForQuirks(['counter-stuck', 'no-such-quirk'])).toThrow(QuirkError);
    try {
      behaviourForQuirks(['nope']);
    } catch (e) {
      expect((e as QuirkError).code).toBe('SIM_UNKNOWN_QUIRK');
    }
    const all = behaviourForQuirks(listQuirks().map((q) => q.name));
    expect(all.nextSignCount!(5)).toBe(5);
    expect(all.enforceContinuationSequence).toBe(false);
  });
});

describe('quirks, each against the default simulator', () => {
  it('counter-stuck: the signature counter never increases (and is not 0)', async () => {
    const { good, bad } = await pair('counter-stuck');
    for (const [d, increases] of [[good, true], [bad, false]] as const) {
      const { id } = await register(d);
      const c1 = (await d.getAssertion({ allowList: [{ type: 'public-key', id }] })).authData!.signCount;
      const c2 = (await d.getAssertion({ allowList: [{ type: 'public-key', id }] })).authData!.signCount;
      expect(c1).toBeGreaterThan(0);
      expect(c2 > c1).toBe(increases);
    }
  });

  it('bad-assertion-signature: the assertion signature does not verify over authData || clientDataHash', async () => {
    const { good, bad } = await pair('bad-assertion-signature');
    for (const [d, valid] of [[good, true], [bad, false]] as const) {
      const { id, key } = await register(d);
      const ga = await d.getAssertion({ allowList: [{ type: 'public-key', id }] });
      const signed = new Uint8Array(Buffer.concat([ga.authData!.raw, CDH]));
      expect(verifyCoseSignature(key, signed, ga.body!.get(3) as Uint8Array)).toBe(valid);
    }
  });

  it('bad-attestation-signature: the packed attestation signature does not verify with the x5c leaf', async () => {
    const { good, bad } = await pair('bad-attestation-signature');
    for (const [d, valid] of [[good, true], [bad, false]] as const) {
      const { mc } = await register(d);
      const attStmt = mc.body!.get(3) as Map<string, unknown>;
      const leaf = new X509Certificate((attStmt.get('x5c') as Uint8Array[])[0]!);
      const signed = Buffer.concat([mc.body!.get(2) as Uint8Array, CDH]);
      expect(verify('sha256', signed, leaf.publicKey, attStmt.get('sig') as Uint8Array)).toBe(valid);
    }
  });

  it('wrong-rpid-hash: authData carries the hash of another RP in makeCredential and getAssertion', async () => {
    const { good, bad } = await pair('wrong-rpid-hash');
    for (const [d, right] of [[good, true], [bad, false]] as const) {
      const { mc, id } = await register(d);
      const ga = await d.getAssertion({ allowList: [{ type: 'public-key', id }] });
      expect(ga.status).toBe(CtapStatus.CTAP2_OK); // the credential itself still works for its RP
      for (const ad of [mc.authData!, ga.authData!]) {
        expect(Buffer.compare(ad.rpIdHash, sha256('example.com')) === 0).toBe(right);
      }
    }
  });

  it('uv-without-pin: the UV flag is set although no PIN exists and no token was used', async () => {
    const { good, bad } = await pair('uv-without-pin');
    for (const [d, uv] of [[good, false], [bad, true]] as const) {
      expect(((await d.info()).get(4) as Map<string, boolean>).get('clientPin')).toBe(false);
      const { mc, id } = await register(d);
      expect(mc.authData!.uv).toBe(uv);
      expect((await d.getAssertion({ allowList: [{ type: 'public-key', id }] })).authData!.uv).toBe(uv);
    }
  });

  it('no-hmac-secret: hmac-secret is missing from getInfo and ignored at registration', async () => {
    const { good, bad } = await pair('no-hmac-secret');
    for (const [d, offered] of [[good, true], [bad, false]] as const) {
      expect(((await d.info()).get(2) as string[] | undefined)?.includes('hmac-secret') ?? false).toBe(offered);
      const { mc } = await register(d, { extensions: new Map([['hmac-secret', true]]) });
      expect(mc.authData!.extensions?.get('hmac-secret')).toBe(offered ? true : undefined);
    }
  });

  it('no-resident-keys: getInfo rk is false and rk requests get CTAP2_ERR_UNSUPPORTED_OPTION', async () => {
    const { good, bad } = await pair('no-resident-keys');
    expect(((await good.info()).get(4) as Map<string, boolean>).get('rk')).toBe(true);
    expect((await good.makeCredential({ rk: true })).status).toBe(CtapStatus.CTAP2_OK);
    expect(((await bad.info()).get(4) as Map<string, boolean>).get('rk')).toBe(false);
    expect((await bad.makeCredential({ rk: true })).status).toBe(CtapStatus.CTAP2_ERR_UNSUPPORTED_OPTION);
    expect((await bad.makeCredential()).status).toBe(CtapStatus.CTAP2_OK);
  });

  it('zero-aaguid: getInfo and attested credential data carry the all-zero AAGUID', async () => {
    const { good, bad } = await pair('zero-aaguid');
    for (const [d, aaguid] of [[good, SIMULATOR_AAGUID], [bad, new Uint8Array(16)]] as const) {
      expect([...((await d.info()).get(3) as Uint8Array)]).toEqual([...aaguid]);
      expect([...(await register(d)).mc.authData!.attestedCredentialData!.aaguid]).toEqual([...aaguid]);
    }
  });

  it('self-attestation: packed with no x5c, alg of the credential, signed by the credential key', async () => {
    const { good, bad } = await pair('self-attestation');
    expect(((await register(good)).mc.body!.get(3) as Map<string, unknown>).has('x5c')).toBe(true);
    const { mc, key } = await register(bad);
    expect(mc.body!.get(1)).toBe('packed');
    const attStmt = mc.body!.get(3) as Map<string, unknown>;
    expect([...attStmt.keys()].sort()).toEqual(['alg', 'sig']);
    expect(attStmt.get('alg')).toBe(-7);
    const signed = new Uint8Array(Buffer.concat([mc.body!.get(2) as Uint8Array, CDH]));
    expect(verifyCoseSignature(key, signed, attStmt.get('sig') as Uint8Array)).toBe(true);
  });

  it('noncanonical-cbor: response maps are out of CTAP2 canonical order (same content)', async () => {
    const { good, bad } = await pair('noncanonical-cbor');
    const raw = async (d: PinDriver) => (await d.a.handleCbor(CtapCommand.authenticatorGetInfo, new Uint8Array(0))).payload;
    const g = await raw(good);
    const b = await raw(bad);
    const keys = [...(decodeCbor(g, { canonical: 'strict' }).value as CborMap).keys()] as number[];
    expect(keys.length).toBeGreaterThan(3);
    expect(keys).toEqual([...keys].sort((x, y) => x - y));
    expect(() => decodeCbor(b, { canonical: 'strict' })).toThrow();
    const report = decodeCbor(b, { canonical: 'report' });
    expect(report.findings.length).toBeGreaterThan(0);
    expect([...(report.value as CborMap).keys()]).toEqual([...(decodeCbor(g).value as CborMap).keys()].reverse());
  });

  it('pin-retries-not-decremented: a wrong PIN is refused but the retry count stays', async () => {
    const { good, bad } = await pair('pin-retries-not-decremented');
    for (const [d, after] of [[good, 7], [bad, 8]] as const) {
      expect(await d.setPin(2, '1234')).toBe(CtapStatus.CTAP2_OK);
      const s = await d.session(2);
      const r = await d.clientPin({
        1: 2,
        2: ClientPinSubCommand.getPinUvAuthTokenUsingPinWithPermissions,
        3: s.platformKey,
        6: s.encrypt(pinHashLeft16('9999')),
        9: PinUvAuthPermission.mc,
        10: 'example.com',
      });
      expect(r.status).toBe(CtapStatus.CTAP2_ERR_PIN_INVALID);
      expect((await d.pinRetries()).retries).toBe(after);
    }
  });

  it('exclude-list-ignored: a credential is created although excludeList names one of ours', async () => {
    const { good, bad } = await pair('exclude-list-ignored');
    for (const [d, status] of [[good, CtapStatus.CTAP2_ERR_CREDENTIAL_EXCLUDED], [bad, CtapStatus.CTAP2_OK]] as const) {
      const { id } = await register(d);
      const params = new Map<number, unknown>([
        [1, CDH],
        [2, new Map([['id', 'example.com']])],
        [3, new Map<string, unknown>([['id', Uint8Array.of(9)], ['name', 'bob']])],
        [4, [new Map<string, unknown>([['alg', -7], ['type', 'public-key']])]],
        [5, [new Map<string, unknown>([['id', id], ['type', 'public-key']])]],
      ]);
      expect((await d.call(CtapCommand.authenticatorMakeCredential, params)).status).toBe(status);
    }
  });

  it('evil-strings: getInfo lists an extension of HTML and control characters; user names returned carry them', async () => {
    const { good, bad } = await pair('evil-strings');
    expect((await good.info()).get(2) as string[]).not.toContain(`x-${EVIL_TEXT}`);
    expect((await bad.info()).get(2) as string[]).toContain(`x-${EVIL_TEXT}`);
    expect(EVIL_TEXT).toMatch(/<script>/);
    expect(EVIL_TEXT).toMatch(/[\u0000-\u001f]/);
    for (const [d, evil] of [[good, false], [bad, true]] as const) {
      expect(await d.setPin(2, '1234')).toBe(CtapStatus.CTAP2_OK);
      const mcToken = (await d.token(2, '1234', PinUvAuthPermission.mc | PinUvAuthPermission.ga, 'example.com')).token!;
      expect((await d.makeCredential({ rk: true, token: mcToken, userName: 'alice' })).status).toBe(CtapStatus.CTAP2_OK);
      // Two accounts: names are returned only when the platform must choose (CTAP 2.1 §6.2.2).
      const mcToken2 = (await d.token(2, '1234', PinUvAuthPermission.mc, 'example.com')).token!;
      expect((await d.makeCredential({ rk: true, token: mcToken2, userName: 'alice', userId: Uint8Array.of(9) })).status).toBe(CtapStatus.CTAP2_OK);
      const gaToken = (await d.token(2, '1234', PinUvAuthPermission.ga, 'example.com')).token!;
      const ga = await d.getAssertion({ token: gaToken });
      expect(ga.status).toBe(CtapStatus.CTAP2_OK);
      const user = ga.body!.get(4) as Map<string, unknown>;
      expect(user.get('name')).toBe(evil ? `alice${EVIL_TEXT}` : 'alice');
    }
  });

  it('mds-revoked: the simulator behaves exactly as without it; the test MDS is told REVOKED', async () => {
    expect(behaviourForQuirks(['mds-revoked'])).toEqual({});
    expect(testMdsStatusForQuirks(['mds-revoked'])).toBe('REVOKED');
    expect(testMdsStatusForQuirks(['mds-root-compromised'])).toBe('ATTESTATION_KEY_COMPROMISE');
    expect(testMdsStatusForQuirks(['counter-stuck'])).toBeUndefined();
    const { good, bad } = await pair('mds-revoked');
    const g = await good.a.handleCbor(CtapCommand.authenticatorGetInfo, new Uint8Array(0));
    const b = await bad.a.handleCbor(CtapCommand.authenticatorGetInfo, new Uint8Array(0));
    expect(Buffer.compare(g.payload, b.payload)).toBe(0);
  });

  it('ctaphid-ignore-seq: continuation packets out of sequence are accepted (over UDP)', async () => {
    const data = Uint8Array.from({ length: 57 + 59 * 2 }, (_, i) => i & 0xff);
    for (const [quirks, accepted] of [[[], false], [['ctaphid-ignore-seq'], true]] as const) {
      const f = await startUdpFixture({ behaviour: behaviourForQuirks(quirks) });
      try {
        const cid = await f.client.allocateChannel();
        f.client.sendRaw(initPacket(cid, CtaphidCommand.PING, data.length, data.subarray(0, 57)));
        f.client.sendRaw(contPacket(cid, 1, data.subarray(57 + 59))); // SEQ 1 first
        f.client.sendRaw(contPacket(cid, 0, data.subarray(57, 57 + 59)));
        const a = await f.client.answer(cid);
        if (accepted) {
          expect(a.cmd).toBe(CtaphidCommand.PING);
          // appended in arrival order: the two continuation blocks swapped
          expect([...a.payload.subarray(57, 57 + 59)]).toEqual([...data.subarray(57 + 59)]);
        } else {
          expect(a.cmd).toBe(CtaphidCommand.ERROR);
          expect([...a.payload]).toEqual([CtaphidErrorCode.ERR_INVALID_SEQ]);
        }
      } finally {
        await f.close();
      }
    }
  });

  it('touch-when-up-false: getAssertion with up=false waits for a touch (UP still clear)', async () => {
    const { good, bad } = await pair('touch-when-up-false');
    for (const [d, waits] of [[good, 0], [bad, 1]] as const) {
      const { id } = await register(d);
      const before = d.touches.requests.length;
      const ga = await d.getAssertion({ allowList: [{ type: 'public-key', id }], up: false });
      expect(ga.status).toBe(CtapStatus.CTAP2_OK);
      expect(d.touches.requests.length - before).toBe(waits);
      expect(ga.authData!.up).toBe(false);
    }
  });

  it('assertion-without-touch: getAssertion with up=true sets UP without asking for a touch', async () => {
    const { good, bad } = await pair('assertion-without-touch');
    for (const [d, waits] of [[good, 1], [bad, 0]] as const) {
      const { id } = await register(d);
      const before = d.touches.requests.length;
      const ga = await d.getAssertion({ allowList: [{ type: 'public-key', id }] });
      expect(d.touches.requests.length - before).toBe(waits);
      expect(ga.authData!.up).toBe(true);
    }
  });

  it('unsupported-permission-granted: getInfo leaves large blobs out, the lbw permission is still granted', async () => {
    const { good, bad } = await pair('unsupported-permission-granted');
    const options = async (d: PinDriver) => (await d.info()).get(4) as Map<string, boolean>;
    expect((await options(good)).get('largeBlobs')).toBe(true);
    const info = await bad.info();
    expect((info.get(4) as Map<string, boolean>).has('largeBlobs')).toBe(false);
    expect(info.has(0x0b)).toBe(false); // maxSerializedLargeBlobArray
    expect(info.get(2) as string[]).not.toContain('largeBlobKey');
    for (const d of [good, bad]) {
      await d.setPin(2, '1234');
      expect((await d.token(2, '1234', PinUvAuthPermission.lbw)).status).toBe(CtapStatus.CTAP2_OK);
    }
    // the simulator without large blobs refuses it (CTAP 2.1 §6.5.5.7.2 step 4)
    const without = await PinDriver.create({ features: { ...DEFAULT_FEATURES, largeBlobs: false } });
    await without.setPin(2, '1234');
    expect((await without.token(2, '1234', PinUvAuthPermission.lbw)).status).toBe(CtapStatus.CTAP2_ERR_UNAUTHORIZED_PERMISSION);
  });

  it('counter-reset-on-reset: authenticatorReset sets the signature counter back to 0', async () => {
    const { good, bad } = await pair('counter-reset-on-reset');
    for (const [d, rises] of [[good, true], [bad, false]] as const) {
      const { mc } = await register(d);
      const before = mc.authData!.signCount;
      expect(before).toBeGreaterThan(0);
      expect((await d.call(CtapCommand.authenticatorReset)).status).toBe(CtapStatus.CTAP2_OK);
      const after = (await d.makeCredential()).authData!.signCount;
      expect(after > before).toBe(rises);
      if (!rises) expect(after).toBe(1);
    }
  });
});
