import type { BuiltInUv, BuiltInUvAttempt, BuiltInUvOutcome } from '../pinUvAuth/builtInUv.ts';
import { UvModality } from '../pinUvAuth/builtInUv.ts';
import type { FingerprintSensor } from './fingerprintSensor.ts';

/** An enrolled fingerprint template (CTAP 2.1 §6.7): its ID, friendly name, and which finger it is. */
export interface BioTemplate {
  id: Uint8Array;
  friendlyName?: string;
  finger: string;
}

/**
 * Built-in user verification by fingerprint (CTAP 2.1 §6.5.5.7.3 performBuiltInUv): configured once a
 * template is enrolled (getInfo `uv`, `bioEnroll`); a finger matches when it is one of the enrolled ones.
 */
export class FingerprintUv implements BuiltInUv {
  readonly modality = UvModality.fingerprintInternal;
  /** a fingerprint touch is also a touch (CTAP 2.1 §6.1.2 step 11.2: the UP flag comes with it) */
  readonly establishesPresence = true;

  constructor(
    readonly sensor: FingerprintSensor,
    private readonly templates: () => readonly BioTemplate[],
    /** the bio-uv-any-finger quirk: every finger matches */
    private readonly matchAnyFinger: () => boolean,
  ) {}

  get configured(): boolean {
    return this.templates().length > 0;
  }

  async verify(attempt: BuiltInUvAttempt): Promise<BuiltInUvOutcome> {
    const sample = await this.sensor.capture({ purpose: 'verify', ...(attempt.signal ? { signal: attempt.signal } : {}) });
    if (sample.kind === 'timeout') return 'timeout';
    if (sample.kind === 'poor') return 'nomatch';
    if (this.matchAnyFinger()) return 'match';
    return this.templates().some((t) => t.finger === sample.finger) ? 'match' : 'nomatch';
  }
}
