import { describe, expect, it } from 'vitest';
import { ClientPinSubCommand as CP, CtapCommand as C, CtapStatus as S } from '../../harness/protocol/index.ts';
import { DEFAULT_FEATURES, type SimFeatures } from '../../authenticator-sim/profile/SimFeatures.ts';
import { PinDriver } from '../helpers/pinDriver.ts';

const raw = (d: PinDriver, command: number, payload: Uint8Array = new Uint8Array(0)) => d.a.handleCbor(command, payload);
const key = (over: Partial<SimFeatures>) => PinDriver.create({ features: { ...DEFAULT_FEATURES, ...over }, fingerprint: false });

describe('the command table: a command the model lacks is CTAP1_ERR_INVALID_COMMAND (CTAP 2.1 §6.4, §8.2)', () => {
  it.each<[string, Partial<SimFeatures>, number]>([
    ['credMgmt', { credMgmt: false }, C.authenticatorCredentialManagement],
    ['credentialMgmtPreview', { credMgmtPreview: false }, C.prototypeCredentialManagement],
    ['largeBlobs', { largeBlobs: false }, C.authenticatorLargeBlobs],
    ['authnrCfg', { authnrCfg: false }, C.authenticatorConfig],
    ['FIDO_2_1 (selection)', { versions: ['U2F_V2', 'FIDO_2_0'] }, C.authenticatorSelection],
    ['clientPin (no built-in UV)', { clientPin: false }, C.authenticatorClientPIN],
  ])('without %s', async (_what, over, command) => {
    const without = await key(over);
    expect((await raw(without, command, Uint8Array.of(0xa1, 0x01, 0x01))).status).toBe(S.CTAP1_ERR_INVALID_COMMAND);
    const withIt = await key({});
    expect((await raw(withIt, command, Uint8Array.of(0xa1, 0x01, 0x01))).status).not.toBe(S.CTAP1_ERR_INVALID_COMMAND);
  });

  it('clientPIN exists without the clientPin option when built-in UV gives tokens (§6.5.5.7.3), not without pinUvAuthToken', async () => {
    const uvOnly = await key({ clientPin: false, builtInUv: true });
    const r = await uvOnly.clientPin({ 2: CP.getUVRetries });
    expect(r.status).toBe(S.CTAP2_OK);
    expect(r.body!.get(5)).toBe(8);
    const noToken = await key({ clientPin: false, builtInUv: true, pinUvAuthToken: false });
    expect((await noToken.clientPin({ 2: CP.getUVRetries })).status).toBe(S.CTAP1_ERR_INVALID_COMMAND);
  });

  it('a U2F-only model has no CTAP2 command at all', async () => {
    const u2f = await key({ versions: ['U2F_V2'] });
    for (const command of [C.authenticatorGetInfo, C.authenticatorMakeCredential, C.authenticatorReset]) {
      expect((await raw(u2f, command)).status).toBe(S.CTAP1_ERR_INVALID_COMMAND);
    }
  });

  it('commands without parameters refuse a payload (CTAP1_ERR_INVALID_LENGTH); those with refuse none (MISSING_PARAMETER)', async () => {
    const d = await key({});
    for (const command of [C.authenticatorGetInfo, C.authenticatorReset, C.authenticatorGetNextAssertion, C.authenticatorSelection]) {
      expect((await raw(d, command, Uint8Array.of(0xa0))).status, `0x${command.toString(16)}`).toBe(S.CTAP1_ERR_INVALID_LENGTH);
    }
    for (const command of [C.authenticatorMakeCredential, C.authenticatorGetAssertion, C.authenticatorClientPIN, C.authenticatorCredentialManagement, C.prototypeCredentialManagement, C.authenticatorLargeBlobs, C.authenticatorConfig]) {
      expect((await raw(d, command)).status, `0x${command.toString(16)}`).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    }
    const bio = await PinDriver.create();
    for (const command of [C.authenticatorBioEnrollment, C.prototypeBioEnrollment]) {
      expect((await raw(bio, command)).status, `0x${command.toString(16)}`).toBe(S.CTAP2_ERR_MISSING_PARAMETER);
    }
    expect((await raw(bio, C.authenticatorSelection)).status).toBe(S.CTAP2_OK);
  });
});
