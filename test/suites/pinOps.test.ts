import { describe, expect, it } from 'vitest';
import type { AuthenticatorInfo } from '../../harness/protocol/index.ts';
import { CheckSkipped } from '../../harness/runner/Check.ts';
import { flipFirstBit, otherPin, protocolVersion } from '../../harness/suites/pinOps.ts';
import type { SuiteContext } from '../../harness/suites/SuiteContext.ts';

/** What these helpers read of the context: getInfo and the run's PIN. */
const ctxWith = (info: Partial<AuthenticatorInfo>, pin = '1234') => ({ info: { versions: ['FIDO_2_1'], aaguid: new Uint8Array(16), ...info }, pin }) as unknown as SuiteContext;

describe('pinOps', () => {
  it("should use the device's first PIN/UV auth protocol it knows, protocol one for a device that lists none (CTAP 2.1 §6.4)", () => {
    expect(protocolVersion(ctxWith({ pinUvAuthProtocols: [2, 1] }))).toBe(2);
    expect(protocolVersion(ctxWith({ pinUvAuthProtocols: [1, 2] }))).toBe(1);
    expect(protocolVersion(ctxWith({ pinUvAuthProtocols: [3, 2] }))).toBe(2);
    expect(protocolVersion(ctxWith({ pinUvAuthProtocols: [3] }))).toBe(1);
    expect(protocolVersion(ctxWith({}))).toBe(1);
  });

  it('should use the protocol a check asks for when offered, and skip the check, naming the list, when not', () => {
    expect(protocolVersion(ctxWith({ pinUvAuthProtocols: [2, 1] }), 1)).toBe(1);
    expect(protocolVersion(ctxWith({}), 1)).toBe(1);
    const skipped = (() => {
      try {
        protocolVersion(ctxWith({ pinUvAuthProtocols: [1] }), 2);
      } catch (err) {
        return err;
      }
    })();
    expect(skipped).toBeInstanceOf(CheckSkipped);
    expect((skipped as Error).message).toBe('PIN/UV auth protocol 2 is not offered (pinUvAuthProtocols [1])');
    expect(() => protocolVersion(ctxWith({}), 2)).toThrow('PIN/UV auth protocol 2 is not offered (pinUvAuthProtocols [1])');
  });

  it("should make another PIN of at least 8 digits and the key's minimum, never the run's PIN", () => {
    expect(otherPin(ctxWith({}))).toBe('97531864');
    expect(otherPin(ctxWith({ minPINLength: 2 }))).toBe('97531864');
    expect(otherPin(ctxWith({ minPINLength: 10 }))).toBe('9753186497');
    expect(otherPin(ctxWith({ minPINLength: 17 }))).toBe('97531864975318649');
    expect(otherPin(ctxWith({}, '97531864'))).toBe('975318640');
  });

  it('should flip the first bit of a copy', () => {
    const b = Uint8Array.of(0x10, 0x20);
    expect([...flipFirstBit(b)]).toEqual([0x11, 0x20]);
    expect([...b]).toEqual([0x10, 0x20]);
  });
});
