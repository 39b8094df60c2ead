/** The check's time limit expired (the runner reports it as `error` with this message). */
export class CheckTimeout extends Error {
  override readonly name = 'CheckTimeout';
  constructor(readonly ms: number) {
    super(`time limit of ${ms} ms exceeded`);
  }
}

/**
 * Runs `fn` with an AbortSignal that fires at the deadline or when `outer` aborts; rejects with
 * CheckTimeout at the deadline even if `fn` ignores the signal, so nothing hangs past its limit.
 */
export async function withTimeout<T>(
  ms: number,
  outer: AbortSignal | undefined,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new CheckTimeout(ms);
      controller.abort(err);
      reject(err);
    }, ms);
  });
  try {
    return await Promise.race([fn(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}
