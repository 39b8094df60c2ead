import {
  encodeCommandApdu,
  U2F_CLA,
  U2F_POINT_UNCOMPRESSED,
  U2F_REGISTER_RESERVED,
  U2fInstruction,
  U2fStatusWord,
  type CommandApdu,
} from '../protocol/index.ts';
import type { CtapCallOptions, CtapChannel } from './CtapChannel.ts';
import { CtapProtocolError, U2fStatusError } from './CtapProtocolError.ts';
import type { CtapTrace } from './CtapTrace.ts';

/** A U2F response APDU split into data and status word (U2F raw message formats §3.3). */
export interface U2fResponse {
  data: Uint8Array;
  sw: number;
}

/** U2F_REGISTER response (U2F raw message formats §4.3), raw bytes kept for signature checks. */
export interface U2fRegistration {
  raw: Uint8Array;
  publicKey: Uint8Array;
  keyHandle: Uint8Array;
  certificate: Uint8Array;
  signature: Uint8Array;
}

/** U2F_AUTHENTICATE response (U2F raw message formats §5.4). */
export interface U2fAuthentication {
  raw: Uint8Array;
  userPresence: number;
  counter: number;
  signature: Uint8Array;
}

/**
 * CTAP1/U2F raw messages (FIDO U2F raw message formats v1.2; CTAP 2.1 §11.2.9.1.1 CTAPHID_MSG) over a
 * channel that carries them. Exchanges are recorded in the trace like CTAP2 ones.
 */
export class Ctap1 {
  constructor(
    readonly channel: CtapChannel,
    private readonly trace?: CtapTrace,
  ) {}

  /** Sends one APDU (encoded here, or given as bytes for malformed-APDU checks); never throws for a status word. */
  async sendApdu(apdu: CommandApdu | Uint8Array, options: CtapCallOptions = {}): Promise<U2fResponse> {
    if (!this.channel.msg) throw new CtapProtocolError('CTAP_NOT_SUPPORTED', 'this channel carries no CTAP1/U2F messages');
    const bytes = apdu instanceof Uint8Array ? apdu : encodeCommandApdu(apdu);
    const t0 = performance.now();
    const startedAt = new Date().toISOString();
    let raw: Uint8Array | undefined;
    let error: string | undefined;
    try {
      raw = await this.channel.msg(bytes, options);
      if (raw.length < 2) throw new CtapProtocolError('CTAP_MALFORMED_RESPONSE', `U2F response of ${raw.length} bytes has no status word`);
      return { data: raw.subarray(0, raw.length - 2), sw: (raw[raw.length - 2]! << 8) | raw[raw.length - 1]! };
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      throw err;
    } finally {
      this.trace?.record({
        command: 'U2F',
        commandByte: bytes[1] ?? 0,
        requestHex: Buffer.from(bytes).toString('hex'),
        ...(raw ? { responseHex: Buffer.from(raw).toString('hex') } : {}),
        ...(error ? { error } : {}),
        findings: [],
        startedAt,
        durationMs: Math.round((performance.now() - t0) * 1000) / 1000,
      });
    }
  }

  private async ok(apdu: CommandApdu, options?: CtapCallOptions): Promise<Uint8Array> {
    const res = await this.sendApdu(apdu, options);
    if (res.sw !== U2fStatusWord.SW_NO_ERROR) throw new U2fStatusError(res.sw, res.data);
    return res.data;
  }

  /** U2F_VERSION (§6.1): "U2F_V2". */
  async version(options?: CtapCallOptions): Promise<string> {
    const data = await this.ok({ cla: U2F_CLA, ins: U2fInstruction.U2F_VERSION, p1: 0, p2: 0, data: new Uint8Array(0), le: 0 }, options);
    return Buffer.from(data).toString('latin1');
  }

  /** U2F_REGISTER (§4.1): challenge parameter and application parameter, 32 bytes each. */
  async register(challenge: Uint8Array, application: Uint8Array, options?: CtapCallOptions): Promise<U2fRegistration> {
    const data = new Uint8Array(64);
    data.set(challenge, 0);
    data.set(application, 32);
    const raw = await this.ok({ cla: U2F_CLA, ins: U2fInstruction.U2F_REGISTER, p1: 0, p2: 0, data, le: 0 }, options);
    return parseU2fRegistration(raw);
  }

  /** U2F_AUTHENTICATE (§5.1) with control byte `control` (U2fControl). */
  async authenticate(
    control: number,
    challenge: Uint8Array,
    application: Uint8Array,
    keyHandle: Uint8Array,
    options?: CtapCallOptions,
  ): Promise<U2fAuthentication> {
    const data = new Uint8Array(65 + keyHandle.length);
    data.set(challenge, 0);
    data.set(application, 32);
    data[64] = keyHandle.length;
    data.set(keyHandle, 65);
    const raw = await this.ok({ cla: U2F_CLA, ins: U2fInstruction.U2F_AUTHENTICATE, p1: control, p2: 0, data, le: 0 }, options);
    if (raw.length < 5) throw new CtapProtocolError('CTAP_MALFORMED_RESPONSE', `U2F_AUTHENTICATE response of ${raw.length} bytes`);
    return {
      raw,
      userPresence: raw[0]!,
      counter: new DataView(raw.buffer, raw.byteOffset, raw.length).getUint32(1),
      signature: raw.subarray(5),
    };
  }
}

/** Splits a U2F_REGISTER response (§4.3): 0x05 | key(65) | L | handle(L) | certificate (DER) | signature. */
export function parseU2fRegistration(raw: Uint8Array): U2fRegistration {
  const bad = (why: string) => new CtapProtocolError('CTAP_MALFORMED_RESPONSE', `U2F_REGISTER response: ${why}`);
  if (raw.length < 67 || raw[0] !== U2F_REGISTER_RESERVED) throw bad('missing reserved byte 0x05');
  const publicKey = raw.subarray(1, 66);
  if (publicKey[0] !== U2F_POINT_UNCOMPRESSED) throw bad('public key is not an uncompressed point');
  const khLen = raw[66]!;
  const certStart = 67 + khLen;
  if (raw.length < certStart + 2) throw bad('truncated key handle');
  const keyHandle = raw.subarray(67, certStart);
  const certLen = derLength(raw, certStart);
  if (certLen === undefined || certStart + certLen > raw.length) throw bad('certificate is not a DER SEQUENCE');
  return {
    raw,
    publicKey,
    keyHandle,
    certificate: raw.subarray(certStart, certStart + certLen),
    signature: raw.subarray(certStart + certLen),
  };
}

/** Total length (header + content) of the DER SEQUENCE at `at`, or undefined. */
function derLength(b: Uint8Array, at: number): number | undefined {
  if (b[at] !== 0x30) return undefined;
  const first = b[at + 1];
  if (first === undefined) return undefined;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 3 || at + 2 + n > b.length) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = (len << 8) | b[at + 2 + i]!;
  return 2 + n + len;
}
