/**
 * Compat inputs from the real simulator (authenticator-sim, with its quirk modules) and a test MDS BLOB that
 * lists its AAGUID and attestation root: getInfo from `buildInfo`, a registration from a real makeCredential
 * verified by mds/verifyAttestation (the same core every entry point uses), and the suites' results as
 * given (every check `pass` unless overridden), so a failing requirement comes from the override, the
 * device's own getInfo, its attestation or its MDS entry.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInfo } from '../../authenticator-sim/index.ts';
import { authenticatorOptionsForQuirks } from '../../authenticator-sim/quirks/index.ts';
import { buildAttestationObject, decodeMakeCredentialResponse, type AuthenticatorInfo, type MakeCredentialRequest } from '../../harness/protocol/index.ts';
import { mdsUsed, type CompatInput, type MdsUsed } from '../../harness/compat/index.ts';
import { CHECK_IDS } from '../../harness/suites/checkIds.ts';
import type { CheckResult } from '../../reports/model.ts';
import { aaguidToString } from '../../mds/aaguid.ts';
import { loadMdsStore, type MdsStore } from '../../mds/MdsStore.ts';
import { loadBundledMdsRoots } from '../../mds/bundledRoots.ts';
import { createTestMdsBlob, createTestMdsSigner, testMdsTrustAnchors, type TestMdsSigner } from '../../mds/testBlob.ts';
import type { StatusReport } from '../../mds/MdsTypes.ts';
import { verifyAttestation, type AttestationResult, type RegistrationResponseJSON } from '../../mds/attestation/verifyAttestation.ts';
import { createTestSim, encodeMakeCredentialRequest, MC, mcRequest, sha256, sharedAttestationMaterial } from '../helpers/sim.ts';

export const SIM_AAGUID = 'be7c888f-f407-45b9-bab1-f1e15cedc047';
export const OTHER_AAGUID = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
/** now: the simulator's attestation certificates are made when the test starts */
export const TEST_TIME = new Date();
export const ORIGIN = 'https://example.com';
export const RP_ID = 'example.com';

/** every check of the suites as `pass`, with some overridden */
export function passingChecks(overrides: Record<string, CheckResult['status']> = {}): CheckResult[] {
  return CHECK_IDS.map((id) => ({
    id,
    suite: 'synthetic',
    title: id,
    specRef: 'synthetic',
    status: overrides[id] ?? 'pass',
    message: overrides[id] && overrides[id] !== 'pass' ? `${id} synthetic ${overrides[id]}` : '',
    durationMs: 1,
  }));
}

let signer: Promise<TestMdsSigner> | undefined;

export interface TestMds {
  blob: string;
  store: MdsStore;
  used: MdsUsed;
  /** the PEM file of the BLOB's test root, for `--root` */
  rootFile: string;
  blobFile: string;
}

/**
 * Test MDS BLOBs, once per set of options: each costs a signed BLOB, its verification and two files, and the
 * mutation runs (docs/mutation-testing.md) re-run the same tests against one module graph many times.
 * Tests only read them.
 */
const mdsBlobs = new Map<string, Promise<TestMds>>();

/** A test MDS listing `aaguid` (default: the simulator's) with the simulator's attestation root. */
export function testMds(opts: { aaguid?: string; statusReports?: StatusReport[]; info?: AuthenticatorInfo } = {}): Promise<TestMds> {
  const key = JSON.stringify(opts);
  let made = mdsBlobs.get(key);
  if (!made) mdsBlobs.set(key, (made = makeTestMds(opts)));
  return made;
}

async function makeTestMds(opts: { aaguid?: string; statusReports?: StatusReport[]; info?: AuthenticatorInfo }): Promise<TestMds> {
  const material = await sharedAttestationMaterial();
  signer ??= createTestMdsSigner();
  const s = await signer;
  const blob = await createTestMdsBlob(s, {
    entries: [
      {
        aaguid: opts.aaguid ?? SIM_AAGUID,
        description: 'fido-harness simulator',
        attestationRootCertificates: [Buffer.from(material.rootCertificate).toString('base64')],
        ...(opts.info ? { authenticatorGetInfo: opts.info } : {}),
        statusReports: opts.statusReports ?? [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' }],
      },
    ],
  });
  const anchors = testMdsTrustAnchors(s);
  const store = await loadMdsStore(blob, { roots: anchors, at: TEST_TIME });
  const dir = mkdtempSync(join(tmpdir(), 'fido-harness-compat-'));
  const rootFile = join(dir, 'root.pem');
  writeFileSync(rootFile, anchors.map((c) => c.toString('pem')).join('\n'));
  const blobFile = join(dir, 'blob.jwt');
  writeFileSync(blobFile, blob);
  return { blob, store, used: mdsUsed(store, 'test'), rootFile, blobFile };
}

/** the FIDO Alliance's BLOB no. 23 (test/fixtures/mds), verified to the bundled roots as of REAL_MDS_TIME, loaded once */
export const REAL_MDS_TIME = new Date('2023-01-15T00:00:00Z');
let realStore: Promise<MdsStore> | undefined;
export function realMdsStore(): Promise<MdsStore> {
  realStore ??= loadMdsStore(readFileSync(new URL('../fixtures/mds/blob-2023-no23.jwt', import.meta.url), 'utf8').trim(), { roots: loadBundledMdsRoots(), at: REAL_MDS_TIME });
  return realStore;
}

export interface SimRegistration {
  info: AuthenticatorInfo;
  aaguid: string;
  response: RegistrationResponseJSON;
  /** the response file (for `attestation verify`) */
  responseFile: string;
  attestation: AttestationResult;
  mds: TestMds;
  /** the input `run` would give: getInfo, every check passing (or as overridden), this attestation, the MDS */
  input: CompatInput;
}

/**
 * Registrations, once per quirk set, overrides and test MDS: tests only read them (they spread changes into
 * new inputs), and each costs a simulator, a BLOB and a verification.
 */
const registrations = new Map<string, Promise<SimRegistration>>();
/** the same, per test MDS given */
const registrationsWith = new WeakMap<TestMds, Map<string, Promise<SimRegistration>>>();

/** A registration by the simulator (with quirks) as a browser would send it, verified against a test MDS. */
export function simRegistration(
  quirks: string[] = [],
  opts: { checks?: Record<string, CheckResult['status']>; mds?: TestMds | null; request?: Partial<MakeCredentialRequest> } = {},
): Promise<SimRegistration> {
  if (opts.request) return makeSimRegistration(quirks, opts);
  const key = JSON.stringify([quirks, opts.checks ?? {}, opts.mds === null]);
  let cache = registrations;
  if (opts.mds) {
    cache = registrationsWith.get(opts.mds) ?? new Map();
    registrationsWith.set(opts.mds, cache);
  }
  let made = cache.get(key);
  if (!made) cache.set(key, (made = makeSimRegistration(quirks, opts)));
  return made;
}

async function makeSimRegistration(
  quirks: string[] = [],
  opts: { checks?: Record<string, CheckResult['status']>; mds?: TestMds | null; request?: Partial<MakeCredentialRequest> } = {},
): Promise<SimRegistration> {
  const t = await createTestSim(authenticatorOptionsForQuirks(quirks));
  const info = buildInfo(t.sim);
  const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: 'Y2hhbGxlbmdl', origin: ORIGIN, crossOrigin: false }));
  const r = await t.call(MC, encodeMakeCredentialRequest(mcRequest({ clientDataHash: sha256(clientDataJSON), ...opts.request })));
  if (r.status !== 0 || !r.body) throw new Error(`makeCredential failed: 0x${r.status.toString(16)}`);
  const mc = decodeMakeCredentialResponse(r.body);
  const object = buildAttestationObject(mc.fmt, mc.authData, mc.attStmt);
  const response: RegistrationResponseJSON = {
    id: 'x',
    rawId: 'x',
    type: 'public-key',
    response: { clientDataJSON: clientDataJSON.toString('base64url'), attestationObject: Buffer.from(object).toString('base64url') },
  };
  const mds = opts.mds === null ? undefined : (opts.mds ?? (await testMds({ info })));
  const attestation = await verifyAttestation(response, { at: TEST_TIME, expectedOrigin: ORIGIN, rpId: RP_ID, ...(mds ? { store: mds.store } : {}) });
  const responseFile = join(mkdtempSync(join(tmpdir(), 'fido-harness-reg-')), 'response.json');
  writeFileSync(responseFile, JSON.stringify(response));
  return {
    info,
    aaguid: aaguidToString(info.aaguid),
    response,
    responseFile,
    attestation,
    mds: mds!,
    input: { info, checks: passingChecks(opts.checks), attestation, ...(mds ? { mds: mds.used } : {}), at: TEST_TIME },
  };
}
