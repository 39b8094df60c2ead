import type { SuiteCheck } from '../SuiteContext.ts';
import { apduChecks } from './apduChecks.ts';
import { authenticateChecks } from './authenticateChecks.ts';
import { interopChecks } from './interopChecks.ts';
import { registerChecks } from './registerChecks.ts';

/** The u2f area: CTAP1/U2F raw messages over CTAPHID_MSG (U2F raw message formats v1.2, CTAP 2.1 §11.2.9.1.1, §10). */
export const u2fChecks: SuiteCheck[] = [...registerChecks, ...authenticateChecks, ...apduChecks, ...interopChecks];
