import type { Behaviour } from '../behaviour.ts';

/** A named misbehaviour of the simulator (README "Simulator quirks"). */
export interface Quirk {
  /** the name given to `--quirk` */
  readonly name: string;
  /** what goes wrong, one line */
  readonly description: string;
  /** which checks must catch it (the quirk matrix, test/runner/quirkMatrix.test.ts) */
  readonly caughtBy: string;
  /** the members of the Behaviour it overrides (empty when the simulator itself behaves) */
  readonly behaviour: Partial<Behaviour>;
  /**
   * for quirks the test MDS reads: the status report it lists for the simulator's AAGUID
   * (ATTESTATION_KEY_COMPROMISE names the simulator's attestation root in its `certificate`)
   */
  readonly testMdsStatus?: 'REVOKED' | 'ATTESTATION_KEY_COMPROMISE';
}
