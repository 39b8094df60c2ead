import type { CheckEvidence } from '../../reports/model.ts';

/**
 * A conformance check (docs/report-model.md): a stable id `AREA-GROUP-NNN`, the spec section it enforces, what it needs
 * from the device, and `run`, which returns normally to pass and throws CheckFailed / CheckWarning /
 * CheckSkipped otherwise. Anything else thrown is the check's own error (`error`, never the end of the run).
 */
export interface Check<Ctx> {
  id: string;
  /** the area (suite folder), e.g. "make-credential" */
  suite: string;
  title: string;
  specRef: string;
  /** a reason to skip on this device (capability gating), or undefined to run */
  requires?: (ctx: Ctx) => string | undefined;
  /** resets the device or sets a PIN: needs --allow-reset on a real key */
  destructive?: boolean;
  /**
   * The touches the check itself asks for when it runs on a device that behaves as specified (set-up the
   * runner does for it is counted by the planner): each user-presence wait, authenticatorReset's included
   * (CTAP 2.1 §6.1.2 step 14, §6.2.2 step 9, §6.6). A function when it depends on the device. The run
   * plan is the sum over the selected checks, and a test holds it equal to the count on the simulator.
   */
  touches: number | ((ctx: Ctx) => number);
  /** authenticatorReset calls the check makes itself (a replug each on a real key, CTAP 2.1 §6.6) */
  resets?: number;
  /** per-check time limit (default: the runner's) */
  timeoutMs?: number;
  run(ctx: Ctx, signal: AbortSignal): Promise<void | CheckPassDetail>;
}

/** Optional detail for a pass: a message and evidence worth showing even when all is well. */
export interface CheckPassDetail {
  message?: string;
  evidence?: CheckEvidence;
}

abstract class CheckOutcome extends Error {
  constructor(
    message: string,
    readonly evidence?: CheckEvidence,
  ) {
    super(message);
  }
}

/** The device does not do what the spec requires. */
export class CheckFailed extends CheckOutcome {
  override readonly name = 'CheckFailed';
}

/** Allowed by the spec but worth a vendor's attention (SHOULD, not MUST). */
export class CheckWarning extends CheckOutcome {
  override readonly name = 'CheckWarning';
}

/** Found at run time that the check does not apply (the reason says why). */
export class CheckSkipped extends CheckOutcome {
  override readonly name = 'CheckSkipped';
}
