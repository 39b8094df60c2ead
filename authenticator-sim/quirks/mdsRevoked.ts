import type { Quirk } from './Quirk.ts';

/** The simulator behaves; the test MDS built for the run lists its AAGUID with a REVOKED status report. */
export const mdsRevoked: Quirk = {
  name: 'mds-revoked',
  description: 'the test MDS lists this AAGUID as REVOKED',
  caughtBy: 'MDS checks + Microsoft + Entra enforcement',
  behaviour: {},
  testMdsStatus: 'REVOKED',
};
