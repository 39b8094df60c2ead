import { describe, expect, it } from 'vitest';
import { CtapStatus as S } from '../../harness/protocol/index.ts';
import { largeBlobChecks } from '../../harness/suites/large-blob/largeBlobChecks.ts';
import { expectEveryCheckPasses, failed, type Fault, rewriteResponse, rewriteStatus, runAgainst } from './faultyDevice.ts';

const LB = 0x0c;

/** Flips the last byte of every non-empty get answer (the hash of the array read back). */
const corruptReads: Fault = rewriteResponse(LB, (body) => {
  const config = body.get(0x01);
  if (config instanceof Uint8Array && config.length > 0) {
    const copy = Uint8Array.from(config);
    copy[copy.length - 1]! ^= 0x01;
    body.set(0x01, copy);
  }
});

describe('large-blob suite (CTAP 2.1 §6.10, §12.3)', () => {
  it('should pass every check on the clean simulator', async () => {
    const results = await runAgainst({ suites: ['large-blob'] });
    expectEveryCheckPasses(results, largeBlobChecks.map((c) => c.id));
  });

  const statusCases: Array<[string, number, number, string[]]> = [
    ['wrong offset accepted', S.CTAP1_ERR_INVALID_SEQ, S.CTAP2_OK, ['LB-SEQ-001']],
    ['bad lengths and get+set accepted', S.CTAP1_ERR_INVALID_PARAMETER, S.CTAP2_OK, ['LB-LEN-001', 'LB-LEN-002', 'LB-LEN-004', 'LB-PARAM-001']],
    ['an oversize array accepted', S.CTAP2_ERR_LARGE_BLOB_STORAGE_FULL, S.CTAP2_OK, ['LB-LEN-003']],
    ['an oversize array refused with another code', S.CTAP2_ERR_LARGE_BLOB_STORAGE_FULL, S.CTAP2_ERR_LIMIT_EXCEEDED, ['LB-LEN-003']],
    ['an oversize get accepted', S.CTAP1_ERR_INVALID_LENGTH, S.CTAP2_OK, ['LB-LEN-005']],
    ['a wrong hash accepted', S.CTAP2_ERR_INTEGRITY_FAILURE, S.CTAP2_OK, ['LB-HASH-001']],
    ['a write without pinUvAuthParam accepted', S.CTAP2_ERR_PUAT_REQUIRED, S.CTAP2_OK, ['LB-AUTH-001']],
    ['a token without lbw or a wrong pinUvAuthParam accepted', S.CTAP2_ERR_PIN_AUTH_INVALID, S.CTAP2_OK, ['LB-AUTH-002', 'LB-AUTH-003']],
  ];
  for (const [what, from, to, ids] of statusCases) {
    it(`should fail ${ids.join(', ')} when ${what}`, async () => {
      const results = await runAgainst({ checks: ids, fault: rewriteStatus(LB, from, to) });
      expect(failed(results).sort()).toEqual([...ids].sort());
    });
  }

  it('should fail the read-back checks when the array read back is not what was stored', async () => {
    const results = await runAgainst({ checks: ['LB-READ-001', 'LB-WRITE-001', 'LB-KEY-001'], fault: corruptReads });
    expect(failed(results).sort()).toEqual(['LB-KEY-001', 'LB-READ-001', 'LB-WRITE-001']);
  });

  it('should fail LB-KEY-001 when getAssertion returns no largeBlobKey, and LB-KEY-002 when false is taken', async () => {
    const noKey = await runAgainst({ checks: ['LB-KEY-001'], fault: rewriteResponse(0x02, (body) => body.delete(0x07)) });
    expect(failed(noKey)).toEqual(['LB-KEY-001']);
    const falseTaken = await runAgainst({ checks: ['LB-KEY-002'], fault: rewriteStatus(0x01, S.CTAP2_ERR_INVALID_OPTION, S.CTAP1_ERR_INVALID_PARAMETER) });
    expect(failed(falseTaken)).toEqual(['LB-KEY-002']);
  });

  it('should fail LB-INFO-001 when maxSerializedLargeBlobArray is below 1024', async () => {
    const results = await runAgainst({ checks: ['LB-INFO-001'], fault: rewriteResponse(0x04, (info) => info.set(0x0b, 512)) });
    expect(failed(results)).toEqual(['LB-INFO-001']);
  });
});
