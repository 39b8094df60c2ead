import { expect } from 'vitest';

/** The error `fn` throws, checked to be a `type`; the test fails when nothing is thrown. */
export function thrown<T extends Error>(fn: () => unknown, type: abstract new (...args: never[]) => T): T {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return err as T;
  }
  throw new Error(`expected a ${type.name}`);
}
