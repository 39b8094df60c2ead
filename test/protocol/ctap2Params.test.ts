import { describe, expect, it } from 'vitest';
import {
  CtapStatus,
  CtapStatusError,
  decodeCredentialDescriptor,
  decodeCredentialParameters,
  decodeOptions,
  decodeParams,
  decodeRpEntity,
  decodeUserEntity,
  encodeEntity,
  encodeParams,
  expectMap,
  isType,
  member,
  type CborMap,
  type CborValue,
  type ParamType,
} from '../../harness/protocol/index.ts';
import { thrown } from './thrown.ts';

/** The CTAP status a call throws, and its message. */
function status(fn: () => unknown): { code: number; message: string } {
  const { code, message } = thrown(fn, CtapStatusError);
  return { code, message };
}
const m = (entries: [CborValue, CborValue][]): CborMap => new Map(entries);

describe('CBOR member types (CTAP 2.1 §6, §8)', () => {
  const samples: [string, unknown][] = [
    ['bytes', new Uint8Array(1)],
    ['text', 'a'],
    ['uint 0', 0],
    ['uint 7', 7],
    ['negative', -1],
    ['fraction', 1.5],
    ['bigint', 2n ** 64n],
    ['true', true],
    ['false', false],
    ['map', new Map()],
    ['array', []],
    ['null', null],
    ['object', {}],
  ];
  const accepts: Record<ParamType, string[]> = {
    bytes: ['bytes'],
    text: ['text'],
    uint: ['uint 0', 'uint 7'],
    int: ['uint 0', 'uint 7', 'negative'],
    bool: ['true', 'false'],
    map: ['map'],
    array: ['array'],
    any: samples.map(([n]) => n),
  };
  for (const [type, names] of Object.entries(accepts) as [ParamType, string[]][]) {
    it(`should take as ${type} exactly ${names.join(', ')}`, () => {
      expect(samples.filter(([, v]) => isType(v, type)).map(([n]) => n)).toEqual(names);
    });
  }
});

describe('command parameters by integer key (CTAP 2.1 §6)', () => {
  const table = {
    first: { key: 0x01, type: 'uint', required: true },
    second: { key: 0x02, type: 'bytes' },
    third: { key: 0x03, type: 'text', required: true },
  } as const;

  it('should read the members by key, leave absent optional ones out and ignore unknown keys', () => {
    const p = decodeParams(table, m([[1, 5], [3, 'x'], [9, 'unknown'], ['first', 7]]));
    expect(p).toStrictEqual({ first: 5, third: 'x' });
    expect(decodeParams(table, m([[1, 0], [2, Uint8Array.of(1)], [3, '']]))).toStrictEqual({ first: 0, second: Uint8Array.of(1), third: '' });
  });

  it('should refuse what is not a map with CTAP2_ERR_CBOR_UNEXPECTED_TYPE', () => {
    for (const v of [undefined, null, [], 'map', 1, new Uint8Array(0)]) {
      expect(status(() => decodeParams(table, v, 'clientPIN'))).toEqual({ code: CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE, message: '0x11 CTAP2_ERR_CBOR_UNEXPECTED_TYPE: clientPIN is not a CBOR map' });
    }
    expect(status(() => decodeParams(table, 1)).message).toMatch(/: request is not a CBOR map$/);
  });

  it('should refuse a missing required member with CTAP2_ERR_MISSING_PARAMETER, naming it and its key', () => {
    expect(status(() => decodeParams(table, m([[3, 'x']]), 'makeCredential'))).toEqual({
      code: CtapStatus.CTAP2_ERR_MISSING_PARAMETER,
      message: '0x14 CTAP2_ERR_MISSING_PARAMETER: makeCredential: first (0x01) missing',
    });
    expect(status(() => decodeParams(table, m([[1, 1]]))).message).toMatch(/: request: third \(0x03\) missing$/);
  });

  it('should refuse a member of the wrong type with CTAP2_ERR_CBOR_UNEXPECTED_TYPE', () => {
    expect(status(() => decodeParams(table, m([[1, 'five'], [3, 'x']]), 'config'))).toEqual({
      code: CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE,
      message: '0x11 CTAP2_ERR_CBOR_UNEXPECTED_TYPE: config: first is not uint',
    });
    expect(status(() => decodeParams(table, m([[1, -1], [3, 'x']]))).code).toBe(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    expect(status(() => decodeParams(table, m([[1, 1], [2, 'bytes?'], [3, 'x']]))).code).toBe(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
  });

  it('should refuse an integer too large to hold (a bigint) as CTAP2_ERR_LIMIT_EXCEEDED, other types given a bigint as UNEXPECTED_TYPE', () => {
    expect(status(() => decodeParams(table, m([[1, 2n ** 64n - 1n], [3, 'x']])))).toEqual({
      code: CtapStatus.CTAP2_ERR_LIMIT_EXCEEDED,
      message: '0x15 CTAP2_ERR_LIMIT_EXCEEDED: request: first is not uint',
    });
    const ints = { n: { key: 1, type: 'int' } } as const;
    expect(status(() => decodeParams(ints, m([[1, -(2n ** 64n)]]))).code).toBe(CtapStatus.CTAP2_ERR_LIMIT_EXCEEDED);
    expect(status(() => decodeParams(table, m([[1, 1], [2, 5n], [3, 'x']]))).code).toBe(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
  });

  it('should judge the members in key order, whatever order the table lists them in', () => {
    const backwards = { late: { key: 0x05, type: 'bytes', required: true }, early: { key: 0x02, type: 'uint', required: true } } as const;
    // key 2 has the wrong type, key 5 is missing: key 2 is read first
    expect(status(() => decodeParams(backwards, m([[2, 'x']]))).code).toBe(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    expect(status(() => decodeParams(backwards, m([[5, 'x']]))).code).toBe(CtapStatus.CTAP2_ERR_MISSING_PARAMETER);
    expect(Object.keys(decodeParams(backwards, m([[5, new Uint8Array(0)], [2, 1]])))).toEqual(['early', 'late']);
  });

  it('should encode the given members under their keys and leave undefined ones out', () => {
    const out = encodeParams(table, { first: 3, second: undefined, third: 'y' });
    expect([...out.entries()]).toEqual([[1, 3], [3, 'y']]);
    expect(encodeParams(table, {}).size).toBe(0);
  });

  it('should read a text-keyed member of a nested map with its type checked', () => {
    const map = m([['id', 'example.com'], ['n', 1]]);
    expect(member(map, 'id', 'text', true, 'rp')).toBe('example.com');
    expect(member(map, 'name', 'text', false, 'rp')).toBeUndefined();
    expect(status(() => member(map, 'name', 'text', true, 'rp'))).toEqual({ code: CtapStatus.CTAP2_ERR_MISSING_PARAMETER, message: '0x14 CTAP2_ERR_MISSING_PARAMETER: rp.name missing' });
    expect(status(() => member(map, 'n', 'text', false, 'rp'))).toEqual({ code: CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE, message: '0x11 CTAP2_ERR_CBOR_UNEXPECTED_TYPE: rp.n is not text' });
  });

  it('should take only a map as a map', () => {
    const map = new Map();
    expect(expectMap(map, 'x')).toBe(map);
    expect(status(() => expectMap([], 'options'))).toEqual({ code: CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE, message: '0x11 CTAP2_ERR_CBOR_UNEXPECTED_TYPE: options is not a map' });
  });
});

describe('entities (CTAP 2.1 §6.1; WebAuthn L3 §5.3, §5.8.3)', () => {
  it('should read an rp entity: id required text, name and icon optional text, nothing else kept', () => {
    expect(decodeRpEntity(m([['id', 'example.com']]))).toStrictEqual({ id: 'example.com' });
    expect(decodeRpEntity(m([['id', 'example.com'], ['name', 'Example'], ['icon', 'https://i'], ['extra', 1]]))).toStrictEqual({ id: 'example.com', name: 'Example', icon: 'https://i' });
    expect(decodeRpEntity(m([['id', 'a'], ['icon', 'i']]))).toStrictEqual({ id: 'a', icon: 'i' });
    expect(status(() => decodeRpEntity(m([['name', 'Example']]))).message).toMatch(/CTAP2_ERR_MISSING_PARAMETER: rp\.id missing$/);
    expect(status(() => decodeRpEntity(m([['id', Uint8Array.of(1)]]))).code).toBe(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    expect(status(() => decodeRpEntity(m([['id', 'a'], ['name', 1]]))).message).toMatch(/CTAP2_ERR_CBOR_UNEXPECTED_TYPE: rp\.name is not text$/);
    expect(status(() => decodeRpEntity(m([['id', 'a'], ['icon', false]]))).message).toMatch(/CTAP2_ERR_CBOR_UNEXPECTED_TYPE: rp\.icon is not text$/);
    expect(status(() => decodeRpEntity('example.com')).message).toMatch(/: rp is not a map$/);
  });

  it('should read a user entity: id required bytes, name/displayName/icon optional text', () => {
    const id = Uint8Array.of(1, 2);
    expect(decodeUserEntity(m([['id', id]]))).toStrictEqual({ id });
    expect(decodeUserEntity(m([['id', id], ['name', 'n'], ['displayName', 'd'], ['icon', 'i']]))).toStrictEqual({ id, name: 'n', displayName: 'd', icon: 'i' });
    expect(decodeUserEntity(m([['id', id], ['displayName', 'd']]))).toStrictEqual({ id, displayName: 'd' });
    expect(status(() => decodeUserEntity(m([['id', 'text-id']]))).message).toMatch(/user\.id is not bytes$/);
    expect(status(() => decodeUserEntity(m([['name', 'n']]))).code).toBe(CtapStatus.CTAP2_ERR_MISSING_PARAMETER);
    expect(status(() => decodeUserEntity(m([['id', id], ['displayName', 5]]))).message).toMatch(/user\.displayName is not text$/);
    expect(status(() => decodeUserEntity([])).message).toMatch(/: user is not a map$/);
  });

  it('should encode an entity as a text-keyed map without its undefined members', () => {
    expect([...encodeEntity({ id: 'a', name: undefined, icon: 'i' }).entries()]).toEqual([['id', 'a'], ['icon', 'i']]);
  });

  it('should read a credential descriptor: type and id required, transports an array of text', () => {
    const id = Uint8Array.of(9);
    expect(decodeCredentialDescriptor(m([['type', 'public-key'], ['id', id]]))).toStrictEqual({ type: 'public-key', id });
    expect(decodeCredentialDescriptor(m([['type', 'public-key'], ['id', id], ['transports', ['usb', 'nfc']]]))).toStrictEqual({ type: 'public-key', id, transports: ['usb', 'nfc'] });
    expect(decodeCredentialDescriptor(m([['type', 'public-key'], ['id', id], ['transports', []]]))).toStrictEqual({ type: 'public-key', id, transports: [] });
    expect(status(() => decodeCredentialDescriptor(m([['type', 'public-key'], ['id', id], ['transports', ['usb', 1]]]), 'allowList[]'))).toEqual({
      code: CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE,
      message: '0x11 CTAP2_ERR_CBOR_UNEXPECTED_TYPE: allowList[].transports',
    });
    expect(status(() => decodeCredentialDescriptor(m([['id', id]]))).message).toMatch(/descriptor\.type missing$/);
    expect(status(() => decodeCredentialDescriptor(m([['type', 'public-key']]), 'excludeList[]')).message).toMatch(/excludeList\[\]\.id missing$/);
    expect(status(() => decodeCredentialDescriptor(m([['type', 'public-key'], ['id', id], ['transports', 'usb']]))).code).toBe(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
  });

  it('should read credential parameters: type text and alg integer, both required (CTAP 2.1 §6.1.2 step 3)', () => {
    expect(decodeCredentialParameters(m([['type', 'public-key'], ['alg', -7]]))).toStrictEqual({ type: 'public-key', alg: -7 });
    expect(status(() => decodeCredentialParameters(m([['type', 'public-key']]))).message).toMatch(/CTAP2_ERR_MISSING_PARAMETER: pubKeyCredParams\[\]\.alg missing$/);
    expect(status(() => decodeCredentialParameters(m([['alg', -7]]))).message).toMatch(/pubKeyCredParams\[\]\.type missing$/);
    expect(status(() => decodeCredentialParameters(m([['type', 'public-key'], ['alg', '-7']]))).code).toBe(CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE);
    expect(status(() => decodeCredentialParameters('public-key')).message).toMatch(/pubKeyCredParams\[\] is not a map$/);
  });

  it('should read options as text keys with boolean values and refuse anything else', () => {
    expect([...decodeOptions(m([['rk', true], ['up', false]])).entries()]).toEqual([['rk', true], ['up', false]]);
    expect(decodeOptions(new Map()).size).toBe(0);
    expect(status(() => decodeOptions(m([['uv', 1]])))).toEqual({ code: CtapStatus.CTAP2_ERR_CBOR_UNEXPECTED_TYPE, message: '0x11 CTAP2_ERR_CBOR_UNEXPECTED_TYPE: options.uv is not boolean' });
    expect(status(() => decodeOptions(m([[1, true]]))).message).toMatch(/options\.1 is not boolean$/);
    expect(status(() => decodeOptions([])).message).toMatch(/options is not a map$/);
  });
});
