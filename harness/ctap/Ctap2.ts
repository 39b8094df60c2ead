import {
  CborError,
  cborDiagnostic,
  CtapCommand,
  ctapCommandName,
  CtapOption,
  CtapStatusError,
  decodeCbor,
  encodeCanonicalCbor,
  formatCtapStatus,
  MAX_MESSAGE_SIZE,
  type AuthenticatorInfo,
  type CborFinding,
  type CborValue,
  type ClientPinRequest,
  type ClientPinResponse,
  type ConfigRequest,
  type CredentialManagementRequest,
  type CredentialManagementResponse,
  type GetAssertionRequest,
  type GetAssertionResponse,
  type LargeBlobsRequest,
  type LargeBlobsResponse,
  type MakeCredentialRequest,
  type MakeCredentialResponse,
} from '../protocol/index.ts';
import type { CtapCallOptions, CtapChannel } from './CtapChannel.ts';
import { CtapProtocolError } from './CtapProtocolError.ts';
import { CtapTrace, type CtapTraceEntry } from './CtapTrace.ts';
import { unwrapCtap, type CtapResult } from './CtapResult.ts';
import { credentialManagementRequest, CtapRequest, type CtapRequestKind } from './requests.ts';

export interface Ctap2Options {
  /**
   * 'report' (default): non-canonical CBOR in a response is recorded in `findings` and the response is
   * used; 'strict': it throws CTAP_NONCANONICAL_CBOR. Checks that measure strictness read `findings`.
   */
  cbor?: 'report' | 'strict';
  trace?: CtapTrace;
  /** default per-command timeout handed to the channel */
  timeoutMs?: number;
  onKeepalive?: (status: number) => void;
  /**
   * Whether a response longer than getInfo's maxMsgSize is refused (CTAP_RESPONSE_TOO_LARGE, or
   * CTAPHID_INVALID_LENGTH as soon as the first packet declares it). CTAP 2.1 §6.4 defines maxMsgSize as
   * the largest message the authenticator supports without saying which direction; the harness reads it
   * as both, and this is the switch for devices where that reading is too strict. Default true.
   */
  limitResponsesToMaxMsgSize?: boolean;
}

/** A recorded departure from CTAP2 canonical CBOR in a response (a finding, not a crash: docs/decisions/001-canonical-cbor.md). */
export interface CtapFinding extends CborFinding {
  command: string;
}

/** A decoded response as `send` returns it. */
export interface CtapResponse {
  status: number;
  /** decoded CBOR after the status byte; undefined when the response has none */
  value: CborValue | undefined;
  /** the response as received: status byte + payload */
  raw: Uint8Array;
  findings: CborFinding[];
}

/**
 * The CTAP2 device API (CTAP 2.1 §6). Every command goes through `requestBytes`, the one choke point that
 * enforces maxMsgSize, checks responses for canonical CBOR and records the trace (after python-fido2's
 * `send_cbor`). `request(kind, params)` returns the status as a value (what checks use); the per-command
 * methods (`makeCredential`, `clientPin`, …) unwrap it and throw CtapStatusError (what clients use).
 */
export class Ctap2 {
  readonly trace: CtapTrace;
  readonly findings: CtapFinding[] = [];
  /** getInfo as last read; `Ctap2.open` reads it */
  info: AuthenticatorInfo | undefined;
  private readonly cborMode: 'report' | 'strict';

  constructor(
    readonly channel: CtapChannel,
    private readonly options: Ctap2Options = {},
  ) {
    this.trace = options.trace ?? new CtapTrace();
    this.cborMode = options.cbor ?? 'report';
  }

  /** A Ctap2 with getInfo read, so maxMsgSize and the credential-management command are known. */
  static async open(channel: CtapChannel, options: Ctap2Options = {}): Promise<Ctap2> {
    const ctap = new Ctap2(channel, options);
    await ctap.getInfo();
    return ctap;
  }

  /**
   * The request limit: getInfo's maxMsgSize. CTAP 2.1 §6.4 gives no default for a device that omits it;
   * 1024 is what the spec's transports all support (the CTAPHID minimum of §11.2 is larger), so it is
   * assumed then. Before getInfo has been read, the CTAPHID limit applies.
   */
  get maxMsgSize(): number {
    if (!this.info) return MAX_MESSAGE_SIZE;
    return this.info.maxMsgSize ?? 1024;
  }

  /**
   * The typed request API: sends one command (CTAP 2.1 §6) and returns its outcome with the status as a
   * value, the answer decoded for that command when the status is CTAP2_OK. Throws CtapProtocolError for
   * an answer that cannot be used (malformed, too large, not CBOR) and whatever the channel throws.
   */
  async request<Req, Res>(kind: CtapRequestKind<Req, Res>, req: Req, options: CtapCallOptions = {}): Promise<CtapResult<Res>> {
    const result = await this.requestRaw(kind.command, kind.encode(req), options);
    if (!result.ok) return result;
    return { ...result, response: decodeResponse(kind.name, () => kind.decode(result.value)) };
  }

  /** One command with its parameters (a CBOR map, or nothing) canonically encoded; the status as a value. */
  async requestRaw(command: number, params?: CborValue, options: CtapCallOptions = {}): Promise<CtapResult> {
    const data = params === undefined ? new Uint8Array(0) : encodeCanonicalCbor(params);
    return this.requestBytes(command, data, options, params);
  }

  /**
   * One command with the CBOR given as bytes exactly as they go out (malformed or non-canonical requests
   * on purpose); the answer is checked and traced the same way. The one choke point of this class.
   */
  async requestBytes(command: number, data: Uint8Array, options: CtapCallOptions = {}, params?: CborValue): Promise<CtapResult> {
    const name = ctapCommandName(command);
    const startedAt = new Date();
    const t0 = performance.now();
    const request = new Uint8Array(1 + data.length);
    request[0] = command;
    request.set(data, 1);
    const entry: CtapTraceEntry = {
      command: name,
      commandByte: command,
      requestHex: Buffer.from(request).toString('hex'),
      findings: [],
      startedAt: startedAt.toISOString(),
      durationMs: 0,
    };
    if (params !== undefined) entry.requestDiagnostic = cborDiagnostic(params);
    try {
      // CTAP 2.1 §6.4 maxMsgSize: the largest message (command byte + parameters) the device takes.
      if (request.length > this.maxMsgSize) {
        throw new CtapProtocolError('CTAP_REQUEST_TOO_LARGE', `${name} request of ${request.length} bytes exceeds maxMsgSize ${this.maxMsgSize}`);
      }
      // Only a maxMsgSize the device states limits its answers; the assumed 1024 limits requests alone.
      const limitResponses = this.info?.maxMsgSize !== undefined && this.options.limitResponsesToMaxMsgSize !== false;
      if ('maxResponseSize' in this.channel) this.channel.maxResponseSize = limitResponses ? this.maxMsgSize : MAX_MESSAGE_SIZE;
      const raw = await this.channel.cbor(command, data, {
        timeoutMs: options.timeoutMs ?? this.options.timeoutMs,
        signal: options.signal,
        onKeepalive: options.onKeepalive ?? this.options.onKeepalive,
      });
      entry.responseHex = Buffer.from(raw).toString('hex');
      if (raw.length === 0) throw new CtapProtocolError('CTAP_EMPTY_RESPONSE', `${name}: response has no status byte`);
      if (limitResponses && raw.length > this.maxMsgSize) {
        throw new CtapProtocolError('CTAP_RESPONSE_TOO_LARGE', `${name} response of ${raw.length} bytes exceeds maxMsgSize ${this.maxMsgSize}`);
      }
      const status = raw[0]!;
      entry.status = formatCtapStatus(status);
      if (status !== 0) {
        entry.error = new CtapStatusError(status, name).message;
        return { ok: false, status, raw, findings: [] };
      }
      const payload = raw.subarray(1);
      let value: CborValue | undefined;
      let findings: CborFinding[] = [];
      if (payload.length > 0) {
        try {
          ({ value, findings } = decodeCbor(payload, { canonical: 'report' }));
        } catch (err) {
          if (err instanceof CborError) {
            throw new CtapProtocolError('CTAP_INVALID_CBOR', `${name} response: ${err.message}`, { cause: err });
          }
          throw err;
        }
        entry.responseDiagnostic = cborDiagnostic(value);
      }
      entry.findings = findings;
      for (const f of findings) this.findings.push({ ...f, command: name });
      if (findings.length > 0 && this.cborMode === 'strict') {
        throw new CtapProtocolError('CTAP_NONCANONICAL_CBOR', `${name} response: ${findings.map((f) => f.code).join(', ')}`);
      }
      return { ok: true, status: 0, response: value, value, raw, findings };
    } catch (err) {
      entry.error = err instanceof Error ? err.message : String(err);
      throw err;
    } finally {
      entry.durationMs = Math.round((performance.now() - t0) * 1000) / 1000;
      this.trace.record(entry);
    }
  }

  /**
   * Sends one command and returns the decoded answer, throwing CtapStatusError for a status other than
   * CTAP2_OK (clients, not checks: checks judge statuses through `request`).
   */
  async send(command: number, params?: CborValue, options: CtapCallOptions = {}): Promise<CtapResponse> {
    return okResponse(await this.requestRaw(command, params, options), command);
  }

  /** Like `send`, with the CBOR given as bytes exactly as they go out. */
  async sendBytes(command: number, data: Uint8Array, options: CtapCallOptions = {}, params?: CborValue): Promise<CtapResponse> {
    return okResponse(await this.requestBytes(command, data, options, params), command);
  }

  /** authenticatorGetInfo (CTAP 2.1 §6.4); also remembered in `info`. */
  async getInfo(options?: CtapCallOptions): Promise<AuthenticatorInfo> {
    this.info = unwrapCtap(await this.request(CtapRequest.getInfo, undefined, options), 'authenticatorGetInfo');
    return this.info;
  }

  /** authenticatorMakeCredential (CTAP 2.1 §6.1). */
  async makeCredential(req: MakeCredentialRequest, options?: CtapCallOptions): Promise<MakeCredentialResponse> {
    return unwrapCtap(await this.request(CtapRequest.makeCredential, req, options), 'authenticatorMakeCredential');
  }

  /** authenticatorGetAssertion (CTAP 2.1 §6.2). */
  async getAssertion(req: GetAssertionRequest, options?: CtapCallOptions): Promise<GetAssertionResponse> {
    return unwrapCtap(await this.request(CtapRequest.getAssertion, req, options), 'authenticatorGetAssertion');
  }

  /** authenticatorGetNextAssertion (CTAP 2.1 §6.3). */
  async getNextAssertion(options?: CtapCallOptions): Promise<GetAssertionResponse> {
    return unwrapCtap(await this.request(CtapRequest.getNextAssertion, undefined, options), 'authenticatorGetNextAssertion');
  }

  /** authenticatorClientPIN (CTAP 2.1 §6.5.5): one subcommand, parameters as given (crypto is the client's). */
  async clientPin(req: ClientPinRequest, options?: CtapCallOptions): Promise<ClientPinResponse> {
    return unwrapCtap(await this.request(CtapRequest.clientPin, req, options), 'authenticatorClientPIN');
  }

  /** authenticatorReset (CTAP 2.1 §6.6). */
  async reset(options?: CtapCallOptions): Promise<void> {
    unwrapCtap(await this.request(CtapRequest.reset, undefined, options), 'authenticatorReset');
  }

  /** authenticatorSelection (CTAP 2.1 §6.9). */
  async selection(options?: CtapCallOptions): Promise<void> {
    unwrapCtap(await this.request(CtapRequest.selection, undefined, options), 'authenticatorSelection');
  }

  /**
   * The credential-management command byte for this device: 0x0A when getInfo has `credMgmt`, the
   * FIDO_2_1_PRE prototype 0x41 when it has only `credentialMgmtPreview` (CTAP 2.1 §6.8).
   */
  credentialManagementCommand(): number {
    const opts = this.info?.options ?? {};
    if (opts[CtapOption.credMgmt] === true) return CtapCommand.authenticatorCredentialManagement;
    if (opts[CtapOption.credentialMgmtPreview] === true) return CtapCommand.prototypeCredentialManagement;
    throw new CtapProtocolError('CTAP_NOT_SUPPORTED', 'getInfo offers neither credMgmt nor credentialMgmtPreview');
  }

  /**
   * The bio-enrollment command byte for this device: 0x09 when getInfo has `bioEnroll`, the FIDO_2_1_PRE
   * prototype 0x40 when it has only `userVerificationMgmtPreview` (CTAP 2.1 §6.7).
   */
  bioEnrollmentCommand(): number {
    const opts = this.info?.options ?? {};
    if (CtapOption.bioEnroll in opts) return CtapCommand.authenticatorBioEnrollment;
    if (CtapOption.userVerificationMgmtPreview in opts) return CtapCommand.prototypeBioEnrollment;
    throw new CtapProtocolError('CTAP_NOT_SUPPORTED', 'getInfo offers neither bioEnroll nor userVerificationMgmtPreview');
  }

  /** authenticatorCredentialManagement (CTAP 2.1 §6.8) on 0x0A or 0x41 as getInfo says (or `command`). */
  async credentialManagement(
    req: CredentialManagementRequest,
    options: CtapCallOptions & { command?: number } = {},
  ): Promise<CredentialManagementResponse> {
    const kind = credentialManagementRequest(options.command ?? this.credentialManagementCommand());
    return unwrapCtap(await this.request(kind, req, options), 'authenticatorCredentialManagement');
  }

  /** authenticatorLargeBlobs (CTAP 2.1 §6.10). */
  async largeBlobs(req: LargeBlobsRequest, options?: CtapCallOptions): Promise<LargeBlobsResponse> {
    return unwrapCtap(await this.request(CtapRequest.largeBlobs, req, options), 'authenticatorLargeBlobs');
  }

  /** authenticatorConfig (CTAP 2.1 §6.11). */
  async config(req: ConfigRequest, options?: CtapCallOptions): Promise<void> {
    unwrapCtap(await this.request(CtapRequest.config, req, options), 'authenticatorConfig');
  }
}

function okResponse(result: CtapResult, command: number): CtapResponse {
  if (!result.ok) throw new CtapStatusError(result.status, ctapCommandName(command));
  return { status: result.status, value: result.value, raw: result.raw, findings: result.findings };
}

/** Runs a response decoder; its complaints (missing members, wrong types) are the device's fault. */
function decodeResponse<T>(command: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof CtapStatusError) {
      throw new CtapProtocolError('CTAP_MALFORMED_RESPONSE', `${command} response: ${err.message}`, { cause: err });
    }
    throw err;
  }
}
