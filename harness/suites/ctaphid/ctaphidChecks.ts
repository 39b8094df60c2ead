import type { SuiteCheck } from '../SuiteContext.ts';
import { errorChecks } from './errorChecks.ts';
import { initChecks } from './initChecks.ts';
import { pingAndFragmentationChecks } from './pingChecks.ts';
import { presenceChecks } from './presenceChecks.ts';
import { winkLockChecks } from './winkLockChecks.ts';

/** The ctaphid area (CTAP 2.1 §11.2): framing and channel behaviour below CTAP2, in raw mode. */
export const ctaphidChecks: SuiteCheck[] = [
  ...initChecks,
  ...pingAndFragmentationChecks,
  ...errorChecks,
  ...presenceChecks,
  ...winkLockChecks,
];
