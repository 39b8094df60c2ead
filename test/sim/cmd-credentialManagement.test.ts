import { describe, expect, it } from 'vitest';
import {
  CredentialManagementSubCommand as CM,
  CtapCommand,
  CtapStatus as S,
  PinUvAuthPermission as P,
} from '../../harness/protocol/index.ts';
import { sha256Bytes, tokenAuthenticate } from '../helpers/pinClient.ts';
import { PinDriver, PROTOCOLS } from '../helpers/pinDriver.ts';
import { credentialManagement as cm } from '../helpers/simCommands.ts';

const PIN = '1234';

const credId = (id: Uint8Array) => new Map<string, unknown>([['type', 'public-key'], ['id', id]]);
const hex = (b: unknown) => Buffer.from(b as Uint8Array).toString('hex');
const rpHash = (rpId: string) => new Map<number, unknown>([[1, sha256Bytes(rpId)]]);

describe.each(PROTOCOLS)('authenticatorCredentialManagement responses and checks (CTAP 2.1 §6.8), protocol %i', (v) => {
  const name = (x: string) => `${x} _v${v}`;

  /** A PIN, two RPs: a.example (two users, the second with largeBlobKey and thirdPartyPayment), b.example (one). */
  async function keyWith(options: Parameters<typeof PinDriver.create>[0] = {}) {
    const d = await PinDriver.create(options);
    expect(await d.setPin(v, PIN)).toBe(S.CTAP2_OK);
    const ids: Uint8Array[] = [];
    for (const [rpId, user, ext] of [
      ['a.example', 1, new Map<string, unknown>()],
      ['b.example', 2, new Map<string, unknown>([['credProtect', 3]])],
      ['a.example', 3, new Map<string, unknown>([['largeBlobKey', true], ['thirdPartyPayment', true]])],
    ] as const) {
      const mc = await d.makeCredential({ rk: true, rpId, userId: Uint8Array.of(user), userName: `user${user}`, token: (await d.token(v, PIN, P.mc, rpId)).token!, extensions: ext });
      expect(mc.status).toBe(S.CTAP2_OK);
      ids.push(mc.authData!.attestedCredentialData!.credentialId);
    }
    return { d, ids, t: (await d.token(v, PIN, P.cm)).token! };
  }

  it(name('RP enumeration: rp {id, name}, rpIDHash, totalRPs on the first answer only'), async () => {
    const { d, t } = await keyWith();
    const first = await cm(d, CM.enumerateRPsBegin, t);
    expect(first.status).toBe(S.CTAP2_OK);
    expect([...first.body!.keys()].sort()).toEqual([3, 4, 5]);
    expect([...(first.body!.get(3) as Map<string, string>)]).toEqual([['id', 'a.example'], ['name', 'Example']]);
    expect(hex(first.body!.get(4))).toBe(hex(sha256Bytes('a.example')));
    const next = await cm(d, CM.enumerateRPsGetNextRP);
    expect(next.status).toBe(S.CTAP2_OK);
    expect([...next.body!.keys()].sort()).toEqual([3, 4]);
    expect(hex(next.body!.get(4))).toBe(hex(sha256Bytes('b.example')));
  });

  it(name('credential enumeration: oldest first, totalCredentials on the first only, credProtect, largeBlobKey, thirdPartyPayment'), async () => {
    const { d, ids, t } = await keyWith();
    const first = await cm(d, CM.enumerateCredentialsBegin, t, rpHash('a.example'));
    expect(first.status).toBe(S.CTAP2_OK);
    // user 6, credentialID 7, publicKey 8, totalCredentials 9, credProtect 0x0A, thirdPartyPayment 0x0C (CTAP 2.2)
    expect([...first.body!.keys()].sort((x, y) => (x as number) - (y as number))).toEqual([6, 7, 8, 9, 10, 12]);
    expect(hex((first.body!.get(7) as Map<string, unknown>).get('id'))).toBe(hex(ids[0]));
    expect((first.body!.get(7) as Map<string, unknown>).get('type')).toBe('public-key');
    expect([...(first.body!.get(6) as Map<string, unknown>)].map(([k, x]) => [k, k === 'id' ? hex(x) : x])).toEqual([['id', '01'], ['name', 'user1'], ['displayName', 'Alice']]);
    expect(first.body!.get(9)).toBe(2);
    expect(first.body!.get(10)).toBe(1);
    expect(first.body!.get(12)).toBe(false);
    const next = await cm(d, CM.enumerateCredentialsGetNextCredential);
    expect(next.status).toBe(S.CTAP2_OK);
    expect(hex((next.body!.get(7) as Map<string, unknown>).get('id'))).toBe(hex(ids[2]));
    expect(next.body!.has(9)).toBe(false);
    // largeBlobKey 0x0B: the key makeCredential handed out for this credential
    expect(hex(next.body!.get(11))).toBe(hex(d.a.state.credentials.find((c) => Buffer.compare(c.id, ids[2]!) === 0)!.largeBlobKey));
    expect(next.body!.get(11)).toHaveLength(32);
    expect(next.body!.get(12)).toBe(true);
    // credProtect userVerificationRequired (3) is reported as such
    const b = await cm(d, CM.enumerateCredentialsBegin, (await d.token(v, PIN, P.cm)).token!, rpHash('b.example'));
    expect(b.body!.get(10)).toBe(3);
    expect(b.body!.get(9)).toBe(1);
    // One credential: a GetNext after the only one is NOT_ALLOWED.
    expect((await cm(d, CM.enumerateCredentialsGetNextCredential)).status).toBe(S.CTAP2_ERR_NOT_ALLOWED);
  });

  it(name('a CTAP 2.1 key answers no thirdPartyPayment member'), async () => {
    const d = await PinDriver.create({ ctap22: false });
    expect(await d.setPin(v, PIN)).toBe(S.CTAP2_OK);
    await d.makeCredential({ rk: true, token: (await d.token(v, PIN, P.mc)).token! });
    const r = await cm(d, CM.enumerateCredentialsBegin, (await d.token(v, PIN, P.cm)).token!, rpHash('example.com'));
    expect(r.status).toBe(S.CTAP2_OK);
    expect(r.body!.has(12)).toBe(false);
  });

  it(name('getCredsMetadata never reports a negative remainder'), async () => {
    const { d, t } = await keyWith({ maxDiscoverableCredentials: 3 });
    let r = await cm(d, CM.getCredsMetadata, t);
    expect([...r.body!]).toEqual([[1, 3], [2, 0]]);
    d.a.state.credentials.push(structuredClone(d.a.state.credentials[0]!));
    r = await cm(d, CM.getCredsMetadata, t);
    expect([...r.body!]).toEqual([[1, 4], [2, 0]]);
  });

  it(name('missing subCommandParams or members are CTAP2_ERR_MISSING_PARAMETER'), async () => {
    const { d, ids, t } = await keyWith();
    for (const sub of [CM.enumerateCredentialsBegin, CM.deleteCredential, CM.updateUserInformation]) {
      expect((await cm(d, sub, t)).status, `sub ${sub}`).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    }
    expect((await cm(d, CM.enumerateCredentialsBegin, t, new Map([[2, credId(ids[0]!)]]))).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    const user = new Map<string, unknown>([['id', Uint8Array.of(1)]]);
    expect((await cm(d, CM.updateUserInformation, t, new Map([[3, user]]))).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    expect((await cm(d, CM.updateUserInformation, t, new Map([[2, credId(ids[0]!)]]))).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    expect(d.a.state.credentials.map((c) => c.userName)).toEqual(['user1', 'user2', 'user3']);
  });

  it(name('pinUvAuthParam covers subCommandParams; the protocol must be given'), async () => {
    const { d, ids, t } = await keyWith();
    // Signed over the subcommand alone while parameters are sent.
    expect((await cm(d, CM.deleteCredential, t, new Map([[2, credId(ids[0]!)]]), { signedParams: null })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    const req = new Map<number, unknown>([[1, CM.getCredsMetadata], [4, tokenAuthenticate(v, t.token, Uint8Array.of(CM.getCredsMetadata))]]);
    expect((await d.call(CtapCommand.authenticatorCredentialManagement, req)).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    req.set(3, 3);
    expect((await d.call(CtapCommand.authenticatorCredentialManagement, req)).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
    expect(d.a.state.credentials).toHaveLength(3);
  });

  it(name('updateUserInformation: name and displayName replaced, an empty one removed, the change stored; unknown credential'), async () => {
    const { d, ids, t } = await keyWith();
    const update = (id: Uint8Array, user: [string, unknown][]) => cm(d, CM.updateUserInformation, t, new Map<number, unknown>([[2, credId(id)], [3, new Map(user)]]));
    expect((await update(ids[1]!, [['id', Uint8Array.of(2)], ['name', ''], ['displayName', 'Bob B.']])).status).toBe(S.CTAP2_OK);
    const stored = d.a.state.credentials.find((c) => Buffer.compare(c.id, ids[1]!) === 0)!;
    expect(stored.userName).toBeUndefined();
    expect(stored.userDisplayName).toBe('Bob B.');
    expect(d.storage.load()).toContain('Bob B.');
    // The others are untouched.
    expect(d.a.state.credentials.map((c) => c.userName)).toEqual(['user1', undefined, 'user3']);
    expect((await update(new Uint8Array(64), [['id', Uint8Array.of(2)], ['name', 'x']])).status).toBe(S.CTAP2_ERR_NO_CREDENTIALS);
    // A token bound to another RP may not change it (§6.8.6).
    const bound = (await d.token(v, PIN, P.cm, 'a.example')).token!;
    const r = await cm(d, CM.updateUserInformation, bound, new Map<number, unknown>([[2, credId(ids[1]!)], [3, new Map<string, unknown>([['id', Uint8Array.of(2)], ['name', 'y']])]]));
    expect(r.status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    expect(d.a.state.credentials[1]!.userName).toBeUndefined();
  });

  it(name('deleteCredential with a token bound to its RP; the deletion is stored; the others stay'), async () => {
    const { d, ids } = await keyWith();
    const bound = (await d.token(v, PIN, P.cm, 'a.example')).token!;
    expect((await cm(d, CM.deleteCredential, bound, new Map([[2, credId(ids[2]!)]]))).status).toBe(S.CTAP2_OK);
    expect(d.a.state.credentials.map((c) => c.userId[0])).toEqual([1, 2]);
    expect(d.storage.load()).not.toContain(Buffer.from(ids[2]!).toString('base64url'));
    expect(d.storage.load()).toContain(Buffer.from(ids[1]!).toString('base64url'));
    // Unknown credential with a bound token: there is nothing, whatever the binding.
    expect((await cm(d, CM.deleteCredential, bound, new Map([[2, credId(ids[2]!)]]))).status).toBe(S.CTAP2_ERR_NO_CREDENTIALS);
  });

  it(name('a stored list out of creation order (an edited state file) is still enumerated oldest first; an RP is named by its oldest credential'), async () => {
    const { d, ids, t } = await keyWith();
    d.a.state.credentials[2]!.rpName = 'Renamed later';
    d.a.state.credentials.reverse();
    const first = await cm(d, CM.enumerateRPsBegin, t);
    expect((first.body!.get(3) as Map<string, string>).get('id')).toBe('a.example');
    expect((first.body!.get(3) as Map<string, string>).get('name')).toBe('Example');
    expect(((await cm(d, CM.enumerateRPsGetNextRP)).body!.get(3) as Map<string, string>).get('id')).toBe('b.example');
    const c1 = await cm(d, CM.enumerateCredentialsBegin, (await d.token(v, PIN, P.cm)).token!, rpHash('a.example'));
    const c2 = await cm(d, CM.enumerateCredentialsGetNextCredential);
    expect([c1, c2].map((r) => hex((r.body!.get(7) as Map<string, unknown>).get('id')))).toEqual([hex(ids[0]), hex(ids[2])]);
  });

  it(name('updateUserInformation with an empty displayName removes it from the enumerated user'), async () => {
    const { d, ids, t } = await keyWith();
    const user = new Map<string, unknown>([['id', Uint8Array.of(1)], ['name', 'user1'], ['displayName', '']]);
    expect((await cm(d, CM.updateUserInformation, t, new Map<number, unknown>([[2, credId(ids[0]!)], [3, user]]))).status).toBe(S.CTAP2_OK);
    const r = await cm(d, CM.enumerateCredentialsBegin, t, rpHash('a.example'));
    expect([...(r.body!.get(6) as Map<string, unknown>).keys()]).toEqual(['id', 'name']);
    expect(d.a.state.credentials[0]).not.toHaveProperty('userDisplayName');
  });

  it(name('each use restarts the token usage window (§6.5.2.1): 20 s + 20 s of use keeps it alive'), async () => {
    const { d, t } = await keyWith();
    for (let i = 0; i < 3; i++) {
      d.clock.advance(20_000);
      expect((await cm(d, CM.getCredsMetadata, t)).status, `use ${i}`).toBe(S.CTAP2_OK);
    }
    d.clock.advance(30_001);
    expect((await cm(d, CM.getCredsMetadata, t)).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
  });
});

describe('CTAP 2.2 persistent credential-management token (pcmr, §6.5.5.7, §6.8)', () => {
  async function keyWithPcmr() {
    const d = await PinDriver.create();
    expect(await d.setPin(2, PIN)).toBe(S.CTAP2_OK);
    const mc = await d.makeCredential({ rk: true, rpId: 'a.example', token: (await d.token(2, PIN, P.mc)).token! });
    const id = mc.authData!.attestedCredentialData!.credentialId;
    const cmToken = (await d.token(2, PIN, P.cm)).token!;
    const pcmr = (await d.token(2, PIN, P.pcmr)).token!;
    return { d, id, cmToken, pcmr };
  }

  it('reads (metadata, RP and credential enumeration) and survives a power cycle; the ordinary token stays as it was', async () => {
    const { d, cmToken, pcmr } = await keyWithPcmr();
    expect(Buffer.compare(pcmr.token, cmToken.token)).not.toBe(0);
    // the ordinary cm token still works beside it
    expect((await cm(d, CM.getCredsMetadata, cmToken)).status).toBe(S.CTAP2_OK);
    d.a.powerCycle();
    d.clock.advance(3_600_000);
    expect((await cm(d, CM.getCredsMetadata, pcmr)).body!.get(1)).toBe(1);
    expect((await cm(d, CM.enumerateRPsBegin, pcmr)).body!.get(5)).toBe(1);
    const creds = await cm(d, CM.enumerateCredentialsBegin, pcmr, rpHash('a.example'));
    expect(creds.status).toBe(S.CTAP2_OK);
    expect(creds.body!.get(9)).toBe(1);
    expect(d.storage.load()).toContain('persistentToken');
  });

  it('never changes anything: delete and update are CTAP2_ERR_PIN_AUTH_INVALID', async () => {
    const { d, id, pcmr } = await keyWithPcmr();
    expect((await cm(d, CM.deleteCredential, pcmr, new Map([[2, credId(id)]]))).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    const user = new Map<string, unknown>([['id', Uint8Array.of(1, 2, 3, 4)], ['name', 'changed']]);
    expect((await cm(d, CM.updateUserInformation, pcmr, new Map<number, unknown>([[2, credId(id)], [3, user]]))).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    expect(d.a.state.credentials).toHaveLength(1);
    expect(d.a.state.credentials[0]!.userName).toBe('alice');
  });

  it('a wrong param is not taken for the persistent token; a PIN change or a new pcmr token ends it', async () => {
    const { d, pcmr } = await keyWithPcmr();
    const wrong = { version: 2 as const, token: Uint8Array.from(pcmr.token, (b, i) => (i === 0 ? b ^ 1 : b)) };
    expect((await cm(d, CM.getCredsMetadata, wrong)).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    const renewed = (await d.token(2, PIN, P.pcmr)).token!;
    expect((await cm(d, CM.getCredsMetadata, pcmr)).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    expect((await cm(d, CM.getCredsMetadata, renewed)).status).toBe(S.CTAP2_OK);
    expect(await d.changePin(2, PIN, '24680')).toBe(S.CTAP2_OK);
    expect((await cm(d, CM.getCredsMetadata, renewed)).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    expect(d.storage.load()).not.toContain('persistentToken');
  });
});
