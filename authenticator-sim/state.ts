import type { AttestationMaterial } from './attestationMaterial.ts';
import type { BioTemplate } from './bio/FingerprintUv.ts';

/** A discoverable credential the simulator keeps (CTAP 2.1 §6.1.2 step 17, "rk"). */
export interface StoredCredential {
  /** credential ID (the wrapped key handle; see credentialId.ts) */
  id: Uint8Array;
  rpId: string;
  rpName?: string;
  userId: Uint8Array;
  userName?: string;
  userDisplayName?: string;
  alg: number;
  credProtect: number;
  /** order of creation, for "most recent first" (CTAP 2.1 §6.2.2 step 7) */
  created: number;
  credBlob?: Uint8Array;
  largeBlobKey?: Uint8Array;
  hmacSecret?: boolean;
  /** CTAP 2.2 thirdPartyPayment: made for payments by third parties */
  thirdPartyPayment?: boolean;
}

/** Everything that survives a power cycle (and, with --state FILE, a restart). */
export interface PersistentState {
  version: 1;
  aaguid: Uint8Array;
  /** AES-256-GCM key that wraps credential private keys into credential IDs; renewed by reset */
  masterKey: Uint8Array;
  /** global signature counter (CTAP 2.1 §6.1.2, WebAuthn L3 §6.1.1) */
  signCount: number;
  creationCounter: number;
  credentials: StoredCredential[];
  /** LEFT(SHA-256(PIN), 16) (CTAP 2.1 §6.5.5.5) and the PIN's length in code points */
  pin?: { hash: Uint8Array; codePoints: number };
  pinRetries: number;
  uvRetries: number;
  forcePinChange: boolean;
  minPinLength: number;
  minPinLengthRpIds: string[];
  alwaysUv: boolean;
  enterpriseAttestation: boolean;
  /** serialized large-blob array (CTAP 2.1 §6.10.2), initially the empty array with its hash */
  largeBlobArray: Uint8Array;
  attestation: AttestationMaterial;
  /** enrolled fingerprints (CTAP 2.1 §6.7); absent in state files written before bio enrollment */
  bioTemplates?: BioTemplate[];
  /** CTAP 2.2: the persistent pinUvAuthToken (pcmr permission); kept across power cycles, gone with a PIN change or reset */
  persistentToken?: Uint8Array;
  /** CTAP 2.2 encIdentifier's plaintext: 16 random bytes, new after a reset */
  deviceIdentifier?: Uint8Array;
}

/** JSON with byte strings as {"$b": base64url} so state files stay readable and exact. */
export function serializeState(state: PersistentState): string {
  return JSON.stringify(state, (_k, v) =>
    v instanceof Uint8Array ? { $b: Buffer.from(v).toString('base64url') } : v,
  );
}

export class StateFileError extends Error {
  override readonly name = 'StateFileError';
  constructor(message: string) {
    super(message);
  }
}

export function deserializeState(text: string): PersistentState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (_k, v) =>
      v && typeof v === 'object' && typeof v.$b === 'string' && Object.keys(v).length === 1
        ? new Uint8Array(Buffer.from(v.$b, 'base64url'))
        : v,
    );
  } catch (err) {
    throw new StateFileError(`state is not valid JSON: ${(err as Error).message}`);
  }
  const s = parsed as Partial<PersistentState> | null;
  if (
    !s ||
    s.version !== 1 ||
    !(s.aaguid instanceof Uint8Array) ||
    s.aaguid.length !== 16 ||
    !(s.masterKey instanceof Uint8Array) ||
    s.masterKey.length !== 32 ||
    typeof s.signCount !== 'number' ||
    !Array.isArray(s.credentials) ||
    typeof s.pinRetries !== 'number' ||
    !(s.largeBlobArray instanceof Uint8Array) ||
    !s.attestation ||
    !(s.attestation.leafCertificate instanceof Uint8Array)
  ) {
    throw new StateFileError('state does not have the version-1 shape');
  }
  return s as PersistentState;
}
