import { describe, expect, it } from 'vitest';
import { compareGetInfo } from '../../mds/compareGetInfo.ts';
import { authenticatorInfoToStatementJson } from '../../mds/testBlob.ts';
import type { AuthenticatorInfo } from '../../harness/protocol/index.ts';

const live: AuthenticatorInfo = {
  versions: ['FIDO_2_0', 'FIDO_2_1', 'U2F_V2'],
  extensions: ['credProtect', 'hmac-secret'],
  aaguid: new Uint8Array(Buffer.from('2fc0579f811347eab116bb5a8db9202a', 'hex')),
  options: { rk: true, up: true, clientPin: false, credMgmt: true },
  pinUvAuthProtocols: [2, 1],
  algorithms: [{ type: 'public-key', alg: -7 }, { type: 'public-key', alg: -8 }],
  transports: ['usb', 'nfc'],
};

describe('compareGetInfo', () => {
  it('finds no difference between a getInfo and its own statement form (order ignored)', () => {
    const statement = authenticatorInfoToStatementJson({ ...live, versions: ['U2F_V2', 'FIDO_2_1', 'FIDO_2_0'], pinUvAuthProtocols: [1, 2] });
    expect(statement.aaguid).toBe('2fc0579f811347eab116bb5a8db9202a');
    expect(compareGetInfo(live, statement)).toEqual([]);
  });

  it('lists every difference by member', () => {
    const statement = {
      ...authenticatorInfoToStatementJson(live),
      versions: ['FIDO_2_0', 'U2F_V2'],
      extensions: ['credProtect', 'hmac-secret', 'largeBlobKey'],
      aaguid: 'cb69481e8ff7403993ec0a2729a154a8',
      options: { rk: false, up: true, clientPin: true, credMgmt: true, uv: true },
      algorithms: [{ type: 'public-key', alg: -7 }],
    };
    const d = compareGetInfo(live, statement);
    expect(d.map((x) => [x.member, x.severity])).toEqual([
      ['versions', 'difference'],
      ['extensions', 'difference'],
      ['algorithms', 'difference'],
      ['aaguid', 'difference'],
      ['options.clientPin', 'note'],
      ['options.rk', 'difference'],
      ['options.uv', 'difference'],
    ]);
    expect(d[0]!.message).toContain('FIDO_2_1');
    expect(d[1]!.message).toContain('largeBlobKey');
  });

  it('reports a statement without authenticatorGetInfo', () => {
    expect(compareGetInfo(live, undefined)[0]!.member).toBe('authenticatorGetInfo');
  });
});

describe('compareGetInfo messages and severities (Metadata Statement v3.0 §4 authenticatorGetInfo, CTAP 2.1 §6.4)', () => {
  const base = () => authenticatorInfoToStatementJson(live);
  const only = (statement: Record<string, unknown> | undefined, info: AuthenticatorInfo = live) => compareGetInfo(info, statement);

  it('a statement that is not an object is one difference, whole', () => {
    const expected = [{ member: 'authenticatorGetInfo', severity: 'difference', live: 'present', statement: undefined, message: 'the metadata statement has no authenticatorGetInfo to compare with' }];
    expect(only(undefined)).toEqual(expected);
    expect(only('text' as unknown as Record<string, unknown>)).toEqual(expected);
  });

  it('a set member missing on one side, or differing both ways, is named with its values (sorted)', () => {
    const { transports: _t, ...noTransports } = base();
    expect(only(noTransports)).toEqual([
      { member: 'transports', severity: 'difference', live: ['usb', 'nfc'], statement: undefined, message: 'transports absent from the statement, live getInfo has nfc, usb' },
    ]);
    const { transports: _l, ...liveNoTransports } = live;
    expect(only(base(), liveNoTransports)).toEqual([
      { member: 'transports', severity: 'difference', live: undefined, statement: ['usb', 'nfc'], message: 'transports absent from the live getInfo, statement has nfc, usb' },
    ]);
    expect(only({ ...base(), extensions: ['largeBlobKey', 'credProtect'] })).toEqual([
      {
        member: 'extensions',
        severity: 'difference',
        live: ['credProtect', 'hmac-secret'],
        statement: ['largeBlobKey', 'credProtect'],
        message: 'statement lists largeBlobKey that the authenticator does not report; authenticator reports hmac-secret that the statement does not list',
      },
    ]);
    expect(only({ ...base(), versions: ['FIDO_2_0', 'FIDO_2_1', 'U2F_V2', 'FIDO_2_2'] })[0]!.message).toBe('statement lists FIDO_2_2 that the authenticator does not report');
    expect(only({ ...base(), versions: ['FIDO_2_0'] })[0]!.message).toBe('authenticator reports FIDO_2_1, U2F_V2 that the statement does not list');
    // absent on both sides is no difference
    const { transports: _s, ...statementNoTransports } = base();
    expect(only(statementNoTransports, liveNoTransports)).toEqual([]);
  });

  it('algorithms compare by type and alg only; pinUvAuthProtocols by value, as numbers or text', () => {
    expect(only({ ...base(), algorithms: [{ alg: -8, type: 'public-key', note: 'x' }, { type: 'public-key', alg: -7 }] })).toEqual([]);
    expect(only({ ...base(), algorithms: [{ type: 'public-key', alg: -7 }, { type: 'public-key', alg: -257 }] })[0]).toMatchObject({
      member: 'algorithms',
      message:
        'statement lists {"type":"public-key","alg":-257} that the authenticator does not report; authenticator reports {"type":"public-key","alg":-8} that the statement does not list',
    });
    expect(only({ ...base(), pinUvAuthProtocols: ['1', '2'] })).toEqual([]);
    expect(only({ ...base(), pinUvAuthProtocols: [1] })[0]).toMatchObject({ member: 'pinUvAuthProtocols', message: 'authenticator reports 2 that the statement does not list' });
  });

  it('aaguid in any spelling matches the live bytes; a missing or different one is a difference', () => {
    expect(only({ ...base(), aaguid: '2FC0579F-8113-47EA-B116-BB5A8DB9202A' })).toEqual([]);
    expect(only({ ...base(), aaguid: undefined })).toEqual([
      { member: 'aaguid', severity: 'difference', live: '2fc0579f811347eab116bb5a8db9202a', statement: undefined, message: 'aaguid: authenticator 2fc0579f811347eab116bb5a8db9202a, statement none' },
    ]);
    expect(only({ ...base(), aaguid: 42 })[0]!.message).toBe('aaguid: authenticator 2fc0579f811347eab116bb5a8db9202a, statement none');
    const { aaguid: _a, ...noAaguid } = live;
    expect(only(base(), noAaguid as AuthenticatorInfo)[0]!.message).toBe('aaguid: authenticator none, statement 2fc0579f811347eab116bb5a8db9202a');
  });

  it('options: true/false of a stateful option is a note; of any other option, or absent on one side, a difference', () => {
    const d = only({ ...base(), options: { rk: true, up: false, clientPin: true, credMgmt: true, uv: false, alwaysUv: true } }, { ...live, options: { rk: true, up: true, clientPin: false, credMgmt: true, uv: true, alwaysUv: false } });
    expect(d).toEqual([
      { member: 'options.alwaysUv', severity: 'note', live: false, statement: true, message: 'options.alwaysUv: authenticator false, statement true (both mean supported; the value reflects configuration)' },
      { member: 'options.clientPin', severity: 'note', live: false, statement: true, message: 'options.clientPin: authenticator false, statement true (both mean supported; the value reflects configuration)' },
      { member: 'options.up', severity: 'difference', live: true, statement: false, message: 'options.up: authenticator true, statement false' },
      { member: 'options.uv', severity: 'note', live: true, statement: false, message: 'options.uv: authenticator true, statement false (both mean supported; the value reflects configuration)' },
    ]);
    expect(only({ ...base(), options: { rk: true, up: true, credMgmt: true } })).toEqual([
      { member: 'options.clientPin', severity: 'difference', live: false, statement: undefined, message: 'options.clientPin: authenticator false, statement absent' },
    ]);
    expect(only({ ...base(), options: undefined }, { ...live, options: undefined })).toEqual([]);
    expect(only({ ...base(), options: { rk: true } }, { ...live, options: undefined })).toEqual([
      { member: 'options.rk', severity: 'difference', live: undefined, statement: true, message: 'options.rk: authenticator absent, statement true' },
    ]);
  });

  it('an empty list on one side and none on the other is still a difference; several items are listed with commas', () => {
    const { extensions: _e, ...liveNoExtensions } = live;
    expect(only({ ...base(), extensions: [] }, liveNoExtensions)).toEqual([
      { member: 'extensions', severity: 'difference', live: undefined, statement: [], message: 'extensions absent from the live getInfo, statement has ' },
    ]);
    expect(only({ ...base(), versions: ['FIDO_2_0', 'FIDO_2_1', 'U2F_V2', 'FIDO_2_2', 'FIDO_2_3'] })[0]!.message).toBe('statement lists FIDO_2_2, FIDO_2_3 that the authenticator does not report');
  });

  it('a getInfo without algorithms and pinUvAuthProtocols (CTAP 2.0) compares without them', () => {
    const { algorithms: _a, pinUvAuthProtocols: _p, ...old } = live;
    const { algorithms: _sa, pinUvAuthProtocols: _sp, ...oldStatement } = base();
    expect(only(oldStatement, old)).toEqual([]);
    expect(only(base(), old).map((d) => [d.member, d.message])).toEqual([
      ['algorithms', 'algorithms absent from the live getInfo, statement has {"type":"public-key","alg":-7}, {"type":"public-key","alg":-8}'],
      ['pinUvAuthProtocols', 'pinUvAuthProtocols absent from the live getInfo, statement has 1, 2'],
    ]);
  });
});
