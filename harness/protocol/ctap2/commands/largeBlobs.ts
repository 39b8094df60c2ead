import type { CborMap } from '../../cbor/CborValue.ts';
import { decodeParams, encodeParams, type Params } from '../params.ts';

/** authenticatorLargeBlobs (0x0C) request parameters, CTAP 2.1 §6.10 */
export const largeBlobsRequestKeys = {
  get: { key: 0x01, type: 'uint' },
  set: { key: 0x02, type: 'bytes' },
  offset: { key: 0x03, type: 'uint', required: true },
  length: { key: 0x04, type: 'uint' },
  pinUvAuthParam: { key: 0x05, type: 'bytes' },
  pinUvAuthProtocol: { key: 0x06, type: 'uint' },
} as const;

export const largeBlobsResponseKeys = {
  config: { key: 0x01, type: 'bytes' },
} as const;

export type LargeBlobsRequest = Params<typeof largeBlobsRequestKeys>;
export type LargeBlobsResponse = Params<typeof largeBlobsResponseKeys>;

export const decodeLargeBlobsRequest = (v: unknown): LargeBlobsRequest =>
  decodeParams(largeBlobsRequestKeys, v, 'largeBlobs');
export const encodeLargeBlobsRequest = (r: LargeBlobsRequest): CborMap => encodeParams(largeBlobsRequestKeys, r);
export const decodeLargeBlobsResponse = (v: unknown): LargeBlobsResponse =>
  decodeParams(largeBlobsResponseKeys, v, 'largeBlobs response');
export const encodeLargeBlobsResponse = (r: LargeBlobsResponse): CborMap => encodeParams(largeBlobsResponseKeys, r);
