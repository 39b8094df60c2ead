import { CtaphidCommand } from '../protocol/index.ts';

/** What is known about one wait for the user's touch when it starts. */
export interface PresenceWait {
  /** the CTAPHID command waiting (CBOR or MSG) */
  cmd: number;
  /** for CBOR, the CTAP2 command byte */
  ctapCommand?: number;
}

export type PresenceWaitListener = (wait: PresenceWait) => void;

/** CTAP2 answers that mean the wait ended without a touch (CTAP 2.1 §8.2, §11.2.9.1.5). */
const NOT_TOUCHED = new Set<number>([
  0x27, // CTAP2_ERR_OPERATION_DENIED
  0x2d, // CTAP2_ERR_KEEPALIVE_CANCEL
  0x2f, // CTAP2_ERR_USER_ACTION_TIMEOUT
]);

/** U2F: "test of user presence required" (FIDO U2F Raw Message Formats §3.3). */
const SW_CONDITIONS_NOT_SATISFIED = 0x6985;

/**
 * Counts the device's waits for a touch, as the host sees them on any CTAPHID device, real or simulated:
 * a transaction during which the device sent KEEPALIVE with status UPNEEDED (CTAP 2.1 §11.2.9.2.1) is one
 * wait; it is a touch when the device then answered (not cancelled, timed out or denied). CTAP1/U2F keys
 * ask differently (SW_CONDITIONS_NOT_SATISFIED until touched, then the host retries): the U2F layer
 * reports those with `polledTouch`.
 */
export class PresenceWaits {
  /** waits that ended with the device's answer: touches */
  touches = 0;
  /** every wait the device announced, touched or not */
  waits = 0;
  private readonly listeners = new Set<PresenceWaitListener>();

  /** Called as each wait starts (a prompt, a touch command, a robot); returns a function that removes it. */
  onWait(listener: PresenceWaitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The device said UPNEEDED for the first time in this transaction. */
  started(wait: PresenceWait): void {
    this.waits++;
    for (const listener of this.listeners) listener(wait);
  }

  /** The transaction of a wait ended: with the device's answer, or without one (timeout, error). */
  ended(cmd: number, answer: Uint8Array | undefined): void {
    if (answer && touched(cmd, answer)) this.touches++;
  }

  /** A U2F request answered SW_CONDITIONS_NOT_SATISFIED: the host now polls until the user touches. */
  polling(): void {
    this.started({ cmd: CtaphidCommand.MSG });
  }

  /** The U2F request polled after `polling` succeeded: the user touched. */
  polledTouch(): void {
    this.touches++;
  }
}

function touched(cmd: number, answer: Uint8Array): boolean {
  if (cmd === CtaphidCommand.CBOR) return answer.length > 0 && !NOT_TOUCHED.has(answer[0]!);
  if (cmd === CtaphidCommand.MSG) {
    if (answer.length < 2) return false;
    return ((answer[answer.length - 2]! << 8) | answer[answer.length - 1]!) !== SW_CONDITIONS_NOT_SATISFIED;
  }
  return true;
}
