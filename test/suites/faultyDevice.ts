import { expect } from 'vitest';
import { Authenticator, SimulatedFingerprintSensor } from '../../authenticator-sim/index.ts';
import type { Behaviour } from '../../authenticator-sim/behaviour.ts';
import { authenticatorOptionsForQuirks } from '../../authenticator-sim/quirks/index.ts';
import { ClientPin } from '../../harness/client/index.ts';
import { Ctap2, DirectAuthenticatorChannel } from '../../harness/ctap/index.ts';
import { buildAuthenticatorData, decodeCbor, encodeCanonicalCbor, parseAuthenticatorData, type CborMap, type CborValue } from '../../harness/protocol/index.ts';
import { runSuites } from '../../harness/suites/runSuites.ts';
import type { SuiteContext, SuiteContextOptions } from '../../harness/suites/SuiteContext.ts';
import { sharedAttestationMaterial } from '../helpers/sim.ts';
import { acceptedBody } from './acceptedBody.ts';

/** One CTAP2 exchange as the fault middleware sees it: the status and the decoded response map. */
export interface Answer {
  status: number;
  body?: CborMap;
}

/**
 * A fault between the harness and the simulator: it sees each command with its decoded parameters and may
 * change them, skip the simulator, or change the answer. Faults the simulator's quirks do not cover are
 * made here, so every check of these suites is shown to fail on a device that gets its rule wrong.
 */
export type Fault = (command: number, params: CborMap | undefined, next: (params: CborMap | undefined) => Promise<Answer>) => Promise<Answer>;

export interface CheckOutcome {
  status: string;
  message: string;
  /** what the check said it expected and saw (CheckEvidence expected/actual), with `evidence: true` */
  expected?: string;
  actual?: string;
}

/** Runs the named suites (or checks) against a fresh simulator, with quirks and/or a fault in between. */
export async function runAgainst(options: {
  suites?: string[];
  checks?: string[];
  quirks?: string[];
  fault?: Fault;
  fingerprint?: false;
  ctap22?: false;
  /** simulator behaviour beyond the quirks (a device that does what the spec allows, not a bug) */
  behaviour?: Partial<Behaviour>;
  /** the MDS the run judges attestation and status against (SuiteContextOptions.mds) */
  mds?: SuiteContextOptions['mds'];
  /** called with the run's context once the checks ran (what they left for the evaluations: ctx.artifacts) */
  context?: (ctx: SuiteContext) => void;
  /** give each outcome the expected/actual of the check's evidence */
  evidence?: boolean;
  /** the transport the run says the device is reached over (SuiteDevice.kind); default 'sim' */
  kind?: string;
  /** sees every CTAP2 request as the harness sent it (command byte, CBOR payload), before any fault */
  sent?: (command: number, payload: Uint8Array) => void;
  /** 'set': the key comes with the run's PIN (1234) already set, as a key its owner protected before the run */
  pin?: 'set';
  /** the pre-configured enterprise RP IDs the run is told (SuiteContextOptions.enterpriseRpIds; null: none); default the simulator's */
  enterpriseRpIds?: readonly string[] | null;
}): Promise<Map<string, CheckOutcome>> {
  const sim = await Authenticator.create({
    allowResetAnytime: true,
    attestationMaterial: await sharedAttestationMaterial(),
    behaviour: { ...authenticatorOptionsForQuirks(options.quirks ?? []).behaviour, ...options.behaviour },
    ...(options.fingerprint === false ? { fingerprint: false as const } : {}),
    ...(options.ctap22 === false ? { ctap22: false as const } : {}),
  });
  if (options.pin === 'set') await new ClientPin(await Ctap2.open(new DirectAuthenticatorChannel(sim))).setPin('1234');
  const sent = options.sent;
  const fault: Fault | undefined = options.fault ?? (sent ? (_command, params, next) => next(params) : undefined);
  const handler = fault
    ? {
        async handleCbor(command: number, payload: Uint8Array) {
          sent?.(command, Uint8Array.from(payload));
          // malformed or non-canonical requests (sent on purpose by the CBOR checks) reach the simulator as sent
          let params: CborMap | undefined;
          let asSent: Uint8Array | undefined;
          try {
            params = payload.length ? (decodeCbor(payload).value as CborMap) : undefined;
          } catch {
            asSent = payload;
          }
          const answer = await fault(command, params, async (p) => {
            const r = await sim.handleCbor(command, asSent ?? (p === undefined ? new Uint8Array(0) : encodeCanonicalCbor(p)));
            return r.payload.length ? { status: r.status, body: decodeCbor(r.payload).value as CborMap } : { status: r.status };
          });
          return { status: answer.status, payload: answer.body ? encodeCanonicalCbor(answer.body) : new Uint8Array(0) };
        },
      }
    : sim;
  const ctap2 = await Ctap2.open(new DirectAuthenticatorChannel(handler));
  const run = await runSuites({
    device: { ctap2, kind: options.kind ?? 'sim' },
    context: {
      allowDestructive: true,
      pin: '1234',
      ...(sim.fingerprint instanceof SimulatedFingerprintSensor ? { fingerprint: fingerControl(sim.fingerprint) } : {}),
      ...(options.enterpriseRpIds === null ? {} : { enterpriseRpIds: options.enterpriseRpIds ?? sim.enterpriseRpIds }),
      ...(options.mds ? { mds: options.mds } : {}),
    },
    ...(options.suites ? { suites: options.suites } : {}),
    ...(options.checks ? { checks: options.checks } : {}),
    timeoutMs: 20_000,
  });
  options.context?.(run.ctx);
  const said = (r: (typeof run.results)[number]) =>
    options.evidence ? { ...(r.evidence?.expected !== undefined ? { expected: r.evidence.expected } : {}), ...(r.evidence?.actual !== undefined ? { actual: r.evidence.actual } : {}) } : {};
  return new Map(run.results.map((r) => [r.id, { status: r.status, message: r.message, ...said(r) }]));
}

/** The simulator's sensor as checks drive it (SuiteContextOptions.fingerprint). */
const fingerControl = (sensor: SimulatedFingerprintSensor) => ({ present: async (...samples: string[]) => sensor.present(...samples) });

/** The ids whose outcome is fail or error. */
export const failed = (results: Map<string, CheckOutcome>) => [...results].filter(([, r]) => r.status === 'fail' || r.status === 'error').map(([id]) => id);

/** Each check's outcome as `status: message`, by id (for exact assertions). */
export const outcomes = (results: Map<string, CheckOutcome>): Record<string, string> => Object.fromEntries([...results].map(([id, r]) => [id, `${r.status}: ${r.message}`]));

/** The outcomes of the checks that did not pass (nor skip, unless `skips`), as `status: message` by id. */
export const notPassing = (results: Map<string, CheckOutcome>, skips = false): Record<string, string> =>
  Object.fromEntries([...results].filter(([, r]) => r.status !== 'pass' && (skips || r.status !== 'skip')).map(([id, r]) => [id, `${r.status}: ${r.message}`]));

/** Every check passed or was skipped with a reason. */
export function cleanProblems(results: Map<string, CheckOutcome>): string[] {
  return [...results].filter(([, r]) => r.status !== 'pass' && !(r.status === 'skip' && r.message)).map(([id, r]) => `${id} ${r.status}: ${r.message}`);
}

/** A suite on the clean simulator: it ran exactly `ids`, and every one of them passed. */
export function expectEveryCheckPasses(results: Map<string, CheckOutcome>, ids: readonly string[]): void {
  expect(cleanProblems(results)).toEqual([]);
  expect([...results.keys()].sort()).toEqual([...ids].sort());
  expect([...results].filter(([, r]) => r.status !== 'pass').map(([id, r]) => `${id} ${r.status}: ${r.message}`)).toEqual([]);
}

// ---- fault builders ----

/** Answers `to` wherever `command` answered `from` (and `when` holds for the request). */
export const rewriteStatus =
  (command: number, from: number, to: number, when: (params: CborMap | undefined) => boolean = () => true): Fault =>
  async (cmd, params, next) => {
    const a = await next(params);
    return cmd === command && a.status === from && when(params) ? { status: to } : a;
  };

/** Changes the response map of `command` (getInfo: 0x04). */
export const rewriteResponse =
  (command: number, change: (body: CborMap, params: CborMap | undefined) => void): Fault =>
  async (cmd, params, next) => {
    const a = await next(params);
    if (cmd === command && a.body) change(a.body, params);
    return a;
  };

/** Changes authenticatorData (response member 0x02 of makeCredential and getAssertion) of `command`; `change` may return a replacement. */
export const tamperAuthData = (command: number, change: (authData: Uint8Array) => Uint8Array | void): Fault =>
  rewriteResponse(command, (body) => {
    const authData = body.get(0x02);
    if (!(authData instanceof Uint8Array)) return;
    const copy = Uint8Array.from(authData);
    body.set(0x02, change(copy) ?? copy);
  });

/** Changes the request parameters of `command` before the simulator sees them. */
export const rewriteRequest =
  (command: number, change: (params: CborMap) => void): Fault =>
  async (cmd, params, next) => {
    if (cmd === command && params) {
      const copy = new Map<CborValue, CborValue>(params);
      change(copy);
      return next(copy);
    }
    return next(params);
  };

/** Answers CTAP2_OK without doing anything when `match` says so. */
export const swallow =
  (command: number, match: (params: CborMap | undefined) => boolean): Fault =>
  async (cmd, params, next) =>
    cmd === command && match(params) ? { status: 0 } : next(params);

/** Drops the named members from the extensions map (key `extensionsKey`) of `command`'s request. */
export const stripExtensions = (command: number, extensionsKey: number, ...names: string[]): Fault =>
  rewriteRequest(command, (p) => {
    const ext = p.get(extensionsKey);
    if (!(ext instanceof Map)) return;
    const copy = new Map(ext);
    for (const n of names) copy.delete(n);
    p.set(extensionsKey, copy);
  });

/** Rewrites the authenticatorData (member 2) of `command`'s answers: flags and extensions (none: delete it). */
export function editAuthData(command: number, edit: (a: { flags: number; extensions?: CborMap }, params: CborMap | undefined) => void): Fault {
  return rewriteResponse(command, (body, params) => {
    const raw = body.get(2);
    if (!(raw instanceof Uint8Array)) return;
    const a = parseAuthenticatorData(raw);
    const changed: { flags: number; extensions?: CborMap } = { flags: a.flags, ...(a.extensions ? { extensions: new Map(a.extensions) } : {}) };
    edit(changed, params);
    body.set(
      2,
      buildAuthenticatorData({
        rpIdHash: a.rpIdHash,
        flags: changed.flags,
        signCount: a.signCount,
        ...(a.attestedCredentialData ? { attestedCredentialData: a.attestedCredentialData } : {}),
        ...(changed.extensions ? { extensions: changed.extensions } : {}),
      }),
    );
  });
}

/** Records the parameters of every `command` request into `into` (a copy, as sent), changing nothing. */
export const recordRequests =
  (command: number, into: CborMap[]): Fault =>
  async (cmd, params, next) => {
    if (cmd === command && params) into.push(new Map(params));
    return next(params);
  };

/** Answers a well-formed CTAP2_OK (acceptedBody) wherever `command` answered `from`: a device that accepts what it must refuse. */
export const acceptInstead =
  (command: number, from: number): Fault =>
  async (cmd, params, next) => {
    const a = await next(params);
    return cmd === command && a.status === from ? { status: 0, body: acceptedBody(command) } : a;
  };

/** Exactly the checks named in `expected` failed, each with its message (a string is the whole message). */
export function expectFailures(results: Map<string, CheckOutcome>, expected: Record<string, string | RegExp>): void {
  expect(failed(results).sort()).toEqual(Object.keys(expected).sort());
  for (const [id, message] of Object.entries(expected)) {
    if (typeof message === 'string') expect(results.get(id)!.message, id).toBe(message);
    else expect(results.get(id)!.message, id).toMatch(message);
  }
}
