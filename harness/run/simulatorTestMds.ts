import {
  Authenticator,
  buildInfo,
  generateAttestationMaterial,
  MemoryStorage,
  SIMULATOR_AAGUID,
  SIMULATOR_ATTESTATION_SEED,
} from '../../authenticator-sim/index.ts';
import { testMdsStatusForQuirks } from '../../authenticator-sim/quirks/index.ts';
import { createTestMds, loadMdsStore, type MdsStore } from '../../mds/index.ts';
import type { DeviceProfile } from '../../authenticator-sim/profile/profileFromGetInfo.ts';

/**
 * The test MDS `npm start` judges the simulator against (docs/report-model.md "MDS"): one entry for the simulator's AAGUID
 * with its attestation root (the seeded default PKI), the getInfo of a well-behaved simulator (what a vendor
 * would declare), certified L1 — REVOKED with the `mds-revoked` quirk, its root reported compromised with
 * `mds-root-compromised`. Signed by a fresh test root,
 * which is the only trust anchor it is verified against.
 */
export async function simulatorTestMds(quirks: readonly string[], at: Date, profile?: DeviceProfile): Promise<{ store: MdsStore; description: string }> {
  // A profiled simulator is listed under the model's AAGUID, declaring the getInfo it answers.
  const aaguid = profile?.aaguid ?? SIMULATOR_AAGUID;
  const material = await generateAttestationMaterial(aaguid, { keySeed: SIMULATOR_ATTESTATION_SEED });
  const declared = await Authenticator.create({ storage: new MemoryStorage(), attestationMaterial: material, aaguid, ...(profile ? { features: profile.features } : {}) });
  const status = testMdsStatusForQuirks(quirks);
  const rootB64 = Buffer.from(material.rootCertificate).toString('base64');
  // A model sending x5c = [leaf] is anchored at the intermediate (Metadata Statement §4 allows any CA as anchor).
  const anchors = profile?.features.x5cLeafOnly ? [Buffer.from(material.intermediateCertificate).toString('base64')] : [rootB64];
  const description = profile ? `fido-harness simulator playing ${profile.description ?? 'a device profile'}` : 'fido-harness software authenticator (simulator)';
  const { jws, roots } = await createTestMds([
    {
      aaguid: Buffer.from(aaguid).toString('hex'),
      description,
      attestationRootCertificates: anchors,
      authenticatorGetInfo: buildInfo(declared),
      statusReports: [
        { status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' },
        ...(status === 'REVOKED' ? [{ status: 'REVOKED', effectiveDate: '2025-06-01' }] : []),
        // MDS3 §3.1.3: the compromise names the attestation root, not the leaf
        ...(status === 'ATTESTATION_KEY_COMPROMISE' ? [{ status: 'ATTESTATION_KEY_COMPROMISE', effectiveDate: '2025-06-01', certificate: rootB64 }] : []),
      ],
    },
  ]);
  const store = await loadMdsStore(jws, { roots, at });
  return { store, description };
}
