import { TransportError } from './TransportError.ts';

/** `work`, or TRANSPORT_TIMEOUT saying `what` when it takes longer than `timeoutMs` (the work itself goes on). */
export async function withDeadline<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TransportError('TRANSPORT_TIMEOUT', `${what} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
