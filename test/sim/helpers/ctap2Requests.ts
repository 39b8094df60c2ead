import { createHash } from 'node:crypto';
import {
  CoseAlgorithm,
  encodeCanonicalCbor,
  encodeGetAssertionRequest,
  encodeMakeCredentialRequest,
  type CredentialDescriptor,
} from '../../../harness/protocol/index.ts';

export const sha256 = (s: string | Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(s).digest());

export interface McOptions {
  rpId?: string;
  userId?: Uint8Array;
  userName?: string;
  rk?: boolean;
  alg?: number;
  excludeList?: CredentialDescriptor[];
  extensions?: Map<string, unknown>;
  clientDataHash?: Uint8Array;
}

/** Canonical CBOR parameters of a makeCredential request. */
export function makeCredentialParams(o: McOptions = {}): Uint8Array {
  const options = new Map<string, boolean>();
  if (o.rk) options.set('rk', true);
  return encodeCanonicalCbor(
    encodeMakeCredentialRequest({
      clientDataHash: o.clientDataHash ?? sha256('client data'),
      rp: { id: o.rpId ?? 'example.com', name: 'Example' },
      user: { id: o.userId ?? Uint8Array.of(1, 2, 3, 4), name: o.userName ?? 'alice', displayName: 'Alice' },
      pubKeyCredParams: [{ type: 'public-key', alg: o.alg ?? CoseAlgorithm.ES256 }],
      ...(o.excludeList ? { excludeList: o.excludeList } : {}),
      ...(o.extensions ? { extensions: o.extensions as never } : {}),
      ...(options.size ? { options } : {}),
    }),
  );
}

export function getAssertionParams(o: { rpId?: string; allowList?: CredentialDescriptor[]; clientDataHash?: Uint8Array; up?: boolean } = {}): Uint8Array {
  return encodeCanonicalCbor(
    encodeGetAssertionRequest({
      rpId: o.rpId ?? 'example.com',
      clientDataHash: o.clientDataHash ?? sha256('assertion client data'),
      ...(o.allowList ? { allowList: o.allowList } : {}),
      ...(o.up === false ? { options: new Map([['up', false]]) } : {}),
    }),
  );
}
