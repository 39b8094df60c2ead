/**
 * Requests of the simulator's management commands as a platform sends them, with pinUvAuthParam computed
 * over the message each command defines (CTAP 2.1 §6.8, §6.10.2, §6.11), for the tests in test/sim/.
 */
import { createHash } from 'node:crypto';
import { CtapCommand, encodeCanonicalCbor } from '../../harness/protocol/index.ts';
import { tokenAuthenticate } from './pinClient.ts';
import type { PinDriver, Token } from './pinDriver.ts';

/** What a test changes to make a request wrong: the params signed instead of those sent, the protocol sent (null: none). */
interface Tamper {
  signedParams?: Map<number, unknown> | null;
  protocol?: number | null;
}

/** authenticatorCredentialManagement; pinUvAuthParam = authenticate(token, subCommand || subCommandParams) (§6.8). */
export function credentialManagement(
  d: PinDriver,
  sub: number,
  token?: Token,
  subParams?: Map<number, unknown>,
  o: Tamper & { command?: number } = {},
) {
  const req = new Map<number, unknown>([[1, sub]]);
  if (subParams) req.set(2, subParams);
  if (token) {
    const signed = o.signedParams === undefined ? subParams : (o.signedParams ?? undefined);
    const message = signed ? Buffer.concat([Uint8Array.of(sub), encodeCanonicalCbor(signed)]) : Uint8Array.of(sub);
    if (o.protocol !== null) req.set(3, o.protocol ?? token.version);
    req.set(4, tokenAuthenticate(token.version, token.token, new Uint8Array(message)));
  }
  return d.call(o.command ?? CtapCommand.authenticatorCredentialManagement, req);
}

/** authenticatorConfig; pinUvAuthParam = authenticate(token, 32×0xff || 0x0d || uint8(subCommand) || subCommandParams) (§6.11). */
export function authenticatorConfig(d: PinDriver, sub: number, token?: Token, subParams?: Map<number, unknown>, o: Tamper = {}) {
  const req = new Map<number, unknown>([[1, sub]]);
  if (subParams) req.set(2, subParams);
  if (token) {
    const signed = o.signedParams === undefined ? subParams : (o.signedParams ?? undefined);
    const message = Buffer.concat([Buffer.alloc(32, 0xff), Uint8Array.of(0x0d, sub), signed ? encodeCanonicalCbor(signed) : new Uint8Array(0)]);
    if (o.protocol !== null) req.set(3, o.protocol ?? token.version);
    req.set(4, tokenAuthenticate(token.version, token.token, new Uint8Array(message)));
  }
  return d.call(CtapCommand.authenticatorConfig, req);
}

/** A serialized large-blob array: the CBOR array || LEFT(SHA-256(it), 16) (§6.10.2). */
export function serializeLargeBlobArray(cborArray: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.concat([cborArray, createHash('sha256').update(cborArray).digest().subarray(0, 16)]));
}

/**
 * authenticatorLargeBlobs set; pinUvAuthParam = authenticate(token, 32×0xff || h'0c00' || uint32LE(offset) ||
 * SHA-256(set)) (§6.10.2). `signedOffset` signs another offset than the one sent.
 */
export function largeBlobsWrite(
  d: PinDriver,
  set: Uint8Array,
  offset: number,
  length: number | undefined,
  token?: Token,
  o: { signedOffset?: number; protocol?: number | null } = {},
) {
  const req = new Map<number, unknown>([[2, set], [3, offset]]);
  if (length !== undefined) req.set(4, length);
  if (token) {
    const off = Buffer.alloc(4);
    off.writeUInt32LE(o.signedOffset ?? offset);
    const message = Buffer.concat([Buffer.alloc(32, 0xff), Uint8Array.of(0x0c, 0x00), off, createHash('sha256').update(set).digest()]);
    req.set(5, tokenAuthenticate(token.version, token.token, new Uint8Array(message)));
    if (o.protocol !== null) req.set(6, o.protocol ?? token.version);
  }
  return d.call(CtapCommand.authenticatorLargeBlobs, req);
}

/** authenticatorLargeBlobs get, with any further members a test adds. */
export function largeBlobsRead(d: PinDriver, get: number, offset: number, extra: [number, unknown][] = []) {
  return d.call(CtapCommand.authenticatorLargeBlobs, new Map<number, unknown>([[1, get], [3, offset], ...extra]));
}
