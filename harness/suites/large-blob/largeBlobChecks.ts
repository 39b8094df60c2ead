import { CtapRequest, type CtapOk } from '../../ctap/index.ts';
import { createHash, randomBytes } from 'node:crypto';
import { LargeBlobs, type PinUvAuthTokenHandle } from '../../client/index.ts';
import {
  CtapExtension,
  CtapStatus,
  encodeCanonicalCbor,
  PinUvAuthPermission,
  type CborValue,
  type LargeBlobsRequest,
  type LargeBlobsResponse,
} from '../../protocol/index.ts';
import { ensure, expectStatus, hex } from '../expect.ts';
import { gaRequest, getAssertion, makeCredentialUv, mcUvRequest, rkOption } from '../ops.ts';
import { pinToken } from '../pinOps.ts';
import { grantedPermissionOtherThan } from '../permissionSupport.ts';
import { CheckSkipped } from '../../runner/Check.ts';
import { needsClientPin, needsRk } from '../needs.ts';
import { failOnStatus } from '../failOnStatus.ts';
import type { SuiteCheck, SuiteContext } from '../SuiteContext.ts';

const suite = 'large-blob';
/** CTAP 2.1 §6.4: maxSerializedLargeBlobArray, when largeBlobs is offered, is at least 1024. */
const MIN_SERIALIZED_ARRAY = 1024;
/** §6.10.2: the initial serialized large-blob array, an empty CBOR array and LEFT(SHA-256(h'80'), 16). */
const INITIAL_ARRAY = '8076be8b528d0075f7aae98d6fa57a6d3c';

const needsLargeBlobs = (ctx: SuiteContext) => (ctx.info.options?.largeBlobs === true ? undefined : 'largeBlobs not offered (getInfo option)');

/**
 * authenticatorLargeBlobs (CTAP 2.1 §6.10) and the largeBlobKey extension (§12.3). Writing needs a
 * pinUvAuthToken with the lbw permission once a PIN is set (§6.10.2 set, step on pinUvAuthParam), so the
 * checks run with a PIN set.
 */
const base = {
  suite,
  needs: { pin: 'set' as const },
  destructive: true,
  requires: (ctx: SuiteContext) => needsLargeBlobs(ctx) ?? needsClientPin()(ctx),
};

/** maxFragmentLength = maxMsgSize - 64 (§6.10.1). */
const maxFragment = (ctx: SuiteContext) => ctx.ctap2.maxMsgSize - 64;

const sha = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());

/** A serialized large-blob array: the CBOR array followed by LEFT(SHA-256(array), 16) (§6.10.2). */
function serialize(entries: CborValue[]): Uint8Array {
  const body = encodeCanonicalCbor(entries);
  return new Uint8Array(Buffer.concat([body, sha(body).subarray(0, 16)]));
}

/** pinUvAuthParam for a fragment: authenticate(token, 32×0xff || h'0c00' || uint32LE(offset) || SHA-256(set)) (§6.10.2). */
function fragmentAuth(token: PinUvAuthTokenHandle, offset: number, set: Uint8Array): Uint8Array {
  const off = Buffer.alloc(4);
  off.writeUInt32LE(offset);
  return token.protocol.authenticate(token.token, new Uint8Array(Buffer.concat([Buffer.alloc(32, 0xff), Buffer.of(0x0c, 0x00), off, sha(set)])));
}

function setRequest(token: PinUvAuthTokenHandle | undefined, set: Uint8Array, offset: number, length?: number): LargeBlobsRequest {
  return {
    set,
    offset,
    // Stryker disable next-line ConditionalExpression: a length of undefined is left out of the CBOR request alike
    ...(length !== undefined ? { length } : {}),
    ...(token ? { pinUvAuthParam: fragmentAuth(token, offset, set), pinUvAuthProtocol: token.protocol.version } : {}),
  };
}

const call = (ctx: SuiteContext, req: LargeBlobsRequest, signal: AbortSignal) => ctx.request(CtapRequest.largeBlobs, req, signal);

/** Writes `whole` in fragments of `size` bytes; every fragment must answer CTAP2_OK. */
async function writeFragments(ctx: SuiteContext, whole: Uint8Array, size: number, token: PinUvAuthTokenHandle, signal: AbortSignal): Promise<void> {
  // Stryker disable next-line EqualityOperator: no array written here is a whole number of fragments, so offset never equals its length
  for (let offset = 0; offset < whole.length; offset += size) {
    const set = whole.subarray(offset, offset + size);
    const r = await call(ctx, setRequest(token, set, offset, offset === 0 ? whole.length : undefined), signal);
    expectStatus(r, CtapStatus.CTAP2_OK, `set of ${set.length} bytes at offset ${offset}`);
  }
}

/** Reads the whole serialized array with gets of `size` bytes (a short answer ends it). */
async function readFragments(ctx: SuiteContext, size: number, signal: AbortSignal): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (let offset = 0, i = 0; i < 512; i++) {
    const r = await call(ctx, { get: size, offset }, signal);
    expectStatus(r, CtapStatus.CTAP2_OK, `get of ${size} bytes at offset ${offset}`);
    // CTAP2_OK: the request decoded the answer (decodeLargeBlobsResponse); an empty one is undefined
    const chunk = (r as CtapOk<LargeBlobsResponse | undefined>).response?.config;
    ensure(chunk instanceof Uint8Array, `get at offset ${offset} answered no config (0x01) byte string`);
    ensure(chunk.length <= size, `get of ${size} bytes answered ${chunk.length}`);
    parts.push(chunk);
    offset += chunk.length;
    if (chunk.length < size) break;
  }
  return new Uint8Array(Buffer.concat(parts));
}

const lbwToken = (ctx: SuiteContext) => pinToken(ctx, { permissions: PinUvAuthPermission.lbw });

/** A small valid array of `n` opaque entries (the authenticator does not look inside, §6.10.3). */
const entries = (n: number, size: number): CborValue[] =>
  // Stryker disable next-line ArrayDeclaration: the authenticator does not look inside an entry (§6.10.3): an empty map serves alike
  Array.from({ length: n }, () => new Map<CborValue, CborValue>([[1, new Uint8Array(randomBytes(size))], [2, new Uint8Array(randomBytes(12))], [3, size]]));

/** Starts a write at offset 0 announcing `length` (so later fragments have something to continue). */
async function startWrite(ctx: SuiteContext, whole: Uint8Array, first: number, token: PinUvAuthTokenHandle, signal: AbortSignal): Promise<void> {
  expectStatus(await call(ctx, setRequest(token, whole.subarray(0, first), 0, whole.length), signal), CtapStatus.CTAP2_OK, 'first fragment');
}

export const largeBlobChecks: SuiteCheck[] = [
  {
    id: 'LB-INFO-001',
    suite,
    title: 'with largeBlobs offered, maxSerializedLargeBlobArray is at least 1024 and largeBlobKey is listed',
    specRef: 'CTAP 2.1 §6.4 (largeBlobs, maxSerializedLargeBlobArray), §12.3',
    touches: 0,
    requires: needsLargeBlobs,
    async run(ctx) {
      const max = ctx.info.maxSerializedLargeBlobArray;
      ensure((max ?? 0) >= MIN_SERIALIZED_ARRAY, `maxSerializedLargeBlobArray is ${max ?? 'absent'}, expected at least ${MIN_SERIALIZED_ARRAY}`);
      ensure(ctx.info.extensions?.includes(CtapExtension.largeBlobKey), 'largeBlobs offered but the largeBlobKey extension is not listed');
    },
  },
  {
    ...base,
    id: 'LB-READ-001',
    title: 'after authenticatorReset the array is the empty array with its hash (h\'80\' || 16-byte hash)',
    specRef: 'CTAP 2.1 §6.10.2 (initial serialized large-blob array), §6.6',
    // it resets the key to read the empty array (a touch, CTAP 2.1 §6.6)
    touches: 1,
    resets: 1,
    needs: {},
    requires: needsLargeBlobs,
    async run(ctx, signal) {
      await ctx.reset();
      const whole = await readFragments(ctx, maxFragment(ctx), signal);
      ensure(hex(whole) === INITIAL_ARRAY, 'the array after reset is not the initial one', { expected: INITIAL_ARRAY, actual: hex(whole) });
    },
  },
  {
    ...base,
    id: 'LB-WRITE-001',
    title: 'an array written in 64-byte fragments with an lbw token reads back identical, hash included',
    specRef: 'CTAP 2.1 §6.10.2 (set with offset/length, get)',
    touches: 0,
    async run(ctx, signal) {
      const whole = serialize(entries(3, 40));
      const token = await lbwToken(ctx);
      await writeFragments(ctx, whole, 64, token, signal);
      const back = await readFragments(ctx, 50, signal);
      // identical bytes: the trailing LEFT(SHA-256(array), 16) that serialize() wrote included
      ensure(hex(back) === hex(whole), 'the array read back differs from the one written', { expected: hex(whole), actual: hex(back) });
    },
  },
  {
    ...base,
    id: 'LB-KEY-001',
    title: 'largeBlobKey: a 32-byte key in makeCredential (0x05), the same in getAssertion (0x07); a blob under it round-trips',
    specRef: 'CTAP 2.1 §12.3, §6.10.3',
    touches: 1,
    requires: (ctx: SuiteContext) => needsLargeBlobs(ctx) ?? needsRk(ctx) ?? needsClientPin()(ctx),
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('LB-KEY-001');
      const ext = new Map<CborValue, CborValue>([[CtapExtension.largeBlobKey, true]]);
      const made = await makeCredentialUv(ctx, rpId, { options: rkOption(), extensions: ext }, signal);
      const key = made.response.largeBlobKey;
      ensure(key instanceof Uint8Array && key.length === 32, `makeCredential largeBlobKey (0x05) is ${key ? `${key.length} bytes` : 'missing'}, expected 32 bytes`);
      // silent (up false, CTAP 2.1 §6.2.2 step 9): the key is returned without presence (§12.3)
      const got = await getAssertion(ctx, gaRequest(rpId, { extensions: ext, options: new Map([['up', false]]) }), signal);
      ensure(hex(got.response.largeBlobKey) === hex(key), 'getAssertion largeBlobKey (0x07) differs from makeCredential\'s', {
        expected: hex(key),
        actual: hex(got.response.largeBlobKey),
      });
      const blobs = new LargeBlobs(ctx.ctap2, { signal });
      const data = new Uint8Array(randomBytes(100));
      const token = await lbwToken(ctx);
      await failOnStatus('writing the blob', () => blobs.writeBlob(key, data, token));
      const back = await failOnStatus('reading the blob', () => blobs.readBlob(key));
      ensure(hex(back) === hex(data), 'the blob written under the largeBlobKey did not read back');
    },
  },
  {
    ...base,
    id: 'LB-KEY-002',
    title: 'largeBlobKey: false is refused with CTAP2_ERR_INVALID_OPTION',
    specRef: 'CTAP 2.1 §12.3 (the input value must be true)',
    touches: 0,
    requires: (ctx: SuiteContext) => needsLargeBlobs(ctx) ?? needsRk(ctx) ?? needsClientPin()(ctx),
    async run(ctx, signal) {
      const rpId = ctx.rpIdFor('LB-KEY-002');
      const req = await mcUvRequest(ctx, rpId, { options: rkOption(), extensions: new Map<CborValue, CborValue>([[CtapExtension.largeBlobKey, false]]) });
      const r = await ctx.request(CtapRequest.makeCredential, req, signal);
      expectStatus(r, CtapStatus.CTAP2_ERR_INVALID_OPTION, 'makeCredential with largeBlobKey: false');
    },
  },
  {
    ...base,
    id: 'LB-SEQ-001',
    title: 'a fragment at an offset other than the next expected one is refused with CTAP1_ERR_INVALID_SEQ',
    specRef: 'CTAP 2.1 §6.10.2 (offset != expectedNextOffset: CTAP1_ERR_INVALID_SEQ)',
    touches: 0,
    async run(ctx, signal) {
      const whole = serialize(entries(2, 40));
      const token = await lbwToken(ctx);
      await startWrite(ctx, whole, 32, token, signal);
      const r = await call(ctx, setRequest(token, whole.subarray(48, 80), 48), signal);
      expectStatus(r, CtapStatus.CTAP1_ERR_INVALID_SEQ, 'set at offset 48 when 32 was expected');
    },
  },
  {
    ...base,
    id: 'LB-LEN-001',
    title: 'a first fragment (offset 0) without length is refused with CTAP1_ERR_INVALID_PARAMETER',
    specRef: 'CTAP 2.1 §6.10.2 (offset 0: length required)',
    touches: 0,
    async run(ctx, signal) {
      const whole = serialize(entries(1, 20));
      const token = await lbwToken(ctx);
      expectStatus(await call(ctx, setRequest(token, whole, 0), signal), CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'set at offset 0 without length');
    },
  },
  {
    ...base,
    id: 'LB-LEN-002',
    title: 'an announced length below 17 is refused with CTAP1_ERR_INVALID_PARAMETER',
    specRef: 'CTAP 2.1 §6.10.2 (length < 17: CTAP1_ERR_INVALID_PARAMETER)',
    touches: 0,
    async run(ctx, signal) {
      const token = await lbwToken(ctx);
      const set = new Uint8Array(16);
      expectStatus(await call(ctx, setRequest(token, set, 0, 16), signal), CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'set announcing 16 bytes');
    },
  },
  {
    ...base,
    id: 'LB-LEN-003',
    title: 'an announced length above maxSerializedLargeBlobArray is refused with CTAP2_ERR_LARGE_BLOB_STORAGE_FULL',
    specRef: 'CTAP 2.1 §6.10.2 (length > maxSerializedLargeBlobArray)',
    touches: 0,
    async run(ctx, signal) {
      const max = ctx.info.maxSerializedLargeBlobArray ?? MIN_SERIALIZED_ARRAY;
      const token = await lbwToken(ctx);
      const set = new Uint8Array(randomBytes(32));
      expectStatus(await call(ctx, setRequest(token, set, 0, max + 1), signal), CtapStatus.CTAP2_ERR_LARGE_BLOB_STORAGE_FULL, `set announcing ${max + 1} bytes`);
    },
  },
  {
    ...base,
    id: 'LB-LEN-004',
    title: 'a fragment running past the announced length is refused with CTAP1_ERR_INVALID_PARAMETER',
    specRef: 'CTAP 2.1 §6.10.2 (offset + length(set) > expectedLength)',
    touches: 0,
    async run(ctx, signal) {
      const whole = serialize(entries(1, 40));
      const token = await lbwToken(ctx);
      await startWrite(ctx, whole, 32, token, signal);
      const tail = new Uint8Array(whole.length - 32 + 8);
      tail.set(whole.subarray(32));
      expectStatus(await call(ctx, setRequest(token, tail, 32), signal), CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'fragment 8 bytes past the announced length');
    },
  },
  {
    ...base,
    id: 'LB-LEN-005',
    title: 'a get longer than maxFragmentLength is refused with CTAP1_ERR_INVALID_LENGTH',
    specRef: 'CTAP 2.1 §6.10.2 (get > maxFragmentLength)',
    touches: 0,
    async run(ctx, signal) {
      expectStatus(await call(ctx, { get: maxFragment(ctx) + 1, offset: 0 }, signal), CtapStatus.CTAP1_ERR_INVALID_LENGTH, `get of ${maxFragment(ctx) + 1} bytes`);
    },
  },
  {
    ...base,
    id: 'LB-PARAM-001',
    title: 'get and set together, or neither, is refused with CTAP1_ERR_INVALID_PARAMETER',
    specRef: 'CTAP 2.1 §6.10.2 (exactly one of get and set)',
    touches: 0,
    async run(ctx, signal) {
      const token = await lbwToken(ctx);
      // Stryker disable next-line ArrayDeclaration: the refusal comes before the array is read; any valid array serves
      const whole = serialize([]);
      const both = { ...setRequest(token, whole, 0, whole.length), get: 16 };
      expectStatus(await call(ctx, both, signal), CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'get with set');
      expectStatus(await call(ctx, { offset: 0 }, signal), CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'neither get nor set');
    },
  },
  {
    ...base,
    id: 'LB-HASH-001',
    title: 'a complete array with a wrong hash is refused with CTAP2_ERR_INTEGRITY_FAILURE and not stored',
    specRef: 'CTAP 2.1 §6.10.2 (hash check on the last fragment)',
    touches: 0,
    async run(ctx, signal) {
      const token = await lbwToken(ctx);
      const good = serialize(entries(1, 24));
      await writeFragments(ctx, good, maxFragment(ctx), token, signal);
      const bad = serialize(entries(1, 24));
      bad[bad.length - 1]! ^= 0x01;
      const r = await call(ctx, setRequest(token, bad, 0, bad.length), signal);
      expectStatus(r, CtapStatus.CTAP2_ERR_INTEGRITY_FAILURE, 'array with a flipped hash bit');
      const back = await readFragments(ctx, maxFragment(ctx), signal);
      ensure(hex(back) === hex(good), 'the refused array replaced the stored one', { expected: hex(good), actual: hex(back) });
    },
  },
  {
    ...base,
    id: 'LB-AUTH-001',
    title: 'with a PIN set, a set without pinUvAuthParam is refused with CTAP2_ERR_PUAT_REQUIRED',
    specRef: 'CTAP 2.1 §6.10.2 (authenticator protected by some form of user verification)',
    touches: 0,
    async run(ctx, signal) {
      // Stryker disable next-line ArrayDeclaration: the refusal comes before the array is read; any valid array serves
      const whole = serialize([]);
      expectStatus(await call(ctx, setRequest(undefined, whole, 0, whole.length), signal), CtapStatus.CTAP2_ERR_PUAT_REQUIRED, 'set without pinUvAuthParam');
    },
  },
  {
    ...base,
    id: 'LB-AUTH-002',
    title: 'a token without the lbw permission is refused with CTAP2_ERR_PIN_AUTH_INVALID',
    specRef: 'CTAP 2.1 §6.10.2 (lbw permission required)',
    touches: 0,
    async run(ctx, signal) {
      // a permission the key grants (§6.5.5.7.2 step 4): cm only where getInfo offers credMgmt
      const other = grantedPermissionOtherThan(ctx.info, PinUvAuthPermission.lbw);
      if (other === undefined) throw new CheckSkipped('the key grants no permission but lbw to a token by PIN');
      const token = await pinToken(ctx, { permissions: other });
      // Stryker disable next-line ArrayDeclaration: the refusal comes before the array is read; any valid array serves
      const whole = serialize([]);
      expectStatus(await call(ctx, setRequest(token, whole, 0, whole.length), signal), CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, `set with a token of permissions 0x${other.toString(16)} (no lbw)`);
    },
  },
  {
    ...base,
    id: 'LB-AUTH-003',
    title: 'a wrong pinUvAuthParam is refused with CTAP2_ERR_PIN_AUTH_INVALID',
    specRef: 'CTAP 2.1 §6.10.2 (verify pinUvAuthParam)',
    touches: 0,
    async run(ctx, signal) {
      const token = await lbwToken(ctx);
      // Stryker disable next-line ArrayDeclaration: the refusal comes before the array is read; any valid array serves
      const whole = serialize([]);
      const req = setRequest(token, whole, 0, whole.length);
      const auth = Uint8Array.from(req.pinUvAuthParam!);
      auth[0]! ^= 0x01;
      expectStatus(await call(ctx, { ...req, pinUvAuthParam: auth }, signal), CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'set with a flipped pinUvAuthParam bit');
    },
  },
];
