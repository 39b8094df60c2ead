import { EnrollSampleStatus, HID_REPORT_SIZE } from '../../harness/protocol/index.ts';
import type { FingerSample } from '../bio/fingerprintSensor.ts';

/**
 * The datagram that puts a sample on the simulator's fingerprint sensor (docs/simulator.md, "UDP device
 * protocol"): 32 fixed bytes, then the kind (1 a finger, 2 an unusable sample, 3 nothing before the
 * timeout), then for a finger its name's length and UTF-8 bytes (at most 30), zero-padded to 64 bytes.
 * Like the power-cycle datagram it is never answered.
 */
const PREFIX = Buffer.from('f1d0f1d0a7c35e2b9d1e4f60b8a2c7e3395d6a1e0c4b7f28a6e9d3c1b5f7a0e2', 'hex');
const MAX_NAME = HID_REPORT_SIZE - PREFIX.length - 2;

export function fingerDatagram(sample: FingerSample): Uint8Array {
  const out = new Uint8Array(HID_REPORT_SIZE);
  out.set(PREFIX);
  if (sample.kind === 'finger') {
    const name = Buffer.from(sample.finger, 'utf8');
    if (name.length === 0 || name.length > MAX_NAME) throw new RangeError(`finger name of ${name.length} bytes (1-${MAX_NAME})`);
    out[32] = 1;
    out[33] = name.length;
    out.set(name, 34);
  } else {
    out[32] = sample.kind === 'poor' ? 2 : 3;
  }
  return out;
}

/** The sample a datagram carries, or undefined when it is not a finger datagram. */
export function parseFingerDatagram(d: Uint8Array): FingerSample | undefined {
  if (d.length !== HID_REPORT_SIZE || Buffer.compare(d.subarray(0, 32), PREFIX) !== 0) return undefined;
  if (d[32] === 1) {
    const n = d[33]!;
    if (n === 0 || n > MAX_NAME) return undefined;
    return { kind: 'finger', finger: Buffer.from(d.subarray(34, 34 + n)).toString('utf8') };
  }
  if (d[32] === 2) return { kind: 'poor', feedback: EnrollSampleStatus.CTAP2_ENROLL_FEEDBACK_FP_POOR_QUALITY };
  if (d[32] === 3) return { kind: 'timeout' };
  return undefined;
}
