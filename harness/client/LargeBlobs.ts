import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { CborError, decodeCbor, encodeCanonicalCbor, type CborMap, type CborValue } from '../protocol/index.ts';
import type { Ctap2, CtapCallOptions } from '../ctap/index.ts';
import { ClientError } from './ClientError.ts';
import { concat, type PinUvAuthTokenHandle } from './ClientPin.ts';

/**
 * The platform's side of authenticatorLargeBlobs (CTAP 2.1 §6.10): reading and writing the serialized
 * large-blob array in fragments, and the per-credential blobs inside it (§6.10.3: AES-256-GCM under the
 * credential's largeBlobKey, DEFLATE-compressed, AD = "blob" || uint64LE(origSize)).
 */
export class LargeBlobs {
  constructor(
    readonly ctap: Ctap2,
    private readonly callOptions: CtapCallOptions = {},
    private readonly random: (n: number) => Uint8Array = (n) => new Uint8Array(randomBytes(n)),
  ) {}

  /** maxFragmentLength = maxMsgSize − 64 (§6.10.1). */
  get maxFragmentLength(): number {
    return this.ctap.maxMsgSize - 64;
  }

  /** Reads the whole serialized array and checks its trailing hash (§6.10.2 steps 1–4). */
  async readArray(): Promise<CborValue[]> {
    const chunks: Uint8Array[] = [];
    const max = this.maxFragmentLength;
    for (let offset = 0, i = 0; i < 1024; i++) {
      const res = await this.ctap.largeBlobs({ get: max, offset }, this.callOptions);
      const chunk = res.config ?? new Uint8Array(0);
      chunks.push(chunk);
      offset += chunk.length;
      if (chunk.length < max) break;
    }
    const whole = concat(...chunks);
    if (whole.length < 17) throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', `large-blob array of ${whole.length} bytes`);
    const body = whole.subarray(0, whole.length - 16);
    const hash = createHash('sha256').update(body).digest().subarray(0, 16);
    if (!hash.equals(Buffer.from(whole.subarray(whole.length - 16)))) {
      throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', 'large-blob array hash does not match (§6.10.2)');
    }
    let value: CborValue;
    try {
      value = decodeCbor(body, { canonical: 'report' }).value;
    } catch (err) {
      if (err instanceof CborError) throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', `large-blob array: ${err.message}`, { cause: err });
      throw err;
    }
    if (!Array.isArray(value)) throw new ClientError('CLIENT_BAD_RESPONSE', 'UnknownError', 'large-blob array is not a CBOR array');
    return value;
  }

  /** Writes a serialized array in fragments with pinUvAuthParam (§6.10.2 "set"). */
  async writeArray(entries: CborValue[], token: PinUvAuthTokenHandle): Promise<void> {
    const body = encodeCanonicalCbor(entries);
    const whole = concat(body, createHash('sha256').update(body).digest().subarray(0, 16));
    const max = this.maxFragmentLength;
    for (let offset = 0; offset < whole.length; offset += max) {
      const set = whole.subarray(offset, offset + max);
      const offsetLe = new Uint8Array(4);
      new DataView(offsetLe.buffer).setUint32(0, offset, true);
      // §6.10.2: authenticate(token, 32×0xff || h'0c00' || uint32LE(offset) || SHA-256(set))
      const message = concat(new Uint8Array(32).fill(0xff), Uint8Array.of(0x0c, 0x00), offsetLe, createHash('sha256').update(set).digest());
      await this.ctap.largeBlobs(
        {
          set,
          offset,
          length: offset === 0 ? whole.length : undefined,
          pinUvAuthParam: token.protocol.authenticate(token.token, message),
          pinUvAuthProtocol: token.protocol.version,
        },
        this.callOptions,
      );
    }
  }

  /** The blob stored for `largeBlobKey`, or undefined (§6.10.3: the first entry that decrypts). */
  async readBlob(largeBlobKey: Uint8Array): Promise<Uint8Array | undefined> {
    for (const entry of await this.readArray()) {
      const plain = decryptEntry(entry, largeBlobKey);
      if (plain) return plain;
    }
    return undefined;
  }

  /** Replaces the blob for `largeBlobKey` (entries of other credentials are kept). */
  async writeBlob(largeBlobKey: Uint8Array, data: Uint8Array, token: PinUvAuthTokenHandle): Promise<void> {
    const kept = (await this.readArray()).filter((e) => !decryptEntry(e, largeBlobKey));
    kept.push(encryptEntry(data, largeBlobKey, this.random(12)));
    await this.writeArray(kept, token);
  }
}

function associatedData(origSize: number): Uint8Array {
  const ad = new Uint8Array(12);
  ad.set(Buffer.from('blob', 'ascii'));
  new DataView(ad.buffer).setBigUint64(4, BigInt(origSize), true);
  return ad;
}

export function encryptEntry(data: Uint8Array, key: Uint8Array, nonce: Uint8Array): CborMap {
  const compressed = deflateRawSync(data);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(associatedData(data.length));
  const ct = Buffer.concat([c.update(compressed), c.final(), c.getAuthTag()]);
  return new Map<CborValue, CborValue>([
    [1, new Uint8Array(ct)],
    [2, nonce],
    [3, data.length],
  ]);
}

export function decryptEntry(entry: CborValue, key: Uint8Array): Uint8Array | undefined {
  if (!(entry instanceof Map)) return undefined;
  const ct = entry.get(1);
  const nonce = entry.get(2);
  const origSize = entry.get(3);
  if (!(ct instanceof Uint8Array) || !(nonce instanceof Uint8Array) || nonce.length !== 12 || typeof origSize !== 'number' || ct.length < 16) return undefined;
  try {
    const d = createDecipheriv('aes-256-gcm', key, nonce);
    d.setAAD(associatedData(origSize));
    d.setAuthTag(ct.subarray(ct.length - 16));
    const compressed = Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]);
    const plain = new Uint8Array(inflateRawSync(compressed));
    return plain.length === origSize ? plain : undefined;
  } catch {
    return undefined;
  }
}
