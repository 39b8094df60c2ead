import { createPublicKey, randomBytes, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { parseU2fRegistration, type U2fRegistration, type U2fResponse } from '../../ctap/index.ts';
import { U2F_CLA, U2fInstruction, U2fStatusWord } from '../../protocol/index.ts';
import { CheckFailed } from '../../runner/Check.ts';
import { poolMember } from '../credentialPool.ts';
import { sha256 } from '../ops.ts';
import type { SuiteContext } from '../SuiteContext.ts';

export const suite = 'u2f';

/**
 * The area runs on a device whose getInfo lists U2F_V2 (CTAP 2.1 §6.4), reached over CTAPHID (U2F in
 * CTAPHID_MSG, §11.2.9.1.1) or NFC (U2F APDUs after SELECT, §11.3).
 */
export function needsU2f(ctx: SuiteContext): string | undefined {
  if (!(ctx.device.hid || ctx.device.nfc) || !ctx.device.ctap1) return 'the device is reached neither over CTAPHID nor NFC (U2F messages travel in CTAPHID_MSG or as APDUs)';
  if (!ctx.info.versions.includes('U2F_V2')) return 'getInfo versions do not include U2F_V2';
  return undefined;
}

export const sw = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

const SW_NAMES = new Map<number, string>(Object.entries(U2fStatusWord).map(([k, v]) => [v, k]));
export const swName = (n: number) => `${sw(n)} ${SW_NAMES.get(n) ?? ''}`.trim();

/** Fails unless the status word is `expected` (U2F raw message formats §3.3). */
export function expectSw(res: U2fResponse, expected: number, what: string): void {
  if (res.sw !== expected) {
    throw new CheckFailed(`${what}: expected ${swName(expected)}, got ${swName(res.sw)}`, { expected: swName(expected), actual: swName(res.sw) });
  }
}

export const random32 = () => new Uint8Array(randomBytes(32));

/** A U2F request APDU, extended length, Le 0 (U2F raw message formats §3.1.1). */
export function apdu(ins: number, p1: number, data: Uint8Array) {
  return { cla: U2F_CLA, ins, p1, p2: 0, data, le: 0 };
}

/** U2F_AUTHENTICATE request data: challenge || application || L || key handle (§5.1). */
export function authenticateData(challenge: Uint8Array, application: Uint8Array, keyHandle: Uint8Array): Uint8Array {
  const d = new Uint8Array(65 + keyHandle.length);
  d.set(challenge, 0);
  d.set(application, 32);
  d[64] = keyHandle.length;
  d.set(keyHandle, 65);
  return d;
}

/**
 * U2F_REGISTER (§4.1) that must succeed. A real token answers SW_CONDITIONS_NOT_SATISFIED until it is
 * touched; the host retries (§4.1), here for up to 30 s, every 200 ms.
 */
export async function u2fRegister(ctx: SuiteContext, application: Uint8Array, challenge = random32()): Promise<{ reg: U2fRegistration; challenge: Uint8Array; application: Uint8Array }> {
  const ctap1 = ctx.device.ctap1!;
  const data = new Uint8Array(64);
  data.set(challenge, 0);
  data.set(application, 32);
  const res = await untilTouched(ctx, () => ctap1.sendApdu(apdu(U2fInstruction.U2F_REGISTER, 0, data)));
  expectSw(res, U2fStatusWord.SW_NO_ERROR, 'U2F_REGISTER');
  try {
    return { reg: parseU2fRegistration(res.data), challenge, application };
  } catch (err) {
    throw new CheckFailed(`U2F_REGISTER response does not have the §4.3 layout: ${(err as Error).message}`, { actual: Buffer.from(res.data.subarray(0, 80)).toString('hex') });
  }
}

/**
 * The run's shared U2F registration (credentialPool.ts): one U2F_REGISTER, one touch, for every U2F check
 * that only needs "a key handle of this token". Checks that read it declare `uses: ['u2f']`.
 */
export function pooledU2f(ctx: SuiteContext): Promise<{ reg: U2fRegistration; challenge: Uint8Array; application: Uint8Array }> {
  return poolMember(ctx, 'u2f', () => u2fRegister(ctx, sha256(POOL_U2F_RP_ID)));
}

/** The RP ID whose SHA-256 is the pooled registration's application parameter (CTAP 2.1 §10.3). */
export const POOL_U2F_RP_ID = 'pool-u2f.fido-harness.test';

/** U2F_AUTHENTICATE with a control byte; retries a touch the same way for "enforce". */
export async function u2fAuthenticate(ctx: SuiteContext, control: number, challenge: Uint8Array, application: Uint8Array, keyHandle: Uint8Array, retryTouch = false): Promise<U2fResponse> {
  const send = () => ctx.device.ctap1!.sendApdu(apdu(U2fInstruction.U2F_AUTHENTICATE, control, authenticateData(challenge, application, keyHandle)));
  return retryTouch ? untilTouched(ctx, send) : send();
}

/**
 * Sends a U2F request until the user touches: a token answers SW_CONDITIONS_NOT_SATISFIED until it is
 * touched, and the host retries (U2F Raw Message Formats §4.1, §5.1), here every 200 ms for up to 30 s.
 * Such a wait is reported to the channel's presence count (a touch when it ends in success), so touches
 * are counted on keys that poll as on keys that send KEEPALIVE UPNEEDED.
 */
async function untilTouched(ctx: SuiteContext, send: () => Promise<U2fResponse>): Promise<U2fResponse> {
  const deadline = Date.now() + 30_000;
  // needsU2f has made sure the device is reached over CTAPHID or NFC
  const presence = (ctx.device.hid ?? ctx.device.nfc)!.presence;
  let polling = false;
  for (;;) {
    const touchesBefore = presence.touches;
    const res = await send();
    // Stryker disable next-line EqualityOperator: < and <= differ by one millisecond at the 30 s deadline
    if (res.sw === U2fStatusWord.SW_CONDITIONS_NOT_SATISFIED && Date.now() < deadline) {
      if (!polling) presence.polling();
      polling = true;
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    // a key that also sent KEEPALIVE UPNEEDED while it asked has had this touch counted by the channel
    if (polling && res.sw === U2fStatusWord.SW_NO_ERROR && presence.touches === touchesBefore) presence.polledTouch();
    return res;
  }
}

/**
 * The user public key of a registration, as a KeyObject: a 65-byte uncompressed point (§4.3, 0x04 || X || Y,
 * as parseU2fRegistration has checked) that must lie on P-256.
 */
export function userPublicKey(point: Uint8Array): KeyObject {
  try {
    return createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: Buffer.from(point.subarray(1, 33)).toString('base64url'), y: Buffer.from(point.subarray(33, 65)).toString('base64url') },
      format: 'jwk',
    });
  } catch (err) {
    throw new CheckFailed(`user public key is not a point on P-256: ${(err as Error).message}`);
  }
}

export function attestationCertificate(der: Uint8Array): X509Certificate {
  try {
    return new X509Certificate(Buffer.from(der));
  } catch (err) {
    throw new CheckFailed(`the attestation certificate is not an X.509 certificate: ${(err as Error).message}`);
  }
}

/** ECDSA P-256 SHA-256 over `data`, signature DER (U2F raw message formats §4.3, §5.4). */
export function verifiesEs256(key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  // no ES256 signature verifies with a key that is not EC (node's verify throws "invalid digest" for Ed25519)
  if (key.asymmetricKeyType !== 'ec') return false;
  return verify('sha256', data, key, signature);
}

/** Splits an AUTHENTICATE response (§5.4): user presence (1) || counter (4, big-endian) || signature. */
export function parseAuthentication(data: Uint8Array): { flags: number; counter: number; counterBytes: Uint8Array; signature: Uint8Array } {
  if (data.length < 5 + 8) throw new CheckFailed(`U2F_AUTHENTICATE response of ${data.length} bytes is too short for §5.4`);
  return {
    flags: data[0]!,
    counterBytes: data.subarray(1, 5),
    counter: new DataView(data.buffer, data.byteOffset + 1, 4).getUint32(0),
    signature: data.subarray(5),
  };
}

/** The bytes an authentication signature covers (§5.4): application || user presence || counter || challenge. */
export function authenticationSignedData(application: Uint8Array, flags: number, counterBytes: Uint8Array, challenge: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.concat([application, Uint8Array.of(flags), counterBytes, challenge]));
}
