import { formatCtapStatus } from '../protocol/index.ts';
import { CheckFailed } from '../runner/Check.ts';

/** Fails the check unless the device answered `expected` (CTAP status byte). */
export function expectStatus(result: { status: number }, expected: number, what: string): void {
  if (result.status !== expected) {
    throw new CheckFailed(`${what}: expected ${formatCtapStatus(expected)}, got ${formatCtapStatus(result.status)}`, {
      expected: formatCtapStatus(expected),
      actual: formatCtapStatus(result.status),
    });
  }
}

/** Fails unless the status is one of `allowed` (where the spec lets the authenticator choose). */
export function expectStatusIn(result: { status: number }, allowed: number[], what: string): void {
  if (!allowed.includes(result.status)) {
    const list = allowed.map(formatCtapStatus).join(' or ');
    throw new CheckFailed(`${what}: expected ${list}, got ${formatCtapStatus(result.status)}`, {
      expected: list,
      actual: formatCtapStatus(result.status),
    });
  }
}

/** Fails with `message` unless `condition` holds. */
export function ensure(condition: unknown, message: string, detail?: { expected?: string; actual?: string }): asserts condition {
  if (!condition) throw new CheckFailed(message, detail);
}

export const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex') : '(none)');
