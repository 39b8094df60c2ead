import type { SuiteCheck } from '../SuiteContext.ts';
import { pinEntryChecksFor, pinGeneralChecks } from './pinEntryChecks.ts';
import { pinTokenChecks } from './pinTokenChecks.ts';
import { setPinChecksFor } from './setPinChecks.ts';
import { pinRequirementChecks, tokenChecksFor } from './tokenChecks.ts';
import { unauthorizedPermissionChecks } from './unauthorizedPermissionChecks.ts';

/**
 * The client-pin suite (CTAP 2.1 §6.5): protocol-independent checks, then each group for PIN/UV auth
 * protocol two and one (ids CLIENTPIN-V2-… / CLIENTPIN-V1-…), then PIN-TOKEN-001/002. Checks that leave no
 * PIN run first so the device is reset as rarely as possible.
 */
/** A check on a PIN-less device that leaves it PIN-less without a reset (the refused setPIN requests). */
const leavesNoPin = (c: SuiteCheck) => c.needs?.pin === 'unset' && !c.resets && c.leaves?.pin !== 'set';

export const clientPinChecks: SuiteCheck[] = [
  ...pinGeneralChecks.filter((c) => c.needs?.pin !== 'set'),
  ...([2, 1] as const).flatMap((v) => pinEntryChecksFor(v).filter((c) => c.needs === undefined)),
  // error paths on a PIN-less device first (no reset between them), then per protocol the checks that set
  // a PIN: a reset before each, as few as possible (each is a touch and, on a real key, a replug)
  ...([2, 1] as const).flatMap((v) => setPinChecksFor(v).filter(leavesNoPin)),
  ...([2, 1] as const).flatMap((v) => setPinChecksFor(v).filter((c) => !leavesNoPin(c))),
  ...pinGeneralChecks.filter((c) => c.needs?.pin === 'set'),
  ...([2, 1] as const).flatMap((v) => pinEntryChecksFor(v).filter((c) => c.needs !== undefined)),
  ...([2, 1] as const).flatMap((v) => tokenChecksFor(v)),
  ...pinRequirementChecks,
  ...unauthorizedPermissionChecks,
  ...pinTokenChecks,
];
