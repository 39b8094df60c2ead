import { describe, expect, it } from 'vitest';
import {
  ConfigSubCommand,
  CtapCommand,
  CtapStatus as S,
  decryptPersistentInfo,
  encodeCanonicalCbor,
  PinUvAuthPermission as P,
  type CborMap,
} from '../../harness/protocol/index.ts';
import { DEFAULT_FEATURES } from '../../authenticator-sim/profile/SimFeatures.ts';
import { ScriptedBuiltInUv } from '../../authenticator-sim/pinUvAuth/builtInUv.ts';
import { tokenAuthenticate } from '../helpers/pinClient.ts';
import { PinDriver } from '../helpers/pinDriver.ts';

const PIN = '1234';
const options = (info: CborMap) => Object.fromEntries(info.get(4) as Map<string, boolean>);

describe('authenticatorGetInfo members (CTAP 2.1 §6.4, CTAP 2.2 §6.4)', () => {
  it('the default simulator answers exactly these members', async () => {
    const d = await PinDriver.create();
    const info = await d.info();
    expect([...info.keys()].sort((a, b) => (a as number) - (b as number))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 18, 20, 22, 24, 26, 27, 29]);
    expect(info.get(1)).toEqual(['U2F_V2', 'FIDO_2_0', 'FIDO_2_1_PRE', 'FIDO_2_1', 'FIDO_2_2']);
    expect(options(info)).toEqual({
      ep: false,
      rk: true,
      up: true,
      uv: false,
      plat: false,
      alwaysUv: false,
      credMgmt: true,
      authnrCfg: true,
      bioEnroll: false,
      clientPin: false,
      largeBlobs: true,
      perCredMgmtRO: true,
      pinUvAuthToken: true,
      setMinPINLength: true,
      makeCredUvNotRqd: true,
      credentialMgmtPreview: true,
      userVerificationMgmtPreview: false,
    });
    expect(info.get(0x0b)).toBe(4096); // maxSerializedLargeBlobArray
    expect(info.get(0x0d)).toBe(4); // minPINLength
    expect(info.get(0x0e)).toBe(0x00010000); // firmwareVersion
    expect(info.get(0x0f)).toBe(32); // maxCredBlobLength
    expect(info.get(0x10)).toBe(8); // maxRPIDsForSetMinPINLength
    expect(info.get(0x12)).toBe(2); // uvModality: fingerprint_internal (the sensor)
    expect(info.get(0x14)).toBe(50); // remainingDiscoverableCredentials
    // CTAP 2.2: attestationFormats, longTouchForReset, transportsForReset (USB only), pinComplexityPolicy, maxPINLength
    expect(info.get(0x16)).toEqual(['packed', 'fido-u2f', 'none']);
    expect(info.get(0x18)).toBe(false);
    expect(info.get(0x1a)).toEqual(['usb']);
    expect(info.get(0x1b)).toBe(false);
    expect(info.get(0x1d)).toBe(63);
  });

  it('follows state: clientPin once a PIN is set, forcePINChange, ep, alwaysUv (no U2F_V2, makeCredUvNotRqd false), remaining credentials', async () => {
    const d = await PinDriver.create();
    expect(await d.setPin(1, PIN)).toBe(S.CTAP2_OK);
    let info = await d.info();
    expect(options(info).clientPin).toBe(true);
    expect(info.has(0x0c)).toBe(false);
    const t = (await d.token(1, PIN, P.acfg)).token!;
    const configure = (sub: number, params?: Map<number, unknown>) => {
      const message = Buffer.concat([Buffer.alloc(32, 0xff), Uint8Array.of(0x0d, sub), params ? encodeCanonicalCbor(params) : new Uint8Array(0)]);
      const req = new Map<number, unknown>([[1, sub], [3, 1], [4, tokenAuthenticate(1, t.token, new Uint8Array(message))]]);
      if (params) req.set(2, params);
      return d.call(CtapCommand.authenticatorConfig, req);
    };
    expect((await configure(ConfigSubCommand.enableEnterpriseAttestation)).status).toBe(S.CTAP2_OK);
    expect(options(await d.info()).ep).toBe(true);
    expect((await configure(ConfigSubCommand.toggleAlwaysUv)).status).toBe(S.CTAP2_OK);
    info = await d.info();
    expect(options(info).alwaysUv).toBe(true);
    expect(options(info).makeCredUvNotRqd).toBe(false);
    // CTAP 2.1 §7.2: no U2F while alwaysUv is on.
    expect(info.get(1)).toEqual(['FIDO_2_0', 'FIDO_2_1_PRE', 'FIDO_2_1', 'FIDO_2_2']);
    expect((await configure(ConfigSubCommand.setMinPINLength, new Map([[1, 6]]))).status).toBe(S.CTAP2_OK);
    info = await d.info();
    expect(info.get(0x0c)).toBe(true);
    expect(info.get(0x0d)).toBe(6);
    // remainingDiscoverableCredentials counts down and stops at 0.
    const k = await PinDriver.create({ maxDiscoverableCredentials: 2 });
    for (const [user, left] of [[1, 1], [2, 0]] as const) {
      expect((await k.makeCredential({ rk: true, userId: Uint8Array.of(user) })).status).toBe(S.CTAP2_OK);
      expect((await k.info()).get(0x14)).toBe(left);
    }
    // More stored than the model holds (state from a larger model): still 0, never negative.
    k.a.state.credentials.push(structuredClone(k.a.state.credentials[0]!));
    expect((await k.info()).get(0x14)).toBe(0);
  });

  it('a CTAP 2.1 key (ctap22: false) has neither the 2.2 members nor perCredMgmtRO', async () => {
    const d = await PinDriver.create({ ctap22: false });
    const info = await d.info();
    expect(info.get(1)).toEqual(['U2F_V2', 'FIDO_2_0', 'FIDO_2_1_PRE', 'FIDO_2_1']);
    for (const k of [0x16, 0x18, 0x19, 0x1a, 0x1b, 0x1d, 0x1e]) expect(info.has(k), `member 0x${k.toString(16)}`).toBe(false);
    expect(options(info).perCredMgmtRO).toBeUndefined();
  });

  it('built-in UV: uv follows enrollment, uvModality is its modality; no sensor, no bioEnroll options', async () => {
    const d = await PinDriver.create({ builtInUv: new ScriptedBuiltInUv({ configured: false, modality: 0x10 }) });
    const info = await d.info();
    expect(options(info).uv).toBe(false);
    expect(options(info).bioEnroll).toBeUndefined();
    expect(options(info).userVerificationMgmtPreview).toBeUndefined();
    expect(info.get(0x12)).toBe(0x10);
    const none = await PinDriver.create({ fingerprint: false });
    const plain = await none.info();
    expect(options(plain).uv).toBeUndefined();
    expect(plain.has(0x12)).toBe(false);
  });

  it('a model that lists only some members answers only those (and the required ones)', async () => {
    const listed = new Set(['versions', 'aaguid', 'maxMsgSize', 'pinUvAuthProtocols']);
    const d = await PinDriver.create({ features: { ...DEFAULT_FEATURES, listed, certifications: { FIDO: 2 }, preferredPlatformUvAttempts: 3 } });
    const info = await d.info();
    // options is always answered, and uvModality (0x12) while the key has a UV method, as it follows state;
    expect([...info.keys()].sort((a, b) => (a as number) - (b as number))).toEqual([1, 3, 4, 5, 6, 0x12]);
    // an option whose feature is on but not listed as a member keeps its state
    expect(options(info).clientPin).toBe(false);
    const all = await PinDriver.create({ features: { ...DEFAULT_FEATURES, certifications: { FIDO: 2 }, preferredPlatformUvAttempts: 3 } });
    const full = await all.info();
    expect([...(full.get(0x13) as Map<string, number>)]).toEqual([['FIDO', 2]]);
    expect(full.get(0x11)).toBe(3);
  });

  it('a model without the rk feature and an explicit rk option lists rk false; one that leaves rk out of getInfo omits it', async () => {
    const noRk = await PinDriver.create({ features: { ...DEFAULT_FEATURES, rk: false } });
    const info = await noRk.info();
    expect(options(info).rk).toBe(false);
    expect(info.get(0x14)).toBe(0);
    const unlisted = await PinDriver.create({ features: { ...DEFAULT_FEATURES, rk: false, listed: new Set(['versions', 'aaguid', 'options']) } });
    expect(options(await unlisted.info()).rk).toBeUndefined();
    const stated = await PinDriver.create({ features: { ...DEFAULT_FEATURES, rk: false, staticOptions: { rk: false }, listed: new Set(['versions', 'aaguid', 'options']) } });
    expect(options(await stated.info()).rk).toBe(false);
  });

  it('a pcmr token adds encIdentifier and encCredStoreState, which decrypt with it and follow the credentials', async () => {
    const d = await PinDriver.create();
    expect(await d.setPin(2, PIN)).toBe(S.CTAP2_OK);
    expect((await d.info()).has(0x19)).toBe(false);
    const pcmr = (await d.token(2, PIN, P.pcmr)).token!;
    const before = await d.info();
    const id1 = decryptPersistentInfo(pcmr.token, 'encIdentifier', before.get(0x19) as Uint8Array);
    const state1 = decryptPersistentInfo(pcmr.token, 'encCredStoreState', before.get(0x1e) as Uint8Array);
    expect(id1).toHaveLength(16);
    expect(state1).toHaveLength(16);
    const again = await d.info();
    // Fresh IVs: other ciphertexts, the same identifier.
    expect(Buffer.compare(again.get(0x19) as Uint8Array, before.get(0x19) as Uint8Array)).not.toBe(0);
    expect(decryptPersistentInfo(pcmr.token, 'encIdentifier', again.get(0x19) as Uint8Array)).toEqual(id1);
    expect(decryptPersistentInfo(pcmr.token, 'encCredStoreState', again.get(0x1e) as Uint8Array)).toEqual(state1);
    const mc = await d.makeCredential({ rk: true, token: (await d.token(2, PIN, P.mc)).token });
    expect(mc.status).toBe(S.CTAP2_OK);
    const after = await d.info();
    expect(decryptPersistentInfo(pcmr.token, 'encIdentifier', after.get(0x19) as Uint8Array)).toEqual(id1);
    const state2 = decryptPersistentInfo(pcmr.token, 'encCredStoreState', after.get(0x1e) as Uint8Array);
    expect(Buffer.compare(state2!, state1!)).not.toBe(0);
    // A change of user name changes it too.
    d.a.state.credentials[0]!.userName = 'renamed';
    const renamed = decryptPersistentInfo(pcmr.token, 'encCredStoreState', (await d.info()).get(0x1e) as Uint8Array);
    expect(Buffer.compare(renamed!, state2!)).not.toBe(0);
    d.a.state.credentials[0]!.userDisplayName = 'Renamed';
    const redisplayed = decryptPersistentInfo(pcmr.token, 'encCredStoreState', (await d.info()).get(0x1e) as Uint8Array);
    expect(Buffer.compare(redisplayed!, renamed!)).not.toBe(0);
  });

  it('an option is listed only with its feature; makeCredUvNotRqd is listed (false) when only alwaysUv is there', async () => {
    const off = {
      ...DEFAULT_FEATURES,
      clientPin: false,
      pinUvAuthToken: false,
      makeCredUvNotRqd: false,
      alwaysUv: false,
      credMgmt: false,
      credMgmtPreview: false,
      authnrCfg: false,
      setMinPINLength: false,
      largeBlobs: false,
      ep: false,
    };
    const bare = await PinDriver.create({ features: off, fingerprint: false, ctap22: false });
    expect(Object.keys(options(await bare.info())).sort()).toEqual(['plat', 'rk', 'up']);
    const alwaysUvOnly = await PinDriver.create({ features: { ...off, alwaysUv: true }, fingerprint: false, ctap22: false });
    expect(options(await alwaysUvOnly.info())).toEqual({ plat: false, up: true, rk: true, alwaysUv: false, makeCredUvNotRqd: false });
    const notRqdOnly = await PinDriver.create({ features: { ...off, makeCredUvNotRqd: true }, fingerprint: false, ctap22: false });
    expect(options(await notRqdOnly.info()).makeCredUvNotRqd).toBe(true);
  });

  it("rk follows the feature even when the model's static options claim it", async () => {
    const d = await PinDriver.create({ features: { ...DEFAULT_FEATURES, rk: false, staticOptions: { rk: true }, listed: new Set(['versions', 'aaguid', 'options']) } });
    expect(options(await d.info()).rk).toBe(false);
  });

  it('bioEnroll turns true with an enrolled template, also from a state that had no template list', async () => {
    const d = await PinDriver.create();
    delete d.a.state.bioTemplates;
    expect(options(await d.info()).bioEnroll).toBe(false);
    d.a.state.bioTemplates = [{ id: new Uint8Array(16), finger: 'right-index' }];
    expect(options(await d.info())).toMatchObject({ bioEnroll: true, userVerificationMgmtPreview: true });
  });

  it("maxCredentialIdLength: the model's, or the simulator's own credential ID length (64) when that is longer", async () => {
    const long = await PinDriver.create({ features: { ...DEFAULT_FEATURES, maxCredentialIdLength: 128 } });
    expect((await long.info()).get(8)).toBe(128);
    const short = await PinDriver.create({ features: { ...DEFAULT_FEATURES, maxCredentialIdLength: 16 } });
    expect((await short.info()).get(8)).toBe(64);
  });

  it('a key that hides large blobs (behaviour listLargeBlobs false) lists no largeBlobs option, array size or largeBlobKey', async () => {
    const d = await PinDriver.create({ behaviour: { listLargeBlobs: false } });
    const info = await d.info();
    expect(options(info).largeBlobs).toBeUndefined();
    expect(info.has(0x0b)).toBe(false);
    expect(info.get(2)).toEqual(['credProtect', 'hmac-secret', 'credBlob', 'minPinLength', 'hmac-secret-mc', 'thirdPartyPayment']);
  });

  it('encCredStoreState: an absent user name is the same state as an empty one', async () => {
    const d = await PinDriver.create();
    expect(await d.setPin(2, PIN)).toBe(S.CTAP2_OK);
    expect((await d.makeCredential({ rk: true, token: (await d.token(2, PIN, P.mc)).token })).status).toBe(S.CTAP2_OK);
    const pcmr = (await d.token(2, PIN, P.pcmr)).token!;
    const state = async () => Buffer.from(decryptPersistentInfo(pcmr.token, 'encCredStoreState', (await d.info()).get(0x1e) as Uint8Array)!).toString('hex');
    const c = d.a.state.credentials[0]!;
    delete c.userName;
    delete c.userDisplayName;
    const absent = await state();
    c.userName = '';
    c.userDisplayName = '';
    expect(await state()).toBe(absent);
  });
});
