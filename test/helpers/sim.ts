import { createHash } from 'node:crypto';
import {
  Authenticator,
  generateAttestationMaterial,
  ManualClock,
  SIMULATOR_AAGUID,
  UserPresenceCancelled,
  type AttestationMaterial,
  type AuthenticatorOptions,
  type UserPresence,
  type UserPresenceOutcome,
  type UserPresenceRequest,
} from '../../authenticator-sim/index.ts';
import {
  CtapCommand,
  decodeCbor,
  encodeCanonicalCbor,
  encodeMakeCredentialRequest,
  type CborMap,
  type MakeCredentialRequest,
} from '../../harness/protocol/index.ts';

let material: Promise<AttestationMaterial> | undefined;
/** One attestation PKI per test worker: generating it is the slow part of creating a simulator. */
export function sharedAttestationMaterial(): Promise<AttestationMaterial> {
  material ??= generateAttestationMaterial(SIMULATOR_AAGUID);
  return material;
}

/** A user whose answers tests script; records every request. Default answer: approved. */
export class ScriptedPresence implements UserPresence {
  readonly requests: UserPresenceRequest[] = [];
  readonly answers: Array<UserPresenceOutcome | 'wait-for-cancel'> = [];
  async request(req: UserPresenceRequest): Promise<UserPresenceOutcome> {
    this.requests.push(req);
    const next = this.answers.shift() ?? 'approved';
    if (next === 'wait-for-cancel') {
      await new Promise<void>((resolve, reject) => {
        if (req.signal?.aborted) reject(new UserPresenceCancelled());
        req.signal?.addEventListener('abort', () => reject(new UserPresenceCancelled()));
        setTimeout(resolve, 5_000);
      });
      return 'timeout';
    }
    return next;
  }
}

export interface TestSim {
  sim: Authenticator;
  clock: ManualClock;
  presence: ScriptedPresence;
  /** sends a command; returns the status and the decoded response map (if any) */
  call(command: number, params?: unknown): Promise<{ status: number; body: CborMap | undefined }>;
  /** sends raw bytes */
  raw(command: number, payload: Uint8Array): Promise<{ status: number; payload: Uint8Array }>;
}

export async function createTestSim(options: AuthenticatorOptions = {}): Promise<TestSim> {
  const clock = new ManualClock();
  const presence = new ScriptedPresence();
  const sim = await Authenticator.create({
    clock,
    userPresence: presence,
    allowResetAnytime: true,
    attestationMaterial: await sharedAttestationMaterial(),
    ...options,
  });
  return {
    sim,
    clock,
    presence,
    async call(command, params) {
      const payload = params === undefined ? new Uint8Array(0) : encodeCanonicalCbor(params);
      const r = await sim.handleCbor(command, payload);
      const body = r.payload.length ? (decodeCbor(r.payload).value as CborMap) : undefined;
      return { status: r.status, body };
    },
    raw: (command, payload) => sim.handleCbor(command, payload),
  };
}

export const sha256 = (data: string | Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest());

export function mcRequest(overrides: Partial<MakeCredentialRequest> = {}): MakeCredentialRequest {
  return {
    clientDataHash: sha256('client data'),
    rp: { id: 'example.com', name: 'Example' },
    user: { id: Uint8Array.of(1, 2, 3, 4), name: 'alice@example.com', displayName: 'Alice' },
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    ...overrides,
  };
}

export const MC = CtapCommand.authenticatorMakeCredential;
export const GA = CtapCommand.authenticatorGetAssertion;
export const GNA = CtapCommand.authenticatorGetNextAssertion;
export const GI = CtapCommand.authenticatorGetInfo;

export { encodeMakeCredentialRequest };
