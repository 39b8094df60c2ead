import { randomBytes } from 'node:crypto';
import { CtapProtocolError } from '../ctap/index.ts';
import { CtaphidError } from '../ctaphid/index.ts';
import { NfcError } from '../nfc/index.ts';
import { TransportError } from '../transport/index.ts';
import type { SuiteDevice } from './SuiteContext.ts';
import { CheckTimeout } from '../runner/withTimeout.ts';

/** Transport failures after which the device is gone for this run (harness/transport TransportErrorCode). */
const GONE = new Set(['TRANSPORT_CLOSED', 'TRANSPORT_DISCONNECTED']);

/** How long the device has to echo the PING that asks whether it is still there. */
export const DEFAULT_PROBE_MS = 5_000;

/**
 * Whether the run must stop because the device went away (docs/architecture.md "A device that goes away": "a run cut short — Ctrl-C, device
 * pulled — still writes its report, marked incomplete"). Asked after a check ended in `error`:
 *  - the transport is closed, or the error (or its cause) is TRANSPORT_CLOSED / TRANSPORT_DISCONNECTED:
 *    the device is gone;
 *  - the error is of the channel (a time limit, a CTAPHID framing fault, a response that does not decode):
 *    the device must echo a CTAPHID PING of 16 random bytes within `probeMs`, else it stalled or answers
 *    garbage. The spec has no "are you there" command; PING (CTAP 2.1 §11.2.9.1.4) is the one every
 *    CTAPHID device must answer, and any reply other than the same bytes is not a working device.
 * Anything else (a CTAP status, a check's own exception) is the check's result, and the run goes on.
 * Returns the reason for the report's `incompleteReason`, or undefined to continue.
 */
export async function deviceLostReason(device: SuiteDevice, err: unknown, checkId: string, probeMs = DEFAULT_PROBE_MS): Promise<string | undefined> {
  const transport = device.hid?.transport ?? device.nfc?.transport;
  const gone = goneError(err);
  if (gone) return `the device was lost during ${checkId} (${gone.code}): ${gone.message}`;
  if (transport?.closed) return `the device was lost during ${checkId}: its transport is closed`;
  if (!isChannelFault(err)) return undefined;
  const problem = await probe(device, probeMs);
  if (!problem) return undefined;
  return `the device stopped working during ${checkId} (${describe(err)}), and then ${problem}`;
}

function goneError(err: unknown): TransportError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof TransportError && GONE.has(e.code)) return e;
  }
  return undefined;
}

function isChannelFault(err: unknown): boolean {
  return err instanceof CheckTimeout || err instanceof CtaphidError || err instanceof NfcError || err instanceof TransportError || err instanceof CtapProtocolError;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** undefined when the device echoes a PING (or answers getInfo, without CTAPHID) within `ms`; else what went wrong */
async function probe(device: SuiteDevice, ms: number): Promise<string | undefined> {
  const data = new Uint8Array(randomBytes(16));
  let timer: NodeJS.Timeout | undefined;
  // without CTAPHID (a card over NFC) the probe is authenticatorGetInfo
  const probeName = device.hid ? 'a PING' : 'authenticatorGetInfo';
  const deadline = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`did not answer ${probeName} within ${ms} ms (stalled, or busy with the abandoned command)`), ms + 250);
  });
  const attempt = (async (): Promise<string | undefined> => {
    try {
      if (!device.hid) {
        await device.ctap2.getInfo({ timeoutMs: ms });
        return undefined;
      }
      const echo = await device.hid.ping(data, { timeoutMs: ms });
      if (Buffer.from(echo).equals(Buffer.from(data))) return undefined;
      return `answered a PING of 16 bytes with ${echo.length} other bytes (garbage)`;
    } catch (e) {
      const gone = goneError(e);
      if (gone) return `was lost (${gone.code}): ${gone.message}`;
      return `did not answer ${probeName}: ${describe(e)}`;
    }
  })();
  // Stryker disable next-line ArrowFunction: the timer only resolves a promise nobody awaits any more (clearing it frees the event loop sooner)
  return Promise.race([attempt, deadline]).finally(() => clearTimeout(timer));
}
