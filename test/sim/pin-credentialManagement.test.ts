import { describe, expect, it } from 'vitest';
import {
  CredentialManagementSubCommand as CM,
  CtapCommand,
  CtapStatus as S,
  encodeCanonicalCbor,
  PinUvAuthPermission as P,
} from '../../harness/protocol/index.ts';
import { sha256Bytes } from '../helpers/pinClient.ts';
import { PinDriver, PROTOCOLS } from '../helpers/pinDriver.ts';
import { credentialManagement as cm } from '../helpers/simCommands.ts';

const PIN = '1234';

const credId = (id: Uint8Array) => new Map<string, unknown>([['type', 'public-key'], ['id', id]]);

describe.each(PROTOCOLS)('credential management, protocol %i', (v) => {
  const name = (x: string) => `${x} _v${v}`;

  async function withCredentials() {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    const made: { rpId: string; userId: Uint8Array; id: Uint8Array; publicKey: Map<unknown, unknown> }[] = [];
    for (const [rpId, user] of [['a.example', 1], ['b.example', 2], ['a.example', 3]] as const) {
      const mc = await d.makeCredential({
        rk: true,
        rpId,
        userId: Uint8Array.of(user),
        userName: `user${user}`,
        token: (await d.token(v, PIN, P.mc, rpId)).token!,
        extensions: new Map([['credProtect', user === 3 ? 2 : 1]]),
      });
      expect(mc.status).toBe(S.CTAP2_OK);
      const acd = mc.authData!.attestedCredentialData!;
      made.push({ rpId, userId: Uint8Array.of(user), id: acd.credentialId, publicKey: acd.credentialPublicKey });
    }
    // A non-discoverable credential is not managed.
    await d.makeCredential({ rpId: 'c.example' });
    const t = (await d.token(v, PIN, P.cm)).token!;
    return { d, made, t };
  }

  it(name('getCredsMetadata counts the discoverable credentials'), async () => {
    const { d, t } = await withCredentials();
    const r = await cm(d, CM.getCredsMetadata, t);
    expect(r.status).toBe(S.CTAP2_OK);
    expect(r.body!.get(1)).toBe(3);
    expect(r.body!.get(2)).toBe(47);
  });

  it(name('enumerates RPs and credentials exactly as makeCredential made them'), async () => {
    const { d, made, t } = await withCredentials();
    const first = await cm(d, CM.enumerateRPsBegin, t);
    expect(first.status).toBe(S.CTAP2_OK);
    expect(first.body!.get(5)).toBe(2);
    const rps = [first.body!];
    rps.push((await cm(d, CM.enumerateRPsGetNextRP, undefined)).body!);
    expect(rps.map((r) => (r.get(3) as Map<string, string>).get('id'))).toEqual(['a.example', 'b.example']);
    expect(Buffer.from(rps[0]!.get(4) as Uint8Array).equals(Buffer.from(sha256Bytes('a.example')))).toBe(true);
    expect((await cm(d, CM.enumerateRPsGetNextRP, undefined)).status).toBe(S.CTAP2_ERR_NOT_ALLOWED);

    const params = new Map<number, unknown>([[1, sha256Bytes('a.example')]]);
    const c1 = await cm(d, CM.enumerateCredentialsBegin, t, params);
    expect(c1.status).toBe(S.CTAP2_OK);
    expect(c1.body!.get(9)).toBe(2);
    const c2 = await cm(d, CM.enumerateCredentialsGetNextCredential, undefined);
    const listed = [c1.body!, c2.body!];
    const expected = made.filter((m) => m.rpId === 'a.example');
    for (const [i, body] of listed.entries()) {
      const user = body.get(6) as Map<string, unknown>;
      expect(Buffer.from(user.get('id') as Uint8Array).equals(Buffer.from(expected[i]!.userId))).toBe(true);
      expect(user.get('name')).toBe(`user${expected[i]!.userId[0]}`);
      const id = (body.get(7) as Map<string, unknown>).get('id') as Uint8Array;
      expect(Buffer.from(id).equals(Buffer.from(expected[i]!.id))).toBe(true);
      // The public key is the one attested at registration.
      expect(Buffer.from(encodeCanonicalCbor(body.get(8) as Map<unknown, unknown>)).equals(
        Buffer.from(encodeCanonicalCbor(expected[i]!.publicKey as Map<never, never>)),
      )).toBe(true);
    }
    expect(listed.map((b) => b.get(10))).toEqual([1, 2]);
    expect((await cm(d, CM.enumerateCredentialsGetNextCredential, undefined)).status).toBe(S.CTAP2_ERR_NOT_ALLOWED);
    // Unknown RP: no credentials.
    expect((await cm(d, CM.enumerateCredentialsBegin, t, new Map([[1, sha256Bytes('c.example')]]))).status).toBe(
      S.CTAP2_ERR_NO_CREDENTIALS,
    );
  });

  it(name('a GetNext that does not follow its Begin is CTAP2_ERR_NOT_ALLOWED'), async () => {
    const { d, t } = await withCredentials();
    expect((await cm(d, CM.enumerateRPsGetNextRP, undefined)).status).toBe(S.CTAP2_ERR_NOT_ALLOWED);
    await cm(d, CM.enumerateRPsBegin, t);
    await d.info();
    expect((await cm(d, CM.enumerateRPsGetNextRP, undefined)).status).toBe(S.CTAP2_ERR_NOT_ALLOWED);
    await cm(d, CM.enumerateRPsBegin, t);
    expect((await cm(d, CM.enumerateCredentialsGetNextCredential, undefined)).status).toBe(S.CTAP2_ERR_NOT_ALLOWED);
  });

  it(name('deleteCredential removes it from getAssertion and enumeration'), async () => {
    const { d, made, t } = await withCredentials();
    const target = made[0]!;
    expect((await d.getAssertion({ rpId: 'a.example', allowList: [{ type: 'public-key', id: target.id }] })).status).toBe(S.CTAP2_OK);
    const r = await cm(d, CM.deleteCredential, t, new Map([[2, credId(target.id)]]));
    expect(r.status).toBe(S.CTAP2_OK);
    expect((await d.getAssertion({ rpId: 'a.example', allowList: [{ type: 'public-key', id: target.id }] })).status).toBe(
      S.CTAP2_ERR_NO_CREDENTIALS,
    );
    expect((await cm(d, CM.getCredsMetadata, t)).body!.get(1)).toBe(2);
    expect((await cm(d, CM.deleteCredential, t, new Map([[2, credId(target.id)]]))).status).toBe(S.CTAP2_ERR_NO_CREDENTIALS);
    expect((await cm(d, CM.deleteCredential, t, new Map([[1, sha256Bytes('a.example')]]))).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
  });

  it(name('updateUserInformation replaces name and displayName, never the user id'), async () => {
    const { d, made, t } = await withCredentials();
    const target = made[1]!;
    const user = new Map<string, unknown>([['id', target.userId], ['name', 'renamed']]);
    expect((await cm(d, CM.updateUserInformation, t, new Map([[2, credId(target.id)], [3, user]]))).status).toBe(S.CTAP2_OK);
    const stored = d.a.state.credentials.find((c) => Buffer.compare(c.id, target.id) === 0)!;
    expect(stored.userName).toBe('renamed');
    expect(stored.userDisplayName).toBeUndefined();
    const otherUser = new Map<string, unknown>([['id', Uint8Array.of(99)], ['name', 'x']]);
    expect((await cm(d, CM.updateUserInformation, t, new Map([[2, credId(target.id)], [3, otherUser]]))).status).toBe(
      S.CTAP1_ERR_INVALID_PARAMETER,
    );
  });

  it(name('authorization: no param, wrong param, missing cm permission, token bound to an RP'), async () => {
    const { d, made } = await withCredentials();
    expect((await cm(d, CM.getCredsMetadata, undefined)).status).toBe(S.CTAP2_ERR_PUAT_REQUIRED);
    const mcOnly = (await d.token(v, PIN, P.mc, 'a.example')).token!;
    expect((await cm(d, CM.getCredsMetadata, mcOnly)).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    const bound = (await d.token(v, PIN, P.cm, 'a.example')).token!;
    // Metadata and RP enumeration need an unbound token; credentials of the bound RP are fine.
    expect((await cm(d, CM.getCredsMetadata, bound)).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    expect((await cm(d, CM.enumerateRPsBegin, bound)).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    expect((await cm(d, CM.enumerateCredentialsBegin, bound, new Map([[1, sha256Bytes('a.example')]]))).status).toBe(S.CTAP2_OK);
    expect((await cm(d, CM.enumerateCredentialsBegin, bound, new Map([[1, sha256Bytes('b.example')]]))).status).toBe(
      S.CTAP2_ERR_PIN_AUTH_INVALID,
    );
    expect((await cm(d, CM.deleteCredential, bound, new Map([[2, credId(made[1]!.id)]]))).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    const wrong = { version: v, token: new Uint8Array(32) };
    expect((await cm(d, CM.getCredsMetadata, wrong)).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    expect((await cm(d, 0x09, bound)).status).toBe(S.CTAP2_ERR_INVALID_SUBCOMMAND);
    expect(d.a.state.credentials).toHaveLength(3);
  });

  it(name('the preview command 0x41 accepts a getPINToken token; 0x0A does not'), async () => {
    const { d } = await withCredentials();
    const legacy = (await d.token(v, PIN)).token!;
    expect((await cm(d, CM.getCredsMetadata, legacy)).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    const r = await cm(d, CM.getCredsMetadata, legacy, undefined, { command: CtapCommand.prototypeCredentialManagement });
    expect(r.status).toBe(S.CTAP2_OK);
    expect(r.body!.get(1)).toBe(3);
    const t = (await d.token(v, PIN, P.cm)).token!;
    expect((await cm(d, CM.enumerateRPsBegin, t, undefined, { command: CtapCommand.prototypeCredentialManagement })).body!.get(5)).toBe(2);
  });

  it(name('with no discoverable credentials, enumeration is CTAP2_ERR_NO_CREDENTIALS'), async () => {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    const t = (await d.token(v, PIN, P.cm)).token!;
    expect((await cm(d, CM.enumerateRPsBegin, t)).status).toBe(S.CTAP2_ERR_NO_CREDENTIALS);
    expect((await cm(d, CM.getCredsMetadata, t)).body!.get(1)).toBe(0);
  });
});
