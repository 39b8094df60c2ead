import { CoseAlgorithm, CtapExtension, CtapVersion, PUBLIC_KEY } from '../../harness/protocol/index.ts';
import { DEFAULT_FEATURES, type SimFeatures } from './SimFeatures.ts';

/** A key model the simulator plays: its AAGUID, its features, and what in its getInfo could not be followed. */
export interface DeviceProfile {
  aaguid: Uint8Array;
  description?: string;
  features: SimFeatures;
  /**
   * Where the model's getInfo contradicts itself or the spec, or asks for what the simulator does not
   * implement: one line each, with the spec section; the profile still loads (the simulator takes the
   * reading the spec allows, or its nearest implemented feature).
   */
  findings: string[];
}

export class ProfileError extends Error {
  override readonly name = 'ProfileError';
}

/** The extensions, options and algorithms the simulator implements. */
const IMPLEMENTED_EXTENSIONS = new Set(DEFAULT_FEATURES.extensions);
const IMPLEMENTED_ALGORITHMS = new Set<number>(DEFAULT_FEATURES.algorithms);
/** options with no behaviour behind them (information only): passed through as listed */
const INFORMATIONAL_OPTIONS = new Set(['plat', 'up', 'noMcGaPermissionsWithClientPin']);
/** options the simulator keeps state for or implements (SimFeatures members) */
const MODELLED_OPTIONS = new Set(['rk', 'clientPin', 'pinUvAuthToken', 'credMgmt', 'credentialMgmtPreview', 'authnrCfg', 'setMinPINLength', 'alwaysUv', 'ep', 'largeBlobs', 'makeCredUvNotRqd', 'uv', 'bioEnroll', 'userVerificationMgmtPreview']);

/**
 * Reads a model's MDS3 `authenticatorGetInfo` (FIDO Metadata Statement §3.1.x: the getInfo response as
 * JSON, aaguid as hex) into a device profile: versions, extensions, options, algorithms,
 * pinUvAuthProtocols, limits, transports, firmwareVersion, uvModality, remaining discoverable slots.
 * Members the model leaves out are left out of the simulator's getInfo too, with CTAP defaults for the
 * behaviour (CTAP 2.1 §6.4: an absent option is false, except up which defaults to true). Never throws
 * for a self-contradictory getInfo (that is a finding); throws ProfileError only when there is no getInfo
 * to read (not an object, no versions, no AAGUID).
 */
export function profileFromGetInfo(getInfo: unknown, description?: string): DeviceProfile {
  if (typeof getInfo !== 'object' || getInfo === null || Array.isArray(getInfo)) throw new ProfileError('authenticatorGetInfo is not an object');
  const gi = getInfo as Record<string, unknown>;
  const findings: string[] = [];
  const strings = (name: string): string[] | undefined => {
    const v = gi[name];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
      findings.push(`${name} is not a list of strings; ignored (CTAP 2.1 §6.4)`);
      return undefined;
    }
    return v as string[];
  };
  const uint = (name: string): number | undefined => {
    const v = gi[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      findings.push(`${name} ${JSON.stringify(v)} is not an unsigned integer; ignored (CTAP 2.1 §6.4)`);
      return undefined;
    }
    return v;
  };

  const versions = strings('versions');
  if (!versions || versions.length === 0) throw new ProfileError('authenticatorGetInfo has no versions');
  const aaguidHex = typeof gi.aaguid === 'string' ? gi.aaguid.replace(/-/g, '') : '';
  if (!/^[0-9a-fA-F]{32}$/.test(aaguidHex)) throw new ProfileError(`authenticatorGetInfo aaguid ${JSON.stringify(gi.aaguid)} is not 16 bytes of hex`);
  const known = Object.values(CtapVersion) as string[];
  for (const v of versions) if (!known.includes(v)) findings.push(`versions lists "${v}", which no CTAP version names; ignored`);
  const f: SimFeatures = { ...DEFAULT_FEATURES, versions: versions.filter((v) => known.includes(v)), staticOptions: {} };
  const listed = new Set(Object.keys(gi));
  f.listed = listed;

  // options (CTAP 2.1 §6.4): absent = false, up absent = true.
  const rawOptions = gi.options;
  const options: Record<string, boolean> = {};
  if (rawOptions !== undefined) {
    if (typeof rawOptions !== 'object' || rawOptions === null || Array.isArray(rawOptions)) findings.push('options is not a map; read as no options');
    else
      for (const [k, v] of Object.entries(rawOptions)) {
        if (typeof v !== 'boolean') findings.push(`option ${k} is ${JSON.stringify(v)}, not a boolean; ignored`);
        else options[k] = v;
      }
  }
  for (const [k, v] of Object.entries(options)) {
    if (INFORMATIONAL_OPTIONS.has(k)) f.staticOptions[k] = v;
    else if (!MODELLED_OPTIONS.has(k) && v) findings.push(`option ${k} is not simulated (no behaviour behind it); left out`);
  }
  if ('rk' in options) f.staticOptions.rk = options.rk!;
  f.rk = options.rk === true;
  f.clientPin = 'clientPin' in options;
  f.pinUvAuthToken = options.pinUvAuthToken === true;
  f.credMgmt = options.credMgmt === true;
  f.credMgmtPreview = options.credentialMgmtPreview === true;
  f.authnrCfg = options.authnrCfg === true;
  f.setMinPINLength = options.setMinPINLength === true;
  f.alwaysUv = 'alwaysUv' in options;
  f.alwaysUvInitially = options.alwaysUv === true;
  f.ep = 'ep' in options;
  f.largeBlobs = options.largeBlobs === true;
  f.makeCredUvNotRqd = options.makeCredUvNotRqd === true;
  f.builtInUv = 'uv' in options ? options.uv : undefined;
  // a fingerprint model: the simulator's sensor, enrolled or not as the state says (not as listed)
  f.bioEnroll = 'bioEnroll' in options || 'userVerificationMgmtPreview' in options;

  const isCtap21 = f.versions.includes(CtapVersion.FIDO_2_1);
  const ctap2 = f.versions.some((v) => v.startsWith('FIDO_2_'));
  if (!ctap2) findings.push('no FIDO_2_x version: a CTAP1/U2F-only key (CTAPHID_CBOR not implemented)');
  if (options.up === false) {
    // Self-contradictory for a key that makes credentials: simulated with presence, reported as found.
    findings.push('up is false: a key that cannot test user presence cannot make credentials (CTAP 2.1 §6.1.2 step 9); simulated with up true');
    f.staticOptions.up = true;
  }
  // Options that need a version the model does not list (CTAP 2.1 §6.4 options).
  if (f.credMgmt && !isCtap21) findings.push('credMgmt without FIDO_2_1 (CTAP 2.1 §6.8 is a 2.1 command); offered as listed');
  if (f.credMgmtPreview && !f.versions.includes(CtapVersion.FIDO_2_1_PRE)) findings.push('credentialMgmtPreview without FIDO_2_1_PRE; offered as listed');
  if (isCtap21 && !f.pinUvAuthToken) findings.push('FIDO_2_1 without pinUvAuthToken (CTAP 2.1 §6.4: a 2.1 key supports it)');
  if (f.pinUvAuthToken && !f.clientPin && f.builtInUv === undefined) findings.push('pinUvAuthToken without clientPin or uv: no way to get a token (CTAP 2.1 §6.4)');
  if (f.alwaysUvInitially && !f.clientPin && f.builtInUv === undefined) findings.push('alwaysUv without clientPin or uv: nothing could verify the user (CTAP 2.1 §6.11.2)');
  if (f.setMinPINLength && !f.authnrCfg) findings.push('setMinPINLength without authnrCfg (CTAP 2.1 §6.11.4 is an authenticatorConfig subcommand); not reachable');

  // PIN/UV auth protocols (§6.5.4): only where clientPin or uv is there.
  const protocols = (gi.pinUvAuthProtocols === undefined ? undefined : Array.isArray(gi.pinUvAuthProtocols) ? gi.pinUvAuthProtocols : null) as unknown[] | null | undefined;
  if (protocols === null) findings.push('pinUvAuthProtocols is not a list; read as protocol 1');
  const usable = (protocols ?? []).filter((p): p is number => p === 1 || p === 2);
  for (const p of protocols ?? []) if (p !== 1 && p !== 2) findings.push(`pinUvAuthProtocols lists ${JSON.stringify(p)}, which the simulator does not implement; left out`);
  if (usable.length === 0 && (f.clientPin || f.builtInUv !== undefined)) {
    // A key with clientPin or uv speaks a PIN/UV protocol; protocol 1 is the one every such key has (CTAP 2.1
    // §6.5.6), and getInfo must list it (§6.4 pinUvAuthProtocols): simulated listed, reported as found.
    if (f.clientPin) {
      findings.push(`clientPin without ${protocols === undefined ? 'pinUvAuthProtocols' : 'any protocol in pinUvAuthProtocols'}; protocol 1 listed (CTAP 2.1 §6.4, §6.5.6)`);
      listed.add('pinUvAuthProtocols');
    }
    usable.push(1);
  }
  f.pinUvAuthProtocols = usable;

  // extensions (§6.4, §12)
  const ext = strings('extensions') ?? [];
  f.extensions = ext.filter((e) => IMPLEMENTED_EXTENSIONS.has(e));
  for (const e of ext) if (!IMPLEMENTED_EXTENSIONS.has(e)) findings.push(`extension ${e} is not implemented by the simulator; left out`);
  if (f.extensions.includes(CtapExtension.largeBlobKey) && !f.largeBlobs) findings.push('largeBlobKey without the largeBlobs option (CTAP 2.1 §12.3)');

  // algorithms (§6.4): absent = ES256 (CTAP 2.0 keys).
  const algs = gi.algorithms;
  let algorithms: number[] = [CoseAlgorithm.ES256];
  if (algs !== undefined) {
    if (!Array.isArray(algs)) findings.push('algorithms is not a list; ES256 assumed');
    else {
      const listedAlgs = algs.flatMap((a) => (typeof a === 'object' && a !== null && (a as { type?: unknown }).type === PUBLIC_KEY && typeof (a as { alg?: unknown }).alg === 'number' ? [(a as { alg: number }).alg] : []));
      algorithms = listedAlgs.filter((a) => IMPLEMENTED_ALGORITHMS.has(a));
      for (const a of listedAlgs) if (!IMPLEMENTED_ALGORITHMS.has(a)) findings.push(`algorithm ${a} is not implemented by the simulator; left out`);
      if (algorithms.length === 0) {
        findings.push('none of the listed algorithms is implemented; ES256 used instead');
        algorithms = [CoseAlgorithm.ES256];
      }
    }
  }
  f.algorithms = algorithms;

  // limits and descriptions
  f.maxMsgSize = uint('maxMsgSize') ?? 1024; // CTAP 2.1 §6.4: default 1024 when absent
  if (f.maxMsgSize < 1024) {
    findings.push(`maxMsgSize ${f.maxMsgSize} is below the 1024 bytes CTAP 2.1 §6.4 assumes; simulated as 1024 (a makeCredential answer with a batch certificate does not fit in less)`);
    f.maxMsgSize = 1024;
  }
  f.maxMsgSize = Math.min(f.maxMsgSize, 7609);
  // A makeCredential answer with x5c [leaf, intermediate] is about 1500 bytes: smaller models send the leaf.
  f.x5cLeafOnly = f.maxMsgSize < 1700;
  f.maxCredentialCountInList = uint('maxCredentialCountInList') ?? 64;
  const idLength = uint('maxCredentialIdLength');
  f.maxCredentialIdLength = idLength ?? 64;
  if (idLength !== undefined && idLength < 64) findings.push(`maxCredentialIdLength ${idLength}: the simulator's credential IDs are 64 bytes, so it answers 64`);
  const transports = strings('transports');
  if (transports) f.transports = transports;
  f.firmwareVersion = uint('firmwareVersion') ?? DEFAULT_FEATURES.firmwareVersion;
  f.minPINLength = uint('minPINLength') ?? 4;
  if (f.minPINLength < 4 || f.minPINLength > 63) {
    findings.push(`minPINLength ${f.minPINLength} is outside 4..63 (CTAP 2.1 §6.5.1); 4 used`);
    f.minPINLength = 4;
  }
  f.maxCredBlobLength = uint('maxCredBlobLength') ?? 32;
  if (f.extensions.includes(CtapExtension.credBlob) && !listed.has('maxCredBlobLength')) {
    // CTAP 2.1 §6.4: a key with credBlob reports maxCredBlobLength (at least 32); simulated listed.
    findings.push('credBlob without maxCredBlobLength (CTAP 2.1 §6.4); 32 listed');
    listed.add('maxCredBlobLength');
  }
  if (f.extensions.includes(CtapExtension.credBlob) && f.maxCredBlobLength < 32) findings.push(`maxCredBlobLength ${f.maxCredBlobLength} is below 32 (CTAP 2.1 §6.4); kept`);
  f.maxRPIDsForSetMinPINLength = uint('maxRPIDsForSetMinPINLength') ?? 0;
  f.maxSerializedLargeBlobArray = uint('maxSerializedLargeBlobArray') ?? (f.largeBlobs ? 1024 : 0);
  if (f.largeBlobs && f.maxSerializedLargeBlobArray < 1024) findings.push(`maxSerializedLargeBlobArray ${f.maxSerializedLargeBlobArray} is below 1024 (CTAP 2.1 §6.10); kept`);
  const remaining = uint('remainingDiscoverableCredentials');
  f.maxDiscoverableCredentials = remaining ?? DEFAULT_FEATURES.maxDiscoverableCredentials;
  const modality = uint('uvModality');
  f.uvModality = modality;
  if (modality !== undefined && f.builtInUv === undefined) findings.push('uvModality without the uv option; no built-in UV simulated');
  const cert = gi.certifications;
  if (cert && typeof cert === 'object' && !Array.isArray(cert)) f.certifications = Object.fromEntries(Object.entries(cert).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
  const attempts = uint('preferredPlatformUvAttempts');
  if (attempts !== undefined) f.preferredPlatformUvAttempts = attempts;
  if (!f.rk && options.rk === undefined && isCtap21) findings.push('a FIDO_2_1 key without the rk option');
  return { aaguid: Uint8Array.from(Buffer.from(aaguidHex, 'hex')), ...(description ? { description } : {}), features: f, findings };
}
