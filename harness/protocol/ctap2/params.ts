import type { CborMap, CborValue } from '../cbor/CborValue.ts';
import { CtapStatus } from './statusCodes.ts';
import { CtapStatusError } from './CtapStatusError.ts';

/**
 * A CBOR parameter-key table: each command's request and response members with their integer keys
 * (CTAP 2.1 §6, the tables under each command). Written once per command, used by the simulator to
 * decode requests / encode responses and by the host to encode requests / decode responses.
 */
export type ParamType = 'bytes' | 'text' | 'uint' | 'int' | 'bool' | 'map' | 'array' | 'any';

export interface ParamSpec {
  readonly key: number;
  readonly type: ParamType;
  readonly required?: boolean;
}

export type ParamTable = Readonly<Record<string, ParamSpec>>;

export type ParamValue<T extends ParamType> = T extends 'bytes'
  ? Uint8Array
  : T extends 'text'
    ? string
    : T extends 'uint' | 'int'
      ? number
      : T extends 'bool'
        ? boolean
        : T extends 'map'
          ? CborMap
          : T extends 'array'
            ? CborValue[]
            : CborValue;

export type Params<T extends ParamTable> = { [K in keyof T]?: ParamValue<T[K]['type']> };

export function isType(value: unknown, type: ParamType): boolean {
  switch (type) {
    case 'bytes':
      return value instanceof Uint8Array;
    case 'text':
      return typeof value === 'string';
    case 'uint':
      return Number.isInteger(value) && (value as number) >= 0;
    case 'int':
      return Number.isInteger(value);
    case 'bool':
      return typeof value === 'boolean';
    case 'map':
      return value instanceof Map;
    case 'array':
      return Array.isArray(value);
    case 'any':
      return true;
  }
}

/**
 * Reads a command's parameters from its decoded CBOR map, in key order. A value that is not a map, or a
 * member of the wrong type, is CTAP2_ERR_CBOR_UNEXPECTED_TYPE; a missing required member is
 * CTAP2_ERR_MISSING_PARAMETER (CTAP 2.1 §6 "parameters"; §8 message encoding). Unknown keys are ignored
 * so newer hosts can talk to older authenticators (CTAP 2.1 §6: "ignore unknown parameters" is not
 * stated for every command; this follows what deployed authenticators do).
 */
export function decodeParams<T extends ParamTable>(table: T, value: unknown, what = 'request'): Params<T> {
  if (!(value instanceof Map)) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE, `${what} is not a CBOR map`);
  }
  const out: Record<string, unknown> = {};
  const specs = Object.entries(table).sort((a, b) => a[1].key - b[1].key);
  for (const [name, spec] of specs) {
    const v = value.get(spec.key);
    if (v === undefined) {
      if (spec.required) {
        throw new CtapStatusError(CtapStatus.CTAP2_ERR_MISSING_PARAMETER, `${what}: ${name} (0x${spec.key.toString(16).padStart(2, '0')}) missing`);
      }
      continue;
    }
    if (!isType(v, spec.type)) {
      // A bigint is an integer of the right major type that does not fit: a limit, not a type error.
      const code =
        typeof v === 'bigint' && (spec.type === 'uint' || spec.type === 'int')
          ? CtapStatus.CTAP2_ERR_LIMIT_EXCEEDED
          : CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
      throw new CtapStatusError(code, `${what}: ${name} is not ${spec.type}`);
    }
    out[name] = v;
  }
  return out as Params<T>;
}

/** Builds the integer-keyed map of a command's parameters; undefined members are left out. */
export function encodeParams<T extends ParamTable>(table: T, params: Params<T>): CborMap {
  const out: CborMap = new Map();
  for (const [name, spec] of Object.entries(table)) {
    const v = (params as Record<string, CborValue>)[name];
    if (v !== undefined) out.set(spec.key, v);
  }
  return out;
}

/** Reads a text-keyed member of a nested map (entities, descriptors, options) with its type checked. */
export function member<T extends ParamType>(
  map: CborMap,
  name: string,
  type: T,
  required: boolean,
  what: string,
): ParamValue<T> | undefined {
  const v = map.get(name);
  if (v === undefined) {
    if (required) throw new CtapStatusError(CtapStatus.CTAP2_ERR_MISSING_PARAMETER, `${what}.${name} missing`);
    return undefined;
  }
  if (!isType(v, type)) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE, `${what}.${name} is not ${type}`);
  }
  return v as ParamValue<T>;
}

export function expectMap(value: unknown, what: string): CborMap {
  if (!(value instanceof Map)) {
    throw new CtapStatusError(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE, `${what} is not a map`);
  }
  return value as CborMap;
}
