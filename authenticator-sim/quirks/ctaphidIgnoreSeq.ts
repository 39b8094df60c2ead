import type { Quirk } from './Quirk.ts';

/** CTAPHID continuation packets are appended in arrival order whatever their SEQ byte. */
export const ctaphidIgnoreSeq: Quirk = {
  name: 'ctaphid-ignore-seq',
  description: 'accepts CONT packets out of sequence',
  caughtBy: 'CTAPHID checks',
  behaviour: { enforceContinuationSequence: false },
};
