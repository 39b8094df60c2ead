import { CtapCommand, CtapStatus, formatCtapStatus, type AuthenticatorInfo, type CborValue, type GetAssertionResponse, type MakeCredentialResponse } from '../protocol/index.ts';
import { CtapProtocolError, type Ctap1, type Ctap2, type CtapRequestKind, type CtapResult, type CtapTraceEntry } from '../ctap/index.ts';
import type { CtaphidChannel } from '../ctaphid/index.ts';
import type { NfcChannel } from '../nfc/index.ts';
import type { CheckEvidence, EvidenceExchange } from '../../reports/model.ts';
import { CheckFailed, CheckSkipped, type Check } from '../runner/Check.ts';
import { ClientPin } from '../client/index.ts';
import type { AttestationObject } from '../protocol/index.ts';
import type { AttestationResult, MdsStore } from '../../mds/index.ts';
import type { MadeCredential } from './ops.ts';
import type { PoolName } from './credentialPool.ts';
import { SignCountLog } from './signCountLog.ts';

/** A check of the suites, with the device state it needs set up before it runs. */
export interface SuiteCheck extends Check<SuiteContext> {
  /** 'set': a PIN (ctx.pin) is set; 'unset': no PIN (needs a reset when one is set) */
  needs?: { pin?: 'set' | 'unset' };
  /**
   * the PIN state the check leaves behind on a device that behaves as specified, when it changes it
   * (sets a PIN itself, or resets): the run plan follows it to know which checks need a reset first.
   * Default: 'unset' when the check declares `resets`, else the state it needed.
   */
  leaves?: { pin: 'set' | 'unset' };
  /** the pool credentials the check reads (credentialPool.ts): the first check to need one pays its touch */
  uses?: readonly PoolName[];
}

/** One command's outcome as checks see it: the status as a value, never an exception for a CTAP status. */
export type CallResult<T = CborValue | undefined> = CtapResult<T>;

export interface SuiteDevice {
  ctap2: Ctap2;
  ctap1?: Ctap1;
  /** present when the device is reached over CTAPHID (hid, udp, memory) */
  hid?: CtaphidChannel;
  /** present when the device is a card reached over ISO 7816-4 (PC/SC, NFC: CTAP 2.1 §11.3) */
  nfc?: NfcChannel;
  /** "sim" | "hid" | "udp" | "nfc" */
  kind: string;
  path?: string;
}

export interface SuiteContextOptions {
  /** whether the device may be reset and have its PIN set (the simulator always; a key with --allow-reset) */
  allowDestructive: boolean;
  /** the PIN checks set and use (never logged) */
  pin: string;
  /**
   * false when `pin` is only the default: a key that already has a PIN is then never sent it (a wrong
   * guess costs retries); its PIN checks are skipped, or it is reset first when resets are allowed
   */
  pinGiven?: boolean;
  /** asks the person at the key to replug it (real keys refuse reset 10 s after power-up, CTAP 2.1 §6.6) */
  requestReplug?: () => Promise<void>;
  /** power-cycles the device where the transport can (the simulator over UDP or in-process) */
  powerCycle?: () => Promise<void>;
  /**
   * puts samples on the fingerprint sensor where the harness controls it (the simulator): a finger by
   * name, 'poor' (a sample the sensor cannot use) or 'timeout' (nothing before the timeout)
   */
  fingerprint?: FingerControl;
  /** RP IDs pre-configured on the key for vendor-facilitated enterprise attestation (CTAP 2.1 §7.1), where known (the simulator's) */
  enterpriseRpIds?: readonly string[];
  /** the MDS to judge attestation and status against, and the time to judge at */
  mds?: { store: MdsStore; at: Date };
}

/** The simulator's fingerprint sensor as checks drive it (docs/simulator.md "Fingerprint sensor"). */
export interface FingerControl {
  present(...samples: string[]): Promise<void>;
}

/** What checks leave for the evaluations after the run (Microsoft/Entra need one direct attestation). */
export interface SuiteArtifacts {
  attestation?: { made: MadeCredential; result: AttestationResult };
  attestationObject?: AttestationObject;
}

/**
 * What every check gets: the device's CTAP API, its getInfo, and the state helpers that let each check set
 * up what it needs so that one failure does not cascade. Checks use `call`, which returns status
 * bytes instead of throwing, so a wrong status is a finding, not a crash.
 */
export class SuiteContext {
  info: AuthenticatorInfo;
  readonly artifacts: SuiteArtifacts = {};
  /** times the person was asked to replug the key (reset refused after power-up, CTAP 2.1 §6.6; a simulator is power-cycled instead) */
  replugs = 0;
  /** what checks share for the run (credentialPool.ts): gone with every reset, whose new master key kills credentials */
  readonly shared = new Map<string, Promise<unknown>>();
  /** the signature counters the run's makeCredential / getAssertion answers carried, and the resets between them */
  readonly signCounts = new SignCountLog();
  private traceMark = 0;
  private pinState: 'set' | 'unset' | 'unknown';

  constructor(
    readonly device: SuiteDevice,
    readonly options: SuiteContextOptions,
  ) {
    this.info = device.ctap2.info!;
    this.pinState = this.info.options?.clientPin === true ? 'unknown' : 'unset';
    // The default PIN (no --pin) meets the key's own minimum (getInfo minPINLength, CTAP 2.1 §6.4): a key
    // that asks for 6 digits gets "123456". Chosen once, so the PIN set is the PIN sent all run long.
    const min = this.info.minPINLength ?? 4;
    this.runPin = options.pinGiven === false && options.pin.length < min ? Array.from({ length: min }, (_, i) => String((i + 1) % 10)).join('') : options.pin;
  }

  private readonly runPin: string;

  get ctap2(): Ctap2 {
    return this.device.ctap2;
  }

  get pin(): string {
    return this.runPin;
  }

  /**
   * Sends one typed command (`CtapRequest.makeCredential`, …): the status as a value, a CTAP2_OK answer
   * decoded. An answer that does not decode fails the check (the device broke CTAP 2.1 §6's response format).
   */
  async request<Req, Res>(kind: CtapRequestKind<Req, Res>, req: Req, signal?: AbortSignal): Promise<CallResult<Res>> {
    try {
      const result = await this.ctap2.request(kind, req, signal ? { signal } : {});
      if (result.ok) this.noteSignCount(kind.command, result.response);
      return result;
    } catch (err) {
      if (err instanceof CtapProtocolError && err.code === 'CTAP_MALFORMED_RESPONSE') throw new CheckFailed(err.message);
      throw err;
    }
  }

  private noteSignCount(command: number, response: unknown): void {
    if (command === CtapCommand.authenticatorMakeCredential) this.signCounts.record((response as MakeCredentialResponse).authData);
    else if (command === CtapCommand.authenticatorGetAssertion || command === CtapCommand.authenticatorGetNextAssertion) {
      const r = response as GetAssertionResponse;
      this.signCounts.record(r.authData, r.credential?.id);
    }
  }

  /** Sends a command with its parameters canonically encoded; CTAP statuses come back as values. */
  async call(command: number, params?: CborValue, signal?: AbortSignal): Promise<CallResult> {
    return this.ctap2.requestRaw(command, params, signal ? { signal } : {});
  }

  /** Sends exact bytes (malformed or non-canonical requests on purpose). */
  async callBytes(command: number, data: Uint8Array, signal?: AbortSignal): Promise<CallResult> {
    return this.ctap2.requestBytes(command, data, signal ? { signal } : {});
  }

  async refreshInfo(): Promise<AuthenticatorInfo> {
    this.info = await this.ctap2.getInfo();
    return this.info;
  }

  /**
   * authenticatorReset; a device that refuses it 10 s after power-up (CTAP 2.1 §6.6, CTAP2_ERR_NOT_ALLOWED)
   * is power-cycled where the transport can (the simulator), else the person at the key is asked to replug.
   */
  async reset(): Promise<void> {
    if (!this.options.allowDestructive) throw new Error('reset is not allowed on this device (use --allow-reset)');
    let r = await this.call(0x07);
    if (r.status === CtapStatus.CTAP2_ERR_NOT_ALLOWED && this.options.powerCycle) {
      await this.options.powerCycle();
      r = await this.call(0x07);
    } else if (r.status === CtapStatus.CTAP2_ERR_NOT_ALLOWED && this.options.requestReplug) {
      this.replugs++;
      await this.options.requestReplug();
      r = await this.call(0x07);
    }
    this.shared.clear();
    if (r.status !== CtapStatus.CTAP2_OK) throw new Error(`authenticatorReset answered ${formatCtapStatus(r.status)}`);
    this.signCounts.reset();
    this.pinState = 'unset';
    await this.refreshInfo();
  }

  /** Brings the PIN to the state a check needs; setting it uses the PIN protocol the device prefers. */
  async ensurePin(state: 'set' | 'unset'): Promise<void> {
    if (state === 'unset') {
      if (this.pinState !== 'unset' || this.info.options?.clientPin === true) await this.reset();
      return;
    }
    if (this.pinState === 'set' && this.info.options?.clientPin === true) return;
    if (this.info.options?.clientPin === true && this.pinState === 'unknown') {
      if (this.options.pinGiven !== false) {
        // A PIN we did not set: assume it is the one given (--pin); checks will say if it is not.
        this.pinState = 'set';
        return;
      }
      // Guessing would spend the key's PIN retries (8, then it is blocked): never guess.
      if (!this.options.allowDestructive) {
        throw new CheckSkipped('the key already has a PIN: give it with --pin (or allow a reset with --allow-reset)');
      }
      await this.reset();
    }
    await new ClientPin(this.ctap2).setPin(this.pin);
    this.pinState = 'set';
    await this.refreshInfo();
  }

  /** A check set the PIN to `ctx.pin` itself (setPIN checks): the runner need not set it again. */
  markPinSet(): void {
    this.pinState = 'set';
  }

  /** The PIN state as this context last set it ('unknown' for a key that came with a PIN). */
  get knownPinState(): 'set' | 'unset' | 'unknown' {
    return this.pinState;
  }

  /** Marks the start of a check's trace. */
  markTrace(): void {
    this.traceMark = this.ctap2.trace.size;
  }

  /** The CTAP exchanges since the mark, as report evidence (PINs never appear: they travel encrypted). */
  evidence(): CheckEvidence | undefined {
    const entries = this.ctap2.trace.since(this.traceMark);
    if (entries.length === 0) return undefined;
    return { exchanges: entries.slice(-12).map(toExchange) };
  }

  /** An RP ID of the check's own, so credentials of one check never meet another's. */
  rpIdFor(checkId: string): string {
    return `${checkId.toLowerCase()}.fido-harness.test`;
  }
}

function toExchange(e: CtapTraceEntry): EvidenceExchange {
  const x: EvidenceExchange = {
    label: `${e.command} (0x${e.commandByte.toString(16).padStart(2, '0')})`,
    requestHex: e.requestHex,
    durationMs: e.durationMs,
  };
  if (e.requestDiagnostic) x.requestDiagnostic = e.requestDiagnostic;
  if (e.responseHex) x.responseHex = e.responseHex;
  if (e.responseDiagnostic) x.responseDiagnostic = e.responseDiagnostic;
  if (e.status) x.status = e.status;
  else if (e.error) x.status = e.error;
  return x;
}
