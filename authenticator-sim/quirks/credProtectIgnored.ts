import type { Quirk } from './Quirk.ts';

/** credProtect is accepted but every credential gets level 1 (userVerificationOptional), reported as such. */
export const credProtectIgnored: Quirk = {
  name: 'cred-protect-ignored',
  description: 'credProtect levels 2 and 3 are downgraded to 1 (not enforced)',
  caughtBy: 'cred-protect checks (CREDPROTECT-MC-001, -L2-001, -L3-001, -L3-003, -CM-001)',
  behaviour: { credProtectLevel: () => 1 },
};
