import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CtapCommand, CtaphidCapability, CtaphidCommand, CtaphidErrorCode, CtapStatus, decodeCbor, encodeFrames, parsePacket, BROADCAST_CID } from '../../harness/protocol/index.ts';
import { Authenticator, buildInfo, createSimulatorDevice, profileFromGetInfo, ProfileError } from '../../authenticator-sim/index.ts';
import { sharedAttestationMaterial } from '../helpers/sim.ts';
import { makeCredentialParams } from './helpers/ctap2Requests.ts';

// Device profiles: a model's MDS3 authenticatorGetInfo shapes the simulator's getInfo and its behaviour
// (CTAP 2.1 §6.4): what the model lacks answers as on such a key.

const AAGUID = '0123456789abcdef0123456789abcdef';
const ctap20 = { versions: ['U2F_V2', 'FIDO_2_0'], aaguid: AAGUID, options: { rk: true, up: true, plat: false }, extensions: ['hmac-secret', 'txAuthSimple'], maxMsgSize: 1200 };

async function simFor(getInfo: Record<string, unknown>) {
  const profile = profileFromGetInfo(getInfo, 'test model');
  const a = await Authenticator.create({ aaguid: profile.aaguid, features: profile.features, attestationMaterial: await sharedAttestationMaterial(), allowResetAnytime: true });
  return { profile, a, call: (cmd: number, params?: unknown) => a.handleCbor(cmd, params === undefined ? new Uint8Array(0) : (params as Uint8Array)) };
}

describe('profileFromGetInfo and the simulator it shapes', () => {
  it('a CTAP 2.0 key without clientPin: getInfo as listed, 2.1 commands and clientPIN absent', async () => {
    const { a, call, profile } = await simFor(ctap20);
    const info = buildInfo(a);
    expect(info.versions).toEqual(['U2F_V2', 'FIDO_2_0']);
    expect(info.options).toEqual({ rk: true, up: true, plat: false });
    expect(info.extensions).toEqual(['hmac-secret']);
    expect(info.maxMsgSize).toBe(1200);
    expect(info.pinUvAuthProtocols).toBeUndefined(); // not listed by the model
    expect(Buffer.from(info.aaguid).toString('hex')).toBe(AAGUID);
    expect(profile.findings).toContain('extension txAuthSimple is not implemented by the simulator; left out');
    for (const cmd of [CtapCommand.authenticatorClientPIN, CtapCommand.authenticatorCredentialManagement, CtapCommand.authenticatorSelection, CtapCommand.authenticatorConfig, CtapCommand.authenticatorLargeBlobs]) {
      expect((await call(cmd, Uint8Array.of(0xa0))).status, `command 0x${cmd.toString(16)}`).toBe(CtapStatus.CTAP1_ERR_INVALID_COMMAND);
    }
    // a request above maxMsgSize
    expect((await call(CtapCommand.authenticatorMakeCredential, new Uint8Array(1300))).status).toBe(CtapStatus.CTAP1_ERR_INVALID_LENGTH);
    // makeCredential works, within maxMsgSize (x5c = [leaf] only)
    const mc = await call(CtapCommand.authenticatorMakeCredential, makeCredentialParams({ rk: true }));
    expect(mc.status).toBe(CtapStatus.CTAP2_OK);
    expect(mc.payload.length + 1).toBeLessThanOrEqual(1200);
    const attStmt = (decodeCbor(mc.payload).value as Map<number, Map<string, unknown>>).get(3)!;
    expect((attStmt.get('x5c') as unknown[]).length).toBe(1);
  });

  it('PIN/UV protocol 1 only, ES256 only, no permissions tokens', async () => {
    const { a, call } = await simFor({ versions: ['FIDO_2_0', 'FIDO_2_1_PRE'], aaguid: AAGUID, options: { rk: true, clientPin: false, credentialMgmtPreview: true }, pinUvAuthProtocols: [1], algorithms: [{ type: 'public-key', alg: -7 }] });
    const info = buildInfo(a);
    expect(info.pinUvAuthProtocols).toEqual([1]);
    expect(info.options).toMatchObject({ clientPin: false, credentialMgmtPreview: true });
    expect(info.options?.pinUvAuthToken).toBeUndefined();
    const keyAgreement = (v: number) => Uint8Array.from(Buffer.from(`a2010${v}0202`, "hex"));
    expect((await call(CtapCommand.authenticatorClientPIN, keyAgreement(1))).status).toBe(CtapStatus.CTAP2_OK);
    expect((await call(CtapCommand.authenticatorClientPIN, keyAgreement(2))).status).toBe(CtapStatus.CTAP1_ERR_INVALID_PARAMETER);
    // getPinUvAuthTokenUsingPinWithPermissions (0x09) is a 2.1 subcommand
    expect((await call(CtapCommand.authenticatorClientPIN, Uint8Array.from(Buffer.from('a201010209', 'hex')))).status).toBe(CtapStatus.CTAP2_ERR_INVALID_SUBCOMMAND);
    const eddsaOnly = makeCredentialParams({ alg: -8 });
    expect((await call(CtapCommand.authenticatorMakeCredential, eddsaOnly)).status).toBe(CtapStatus.CTAP2_ERR_UNSUPPORTED_ALGORITHM);
    expect((await call(CtapCommand.prototypeCredentialManagement, Uint8Array.from(Buffer.from('a10101', 'hex')))).status).not.toBe(CtapStatus.CTAP1_ERR_INVALID_COMMAND);
    expect((await call(CtapCommand.authenticatorCredentialManagement, Uint8Array.from(Buffer.from('a10101', 'hex')))).status).toBe(CtapStatus.CTAP1_ERR_INVALID_COMMAND);
  });

  it('a CTAP1/U2F-only model: INIT says NMSG-less and CBOR-less, CTAPHID_CBOR is ERR_INVALID_CMD', async () => {
    const profile = profileFromGetInfo({ versions: ['U2F_V2'], aaguid: AAGUID });
    expect(profile.findings.join(' ')).toContain('CTAP1/U2F-only');
    const { device } = await createSimulatorDevice({ aaguid: profile.aaguid, features: profile.features, attestationMaterial: await sharedAttestationMaterial() });
    const out: Uint8Array[] = [];
    device.onReport((r) => out.push(r));
    device.receive(encodeFrames(BROADCAST_CID, CtaphidCommand.INIT, new Uint8Array(8))[0]!);
    const init = parsePacket(out.pop()!);
    expect(init.kind === 'init' && init.cmd).toBe(CtaphidCommand.INIT);
    const caps = init.kind === 'init' ? init.data[16]! : 0;
    expect(caps & CtaphidCapability.CBOR).toBe(0);
    expect(caps & CtaphidCapability.NMSG).toBe(0);
    const cid = init.kind === 'init' ? new DataView(init.data.buffer, init.data.byteOffset + 8, 4).getUint32(0) : 0;
    device.receive(encodeFrames(cid, CtaphidCommand.CBOR, Uint8Array.of(CtapCommand.authenticatorGetInfo))[0]!);
    const err = parsePacket(out.pop()!);
    expect(err.kind === 'init' && [err.cmd, err.data[0]]).toEqual([CtaphidCommand.ERROR, CtaphidErrorCode.ERR_INVALID_CMD]);
    device.close();
  });

  it('a self-contradictory getInfo gives findings, not an exception; no getInfo at all is a ProfileError', () => {
    const p = profileFromGetInfo({ versions: ['FIDO_2_1', 'FIDO_2_9'], aaguid: AAGUID, options: { credMgmt: 'yes', alwaysUv: true, setMinPINLength: true }, pinUvAuthProtocols: [], maxMsgSize: 629, minPINLength: 2, algorithms: [{ type: 'public-key', alg: -257 }] });
    expect(p.findings.length).toBeGreaterThanOrEqual(7);
    expect(p.features.algorithms).toEqual([-7]);
    expect(p.features.maxMsgSize).toBe(1024);
    expect(p.features.minPINLength).toBe(4);
    expect(p.features.versions).toEqual(['FIDO_2_1']);
    expect(() => profileFromGetInfo('x')).toThrow(ProfileError);
    expect(() => profileFromGetInfo({ versions: [], aaguid: AAGUID })).toThrow(ProfileError);
    expect(() => profileFromGetInfo({ versions: ['FIDO_2_0'], aaguid: 'zz' })).toThrow(ProfileError);
  });
});

describe('fido-harness sim --profile (the real CLI)', () => {
  const BIN = fileURLToPath(new URL('../../bin/fido-harness.mjs', import.meta.url));
  const BLOB = fileURLToPath(new URL('../fixtures/mds/blob-2023-no23.jwt', import.meta.url));
  it('refuses --profile without --mds, and an AAGUID the BLOB lacks, with exit 2 and one line', () => {
    const noMds = spawnSync(process.execPath, [BIN, 'sim', '--profile', AAGUID], { encoding: 'utf8', timeout: 60_000 });
    expect(noMds.status).toBe(2);
    expect(noMds.stderr).toContain('--mds FILE');
    const missing = spawnSync(process.execPath, [BIN, 'sim', '--profile', AAGUID, '--mds', BLOB, '--at', '2023-01-15'], { encoding: 'utf8', timeout: 60_000 });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('has no entry for AAGUID 01234567-89ab-cdef-0123-456789abcdef');
  }, 90_000);
});
