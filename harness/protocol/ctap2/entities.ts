import type { CborMap } from '../cbor/CborValue.ts';
import { CtapStatus } from './statusCodes.ts';
import { CtapStatusError } from './CtapStatusError.ts';
import { expectMap, member } from './params.ts';

/** PublicKeyCredentialRpEntity as CTAP carries it (CTAP 2.1 §6.1.1: `id` required, `name` optional). */
export interface RpEntity {
  id: string;
  name?: string;
  icon?: string;
}

/** PublicKeyCredentialUserEntity (CTAP 2.1 §6.1.1: `id` required, at most 64 bytes; names optional). */
export interface UserEntity {
  id: Uint8Array;
  name?: string;
  displayName?: string;
  icon?: string;
}

/** PublicKeyCredentialDescriptor (WebAuthn L3 §5.8.3). */
export interface CredentialDescriptor {
  type: string;
  id: Uint8Array;
  transports?: string[];
}

/** PublicKeyCredentialParameters (WebAuthn L3 §5.3). */
export interface CredentialParameters {
  type: string;
  alg: number;
}

export function decodeRpEntity(value: unknown): RpEntity {
  const m = expectMap(value, 'rp');
  const rp: RpEntity = { id: member(m, 'id', 'text', true, 'rp')! };
  const name = member(m, 'name', 'text', false, 'rp');
  const icon = member(m, 'icon', 'text', false, 'rp');
  if (name !== undefined) rp.name = name;
  if (icon !== undefined) rp.icon = icon;
  return rp;
}

export function decodeUserEntity(value: unknown): UserEntity {
  const m = expectMap(value, 'user');
  const user: UserEntity = { id: member(m, 'id', 'bytes', true, 'user')! };
  for (const k of ['name', 'displayName', 'icon'] as const) {
    const v = member(m, k, 'text', false, 'user');
    if (v !== undefined) user[k] = v;
  }
  return user;
}

export function encodeEntity(entity: object): CborMap {
  return new Map(Object.entries(entity).filter(([, v]) => v !== undefined));
}

export function decodeCredentialDescriptor(value: unknown, what = 'descriptor'): CredentialDescriptor {
  const m = expectMap(value, what);
  const d: CredentialDescriptor = {
    type: member(m, 'type', 'text', true, what)!,
    id: member(m, 'id', 'bytes', true, what)!,
  };
  const transports = member(m, 'transports', 'array', false, what);
  if (transports !== undefined) {
    if (!transports.every((t) => typeof t === 'string')) {
      throw new CtapStatusError(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE, `${what}.transports`);
    }
    d.transports = transports as string[];
  }
  return d;
}

export function decodeCredentialDescriptorList(value: unknown[], what: string): CredentialDescriptor[] {
  return value.map((v) => decodeCredentialDescriptor(v, what));
}

export function decodeCredentialParameters(value: unknown): CredentialParameters {
  const m = expectMap(value, 'pubKeyCredParams[]');
  return {
    // CTAP 2.1 §6.1.2 step 3 lets the authenticator choose the error for a missing member; missing parameter
    // says exactly what is wrong.
    type: member(m, 'type', 'text', true, 'pubKeyCredParams[]')!,
    alg: member(m, 'alg', 'int', true, 'pubKeyCredParams[]')!,
  };
}

/** The `options` map of makeCredential/getAssertion: text keys, boolean values (CTAP 2.1 §6.1). */
export function decodeOptions(value: unknown): Map<string, boolean> {
  const m = expectMap(value, 'options');
  const out = new Map<string, boolean>();
  for (const [k, v] of m) {
    if (typeof k !== 'string' || typeof v !== 'boolean') {
      throw new CtapStatusError(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE, `options.${String(k)} is not boolean`);
    }
    out.set(k, v);
  }
  return out;
}
