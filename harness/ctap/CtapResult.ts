import { CtapStatusError, type CborFinding, type CborValue } from '../protocol/index.ts';

/** The device answered CTAP2_OK; `response` is the answer decoded for the command asked. */
export interface CtapOk<T> {
  ok: true;
  status: 0;
  response: T;
  /** the CBOR after the status byte as decoded (undefined when there is none) */
  value: CborValue | undefined;
  /** the response as received: status byte + payload */
  raw: Uint8Array;
  /** departures from CTAP2 canonical CBOR in the response (CTAP 2.1 §8) */
  findings: CborFinding[];
}

/** The device answered a status other than CTAP2_OK (CTAP 2.1 §8.2): a value for the caller to judge. */
export interface CtapRefused {
  ok: false;
  status: number;
  response?: undefined;
  value?: undefined;
  /** the status byte as received */
  raw: Uint8Array;
  findings: CborFinding[];
}

/**
 * One command's outcome with the status as a value: a check compares it with what the spec requires,
 * a client unwraps it (`unwrapCtap`) into the response or a CtapStatusError. Transport failures and
 * unusable answers (CtapProtocolError) are still thrown: they are not statuses.
 */
export type CtapResult<T = CborValue | undefined> = CtapOk<T> | CtapRefused;

export function refused(status: number): CtapRefused {
  return { ok: false, status, raw: Uint8Array.of(status), findings: [] };
}

/** The response of a CTAP2_OK answer; any other status becomes a CtapStatusError naming the command. */
export function unwrapCtap<T>(result: CtapResult<T>, command: string): T {
  if (!result.ok) throw new CtapStatusError(result.status, command);
  return result.response;
}

