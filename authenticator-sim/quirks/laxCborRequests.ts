import type { Quirk } from './Quirk.ts';

/** Requests that are not CTAP2 canonical CBOR (keys out of order, long-form integers) are accepted (CTAP 2.1 §8: refused with CTAP2_ERR_INVALID_CBOR). */
export const laxCborRequests: Quirk = {
  name: 'lax-cbor-requests',
  description: 'accepts non-canonical CBOR requests',
  caughtBy: 'request encoding checks',
  behaviour: { strictRequestCbor: false },
};
