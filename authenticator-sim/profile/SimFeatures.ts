import { CoseAlgorithm, CtapExtension, CtapVersion } from '../../harness/protocol/index.ts';

/**
 * What the simulator offers, as one key model would (CTAP 2.1 §6.4 authenticatorGetInfo). The default is
 * the fido-harness simulator itself; a device profile (profileFromGetInfo.ts) narrows it to a model's
 * MDS3 `authenticatorGetInfo`. getInfo is built from it, and so is behaviour: a command, subcommand,
 * option, extension, algorithm or PIN/UV auth protocol it lacks answers as a key without it would.
 */
export interface SimFeatures {
  /** getInfo versions, in order; FIDO_2_0 absent = a CTAP1/U2F-only key (no CTAPHID_CBOR) */
  versions: string[];
  /** the extensions processed and listed; others are ignored (CTAP 2.1 §6.1.2 step 12) */
  extensions: string[];
  /** options the model lists and the simulator has no state for (plat, up, noMcGaPermissionsWithClientPin…) */
  staticOptions: Record<string, boolean>;
  /** `rk` option: discoverable credentials */
  rk: boolean;
  /** `clientPin` present: authenticatorClientPIN (0x06) exists */
  clientPin: boolean;
  /** `pinUvAuthToken`: the permission subcommands of clientPIN (§6.5.5.7.2/3) */
  pinUvAuthToken: boolean;
  /** `credMgmt` (0x0A) and `credentialMgmtPreview` (0x41) */
  credMgmt: boolean;
  credMgmtPreview: boolean;
  /** `authnrCfg` (0x0D), its `setMinPINLength` subcommand, `alwaysUv` (toggle), `ep` (enterprise attestation) */
  authnrCfg: boolean;
  setMinPINLength: boolean;
  alwaysUv: boolean;
  /** alwaysUv on at first start (the model ships with it) */
  alwaysUvInitially: boolean;
  ep: boolean;
  /** `largeBlobs` (0x0C) */
  largeBlobs: boolean;
  /** `makeCredUvNotRqd` (§6.1.2 step 6) */
  makeCredUvNotRqd: boolean;
  /** a fingerprint sensor with bio enrollment (CTAP 2.1 §6.7, getInfo bioEnroll / userVerificationMgmtPreview) */
  bioEnroll: boolean;
  /** a built-in UV method: undefined none; false not yet enrolled (getInfo uv false); true enrolled */
  builtInUv: boolean | undefined;
  uvModality: number | undefined;
  /** PIN/UV auth protocols, preferred first */
  pinUvAuthProtocols: number[];
  /** COSE algorithms, preferred first (only ES256 and EdDSA are implemented) */
  algorithms: number[];
  maxMsgSize: number;
  maxCredentialCountInList: number;
  maxCredentialIdLength: number;
  transports: string[];
  firmwareVersion: number;
  minPINLength: number;
  maxCredBlobLength: number;
  maxRPIDsForSetMinPINLength: number;
  maxSerializedLargeBlobArray: number;
  maxDiscoverableCredentials: number;
  certifications?: Record<string, number>;
  preferredPlatformUvAttempts?: number;
  /** packed attestation with x5c = [batch certificate] only (a model whose maxMsgSize cannot carry two) */
  x5cLeafOnly?: boolean;
  /** getInfo members answered (a model's getInfo may leave some out); undefined = every member */
  listed?: ReadonlySet<string>;
}

/** The fido-harness simulator as it is without a profile. */
export const DEFAULT_FEATURES: SimFeatures = {
  versions: [CtapVersion.U2F_V2, CtapVersion.FIDO_2_0, CtapVersion.FIDO_2_1_PRE, CtapVersion.FIDO_2_1, CtapVersion.FIDO_2_2],
  extensions: [
    CtapExtension.credProtect,
    CtapExtension.hmacSecret,
    CtapExtension.credBlob,
    CtapExtension.largeBlobKey,
    CtapExtension.minPinLength,
    // CTAP 2.2
    CtapExtension.hmacSecretMc,
    CtapExtension.thirdPartyPayment,
  ],
  staticOptions: { plat: false, up: true },
  rk: true,
  clientPin: true,
  pinUvAuthToken: true,
  credMgmt: true,
  credMgmtPreview: true,
  authnrCfg: true,
  setMinPINLength: true,
  alwaysUv: true,
  alwaysUvInitially: false,
  ep: true,
  largeBlobs: true,
  makeCredUvNotRqd: true,
  bioEnroll: true,
  builtInUv: undefined,
  uvModality: undefined,
  pinUvAuthProtocols: [2, 1],
  algorithms: [CoseAlgorithm.ES256, CoseAlgorithm.EdDSA],
  maxMsgSize: 7609,
  maxCredentialCountInList: 8,
  maxCredentialIdLength: 64,
  transports: ['nfc', 'usb'],
  firmwareVersion: 0x00010000,
  minPINLength: 4,
  maxCredBlobLength: 32,
  maxRPIDsForSetMinPINLength: 8,
  maxSerializedLargeBlobArray: 4096,
  maxDiscoverableCredentials: 50,
};

/** The simulator speaks CTAP2 (CTAPHID_CBOR) only when it lists a FIDO_2_x version. */
export function speaksCtap2(f: SimFeatures): boolean {
  return f.versions.some((v) => v.startsWith('FIDO_2_'));
}

/** authenticatorSelection (§6.9), credMgmt 0x0A and the 2.1 subcommands exist from FIDO_2_1 on. */
export function isCtap21(f: SimFeatures): boolean {
  return f.versions.includes(CtapVersion.FIDO_2_1);
}

/** CTAP 2.2's extensions (§12): gone with FIDO_2_2. */
const CTAP22_EXTENSIONS: ReadonlySet<string> = new Set([CtapExtension.hmacSecretMc, CtapExtension.thirdPartyPayment]);

/** The same key as a CTAP 2.1 one: FIDO_2_2 and 2.2's extensions left out. */
export function withoutCtap22(f: SimFeatures): SimFeatures {
  return { ...f, versions: f.versions.filter((v) => v !== CtapVersion.FIDO_2_2), extensions: f.extensions.filter((e) => !CTAP22_EXTENSIONS.has(e)) };
}
