import { describe, expect, it } from 'vitest';
import { CtapStatus as S } from '../../harness/protocol/index.ts';
import { credMgmtChecks } from '../../harness/suites/cred-mgmt/credMgmtChecks.ts';
import { expectEveryCheckPasses, failed, type Fault, rewriteResponse, rewriteStatus, runAgainst, swallow } from './faultyDevice.ts';

const CM = 0x0a;
const sub = (n: number) => (p: Map<unknown, unknown> | undefined) => p?.get(0x01) === n;

describe('cred-mgmt suite (CTAP 2.1 §6.8)', () => {
  it('should pass every check on the clean simulator', async () => {
    const results = await runAgainst({ suites: ['cred-mgmt'] });
    expectEveryCheckPasses(results, credMgmtChecks.map((c) => c.id));
  });

  const cases: Array<[string, Fault, string[]]> = [
    ['getCredsMetadata counts stay put', rewriteResponse(CM, (b) => b.has(0x01) && b.set(0x01, 3)), ['CM-META-001']],
    ['rpIDHash is wrong', rewriteResponse(CM, (b) => b.has(0x04) && b.set(0x04, new Uint8Array(32))), ['CM-RP-001']],
    ['totalCredentials overstates', rewriteResponse(CM, (b) => b.has(0x09) && b.set(0x09, 3)), ['CM-CRED-001']],
    ['the public key listed differs', rewriteResponse(CM, (b) => b.has(0x08) && b.set(0x08, new Map([[1, 2]]))), ['CM-CRED-001']],
    ['deleteCredential does nothing', swallow(CM, sub(0x06)), ['CM-DEL-001']],
    ['updateUserInformation does nothing', swallow(CM, sub(0x07)), ['CM-UPD-001']],
    ['another user.id is accepted', rewriteStatus(CM, S.CTAP1_ERR_INVALID_PARAMETER, S.CTAP2_OK), ['CM-UPD-002']],
    ['bad tokens are accepted', rewriteStatus(CM, S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_OK), ['CM-AUTH-001', 'CM-AUTH-002', 'CM-RPID-001']],
    ['a missing pinUvAuthParam is accepted', rewriteStatus(CM, S.CTAP2_ERR_PUAT_REQUIRED, S.CTAP2_OK), ['CM-AUTH-003']],
    ['the preview command 0x41 is unknown', async (cmd, p, next) => (cmd === 0x41 ? { status: S.CTAP1_ERR_INVALID_COMMAND } : next(p)), ['CM-PREVIEW-001']],
  ];
  for (const [what, fault, ids] of cases) {
    it(`should fail ${ids.join(', ')} when ${what}`, async () => {
      const results = await runAgainst({ checks: ids, fault });
      expect(failed(results).sort()).toEqual([...ids].sort());
    });
  }
});
