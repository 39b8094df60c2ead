import { CtapStatus, CtapStatusError, type CborMap } from '../../harness/protocol/index.ts';

/** Reads one extension's input with its type checked (a wrong type is CTAP2_ERR_CBOR_UNEXPECTED_TYPE, CTAP 2.1 §8). */
export function extensionInput<T>(
  inputs: CborMap | undefined,
  name: string,
  check: (v: unknown) => v is T,
  what: string,
): T | undefined {
  const v = inputs?.get(name);
  if (v === undefined) return undefined;
  if (!check(v)) throw new CtapStatusError(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE, `extension ${name} is not ${what}`);
  return v;
}

export const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
export const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
export const isUint = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
export const isMap = (v: unknown): v is CborMap => v instanceof Map;
