import { describe, expect, it } from 'vitest';
import {
  ClientPinSubCommand as CP,
  CredentialManagementSubCommand as CM,
  CtapCommand,
  CtapStatus as S,
  PinUvAuthPermission as P,
} from '../../harness/protocol/index.ts';
import type { BuiltInUv, BuiltInUvAttempt, BuiltInUvOutcome } from '../../authenticator-sim/pinUvAuth/builtInUv.ts';
import { DEFAULT_FEATURES } from '../../authenticator-sim/profile/SimFeatures.ts';
import { padPin, pinHashLeft16, tokenAuthenticate } from '../helpers/pinClient.ts';
import { CDH, PinDriver, PROTOCOLS, type Token } from '../helpers/pinDriver.ts';

const PIN = '1234';

/** A built-in UV method that records what it was asked. */
class RecordingUv implements BuiltInUv {
  readonly modality = 2;
  readonly configured = true;
  readonly establishesPresence = true;
  readonly attempts: BuiltInUvAttempt[] = [];
  readonly queue: BuiltInUvOutcome[] = [];
  async verify(attempt: BuiltInUvAttempt): Promise<BuiltInUvOutcome> {
    this.attempts.push(attempt);
    return this.queue.shift() ?? 'match';
  }
}

/** credentialManagement getCredsMetadata with pinUvAuthParam = authenticate(token, 0x01). */
const metadata = (d: PinDriver, t: Token, command: number) =>
  d.call(command, new Map<number, unknown>([[1, CM.getCredsMetadata], [3, t.version], [4, tokenAuthenticate(t.version, t.token, Uint8Array.of(CM.getCredsMetadata))]]));

describe.each(PROTOCOLS)('authenticatorClientPIN step order and codes (CTAP 2.1 §6.5.5), protocol %i', (v) => {
  const name = (x: string) => `${x} _v${v}`;

  it(name('getPINRetries answers exactly pinRetries and powerCycleState'), async () => {
    const d = await PinDriver.create();
    const r = await d.clientPin({ 2: CP.getPINRetries });
    expect([...r.body!]).toEqual([[3, 8], [4, false]]);
  });

  it(name('a pinHashEnc that decrypts to 32 bytes is a wrong PIN (CTAP2_ERR_PIN_INVALID), and costs a retry'), async () => {
    const d = await PinDriver.create();
    expect(await d.setPin(v, PIN)).toBe(S.CTAP2_OK);
    const s = await d.session(v);
    const hash = pinHashLeft16(PIN);
    const long = s.encrypt(new Uint8Array(Buffer.concat([hash, hash])));
    const r = await d.clientPin({ 1: v, 2: CP.getPinUvAuthTokenUsingPinWithPermissions, 3: s.platformKey, 6: long, 9: P.mc });
    expect(r.status).toBe(S.CTAP2_ERR_PIN_INVALID);
    expect((await d.pinRetries()).retries).toBe(7);
  });

  it(name('getPINToken with an rpId is CTAP1_ERR_INVALID_PARAMETER'), async () => {
    const d = await PinDriver.create();
    expect(await d.setPin(v, PIN)).toBe(S.CTAP2_OK);
    const s = await d.session(v);
    const r = await d.clientPin({ 1: v, 2: CP.getPINToken, 3: s.platformKey, 6: s.encrypt(pinHashLeft16(PIN)), 10: 'example.com' });
    expect(r.status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
    expect((await d.pinRetries()).retries).toBe(8);
  });

  it(name('permissions are checked before the PIN state: permissions 0 on a blocked PIN is INVALID_PARAMETER'), async () => {
    const d = await PinDriver.create();
    expect(await d.setPin(v, PIN)).toBe(S.CTAP2_OK);
    d.a.state.pinRetries = 0;
    expect((await d.token(v, PIN, 0)).status).toBe(S.CTAP1_ERR_INVALID_PARAMETER);
    expect((await d.token(v, PIN, P.mc)).status).toBe(S.CTAP2_ERR_PIN_BLOCKED);
    // and the missing members before anything else
    expect((await d.clientPin({ 1: v, 2: CP.getPinUvAuthTokenUsingPinWithPermissions, 9: P.mc })).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
  });

  it(name('changePIN: pinUvAuthParam is over newPinEnc || pinHashEnc, in that order'), async () => {
    const d = await PinDriver.create();
    expect(await d.setPin(v, PIN)).toBe(S.CTAP2_OK);
    const s = await d.session(v);
    const newPinEnc = s.encrypt(padPin('5678'));
    const pinHashEnc = s.encrypt(pinHashLeft16(PIN));
    const swapped = s.authenticate(new Uint8Array(Buffer.concat([pinHashEnc, newPinEnc])));
    const r = await d.clientPin({ 1: v, 2: CP.changePIN, 3: s.platformKey, 4: swapped, 5: newPinEnc, 6: pinHashEnc });
    expect(r.status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    // refused before the PIN is checked: no retry spent
    expect((await d.pinRetries()).retries).toBe(8);
    expect((await d.token(v, PIN, P.mc)).status).toBe(S.CTAP2_OK);
  });

  it(name('changePIN with a wrong current PIN keeps the PIN and costs a retry; a new PIN below minPINLength is refused'), async () => {
    const d = await PinDriver.create();
    expect(await d.setPin(v, PIN)).toBe(S.CTAP2_OK);
    expect(await d.changePin(v, '0000', '5678')).toBe(S.CTAP2_ERR_PIN_INVALID);
    expect((await d.pinRetries()).retries).toBe(7);
    expect(await d.changePin(v, PIN, '567')).toBe(S.CTAP2_ERR_PIN_POLICY_VIOLATION);
    // the right PIN restored the retries before the new one was refused
    expect((await d.pinRetries()).retries).toBe(8);
    expect((await d.token(v, PIN, P.mc)).status).toBe(S.CTAP2_OK);
  });

  it(name('setPIN / changePIN: a newPinEnc that is not whole blocks does not decrypt (CTAP2_ERR_PIN_AUTH_INVALID)'), async () => {
    const d = await PinDriver.create();
    const s = await d.session(v);
    const bad = new Uint8Array(Buffer.concat([s.encrypt(padPin(PIN)), Uint8Array.of(1)]));
    const r = await d.clientPin({ 1: v, 2: CP.setPIN, 3: s.platformKey, 4: s.authenticate(bad), 5: bad });
    expect(r.status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    expect(d.a.pinIsSet).toBe(false);
    expect(await d.setPin(v, PIN)).toBe(S.CTAP2_OK);
    const c = await d.session(v);
    const pinHashEnc = c.encrypt(pinHashLeft16(PIN));
    const badNew = new Uint8Array(Buffer.concat([c.encrypt(padPin('5678')), Uint8Array.of(1)]));
    const param = c.authenticate(new Uint8Array(Buffer.concat([badNew, pinHashEnc])));
    expect((await d.clientPin({ 1: v, 2: CP.changePIN, 3: c.platformKey, 4: param, 5: badNew, 6: pinHashEnc })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    expect((await d.token(v, PIN, P.mc)).status).toBe(S.CTAP2_OK);
  });

  it(name('a token with permissions replaces a getPINToken one: it no longer opens the preview command 0x41'), async () => {
    const d = await PinDriver.create();
    expect(await d.setPin(v, PIN)).toBe(S.CTAP2_OK);
    const legacy = (await d.token(v, PIN)).token!;
    expect((await metadata(d, legacy, CtapCommand.prototypeCredentialManagement)).status).toBe(S.CTAP2_OK);
    const mc = (await d.token(v, PIN, P.mc)).token!;
    expect((await metadata(d, mc, CtapCommand.prototypeCredentialManagement)).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
  });

  it(name('a key without pinUvAuthToken has the CTAP 2.0 subcommands only; its getPINToken token opens every command'), async () => {
    const d = await PinDriver.create({ features: { ...DEFAULT_FEATURES, pinUvAuthToken: false }, fingerprint: false });
    expect(await d.setPin(v, PIN)).toBe(S.CTAP2_OK);
    const s = await d.session(v);
    for (const sub of [CP.getPinUvAuthTokenUsingUvWithPermissions, CP.getUVRetries, CP.getPinUvAuthTokenUsingPinWithPermissions]) {
      expect((await d.clientPin({ 1: v, 2: sub, 3: s.platformKey, 6: s.encrypt(pinHashLeft16(PIN)), 9: P.mc })).status, `sub ${sub}`).toBe(S.CTAP2_ERR_INVALID_SUBCOMMAND);
    }
    expect((await d.pinRetries()).retries).toBe(8);
    const legacy = (await d.token(v, PIN)).token!;
    expect(d.a.pinUvAuthToken.permissions).toBe(P.mc | P.ga | P.cm | P.be | P.lbw | P.acfg);
    expect((await metadata(d, legacy, CtapCommand.prototypeCredentialManagement)).status).toBe(S.CTAP2_OK);
    expect((await d.makeCredential({ token: legacy })).status).toBe(S.CTAP2_OK);
  });
});

describe.each(PROTOCOLS)('getPinUvAuthTokenUsingUvWithPermissions (CTAP 2.1 §6.5.5.7.3), protocol %i', (v) => {
  const name = (x: string) => `${x} _v${v}`;
  async function uvKey() {
    const uv = new RecordingUv();
    const d = await PinDriver.create({ builtInUv: uv });
    const uvToken = async (fields: Record<number, unknown>) => {
      const s = await d.session(v);
      const r = await d.clientPin({ 1: v, 2: CP.getPinUvAuthTokenUsingUvWithPermissions, 3: s.platformKey, ...fields });
      return { status: r.status, token: r.status === 0 ? ({ version: v, token: s.decrypt(r.body!.get(2) as Uint8Array) } as Token) : undefined };
    };
    return { uv, d, uvToken };
  }

  it(name('the rpId goes to the method and binds the token; without one the method is asked without'), async () => {
    const { uv, d, uvToken } = await uvKey();
    const bound = await uvToken({ 9: P.ga, 10: 'example.com' });
    expect(bound.status).toBe(S.CTAP2_OK);
    expect(uv.attempts.map((a) => [a.reason, a.rpId])).toEqual([['getPinUvAuthTokenUsingUvWithPermissions', 'example.com']]);
    expect(d.a.pinUvAuthToken.rpId).toBe('example.com');
    // the method's gesture is presence: the token carries it
    expect(d.a.pinUvAuthToken.userPresent).toBe(true);
    const unbound = await uvToken({ 9: P.cm });
    expect(unbound.status).toBe(S.CTAP2_OK);
    expect(uv.attempts[1]).not.toHaveProperty('rpId');
    expect(d.a.pinUvAuthToken.rpId).toBeUndefined();
    expect(d.a.pinUvAuthToken.permissions).toBe(P.cm);
  });

  it(name('acfg and be cannot be had by built-in UV here (no uvAcfg / uvBioEnroll); keyAgreement is required'), async () => {
    const { uv, uvToken } = await uvKey();
    expect((await uvToken({ 9: P.acfg })).status).toBe(S.CTAP2_ERR_UNAUTHORIZED_PERMISSION);
    expect((await uvToken({ 9: P.be })).status).toBe(S.CTAP2_ERR_UNAUTHORIZED_PERMISSION);
    expect(uv.attempts).toEqual([]);
    const d2 = await uvKey();
    const r = await d2.d.clientPin({ 1: v, 2: CP.getPinUvAuthTokenUsingUvWithPermissions, 9: P.mc });
    expect(r.status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    const s = await d2.d.session(v);
    expect((await d2.d.clientPin({ 2: CP.getPinUvAuthTokenUsingUvWithPermissions, 3: s.platformKey, 9: P.mc })).status).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
  });

  it(name('with no UV retries left the method is not tried (CTAP2_ERR_UV_BLOCKED); a match restores 8 retries, stored'), async () => {
    const { uv, d, uvToken } = await uvKey();
    d.a.state.uvRetries = 0;
    expect((await uvToken({ 9: P.mc })).status).toBe(S.CTAP2_ERR_UV_BLOCKED);
    expect(uv.attempts).toEqual([]);
    d.a.state.uvRetries = 3;
    uv.queue.push('nomatch');
    expect((await uvToken({ 9: P.mc })).status).toBe(S.CTAP2_ERR_UV_INVALID);
    expect(d.storage.load()).toContain('"uvRetries":2');
    const ok = await uvToken({ 9: P.mc, 10: 'example.com' });
    expect(ok.status).toBe(S.CTAP2_OK);
    expect(d.storage.load()).toContain('"uvRetries":8');
    // and the token works, with UV
    const mc = await d.makeCredential({ token: ok.token });
    expect(mc.status).toBe(S.CTAP2_OK);
    expect(mc.authData!.uv).toBe(true);
    expect(tokenAuthenticate(v, ok.token!.token, CDH)).toHaveLength(v === 1 ? 16 : 32);
  });
});

describe('permissions by how the token is got, and what a token is bound to (CTAP 2.1 §6.5.5.7.2-3, §6.1.2 step 11.1)', () => {
  const uvTokenOf = async (d: PinDriver, permissions: number, rpId?: string) => {
    const s = await d.session(2);
    const r = await d.clientPin({ 1: 2, 2: CP.getPinUvAuthTokenUsingUvWithPermissions, 3: s.platformKey, 9: permissions, ...(rpId ? { 10: rpId } : {}) });
    return { status: r.status, token: r.status === 0 ? ({ version: 2, token: s.decrypt(r.body!.get(2) as Uint8Array) } as Token) : undefined };
  };

  it('noMcGaPermissionsWithClientPin keeps mc and ga by built-in UV', async () => {
    const d = await PinDriver.create({
      builtInUv: new RecordingUv(),
      features: { ...DEFAULT_FEATURES, staticOptions: { ...DEFAULT_FEATURES.staticOptions, noMcGaPermissionsWithClientPin: true } },
    });
    expect((await uvTokenOf(d, P.mc | P.ga, 'example.com')).status).toBe(S.CTAP2_OK);
  });

  it('with an enrolled fingerprint: be by PIN, never by the fingerprint itself (no uvBioEnroll)', async () => {
    const d = await PinDriver.create();
    expect(await d.setPin(2, PIN)).toBe(S.CTAP2_OK);
    d.a.state.bioTemplates = [{ id: new Uint8Array(16).fill(1), finger: 'right-index' }];
    expect((await uvTokenOf(d, P.mc, 'example.com')).status).toBe(S.CTAP2_OK);
    expect((await uvTokenOf(d, P.be)).status).toBe(S.CTAP2_ERR_UNAUTHORIZED_PERMISSION);
    expect((await d.token(2, PIN, P.be)).status).toBe(S.CTAP2_OK);
  });

  it('a token from built-in UV does not open the preview command 0x41 as a getPINToken one does', async () => {
    const d = await PinDriver.create({ builtInUv: new RecordingUv() });
    const t = (await uvTokenOf(d, P.mc)).token!;
    expect((await metadata(d, t, CtapCommand.prototypeCredentialManagement)).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
  });

  it('a pinHashEnc that does not decrypt (not whole blocks) is a wrong PIN and costs a retry', async () => {
    const d = await PinDriver.create();
    expect(await d.setPin(1, PIN)).toBe(S.CTAP2_OK);
    const s = await d.session(1);
    const r = await d.clientPin({ 1: 1, 2: CP.getPinUvAuthTokenUsingPinWithPermissions, 3: s.platformKey, 6: new Uint8Array(17), 9: P.mc });
    expect(r.status).toBe(S.CTAP2_ERR_PIN_INVALID);
    expect((await d.pinRetries()).retries).toBe(7);
  });

  it('makeCredential and getAssertion with "uv" ask the method for that command and RP', async () => {
    const uv = new RecordingUv();
    const d = await PinDriver.create({ builtInUv: uv });
    const mc = await d.makeCredential({ uv: true, rpId: 'example.com' });
    expect(mc.status).toBe(S.CTAP2_OK);
    expect((await d.getAssertion({ uv: true, rpId: 'example.com', allowList: [{ type: 'public-key', id: mc.authData!.attestedCredentialData!.credentialId }] })).status).toBe(S.CTAP2_OK);
    expect(uv.attempts.map((a) => [a.reason, a.rpId])).toEqual([['makeCredential', 'example.com'], ['getAssertion', 'example.com']]);
  });

  it('a token bound to an RP stays bound after a use that names no RP (bio enrollment)', async () => {
    const d = await PinDriver.create();
    expect(await d.setPin(2, PIN)).toBe(S.CTAP2_OK);
    const t = (await d.token(2, PIN, P.be | P.mc, 'example.com')).token!;
    const enumerate = new Map<number, unknown>([[1, 1], [2, 0x04], [4, 2], [5, tokenAuthenticate(2, t.token, Uint8Array.of(1, 0x04))]]);
    // authorized (no enrollments yet: CTAP2_ERR_INVALID_OPTION, not PIN_AUTH_INVALID)
    expect((await d.call(CtapCommand.authenticatorBioEnrollment, enumerate)).status).toBe(S.CTAP2_ERR_INVALID_OPTION);
    expect(d.a.pinUvAuthToken.rpId).toBe('example.com');
    expect((await d.makeCredential({ token: t, rpId: 'other.example' })).status).toBe(S.CTAP2_ERR_PIN_AUTH_INVALID);
    expect((await d.makeCredential({ token: t, rpId: 'example.com' })).status).toBe(S.CTAP2_OK);
  });
});
