import { encodeCborAsGiven, type CborMap } from '../../harness/protocol/index.ts';
import type { Quirk } from './Quirk.ts';

/**
 * Response maps are encoded with their top-level keys in descending order, the reverse of CTAP2 canonical
 * order (CTAP 2.1 §8). A one-member map cannot be out of order and stays as it is.
 */
export const noncanonicalCbor: Quirk = {
  name: 'noncanonical-cbor',
  description: 'responses in non-canonical CBOR order',
  caughtBy: 'CBOR encoding checks',
  behaviour: {
    encodeResponse: (map: CborMap) => encodeCborAsGiven(new Map([...map.entries()].reverse())),
  },
};
