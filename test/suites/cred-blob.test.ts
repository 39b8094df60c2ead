import { describe, expect, it } from 'vitest';
import { credBlobChecks } from '../../harness/suites/cred-blob/credBlobChecks.ts';
import { expectEveryCheckPasses, notPassing, rewriteResponse, runAgainst, stripExtensions } from './faultyDevice.ts';

describe('cred-blob suite (CTAP 2.1 §12.2)', () => {
  it('should pass every check on the clean simulator', async () => {
    const results = await runAgainst({ suites: ['cred-blob'] });
    expectEveryCheckPasses(results, credBlobChecks.map((c) => c.id));
  });

  it('should fail STORE (limit below 32) and OVERSIZE (a longer blob stored) when maxCredBlobLength is understated', async () => {
    // getInfo 0x0F maxCredBlobLength: 16, while the simulator stores up to 32.
    const results = await runAgainst({ suites: ['cred-blob'], fault: rewriteResponse(0x04, (info) => info.set(0x0f, 16)) });
    expect(notPassing(results)).toEqual({
      'CREDBLOB-STORE-001': 'fail: getInfo maxCredBlobLength is 16; with credBlob it must be at least 32',
      'CREDBLOB-OVERSIZE-001': 'fail: makeCredential credBlob output is true for a 17-byte blob, expected false',
    });
  });

  it('should fail every check when getAssertion ignores credBlob: true', async () => {
    const results = await runAgainst({ suites: ['cred-blob'], fault: stripExtensions(0x02, 0x04, 'credBlob') });
    expect(notPassing(results)).toEqual({
      'CREDBLOB-STORE-001': 'fail: getAssertion returned a different credBlob',
      'CREDBLOB-OVERSIZE-001': 'fail: getAssertion credBlob is undefined, expected an empty byte string',
      'CREDBLOB-NONE-001': 'fail: getAssertion credBlob is undefined, expected an empty byte string',
    });
  });
});
