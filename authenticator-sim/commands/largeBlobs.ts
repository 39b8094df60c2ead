import { createHash } from 'node:crypto';
import {
  CtapStatus,
  CtapStatusError,
  decodeLargeBlobsRequest,
  encodeLargeBlobsResponse,
  MAX_MESSAGE_SIZE,
  PinUvAuthPermission,
  type CborMap,
  type LargeBlobsRequest,
} from '../../harness/protocol/index.ts';
import type { Authenticator, HandleOptions } from '../Authenticator.ts';
import { isProtectedByUv, selectProtocol } from './pinUvAuthChecks.ts';

/** getInfo maxSerializedLargeBlobArray (CTAP 2.1 §6.4: at least 1024). */
export const MAX_SERIALIZED_LARGE_BLOB_ARRAY = 4096;
/** §6.10.2: maxFragmentLength = maxMsgSize - 64. */

/** maxFragmentLength = maxMsgSize - 64 (CTAP 2.1 §6.10.2), after the model's maxMsgSize. */
function maxFragmentLength(a: Authenticator): number {
  return a.features.maxMsgSize - 64;
}

const PENDING_KEY = 'largeBlobs.pending';

interface PendingWrite {
  expectedLength: number;
  expectedNextOffset: number;
  chunks: Uint8Array[];
}

/** authenticatorLargeBlobs, CTAP 2.1 §6.10.2 (steps cited). */
export async function largeBlobs(a: Authenticator, params: unknown, _options: HandleOptions): Promise<CborMap | null> {
  const req = decodeLargeBlobsRequest(params);
  const offset = req.offset!;
  // Step 1-2: exactly one of get and set.
  if ((req.get === undefined) === (req.set === undefined)) {
    throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'exactly one of get and set');
  }
  if (req.get !== undefined) return read(a, req, req.get, offset);
  await write(a, req, req.set!, offset);
  return null;
}

/** Step 3: get. */
function read(a: Authenticator, req: LargeBlobsRequest, get: number, offset: number): CborMap {
  if (req.length !== undefined) throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'length with get');
  if (get > maxFragmentLength(a)) throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_LENGTH, 'get above maxFragmentLength');
  const array = a.state.largeBlobArray;
  if (offset > array.length) throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'offset past the end');
  return encodeLargeBlobsResponse({ config: array.slice(offset, offset + get) });
}

/** Step 4: set, in fragments at increasing offsets; committed when the whole array arrived and its hash checks. */
async function write(a: Authenticator, req: LargeBlobsRequest, set: Uint8Array, offset: number): Promise<void> {
  if (set.length > maxFragmentLength(a)) {
    throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_LENGTH, 'fragment above maxFragmentLength');
  }
  let pending = a.volatile.get(PENDING_KEY) as PendingWrite | undefined;
  let fresh: PendingWrite | undefined;
  if (offset === 0) {
    // Step 4.2: the first fragment carries the total length.
    if (req.length === undefined) throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'length missing at offset 0');
    if (req.length > a.features.maxSerializedLargeBlobArray) {
      throw new CtapStatusError(CtapStatus.CTAP2_ERR_LARGE_BLOB_STORAGE_FULL);
    }
    // 17 bytes: an empty CBOR array and the 16-byte hash.
    if (req.length < 17) throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'length below 17');
    fresh = { expectedLength: req.length, expectedNextOffset: 0, chunks: [] };
  } else {
    if (req.length !== undefined) {
      throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'length only with offset 0');
    }
    // Step 4.3: fragments arrive in order.
    if (!pending || offset !== pending.expectedNextOffset) {
      throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_SEQ, 'fragment out of sequence');
    }
  }
  const target = fresh ?? pending!;
  // Step 4.4: with user verification configured, the lbw permission and
  // pinUvAuthParam = authenticate(token, 32×0xff || h'0c00' || uint32LE(offset) || SHA-256(set)).
  if (isProtectedByUv(a) || a.state.alwaysUv) {
    if (req.pinUvAuthParam === undefined) throw new CtapStatusError(CtapStatus.CTAP2_ERR_PUAT_REQUIRED);
    const protocol = selectProtocol(a, req.pinUvAuthProtocol);
    const offsetLe = Buffer.alloc(4);
    offsetLe.writeUInt32LE(offset);
    const message = Buffer.concat([
      Buffer.alloc(32, 0xff),
      Uint8Array.of(0x0c, 0x00),
      offsetLe,
      createHash('sha256').update(set).digest(),
    ]);
    const token = a.pinUvAuthToken;
    if (!token.inUse || !protocol.verify(token.token, new Uint8Array(message), req.pinUvAuthParam)) {
      throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'pinUvAuthParam does not verify');
    }
    if ((token.permissions & PinUvAuthPermission.lbw) === 0) {
      throw new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_AUTH_INVALID, 'token lacks the lbw permission');
    }
    token.touch();
  }
  // Step 4.5: beyond the announced length.
  if (offset + set.length > target.expectedLength) {
    throw new CtapStatusError(CtapStatus.CTAP1_ERR_INVALID_PARAMETER, 'fragment beyond the announced length');
  }
  if (fresh) {
    pending = fresh;
    a.volatile.set(PENDING_KEY, fresh);
  }
  const p = pending!;
  p.chunks.push(set);
  p.expectedNextOffset += set.length;
  if (p.expectedNextOffset < p.expectedLength) return;
  // Step 4.6: complete; the trailing 16 bytes must be LEFT(SHA-256(array), 16).
  a.volatile.delete(PENDING_KEY);
  const whole = new Uint8Array(Buffer.concat(p.chunks));
  const body = whole.subarray(0, whole.length - 16);
  const check = createHash('sha256').update(body).digest().subarray(0, 16);
  if (Buffer.compare(check, whole.subarray(whole.length - 16)) !== 0) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_INTEGRITY_FAILURE, 'large-blob array hash does not match');
  }
  a.state.largeBlobArray = whole;
  a.persist();
}
