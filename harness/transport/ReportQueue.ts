import { TransportError } from './TransportError.ts';

interface Waiter {
  resolve(report: Uint8Array): void;
  reject(err: Error): void;
}

/**
 * Reports received from a device, waiting to be read. Shared by the transports: the receiving side
 * (a node-hid 'data' event, a UDP datagram, the in-process device) calls `push` or `fail`; `read`
 * resolves with the oldest report, or waits. The queue is bounded so a device that floods cannot exhaust
 * memory; the oldest reports are dropped first (counted in `dropped`).
 */
export class ReportQueue {
  private readonly reports: Uint8Array[] = [];
  private readonly waiters: Waiter[] = [];
  private failure: TransportError | undefined;
  private readonly transient: TransportError[] = [];
  dropped = 0;

  constructor(private readonly limit = 4096) {}

  push(report: Uint8Array): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.resolve(report);
      return;
    }
    if (this.reports.length >= this.limit) {
      this.reports.shift();
      this.dropped++;
    }
    this.reports.push(report);
  }

  /**
   * Records a failure. A permanent one (closed, disconnected) is given to every pending and later reader
   * once the queued reports are read. A transient one (a malformed report) is given to one reader only —
   * the one waiting, or the next — and the transport stays usable.
   */
  fail(err: TransportError, permanent = true): void {
    if (!permanent) {
      const waiter = this.waiters.shift();
      if (waiter) waiter.reject(err);
      else this.transient.push(err);
      return;
    }
    this.failure ??= err;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  get pending(): number {
    return this.reports.length;
  }

  clear(): number {
    const n = this.reports.length + this.transient.length;
    this.reports.length = 0;
    this.transient.length = 0;
    return n;
  }

  read(timeoutMs: number, signal?: AbortSignal): Promise<Uint8Array> {
    const transient = this.transient.shift();
    if (transient) return Promise.reject(transient);
    const queued = this.reports.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    if (signal?.aborted) return Promise.reject(new TransportError('TRANSPORT_ABORTED', 'aborted before reading'));
    return new Promise<Uint8Array>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
      };
      const waiter: Waiter = {
        resolve: (r) => {
          done();
          resolve(r);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      const onAbort = () => waiter.reject(new TransportError('TRANSPORT_ABORTED', 'aborted while waiting for a report'));
      const timer = setTimeout(
        () => waiter.reject(new TransportError('TRANSPORT_TIMEOUT', `no report within ${timeoutMs} ms`)),
        Math.max(0, timeoutMs),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }
}
