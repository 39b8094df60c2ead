import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { verifyRegistration } from '../../harness/rp/ceremony/verifyRegistration.ts';
import type { RegistrationResponseBody } from '../../harness/rp/schemas.ts';
import { loadMdsStore } from '../../mds/MdsStore.ts';
import { createTestMds } from '../../mds/testBlob.ts';
import { makePackedRegistration } from '../mds/packedFixture.ts';

// The page's registrations go through the same attestation core as `attestation verify` and the run.
const AAGUID = '6f6f6f6f-2222-4333-8444-555566667777';
const ORIGIN = 'https://example.test';
const ceremony = { id: 'c1', kind: 'registration' as const, sessionId: undefined, challenge: 'dGVzdA', expiresAt: Infinity, username: 'erin', userVerification: 'preferred' as const, algorithms: [-7] };
const expected = { origin: ORIGIN, rpId: 'example.test', maxPublicKeyBytes: 1024, isRegistered: () => false, at: new Date('2026-06-01T00:00:00Z') };

describe('the RP verifies a registration with the attestation core (WebAuthn L3 §7.1 step 21)', () => {
  it('refuses packed alg -257 over an ECDSA signature, naming the rule', async () => {
    const reg = await makePackedRegistration({ aaguid: AAGUID, alg: -257 });
    await expect(verifyRegistration(reg.json as unknown as RegistrationResponseBody, ceremony, expected)).rejects.toMatchObject({
      code: 'VERIFICATION_FAILED',
      message: expect.stringContaining('ATT_ALG_MISMATCH'),
    });
  });

  it('refuses a leaf without basicConstraints (WebAuthn L3 §8.2.1)', async () => {
    const reg = await makePackedRegistration({ aaguid: AAGUID, leafWithoutBasicConstraints: true });
    await expect(verifyRegistration(reg.json as unknown as RegistrationResponseBody, ceremony, expected)).rejects.toMatchObject({ code: 'VERIFICATION_FAILED', message: expect.stringContaining('ATT_CERT_REQUIREMENTS') });
  });

  it('registers the honest twin and hands the page the core result against its MDS', async () => {
    const reg = await makePackedRegistration({ aaguid: AAGUID });
    const { jws, roots } = await createTestMds([{ aaguid: AAGUID, description: 'RP test key', attestationRootCertificates: [reg.attestationRoot.cert] }]);
    const mds = await loadMdsStore(jws, { roots, at: expected.at });
    const ok = await verifyRegistration(reg.json as unknown as RegistrationResponseBody, ceremony, { ...expected, mds });
    expect(ok.credentialId).toBe(reg.json.id);
    expect(ok.attestationResult).toMatchObject({ trusted: true, model: 'RP test key', rootSource: 'metadata', notChecked: [] });
  });
});
