import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import {
  CborError,
  CtapCommand,
  CtapStatus,
  CtapStatusError,
  CtapVersion,
  decodeCbor,
  type CborMap,
} from '../harness/protocol/index.ts';
import { generateAttestationMaterial, SIMULATOR_ATTESTATION_SEED, type AttestationMaterial } from './attestationMaterial.ts';
import { defaultBehaviour, type AttestationMode, type Behaviour } from './behaviour.ts';
import {
  autoApprove,
  MemoryStorage,
  systemClock,
  systemRng,
  UserPresenceCancelled,
  type Clock,
  type Rng,
  type StateStorage,
  type UserPresence,
  type UserPresenceRequest,
} from './env.ts';
import { pinUvAuthProtocolOne, pinUvAuthProtocolTwo, type PinUvAuthProtocol } from './pinUvAuth/protocols.ts';
import { PinUvAuthToken } from './pinUvAuth/PinUvAuthToken.ts';
import { ScriptedBuiltInUv, UvModality, type BuiltInUv } from './pinUvAuth/builtInUv.ts';
import { FingerprintUv } from './bio/FingerprintUv.ts';
import { SimulatedFingerprintSensor, type FingerprintSensor } from './bio/fingerprintSensor.ts';
import { deserializeState, serializeState, type PersistentState, type StoredCredential } from './state.ts';
import { commandOffered, handlers } from './commands/handlers.ts';
import { DEFAULT_FEATURES, withoutCtap22, type SimFeatures } from './profile/SimFeatures.ts';

/** The simulator's AAGUID (random, fixed; listed in the test MDS). */
export const SIMULATOR_AAGUID = Uint8Array.from(Buffer.from('be7c888ff40745b9bab1f1e15cedc047', 'hex'));

export interface AuthenticatorOptions {
  clock?: Clock;
  rng?: Rng;
  userPresence?: UserPresence;
  storage?: StateStorage;
  /** quirks: overrides of the default behaviour (see behaviour.ts and quirks/) */
  behaviour?: Partial<Behaviour>;
  aaguid?: Uint8Array;
  /** attestation made by makeCredential (default packed with the simulator's certificate chain) */
  attestation?: AttestationMode;
  /**
   * reuse attestation PKI (tests create many simulators); otherwise a new state gets the default PKI,
   * derived from SIMULATOR_ATTESTATION_SEED (the same root key on every simulator)
   */
  attestationMaterial?: AttestationMaterial;
  /** discoverable credential slots (default 50) */
  maxDiscoverableCredentials?: number;
  /**
   * CTAP 2.1 §6.6: reset is refused 10 s after power-up. A simulator driven over UDP, or in tests,
   * allows it at any time (docs/simulator.md "Reset window").
   */
  allowResetAnytime?: boolean;
  /** how long authenticatorReset waits for the touch (CTAP 2.1 §6.6: 30 s); tests shorten it */
  resetPresenceTimeoutMs?: number;
  firmwareVersion?: number;
  /**
   * A simulated built-in user verification method (fingerprint, on-device passcode…), default none:
   * getInfo then has no `uv` option and getPinUvAuthTokenUsingUvWithPermissions / getUVRetries are
   * CTAP2_ERR_INVALID_SUBCOMMAND (pinUvAuth/builtInUv.ts).
   */
  builtInUv?: BuiltInUv;
  /**
   * The fingerprint sensor (CTAP 2.1 §6.7 bio enrollment, built-in UV by fingerprint once a finger is
   * enrolled). Default: a SimulatedFingerprintSensor the test drives; false: a key without one. Ignored
   * when `builtInUv` is given (that method is the key's only one).
   */
  fingerprint?: FingerprintSensor | false;
  /**
   * The RP IDs pre-configured for vendor-facilitated enterprise attestation (CTAP 2.1 §7.1,
   * enterpriseAttestation 1); default ENTERPRISE_RP_IDS. Enterprise attestation itself is off until
   * authenticatorConfig enableEnterpriseAttestation (§6.11.1).
   */
  enterpriseRpIds?: readonly string[];
  /**
   * What the simulator offers (versions, options, extensions, algorithms, PIN/UV protocols, limits), default
   * the simulator's own; a device profile narrows it to a key model's getInfo (profile/).
   */
  features?: SimFeatures;
  /**
   * false: a CTAP 2.1 key, the features without FIDO_2_2 and 2.2's extensions (no attestationFormatsPreference,
   * pcmr, hmac-secret-mc, thirdPartyPayment, 2.2 getInfo members). Default: as the features say.
   */
  ctap22?: false;
}

/** The simulator's vendor-facilitated enterprise attestation list (docs/simulator.md). */
export const ENTERPRISE_RP_IDS: readonly string[] = ['enterprise.fido-harness.test'];

export interface CborResponse {
  status: number;
  /** CBOR-encoded response map, empty when there is none or on error */
  payload: Uint8Array;
}

export interface HandleOptions {
  /** aborts a pending user-presence wait (CTAPHID_CANCEL) */
  signal?: AbortSignal;
}

/** What getNextAssertion continues from (CTAP 2.1 §6.3). */
export interface PendingAssertion {
  rpId: string;
  clientDataHash: Uint8Array;
  credentials: StoredCredential[];
  index: number;
  flags: number;
  userVerified: boolean;
  lastAt: number;
  extensionInputs: CborMap | undefined;
}

/**
 * The software authenticator's CTAP2 core. `handleCbor(command, payload)` is the whole interface the
 * device layers (CTAPHID, UDP, in-process transport) need: it never throws, answers a status byte for
 * every input, and leaves stored state untouched by rejected requests.
 */
export class Authenticator {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly userPresence: UserPresence;
  readonly storage: StateStorage;
  readonly behaviour: Behaviour;
  readonly attestationMode: AttestationMode;
  readonly maxDiscoverableCredentials: number;
  readonly allowResetAnytime: boolean;
  readonly resetPresenceTimeoutMs: number;
  readonly firmwareVersion: number;
  readonly builtInUv: BuiltInUv | undefined;
  /** the fingerprint sensor, when the key has one (bio enrollment, CTAP 2.1 §6.7) */
  readonly fingerprint: FingerprintSensor | undefined;
  readonly enterpriseRpIds: readonly string[];
  readonly features: SimFeatures;
  state: PersistentState;

  // Volatile state: cleared by a power cycle (CTAP 2.1 §6.5.2, §6.3).
  readonly pinUvAuthToken: PinUvAuthToken;
  readonly protocols: ReadonlyMap<number, PinUvAuthProtocol>;
  consecutivePinFailures = 0;
  pendingAssertion: PendingAssertion | undefined;
  /** lane-specific volatile state (credMgmt enumeration, large-blob writes…), cleared by powerCycle */
  volatile = new Map<string, unknown>();
  /** counts handleCbor calls, so a follow-up subcommand can tell it came straight after its begin */
  commandSerial = 0;
  poweredOnAt: number;

  private constructor(options: AuthenticatorOptions, state: PersistentState) {
    this.clock = options.clock ?? systemClock;
    this.rng = options.rng ?? systemRng;
    this.userPresence = options.userPresence ?? autoApprove;
    this.storage = options.storage ?? new MemoryStorage();
    this.behaviour = { ...defaultBehaviour, ...options.behaviour };
    this.attestationMode = options.attestation ?? 'packed';
    this.features = options.ctap22 === false ? withoutCtap22(options.features ?? DEFAULT_FEATURES) : (options.features ?? DEFAULT_FEATURES);
    this.maxDiscoverableCredentials = options.maxDiscoverableCredentials ?? this.features.maxDiscoverableCredentials;
    this.allowResetAnytime = options.allowResetAnytime ?? false;
    this.enterpriseRpIds = options.enterpriseRpIds ?? ENTERPRISE_RP_IDS;
    this.resetPresenceTimeoutMs = options.resetPresenceTimeoutMs ?? 30_000;
    this.firmwareVersion = options.firmwareVersion ?? this.features.firmwareVersion;
    this.state = state;
    if (options.builtInUv) {
      this.builtInUv = options.builtInUv;
    } else if (options.fingerprint !== false && this.features.bioEnroll) {
      this.fingerprint = options.fingerprint ?? new SimulatedFingerprintSensor();
      this.builtInUv = new FingerprintUv(this.fingerprint, () => this.state.bioTemplates ?? [], () => this.behaviour.bioMatchAnyFinger);
    } else if (options.features) {
      // A device profile: the model's own built-in UV (getInfo uv, uvModality), or none.
      const profiled = this.features.builtInUv;
      if (profiled !== undefined) this.builtInUv = new ScriptedBuiltInUv({ configured: profiled, modality: this.features.uvModality ?? UvModality.fingerprintInternal });
    }
    this.lastSaved = serializeState(state);
    this.pinUvAuthToken = new PinUvAuthToken(this.rng, this.clock);
    // Only the protocols the model offers exist (CTAP 2.1 §6.5.4); another is CTAP1_ERR_INVALID_PARAMETER.
    const offered = new Set(this.features.pinUvAuthProtocols);
    this.protocols = new Map<number, PinUvAuthProtocol>(
      [
        [1, pinUvAuthProtocolOne(this.rng)] as const,
        [2, pinUvAuthProtocolTwo(this.rng)] as const,
      ].filter(([v]) => offered.has(v)),
    );
    this.poweredOnAt = this.clock.now();
  }

  /** Whether the simulator speaks CTAP 2.2 (its features list FIDO_2_2). */
  get ctap22(): boolean {
    return this.features.versions.includes(CtapVersion.FIDO_2_2);
  }

  /** Loads the state from storage, or makes a new one (new master key and, unless given, attestation PKI). */
  static async create(options: AuthenticatorOptions = {}): Promise<Authenticator> {
    const storage = options.storage ?? new MemoryStorage();
    const saved = storage.load();
    const rng = options.rng ?? systemRng;
    let state: PersistentState;
    if (saved !== undefined) {
      state = deserializeState(saved);
    } else {
      const aaguid = options.aaguid ?? SIMULATOR_AAGUID;
      const material =
        options.attestationMaterial ??
        (await generateAttestationMaterial(aaguid, { keySeed: SIMULATOR_ATTESTATION_SEED }));
      state = newState(aaguid, material, rng);
      const features = options.features ?? DEFAULT_FEATURES;
      state.alwaysUv = features.alwaysUvInitially;
      state.minPinLength = features.minPINLength;
      storage.save(serializeState(state));
    }
    return new Authenticator({ ...options, storage }, state);
  }

  /**
   * Processes one CTAP2 message (CTAP 2.1 §6, §8). Every outcome, including malformed input and
   * internal failures, is a status byte; nothing is thrown.
   */
  async handleCbor(command: number, payload: Uint8Array, options: HandleOptions = {}): Promise<CborResponse> {
    // §6.3: getNextAssertion continues only straight after getAssertion/getNextAssertion.
    if (command !== CtapCommand.authenticatorGetNextAssertion) this.pendingAssertion = undefined;
    this.commandSerial++;
    this.pinUvAuthToken.observeTimers();
    const handler = handlers.get(command);
    // A command the model does not have answers as on such a key (CTAP 2.1 §8.2: CTAP1_ERR_INVALID_COMMAND).
    if (!handler || !commandOffered(this.features, command)) return { status: CtapStatus.CTAP1_ERR_INVALID_COMMAND, payload: new Uint8Array(0) };
    try {
      // getInfo maxMsgSize (CTAP 2.1 §6.4): a longer request is refused with CTAP1_ERR_INVALID_LENGTH.
      if (1 + payload.length > this.features.maxMsgSize) {
        throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_LENGTH, `request above maxMsgSize ${this.features.maxMsgSize}`);
      }
      let params: unknown = undefined;
      if (handler.takesParameters) {
        // Where the payload is empty the spec is silent; every required parameter is then missing.
        if (payload.length === 0) {
          throw new CtapStatusError(CtapStatus.CTAP2_ERR_MISSING_PARAMETER, 'empty request');
        }
        // CTAP 2.1 §8: requests are canonical CBOR of at most 4 nesting levels.
        params = decodeCbor(payload, { canonical: this.behaviour.strictRequestCbor ? 'strict' : 'report', maxDepth: 4 }).value;
      } else if (payload.length > 0) {
        // The command takes no parameters (§6.4, §6.6, §6.3, §6.9); the spec names no status for extra
        // bytes, and an invalid length says what is wrong.
        throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_LENGTH, 'command takes no parameters');
      }
      const response = await handler.run(this, params, options);
      return {
        status: CtapStatus.CTAP2_OK,
        payload: response ? this.behaviour.encodeResponse(response) : new Uint8Array(0),
      };
    } catch (err) {
      if (err instanceof CtapStatusError) return { status: err.code, payload: new Uint8Array(0) };
      if (err instanceof CborError) return { status: CtapStatus.CTAP2_ERR_INVALID_CBOR, payload: new Uint8Array(0) };
      // An internal failure must not leave half-applied state behind: back to what was last stored.
      this.state = deserializeState(this.lastSaved);
      return { status: CtapStatus.CTAP1_ERR_OTHER, payload: new Uint8Array(0) };
    }
  }

  /** Writes persistent state through the storage; called before a command that changed it answers. */
  persist(): void {
    const serialized = serializeState(this.state);
    this.storage.save(serialized);
    this.lastSaved = serialized;
  }

  /** the state as last written to storage: what an internal failure rolls back to */
  private lastSaved: string;

  /**
   * A power cycle (unplug and replug): persistent state stays; the pinUvAuthToken, the key-agreement
   * keys, the consecutive wrong-PIN count and any pending getNextAssertion are gone (CTAP 2.1 §6.5.2), and
   * the 10 s reset window opens again (§6.6).
   */
  powerCycle(): void {
    this.clearVolatile();
    this.poweredOnAt = this.clock.now();
  }

  private clearVolatile(): void {
    this.pinUvAuthToken.reset();
    for (const p of this.protocols.values()) p.regenerate();
    this.consecutivePinFailures = 0;
    this.pendingAssertion = undefined;
    this.volatile.clear();
  }

  /** Asks the user for a touch; a cancelled wait is CTAP2_ERR_KEEPALIVE_CANCEL (CTAP 2.1 §11.2.9.1.5). */
  async requestUserPresence(req: UserPresenceRequest): Promise<'approved' | 'denied' | 'timeout'> {
    try {
      if (req.signal?.aborted) throw new UserPresenceCancelled();
      return await this.userPresence.request(req);
    } catch (err) {
      if (err instanceof UserPresenceCancelled) throw new CtapStatusError(CtapStatus.CTAP2_ERR_KEEPALIVE_CANCEL);
      throw err;
    }
  }

  private attestationKeyCache: { material: AttestationMaterial; key: KeyObject } | undefined;

  /** The batch attestation private key, parsed once per attestation material (PKCS#8 parsing is slow). */
  attestationKey(): KeyObject {
    const material = this.state.attestation;
    if (this.attestationKeyCache?.material !== material) {
      const key = createPrivateKey({ key: Buffer.from(material.leafPrivateKey), format: 'der', type: 'pkcs8' });
      this.attestationKeyCache = { material, key };
    }
    return this.attestationKeyCache.key;
  }

  rpIdHash(rpId: string): Uint8Array {
    return new Uint8Array(createHash('sha256').update(rpId, 'utf8').digest());
  }

  /** The hash written into authenticatorData (the behaviour may falsify it). */
  authDataRpIdHash(rpId: string): Uint8Array {
    return this.behaviour.rpIdHash(rpId, this.rpIdHash(rpId));
  }

  get aaguid(): Uint8Array {
    return this.behaviour.aaguid(this.state.aaguid);
  }

  /** Advances and persists-to-be the global signature counter; returns the value to write. */
  nextSignCount(): number {
    this.state.signCount = this.behaviour.nextSignCount(this.state.signCount) >>> 0;
    return this.state.signCount;
  }

  get pinIsSet(): boolean {
    return this.state.pin !== undefined;
  }

  /** Resets to factory state: new master key (all credential IDs die), no PIN, counters kept monotonic. */
  factoryReset(): void {
    const fresh = newState(this.state.aaguid, this.state.attestation, this.rng);
    // The signature counter never goes backwards, even across reset (WebAuthn L3 §6.1.1 clone detection).
    fresh.signCount = this.behaviour.signCountAfterReset(this.state.signCount);
    // Settings go back to the model's factory defaults (CTAP 2.1 §6.6).
    fresh.alwaysUv = this.features.alwaysUvInitially;
    fresh.minPinLength = this.features.minPINLength;
    this.state = fresh;
    // Volatile state goes with the PIN; the reset window still counts from power-up (§6.6), not from reset.
    this.clearVolatile();
  }
}

/** An empty large-blob array: CBOR [] followed by LEFT(SHA-256(h'80'), 16) (CTAP 2.1 §6.10.2). */
export const EMPTY_LARGE_BLOB_ARRAY = Uint8Array.from(
  Buffer.from('8076be8b528d0075f7aae98d6fa57a6d3c', 'hex'),
);

function newState(aaguid: Uint8Array, attestation: AttestationMaterial, rng: Rng): PersistentState {
  return {
    version: 1,
    aaguid,
    masterKey: rng.bytes(32),
    signCount: 0,
    creationCounter: 0,
    credentials: [],
    pinRetries: 8,
    uvRetries: 8,
    forcePinChange: false,
    minPinLength: 4,
    minPinLengthRpIds: [],
    alwaysUv: false,
    enterpriseAttestation: false,
    largeBlobArray: EMPTY_LARGE_BLOB_ARRAY,
    attestation,
    bioTemplates: [],
    deviceIdentifier: rng.bytes(16),
  };
}
