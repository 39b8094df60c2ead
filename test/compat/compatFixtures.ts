/**
 * Compat inputs built from the real simulator (authenticator-sim, with its quirk modules) and a test MDS
 * BLOB signed by the mds test-BLOB generator: getInfo from `buildInfo`, an attestation object from a real
 * makeCredential, and an MDS store that lists the simulator's AAGUID with the simulator's attestation root.
 * Functional check results are synthetic (the suites that produce them run elsewhere): every check id the
 * compat layer reads is given as `pass`, so a failing requirement can only come from the device's own
 * getInfo, attestation or MDS entry.
 */
import { buildInfo } from '../../authenticator-sim/index.ts';
import { authenticatorOptionsForQuirks, testMdsStatusForQuirks } from '../../authenticator-sim/quirks/index.ts';
import {
  decodeMakeCredentialResponse,
  parseAuthenticatorData,
  type AuthenticatorInfo,
  type CborMap,
} from '../../harness/protocol/index.ts';
import type { CompatInput } from '../../harness/compat/index.ts';
import type { CheckResult } from '../../reports/model.ts';
import { aaguidToString } from '../../mds/aaguid.ts';
import { loadMdsStore } from '../../mds/MdsStore.ts';
import { createTestMdsBlob, createTestMdsSigner, testMdsTrustAnchors, type TestMdsSigner } from '../../mds/testBlob.ts';
import type { StatusReport } from '../../mds/MdsTypes.ts';
import { createTestSim, encodeMakeCredentialRequest, MC, mcRequest, sharedAttestationMaterial } from '../helpers/sim.ts';

/** every check id harness/compat reads (the brief's list) */
export const COMPAT_CHECK_IDS = [
  'INFO-VERSIONS-001',
  'INFO-AAGUID-001',
  'ATT-AAGUID-001',
  'ATT-PACKED-001',
  'ATT-CERT-001',
  'MDS-CHAIN-001',
  'MDS-STATUS-001',
  'PIN-TOKEN-001',
  'PIN-TOKEN-002',
  'RK-DISCOVER-001',
  'RK-MULTI-001',
  'HMAC-STABLE-001',
  'HMAC-UVSPLIT-001',
  'WEBAUTHN-ENTRA-001',
  'WEBAUTHN-ENTRA-002',
  'WEBAUTHN-ENTRA-003',
] as const;

export function passingChecks(overrides: Record<string, CheckResult['status']> = {}): CheckResult[] {
  return COMPAT_CHECK_IDS.map((id) => ({
    id,
    suite: id.split('-')[0]!.toLowerCase(),
    title: id,
    specRef: 'synthetic',
    status: overrides[id] ?? 'pass',
    message: overrides[id] && overrides[id] !== 'pass' ? `${id} synthetic ${overrides[id]}` : '',
    durationMs: 1,
  }));
}

let signer: Promise<TestMdsSigner> | undefined;
const TEST_TIME = new Date('2026-06-01T00:00:00Z');

export interface SimCompat {
  input: CompatInput;
  info: AuthenticatorInfo;
  aaguid: string;
}

/** Inputs for the simulator with the given quirks (the mds-revoked quirk makes the test MDS list REVOKED). */
export async function simCompatInput(quirks: string[] = [], checkOverrides: Record<string, CheckResult['status']> = {}): Promise<SimCompat> {
  const t = await createTestSim(authenticatorOptionsForQuirks(quirks));
  const info = buildInfo(t.sim);
  const r = await t.call(MC, encodeMakeCredentialRequest(mcRequest()));
  if (r.status !== 0 || !r.body) throw new Error(`makeCredential failed: 0x${r.status.toString(16)}`);
  const mc = decodeMakeCredentialResponse(r.body);
  const attestation = { fmt: mc.fmt, attStmt: mc.attStmt as CborMap, authData: parseAuthenticatorData(mc.authData) };
  const material = await sharedAttestationMaterial();
  signer ??= createTestMdsSigner();
  const s = await signer;
  const statusReports: StatusReport[] = [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' }];
  if (testMdsStatusForQuirks(quirks) === 'REVOKED') statusReports.push({ status: 'REVOKED', effectiveDate: '2025-01-01' });
  // the test MDS lists the simulator's real AAGUID (a zero-aaguid device is then simply not found)
  const blob = await createTestMdsBlob(s, {
    entries: [
      {
        aaguid: 'be7c888f-f407-45b9-bab1-f1e15cedc047',
        description: 'fido-harness simulator',
        attestationRootCertificates: [Buffer.from(material.rootCertificate).toString('base64')],
        authenticatorGetInfo: info,
        statusReports,
      },
    ],
  });
  const mds = await loadMdsStore(blob, { roots: testMdsTrustAnchors(s), at: TEST_TIME });
  return { input: { info, checks: passingChecks(checkOverrides), attestation, mds, at: TEST_TIME }, info, aaguid: aaguidToString(info.aaguid) };
}
