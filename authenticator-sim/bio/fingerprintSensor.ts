import { EnrollSampleStatus } from '../../harness/protocol/index.ts';

/**
 * The fingerprint sensor, part of the simulator's injected environment: what the user puts on it is the
 * test's to decide. A sample is a finger (by name: the same name is the same finger), a sample the sensor
 * cannot use (with the feedback an enrollment reports, CTAP 2.1 §6.7 lastEnrollSampleStatus), or nothing
 * before the timeout.
 */
export type FingerSample =
  | { kind: 'finger'; finger: string }
  | { kind: 'poor'; feedback: number }
  | { kind: 'timeout' };

export interface FingerprintSensor {
  capture(req: { purpose: 'enroll' | 'verify'; timeoutMs?: number; signal?: AbortSignal }): Promise<FingerSample>;
}

/** The finger the simulator enrolls and is verified with unless a test presents something else. */
export const DEFAULT_FINGER = 'right-index';

/**
 * A sensor driven by the test: queued samples are taken first, in order; after that the current finger
 * touches the sensor (`DEFAULT_FINGER` until `finger` is changed). Over UDP nobody queues anything, so
 * the same finger enrolls and later matches, as with a patient user.
 */
export class SimulatedFingerprintSensor implements FingerprintSensor {
  finger = DEFAULT_FINGER;
  readonly queue: FingerSample[] = [];
  captures = 0;

  /** Queues samples: a finger name, 'poor', 'timeout' (see `fingerSample`), or a sample. */
  present(...samples: Array<string | FingerSample>): void {
    for (const s of samples) this.queue.push(typeof s === 'string' ? fingerSample(s) : s);
  }

  async capture(): Promise<FingerSample> {
    this.captures++;
    return this.queue.shift() ?? { kind: 'finger', finger: this.finger };
  }
}

/** A sample by name: 'poor' (feedback CTAP2_ENROLL_FEEDBACK_FP_POOR_QUALITY), 'timeout', else a finger so named. */
export function fingerSample(name: string): FingerSample {
  if (name === 'poor') return { kind: 'poor', feedback: EnrollSampleStatus.CTAP2_ENROLL_FEEDBACK_FP_POOR_QUALITY };
  if (name === 'timeout') return { kind: 'timeout' };
  return { kind: 'finger', finger: name };
}
