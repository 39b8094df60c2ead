import { formatCtapStatus } from './statusCodes.ts';

/** A CTAP status other than CTAP2_OK, thrown by both the simulator's handlers and the host's `send`. */
export class CtapStatusError extends Error {
  override readonly name = 'CtapStatusError';
  constructor(
    readonly code: number,
    detail?: string,
  ) {
    super(detail ? `${formatCtapStatus(code)}: ${detail}` : formatCtapStatus(code));
  }
}
