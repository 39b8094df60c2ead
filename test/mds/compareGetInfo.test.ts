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
