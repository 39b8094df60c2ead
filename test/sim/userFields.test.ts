import { describe, expect, it } from 'vitest';
import { CtapCommand, CtapStatus as S, PinUvAuthPermission as P } from '../../harness/protocol/index.ts';
import { PinDriver, PROTOCOLS } from '../helpers/pinDriver.ts';

// CTAP 2.1 §6.2.2 step 12, the `user` member: one account per RP → "id" only; several accounts (no
// allowList) after user verification → "id", "name" and "displayName", for the platform's account chooser.

const PIN = '1234';

describe.each(PROTOCOLS)('getAssertion user fields, protocol %i', (v) => {
  async function withAccounts(n: number): Promise<PinDriver> {
    const d = await PinDriver.create();
    await d.setPin(v, PIN);
    for (let i = 0; i < n; i++) {
      const t = (await d.token(v, PIN, P.mc, 'example.com')).token!;
      expect((await d.makeCredential({ rk: true, token: t, userId: Uint8Array.of(i + 1), userName: `user${i}` })).status).toBe(S.CTAP2_OK);
    }
    return d;
  }

  it('one account, with UV: the user id only', async () => {
    const d = await withAccounts(1);
    const t = (await d.token(v, PIN, P.ga, 'example.com')).token!;
    const ga = await d.getAssertion({ token: t });
    expect(ga.status).toBe(S.CTAP2_OK);
    expect(ga.authData!.uv).toBe(true);
    const user = ga.body!.get(4) as Map<string, unknown>;
    expect([...user.keys()]).toEqual(['id']);
    expect(ga.body!.has(5)).toBe(false);
  });

  it('two accounts, with UV: id, name and displayName in getAssertion and getNextAssertion', async () => {
    const d = await withAccounts(2);
    const t = (await d.token(v, PIN, P.ga, 'example.com')).token!;
    const ga = await d.getAssertion({ token: t });
    expect(ga.status).toBe(S.CTAP2_OK);
    expect(ga.body!.get(5)).toBe(2);
    const first = ga.body!.get(4) as Map<string, unknown>;
    expect(first.get('name')).toBe('user1');
    expect(first.get('displayName')).toBe('Alice');
    const next = await d.call(CtapCommand.authenticatorGetNextAssertion);
    expect(next.status).toBe(S.CTAP2_OK);
    const second = next.body!.get(4) as Map<string, unknown>;
    expect(second.get('name')).toBe('user0');
  });

  it('two accounts, without UV: ids only', async () => {
    const d = await withAccounts(2);
    const ga = await d.getAssertion({});
    expect(ga.status).toBe(S.CTAP2_OK);
    expect([...(ga.body!.get(4) as Map<string, unknown>).keys()]).toEqual(['id']);
  });
});
