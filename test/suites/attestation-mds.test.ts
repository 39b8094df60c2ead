import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { X509Certificate } from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { Authenticator } from '../../authenticator-sim/index.ts';
import { decodeCbor, decodeGetInfoResponse, type AuthenticatorInfo } from '../../harness/protocol/index.ts';
import type { StatusReport } from '../../mds/index.ts';
import { OTHER_AAGUID, TEST_TIME, testMds } from '../compat/compatFixtures.ts';
import type { SuiteContext } from '../../harness/suites/SuiteContext.ts';
import type { TestCertifiedKey } from '../../mds/testCertificates.ts';
import { sharedAttestationMaterial } from '../helpers/sim.ts';
import { der, derOctets, es256, ext, testLeaf, testRoot } from '../mds/craftAttestation.ts';
import { outcomes, rewriteResponse, runAgainst, type Fault } from './faultyDevice.ts';

/** The simulator's getInfo, as a metadata statement's authenticatorGetInfo describes the model. */
async function simInfo(): Promise<AuthenticatorInfo> {
  const sim = await Authenticator.create({});
  return decodeGetInfoResponse(decodeCbor((await sim.handleCbor(0x04, new Uint8Array(0))).payload).value);
}

/** A test MDS listing the simulator (its AAGUID and attestation root), with `opts`, judged at TEST_TIME. */
async function mds(opts: { aaguid?: string; statusReports?: StatusReport[]; info?: AuthenticatorInfo | 'none' } = {}) {
  const info = opts.info === 'none' ? undefined : (opts.info ?? (await simInfo()));
  const made = await testMds({ ...(opts.aaguid ? { aaguid: opts.aaguid } : {}), ...(opts.statusReports ? { statusReports: opts.statusReports } : {}), ...(info ? { info } : {}) });
  return { store: made.store, at: TEST_TIME };
}

const PASS = 'pass: as specified';
const ATTESTATION_PASSES = { 'ATT-FORMAT-001': PASS, 'ATT-PACKED-001': PASS, 'ATT-CERT-001': PASS, 'ATT-CHAIN-001': PASS, 'ATT-AAGUID-001': PASS };

async function run(options: Parameters<typeof runAgainst>[0]) {
  return outcomes(await runAgainst({ suites: ['attestation', 'mds'], ...options }));
}

describe('attestation and mds checks (WebAuthn L3 §8.2, FIDO MDS3)', () => {
  it('should skip the mds checks, with the reason, when no MDS is given', async () => {
    expect(await run({})).toEqual({
      ...ATTESTATION_PASSES,
      'MDS-ENTRY-001': 'skip: no MDS given (--mds)',
      'MDS-CHAIN-001': 'skip: no MDS given (--mds)',
      'MDS-STATUS-001': 'skip: no MDS given (--mds)',
      'MDS-GETINFO-001': 'skip: no MDS given (--mds)',
    });
  });

  it('should pass every check on the clean simulator listed in the MDS with its getInfo', async () => {
    expect(await run({ mds: await mds() })).toEqual({ ...ATTESTATION_PASSES, 'MDS-ENTRY-001': PASS, 'MDS-CHAIN-001': PASS, 'MDS-STATUS-001': PASS, 'MDS-GETINFO-001': PASS });
  });

  it('should fail MDS-ENTRY-001 and MDS-CHAIN-001 when the MDS does not list the AAGUID', async () => {
    const got = await run({ mds: await mds({ aaguid: OTHER_AAGUID }) });
    expect(got['MDS-ENTRY-001']).toBe('fail: no MDS entry for AAGUID be7c888f-f407-45b9-bab1-f1e15cedc047');
    expect(got['MDS-CHAIN-001']).toMatch(/^fail: no trusted path to the metadata roots \(basic\): no trust anchor for "[^"]+Simulator Root CA": /);
    expect(got['MDS-STATUS-001']).toBe('skip: no MDS entry for this AAGUID');
    expect(got['MDS-GETINFO-001']).toBe('skip: no MDS entry for this AAGUID');
  });

  it('should fail ATT-PACKED-001 and MDS-CHAIN-001 and skip the certificate checks on self attestation', async () => {
    const got = await run({ quirks: ['self-attestation'], mds: await mds() });
    expect(got).toEqual({
      'ATT-FORMAT-001': PASS,
      'ATT-PACKED-001': 'fail: packed self attestation (no x5c): no certificate chain to a vendor root',
      'ATT-CERT-001': 'skip: no attestation certificate (self or none attestation)',
      'ATT-CHAIN-001': 'skip: no x5c',
      'ATT-AAGUID-001': PASS,
      'MDS-ENTRY-001': PASS,
      'MDS-CHAIN-001': 'fail: no trusted path to the metadata roots (self): self attestation: signed by the credential key itself, no certificate chain, so the authenticator model cannot be trusted',
      'MDS-STATUS-001': PASS,
      'MDS-GETINFO-001': PASS,
    });
  });

  it('should show, failing MDS-CHAIN-001, the path it wanted and that no root was reached', async () => {
    const results = await runAgainst({ checks: ['MDS-CHAIN-001'], quirks: ['self-attestation'], mds: await mds(), evidence: true });
    expect(results.get('MDS-CHAIN-001')).toMatchObject({ status: 'fail', expected: 'x5c chaining to attestationRootCertificates', actual: 'no root reached' });
  });

  it('should fail MDS-STATUS-001 on a REVOKED model and warn on an update the firmware lacks', async () => {
    const revoked = await run({ checks: ['MDS-STATUS-001'], mds: await mds({ statusReports: [{ status: 'REVOKED', effectiveDate: '2024-01-01' }] }) });
    expect(revoked).toEqual({ 'MDS-STATUS-001': 'fail: REVOKED since 2024-01-01' });
    const update = await run({
      checks: ['MDS-STATUS-001'],
      mds: await mds({ statusReports: [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' }, { status: 'UPDATE_AVAILABLE', effectiveDate: '2024-02-01', authenticatorVersion: 999999 }] }),
    });
    expect(update).toEqual({ 'MDS-STATUS-001': 'warn: UPDATE_AVAILABLE since 2024-02-01 (authenticatorVersion 999999)' });
  });

  it("should warn MDS-GETINFO-001 when the statement's getInfo describes another model, or none", async () => {
    const info = await simInfo();
    const other = await run({ checks: ['MDS-GETINFO-001'], mds: await mds({ info: { ...info, versions: ['FIDO_2_0'] } }) });
    expect(JSON.parse(`[${other['MDS-GETINFO-001']!.replace(/^warn: /, '')}]`)).toEqual([
      { member: 'versions', severity: 'difference', live: info.versions, statement: ['FIDO_2_0'], message: 'authenticator reports FIDO_2_1, FIDO_2_1_PRE, FIDO_2_2, U2F_V2 that the statement does not list' },
    ]);
    const none = await run({ checks: ['MDS-GETINFO-001'], mds: await mds({ info: 'none' }) });
    expect(none['MDS-GETINFO-001']).toBe('warn: {"member":"authenticatorGetInfo","severity":"difference","live":"present","message":"the metadata statement has no authenticatorGetInfo to compare with"}');
  });

  it('should pass MDS-GETINFO-001 when only device state differs (clientPin false on the key, true in the statement)', async () => {
    const info = await simInfo();
    const got = await run({ checks: ['MDS-GETINFO-001'], mds: await mds({ info: { ...info, options: { ...info.options, clientPin: true } } }) });
    expect(got).toEqual({ 'MDS-GETINFO-001': PASS });
  });

  for (const fmt of ['fido-u2f', 'tpm', 'android-key', 'android-safetynet', 'apple']) {
    it(`should warn ATT-FORMAT-001 on the known format ${fmt}, not fail it`, async () => {
      expect(await run({ checks: ['ATT-FORMAT-001'], fault: rewriteResponse(0x01, (b) => b.set(0x01, fmt)) })).toEqual({ 'ATT-FORMAT-001': `warn: attestation format is "${fmt}", not packed` });
    });
  }

  it('should fail ATT-PACKED-001, naming why, on an algorithm it cannot verify and on a malformed statement', async () => {
    const attStmt = (change: (s: Map<string, unknown>) => void): Fault =>
      rewriteResponse(0x01, (b) => {
        const s = new Map(b.get(0x03) as Map<string, unknown>);
        change(s);
        b.set(0x03, s as never);
      });
    expect(await run({ checks: ['ATT-PACKED-001'], fault: attStmt((s) => s.set('alg', -65000)) })).toEqual({ 'ATT-PACKED-001': 'fail: attestation signature does not verify: packed alg -65000 is not supported' });
    expect(await run({ checks: ['ATT-PACKED-001'], fault: attStmt((s) => s.set('sig', 'text')) })).toEqual({ 'ATT-PACKED-001': 'fail: attestation signature does not verify: packed attStmt needs alg (int) and sig (bytes)' });
  });

  it("should pass MDS-STATUS-001 when the device's firmware already has the update the MDS announces", async () => {
    // UPDATE_AVAILABLE for authenticatorVersion 2; the simulator reports firmwareVersion 65536 (MDS3 §3.1.4)
    const applied = await mds({ statusReports: [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' }, { status: 'UPDATE_AVAILABLE', effectiveDate: '2024-02-01', authenticatorVersion: 2 }] });
    expect(await run({ checks: ['MDS-STATUS-001'], mds: applied })).toEqual({ 'MDS-STATUS-001': PASS });
  });

  it('should leave the verified attestation for the Microsoft/Entra evaluations, made and judged once', async () => {
    let ctx: SuiteContext | undefined;
    let made = 0;
    const counting: Fault = async (cmd, params, next) => {
      if (cmd === 0x01) made++;
      return next(params);
    };
    await runAgainst({ suites: ['attestation'], fault: counting, context: (c) => void (ctx = c) });
    const artifacts = ctx!.artifacts;
    expect(made).toBe(1);
    expect(artifacts.attestation?.result).toMatchObject({ format: 'packed', signatureValid: true, attestationType: 'basic' });
    expect(artifacts.attestation?.made.response.fmt).toBe('packed');
    expect(artifacts.attestationObject?.fmt).toBe('packed');
    expect(Buffer.from(artifacts.attestationObject!.authData.raw).equals(artifacts.attestation!.made.response.authData)).toBe(true);
  });

  it('should warn ATT-FORMAT-001 and skip the packed checks, with the reason, on "none" attestation', async () => {
    const none: Fault = rewriteResponse(0x01, (b) => {
      b.set(0x01, 'none');
      b.set(0x03, new Map());
    });
    expect(await run({ fault: none })).toMatchObject({
      'ATT-FORMAT-001': 'warn: attestation format is "none", not packed',
      'ATT-PACKED-001': 'skip: format is none',
      'ATT-CERT-001': 'skip: no attestation certificate (self or none attestation)',
      'ATT-CHAIN-001': 'skip: no x5c',
      'ATT-AAGUID-001': PASS,
    });
  });
});

describe('attestation and mds checks name what they found', () => {
  const ROOT = 'C=US, O=fido-harness, OU=Simulator Attestation, CN=fido-harness Simulator Root CA';
  const BATCH = 'C=US, O=fido-harness, OU=Authenticator Attestation, CN=fido-harness Simulator Batch 1';
  const CHAIN = [BATCH, 'C=US, O=fido-harness, OU=Simulator Attestation, CN=fido-harness Simulator Intermediate CA', ROOT];
  const attStmt = (change: (s: Map<string, unknown>) => void): Fault =>
    rewriteResponse(0x01, (b) => {
      const s = new Map(b.get(0x03) as Map<string, unknown>);
      change(s);
      b.set(0x03, s as never);
    });
  const authData = (change: (d: Uint8Array) => void): Fault =>
    rewriteResponse(0x01, (b) => {
      const d = Uint8Array.from(b.get(0x02) as Uint8Array);
      change(d);
      b.set(0x02, d);
    });
  const AAGUID = 37; // rpIdHash (32), flags, signCount (4), then the AAGUID (WebAuthn L3 §6.5.1)

  it('should name an unknown attestation format', async () => {
    expect(await run({ checks: ['ATT-FORMAT-001'], fault: rewriteResponse(0x01, (b) => b.set(0x01, 'mystery')) })).toEqual({ 'ATT-FORMAT-001': 'fail: unknown attestation format "mystery"' });
  });

  it('should show, failing ATT-PACKED-001 on self attestation, the full attestation it wanted', async () => {
    const results = await runAgainst({ checks: ['ATT-PACKED-001'], quirks: ['self-attestation'], evidence: true });
    expect(results.get('ATT-PACKED-001')).toEqual({ status: 'fail', message: 'packed self attestation (no x5c): no certificate chain to a vendor root', expected: 'full attestation with x5c', actual: 'attestationType self' });
  });

  it('should give every reason the packed signature fails: an algorithm that does not fit the key, and the signature', async () => {
    expect(await run({ checks: ['ATT-PACKED-001'], fault: attStmt((s) => s.set('alg', -257)) })).toEqual({
      'ATT-PACKED-001':
        "fail: attestation signature does not verify: alg -257 (RS256) needs an RSA key, the key is ec: alg does not fit the attestation certificate's key (§8.2 step 2); packed signature (RS256) does not verify with the x5c leaf",
    });
  });

  it('should name both AAGUIDs when the attested one is changed (ATT-CERT-001, ATT-AAGUID-001)', async () => {
    const results = await runAgainst({ checks: ['ATT-CERT-001', 'ATT-AAGUID-001'], fault: authData((d) => void (d[AAGUID]! ^= 0xff)), evidence: true });
    expect(Object.fromEntries(results)).toEqual({
      'ATT-CERT-001': { status: 'fail', message: 'certificate AAGUID be7c888ff40745b9bab1f1e15cedc047 differs from authData AAGUID 417c888ff40745b9bab1f1e15cedc047 (§8.2 step 2)' },
      'ATT-AAGUID-001': { status: 'fail', message: 'authData AAGUID differs from getInfo aaguid', expected: 'be7c888ff40745b9bab1f1e15cedc047', actual: '417c888ff40745b9bab1f1e15cedc047' },
    });
  });

  for (const [when, at, says] of [
    ['after the chain expired', new Date('2200-01-01T00:00:00Z'), /^expired \S+ \(verification time 2200-01-01T00:00:00\.000Z\)$/],
    ['before the chain is valid', new Date('2001-01-01T00:00:00Z'), /^is not valid before \S+ \(verification time 2001-01-01T00:00:00\.000Z\)$/],
  ] as const) {
    it(`should fail ATT-CHAIN-001 and MDS-CHAIN-001 ${when}, naming each certificate`, async () => {
      const results = await runAgainst({ checks: ['ATT-CHAIN-001', 'MDS-CHAIN-001'], mds: { ...(await mds()), at }, evidence: true });
      const chain = results.get('ATT-CHAIN-001')!;
      expect(chain.status).toBe('fail');
      const parts = chain.message.split('; ');
      expect(parts.map((p) => p.replace(/^attestation chain: "([^"]+)" .*$/, '$1'))).toEqual(CHAIN);
      for (const p of parts) expect(p.replace(/^attestation chain: "[^"]+" /, '')).toMatch(says);
      // the path reached the metadata root, but is not valid at the verification time
      expect(results.get('MDS-CHAIN-001')).toEqual({ status: 'fail', message: `no trusted path to the metadata roots (basic): ${chain.message}`, expected: 'x5c chaining to attestationRootCertificates', actual: ROOT });
    });
  }

  it('should fail ATT-CHAIN-001 on a leaf given as its own issuer, naming each rule it breaks', async () => {
    const got = await run({ checks: ['ATT-CHAIN-001'], mds: await mds(), fault: attStmt((s) => s.set('x5c', [(s.get('x5c') as Uint8Array[])[0]!, (s.get('x5c') as Uint8Array[])[0]!])) });
    const problems = [
      `attestation x5c: x5c[0] "${BATCH}" is not issued by x5c[1] "${BATCH}"`,
      `attestation x5c: x5c[1] "${BATCH}" issues a certificate but is not a CA (basicConstraints cA FALSE; RFC 5280 §6.1.4 (k))`,
      `attestation x5c: x5c[1] "${BATCH}" issues a certificate but its keyUsage lacks keyCertSign (RFC 5280 §6.1.4 (n))`,
    ];
    expect(got['ATT-CHAIN-001']).toBe(`fail: ${problems.join('; ')}`);
  });

  it('should fail ATT-CHAIN-001 on a path to the metadata root through a certificate that is not a CA', async () => {
    // the simulator's attestation certificate (an end entity) issues a new leaf: x5c = [new leaf, attestation certificate, intermediate]
    const material = await sharedAttestationMaterial();
    const privateKey = await webcrypto.subtle.importKey('pkcs8', new Uint8Array(material.leafPrivateKey), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const endEntity = { cert: new X509Certificate(new Uint8Array(material.leafCertificate)), keys: { privateKey } } as unknown as TestCertifiedKey;
    const leaf = await testLeaf(endEntity, { subject: 'C=US, O=fido-harness TEST, OU=Authenticator Attestation, CN=Below An End Entity' });
    const crafted = rewriteResponse(0x01, (b, params) => {
      const signed = Buffer.concat([b.get(0x02) as Uint8Array, params!.get(0x01) as Uint8Array]);
      b.set(0x03, new Map<string, unknown>([['alg', -7], ['sig', es256(leaf, signed)], ['x5c', [der(leaf), material.leafCertificate, material.intermediateCertificate]]]) as never);
    });
    const got = await run({ checks: ['ATT-CHAIN-001'], mds: await mds(), fault: crafted });
    expect(got['ATT-CHAIN-001']).toContain(`attestation chain: "${BATCH}" issues a certificate but is not a CA (basicConstraints cA FALSE; RFC 5280 §6.1.4 (k))`);
  });

  it('should fail ATT-CERT-001 with every §8.2.1 rule the attestation certificate breaks', async () => {
    // a leaf without OU "Authenticator Attestation" whose AAGUID extension (1.3.6.1.4.1.45724.1.1.4) names another model
    const leaf = await testLeaf(await testRoot(), { subject: 'C=US, O=fido-harness TEST, CN=No Attestation OU', extensions: [ext('1.3.6.1.4.1.45724.1.1.4', derOctets(new Uint8Array(16).fill(0x11)))] });
    const crafted = rewriteResponse(0x01, (b, params) => {
      const signed = Buffer.concat([b.get(0x02) as Uint8Array, params!.get(0x01) as Uint8Array]);
      b.set(0x03, new Map<string, unknown>([['alg', -7], ['sig', es256(leaf, signed)], ['x5c', [der(leaf)]]]) as never);
    });
    const got = await run({ checks: ['ATT-CERT-001', 'ATT-PACKED-001'], fault: crafted });
    expect(got['ATT-PACKED-001']).toBe(PASS);
    expect(got['ATT-CERT-001']).toBe(
      'fail: subject OU is undefined, "Authenticator Attestation" required (§8.2.1); certificate AAGUID 11111111111111111111111111111111 differs from authData AAGUID be7c888ff40745b9bab1f1e15cedc047 (§8.2 step 2)',
    );
  });

  it('should give MDS-CHAIN-001 only the reasons about trust: not the missing entry, which MDS-ENTRY-001 names', async () => {
    expect(await run({ checks: ['MDS-CHAIN-001'], mds: await mds({ aaguid: OTHER_AAGUID }) })).toEqual({
      'MDS-CHAIN-001': `fail: no trusted path to the metadata roots (basic): no trust anchor for "${ROOT}": no metadata roots for this authenticator and no --attestation-root given`,
    });
  });

  it('should fail MDS-CHAIN-001 on "none" attestation: no chain', async () => {
    const none = rewriteResponse(0x01, (b) => {
      b.set(0x01, 'none');
      b.set(0x03, new Map());
    });
    expect(await run({ checks: ['MDS-CHAIN-001'], mds: await mds(), fault: none })).toEqual({ 'MDS-CHAIN-001': 'fail: no trusted path to the metadata roots (none): no chain' });
  });

  it('should name every undesired status of the model, and every warning', async () => {
    const two = await mds({ statusReports: [{ status: 'USER_VERIFICATION_BYPASS', effectiveDate: '2024-01-01' }, { status: 'REVOKED', effectiveDate: '2024-02-01' }] });
    expect(await run({ checks: ['MDS-STATUS-001'], mds: two })).toEqual({ 'MDS-STATUS-001': 'fail: USER_VERIFICATION_BYPASS since 2024-01-01; REVOKED since 2024-02-01' });
    const updates = await mds({
      statusReports: [
        { status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' },
        { status: 'UPDATE_AVAILABLE', effectiveDate: '2024-02-01', authenticatorVersion: 999998 },
        { status: 'UPDATE_AVAILABLE', effectiveDate: '2024-03-01', authenticatorVersion: 999999 },
      ],
    });
    expect(await run({ checks: ['MDS-STATUS-001'], mds: updates })).toEqual({
      'MDS-STATUS-001': 'warn: UPDATE_AVAILABLE since 2024-02-01 (authenticatorVersion 999998); UPDATE_AVAILABLE since 2024-03-01 (authenticatorVersion 999999)',
    });
  });

  it('should name every getInfo member the statement disagrees on', async () => {
    const info = await simInfo();
    const got = await run({ checks: ['MDS-GETINFO-001'], mds: await mds({ info: { ...info, versions: ['FIDO_2_0'], transports: ['nfc'] } }) });
    expect(got['MDS-GETINFO-001']!.replace(/^warn: /, '').split('; ').map((d) => (JSON.parse(d) as { member: string }).member)).toEqual(['versions', 'transports']);
  });

  it('should judge the attestation of a key whose credential public key is not canonical CBOR (the checks do not stop at decoding)', async () => {
    // {1: 2, 3: -7, …} written {3: -7, 1: 2, …}: same length, keys out of order (CTAP 2.1 §8)
    const swapped = authData((d) => {
      const i = d.findIndex((_, k) => [0xa5, 0x01, 0x02, 0x03, 0x26].every((b, j) => d[k + j] === b));
      d.set([0xa5, 0x03, 0x26, 0x01, 0x02], i);
    });
    let ctx: SuiteContext | undefined;
    const got = await run({ fault: swapped, context: (c) => void (ctx = c) });
    expect(got).toEqual({
      ...ATTESTATION_PASSES,
      // authenticatorData changed after it was signed
      'ATT-PACKED-001': 'fail: attestation signature does not verify: packed signature (ES256) does not verify with the x5c leaf',
      'MDS-ENTRY-001': 'skip: no MDS given (--mds)',
      'MDS-CHAIN-001': 'skip: no MDS given (--mds)',
      'MDS-STATUS-001': 'skip: no MDS given (--mds)',
      'MDS-GETINFO-001': 'skip: no MDS given (--mds)',
    });
    expect(ctx!.artifacts.attestationObject!.authData.attestedCredentialData!.credentialPublicKey.get(3)).toBe(-7);
  });
});
