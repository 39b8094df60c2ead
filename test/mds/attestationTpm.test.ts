import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyAttestation, type AttestationResult, type RegistrationResponseJSON } from '../../mds/attestation/verifyAttestation.ts';
import { X509Certificate } from '@peculiar/x509';
import { generateTestKeyPair, type TestCertifiedKey } from '../../mds/testCertificates.ts';
import { CLIENT_DATA_HASH, derOctets, derOidBytes, derSeq, derSet, es256, oldVersionCertificate, ORIGIN, p256Credential, rsaCredential, RP_ID, testRoot, tlv, toBeSigned, type CraftedCredential } from './craftAttestation.ts';
import { aikCertificate, certInfo, OID_TPM, pubArea, TPM_ALG, TPM_SAN_ATTRIBUTES, tpmRegistration, tpmSan, type AikOptions } from './tpmAttestation.ts';
import { buildAttestationObject } from '../../harness/protocol/index.ts';

// WebAuthn L3 §8.3 (TPM attestation): each crafted statement below breaks one step of the verification
// procedure or one §8.3.1 AIK certificate requirement; the honest ones are trusted.
const AAGUID = '08987058-cadc-4b81-b6e1-30de50dcbe96';
const at = new Date('2026-06-01T00:00:00Z');

let root: TestCertifiedKey;
let aik: TestCertifiedKey;
let ec: CraftedCredential;
let rsa: CraftedCredential;

beforeAll(async () => {
  root = await testRoot();
  aik = await aikCertificate(root, AAGUID);
  ec = await p256Credential();
  rsa = rsaCredential();
});

const verify = (json: RegistrationResponseJSON) => verifyAttestation(json, { at, roots: [root.cert], rpId: RP_ID, expectedOrigin: ORIGIN });
const fails = (r: AttestationResult) => r.problems.map((p) => `${p.severity} ${p.code}: ${p.message}`);

describe('tpm: honest statements are trusted', () => {
  it('an ECC P-256 credential key, ES256 AIK', async () => {
    const r = await verify(tpmRegistration(ec, aik, AAGUID).json);
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ format: 'tpm', attestationType: 'attca', signatureValid: true, chainValid: true, trusted: true, rootSource: 'given' });
  });

  it('an RSA credential key with the default exponent written as 0 and as 65537 (TPM 2.0 Part 2 §12.2.3.5)', async () => {
    for (const exponent of [0, 65537]) {
      const r = await verify(tpmRegistration(rsa, aik, AAGUID, { pubArea: pubArea(rsa, { exponent }) }).json);
      expect(fails(r)).toEqual([]);
      expect(r.trusted).toBe(true);
    }
  });

  it('a name computed with SHA-1 when pubArea.nameAlg is SHA-1', async () => {
    const r = await verify(tpmRegistration(ec, aik, AAGUID, { pubArea: pubArea(ec, { nameAlg: TPM_ALG.SHA1 }) }).json);
    expect(fails(r)).toEqual([]);
  });
});

describe('tpm: crafted statements are refused with the step they break', () => {
  const expectOnly = (r: AttestationResult, code: string, text: string) => {
    expect(r.problems.map((p) => p.code)).toEqual([code]);
    expect(r.problems[0]!.severity).toBe('fail');
    expect(r.problems[0]!.message).toContain(text);
    expect(r.trusted).toBe(false);
  };

  it.each([
    ['ver 1.0', { ver: '1.0' }],
    ['no sig', { omit: 'sig' }],
    ['no certInfo', { omit: 'certInfo' }],
    ['no pubArea', { omit: 'pubArea' }],
    ['no x5c (ECDAA)', { omit: 'x5c' }],
  ] as const)('%s → ATT_MALFORMED', async (_n, o) => {
    const r = await verify(tpmRegistration(ec, aik, AAGUID, o).json);
    expect(r.problems.map((p) => p.code)).toEqual(['ATT_MALFORMED']);
    expect(r.problems[0]!.message).toContain('tpm attStmt needs ver "2.0"');
    expect(r.problems[0]!.severity).toBe('fail');
    expect(r).toMatchObject({ signatureValid: false, attestationType: 'attca' });
  });

  it('alg given as text → ATT_MALFORMED', async () => {
    const r = await verify(tpmRegistration(ec, aik, AAGUID, { alg: '-7' as never }).json);
    expect(r.problems.map((p) => p.code)).toEqual(['ATT_MALFORMED']);
  });

  it.each([
    ['an unknown alg', 12345],
    ['EdDSA (no hash for extraData)', -8],
  ])('%s → ATT_ALG_UNSUPPORTED', async (_n, alg) => {
    const r = await verify(tpmRegistration(ec, aik, AAGUID, { alg }).json);
    expect(r.problems.map((p) => p.code)).toEqual(['ATT_ALG_UNSUPPORTED']);
    expect(r.problems[0]!.message).toBe(`tpm alg ${alg} is not supported`);
    expect(r.problems[0]!.severity).toBe('fail');
    expect(r).toMatchObject({ signatureValid: false, attestationType: 'attca', trustPath: [expect.anything()] });
  });

  it('pubArea holding another EC key (x, then y) → ATT_PUBKEY_MISMATCH (§8.3 step 2)', async () => {
    const other = await p256Credential();
    const otherArea = pubArea(other);
    const ox = otherArea.subarray(otherArea.length - 68, otherArea.length - 36);
    const oy = otherArea.subarray(otherArea.length - 32);
    for (const area of [pubArea(ec, { unique: ox }), pubArea(ec, { y: oy }), pubArea(ec, { curveId: 0x0004 })]) {
      expectOnly(await verify(tpmRegistration(ec, aik, AAGUID, { pubArea: area }).json), 'ATT_PUBKEY_MISMATCH', 'pubArea ECC key (curve, x, y) differs from the credential public key (§8.3 step 2)');
    }
  });

  it('pubArea holding another RSA modulus or exponent → ATT_PUBKEY_MISMATCH (§8.3 step 2)', async () => {
    const n = new Uint8Array(Buffer.from(rsa.publicKey.export({ format: 'jwk' }).n!, 'base64url'));
    n[10] = n[10]! ^ 1;
    for (const area of [pubArea(rsa, { unique: n }), pubArea(rsa, { exponent: 3 })]) {
      expectOnly(await verify(tpmRegistration(rsa, aik, AAGUID, { pubArea: area }).json), 'ATT_PUBKEY_MISMATCH', 'pubArea RSA key (unique, exponent) differs from the credential public key (§8.3 step 2)');
    }
  });

  it('a credential key without its modulus, exponent or coordinates as bytes → ATT_PUBKEY_MISMATCH', async () => {
    const without = (c: CraftedCredential, label: number, value?: unknown) => {
      const cose = new Map(c.cose);
      if (value === undefined) cose.delete(label);
      else cose.set(label, value);
      return { ...c, cose };
    };
    for (const [c, area] of [
      [without(rsa, -1), pubArea(rsa)],
      [without(rsa, -2, 'AQAB'), pubArea(rsa)],
      [without(ec, -2), pubArea(ec)],
      [without(ec, -3, 'y'), pubArea(ec)],
    ] as const) {
      const r = await verify(tpmRegistration(c, aik, AAGUID, { pubArea: area }).json);
      expect(r.problems.map((p) => p.code)).toEqual(['ATT_PUBKEY_MISMATCH']);
    }
  });

  it('an RSA pubArea for an EC credential, and an ECC pubArea for an RSA credential → ATT_PUBKEY_MISMATCH', async () => {
    expectOnly(await verify(tpmRegistration(ec, aik, AAGUID, { pubArea: pubArea(rsa) }).json), 'ATT_PUBKEY_MISMATCH', 'RSA key');
    expectOnly(await verify(tpmRegistration(rsa, aik, AAGUID, { pubArea: pubArea(ec) }).json), 'ATT_PUBKEY_MISMATCH', 'ECC key');
  });

  it('certInfo with the wrong magic or type → ATT_TPM_STRUCTURE (§8.3 step 4)', async () => {
    const reg = tpmRegistration(ec, aik, AAGUID);
    const badMagic = certInfo(reg.pubArea, reg.authData, { magic: 0xff544348 });
    expectOnly(await verify(tpmRegistration(ec, aik, AAGUID, { certInfo: badMagic }).json), 'ATT_TPM_STRUCTURE', 'certInfo magic is not TPM_GENERATED_VALUE');
    const quote = certInfo(reg.pubArea, reg.authData, { type: 0x8018 }); // TPM_ST_ATTEST_QUOTE
    expectOnly(await verify(tpmRegistration(ec, aik, AAGUID, { certInfo: quote }).json), 'ATT_TPM_STRUCTURE', 'certInfo type is not TPM_ST_ATTEST_CERTIFY');
  });

  it("certInfo.extraData not the alg's hash of authData || clientDataHash → ATT_NONCE_MISMATCH (§8.3 step 4)", async () => {
    const reg = tpmRegistration(ec, aik, AAGUID);
    const sha1 = createHash('sha1').update(toBeSigned(reg.authData)).digest();
    const r = await verify(tpmRegistration(ec, aik, AAGUID, { certInfo: certInfo(reg.pubArea, reg.authData, { extraData: sha1 }) }).json);
    expectOnly(r, 'ATT_NONCE_MISMATCH', 'certInfo.extraData is not sha256(authData || clientDataHash) (§8.3 step 4)');
  });

  it('certInfo.attested.name of another pubArea, of an unknown nameAlg, or of another nameAlg → ATT_TPM_STRUCTURE (§8.3 step 4)', async () => {
    const reg = tpmRegistration(ec, aik, AAGUID);
    const other = pubArea(await p256Credential());
    const sha1Name = Buffer.concat([Uint8Array.of(0, TPM_ALG.SHA1), createHash('sha1').update(reg.pubArea).digest()]);
    const unknownAlg = Buffer.concat([Uint8Array.of(0, 0x77), createHash('sha256').update(reg.pubArea).digest()]);
    for (const info of [certInfo(other, reg.authData), certInfo(reg.pubArea, reg.authData, { name: sha1Name }), certInfo(reg.pubArea, reg.authData, { name: unknownAlg })]) {
      expectOnly(await verify(tpmRegistration(ec, aik, AAGUID, { certInfo: info }).json), 'ATT_TPM_STRUCTURE', 'certInfo.attested.name is not the name of pubArea (§8.3 step 4)');
    }
  });

  it('trailing or missing bytes in certInfo or pubArea → ATT_TPM_STRUCTURE naming the structure', async () => {
    const reg = tpmRegistration(ec, aik, AAGUID);
    const trailing = certInfo(reg.pubArea, reg.authData, { trailing: Uint8Array.of(0) });
    expectOnly(await verify(tpmRegistration(ec, aik, AAGUID, { certInfo: trailing }).json), 'ATT_TPM_STRUCTURE', 'TPM structures: certInfo has 1 trailing byte(s)');
    const full = certInfo(reg.pubArea, reg.authData);
    expectOnly(await verify(tpmRegistration(ec, aik, AAGUID, { certInfo: full.subarray(0, full.length - 1) }).json), 'ATT_TPM_STRUCTURE', `TPM structures: certInfo truncated at byte ${full.length - 2}`);
    const areaTrailing = pubArea(ec, { trailing: Uint8Array.of(0, 0) });
    const r = await verify(tpmRegistration(ec, aik, AAGUID, { pubArea: areaTrailing, certInfo: certInfo(areaTrailing, reg.authData) }).json);
    expectOnly(r, 'ATT_TPM_STRUCTURE', 'TPM structures: pubArea has 2 trailing byte(s)');
    const rsaTrailing = pubArea(rsa, { trailing: Uint8Array.of(0) });
    const rsaReg = tpmRegistration(rsa, aik, AAGUID);
    expectOnly(await verify(tpmRegistration(rsa, aik, AAGUID, { pubArea: rsaTrailing, certInfo: certInfo(rsaTrailing, rsaReg.authData) }).json), 'ATT_TPM_STRUCTURE', 'pubArea has 1 trailing byte(s)');
  });

  it('a pubArea of neither RSA nor ECC type → ATT_TPM_STRUCTURE', async () => {
    const area = pubArea(ec, { type: 0x0008 }); // TPM_ALG_KEYEDHASH
    const reg = tpmRegistration(ec, aik, AAGUID, { pubArea: area });
    expectOnly(await verify(reg.json), 'ATT_TPM_STRUCTURE', 'pubArea type 0x8 is neither TPM_ALG_RSA nor TPM_ALG_ECC');
  });

  it('a signature over certInfo by another key → ATT_SIGNATURE_INVALID (§8.3 step 5)', async () => {
    const reg = tpmRegistration(ec, aik, AAGUID);
    const forged = es256(ec.privateKey, certInfo(reg.pubArea, reg.authData));
    const r = await verify(tpmRegistration(ec, aik, AAGUID, { sig: forged }).json);
    expectOnly(r, 'ATT_SIGNATURE_INVALID', 'tpm signature (ES256) over certInfo does not verify with the AIK certificate (§8.3 step 5)');
    expect(r.signatureValid).toBe(false);
  });

  it('without clientDataHash the extraData cannot be checked: ATT_NO_CLIENT_DATA, signature not valid', async () => {
    const reg = tpmRegistration(ec, aik, AAGUID);
    const ao = new Uint8Array(Buffer.from(reg.json.response.attestationObject, 'base64url'));
    const r = await verifyAttestation(ao, { at, roots: [root.cert] });
    expect(r.problems.map((p) => p.code)).toEqual(['ATT_NO_CLIENT_DATA']);
    expect(r).toMatchObject({ signatureValid: false, trusted: false });
    const withHash = await verifyAttestation(ao, { at, roots: [root.cert], clientDataHash: CLIENT_DATA_HASH });
    expect(withHash.trusted).toBe(true);
  });

  it('an authData without attested credential data → not trusted, the key cannot be compared', async () => {
    const reg = tpmRegistration(ec, aik, AAGUID);
    const noAcd = reg.authData.subarray(0, 37).slice();
    noAcd[32] = 0x05; // UP | UV, AT clear
    const stmt = new Map<string, unknown>([
      ['ver', '2.0'],
      ['alg', -7],
      ['x5c', [new Uint8Array(aik.cert.rawData)]],
      ['sig', es256(aik, certInfo(reg.pubArea, noAcd))],
      ['certInfo', certInfo(reg.pubArea, noAcd)],
      ['pubArea', reg.pubArea],
    ]);
    const r = await verifyAttestation(buildAttestationObject('tpm', noAcd, stmt as never), { at, roots: [root.cert], clientDataHash: CLIENT_DATA_HASH });
    expect(r.problems.map((p) => p.code)).toContain('ATT_TPM_STRUCTURE');
    expect(r.problems.find((p) => p.code === 'ATT_TPM_STRUCTURE')!.message).toBe('no credential public key in authData');
    expect(r.signatureValid).toBe(false);
  });
});

describe('tpm: AIK certificate requirements (WebAuthn L3 §8.3.1)', () => {
  const aikProblems = async (o: AikOptions) => {
    const cert = await aikCertificate(root, AAGUID, o);
    const r = await verify(tpmRegistration(ec, cert, AAGUID).json);
    const problems = r.problems.filter((p) => p.code !== 'ATT_X5C_CHAIN' && !p.code.startsWith('MDS_')).map((p) => `${p.severity} ${p.code}: ${p.message}`);
    expect(r.trusted).toBe(problems.length === 0);
    return problems;
  };

  it('an AIK certificate of X.509 version 1 or 2', async () => {
    const keys = await generateTestKeyPair();
    for (const version of [1, 2] as const) {
      const old = { cert: new X509Certificate(oldVersionCertificate(root, keys, version)), keys, pem: '' };
      const r = await verify(tpmRegistration(ec, old, AAGUID).json);
      expect(r.problems.map((p) => p.message)).toContain('AIK certificate is not X.509 version 3 (§8.3.1)');
      expect(r.trusted).toBe(false);
    }
  });

  it('a subject that is not empty', async () => {
    expect(await aikProblems({ subject: 'CN=TPM AIK' })).toEqual(['fail ATT_CERT_REQUIREMENTS: AIK certificate subject must be empty, is "CN=TPM AIK" (§8.3.1)']);
  });

  it.each([
    ['manufacturer', OID_TPM.manufacturer, 'TPM manufacturer'],
    ['model', OID_TPM.model, 'TPM model'],
    ['version', OID_TPM.version, 'TPM version'],
  ])('a subjectAltName without the TPM %s', async (_n, oid, name) => {
    const san = tpmSan(TPM_SAN_ATTRIBUTES.filter(([o]) => o !== oid));
    expect(await aikProblems({ san })).toEqual([`fail ATT_CERT_REQUIREMENTS: AIK certificate subjectAltName lacks the ${name} (${oid}) (§8.3.1)`]);
  });

  it('no subjectAltName, or one that is not DER, lacks all three attributes', async () => {
    for (const san of [null, Uint8Array.of(0x30, 0x05, 0xa4)]) {
      expect((await aikProblems({ san })).map((p) => p.slice(0, 68))).toEqual(Array(3).fill('fail ATT_CERT_REQUIREMENTS: AIK certificate subjectAltName lacks the'));
    }
  });

  it('the TCG OIDs elsewhere than as directoryName attribute types do not count', async () => {
    // an otherName [0] whose type-id is the manufacturer OID and whose value holds the model and version OIDs
    const otherName = derSeq(tlv(0xa0, derOidBytes(OID_TPM.manufacturer), tlv(0xa0, derSeq(derOidBytes(OID_TPM.model), derOidBytes(OID_TPM.version)))));
    expect(await aikProblems({ san: otherName })).toHaveLength(3);
    // a directoryName whose attribute values are the OIDs, under another attribute type
    const asValues = derSeq(tlv(0xa4, derSeq(derSet(derSeq(derOidBytes('2.5.4.3'), derOidBytes(OID_TPM.manufacturer))))));
    expect(await aikProblems({ san: asValues })).toHaveLength(3);
    // the manufacturer OID's bytes under a context tag [6] instead of OBJECT IDENTIFIER
    const attributes = TPM_SAN_ATTRIBUTES.map(([oid, value], i) => derSet(derSeq(i === 0 ? tlv(0x86, derOidBytes(oid).subarray(2)) : derOidBytes(oid), tlv(0x0c, Buffer.from(value)))));
    expect(await aikProblems({ san: derSeq(tlv(0xa4, derSeq(...attributes))) })).toEqual([
      `fail ATT_CERT_REQUIREMENTS: AIK certificate subjectAltName lacks the TPM manufacturer (${OID_TPM.manufacturer}) (§8.3.1)`,
    ]);
  });

  it('only directoryName [4] entries are read: the same Name under [3] or a universal tag 4 does not count', async () => {
    const name = derSeq(...TPM_SAN_ATTRIBUTES.map(([oid, value]) => derSet(derSeq(derOidBytes(oid), tlv(0x0c, Buffer.from(value))))));
    for (const tag of [0xa3, 0x24]) expect(await aikProblems({ san: derSeq(tlv(tag, name)) })).toHaveLength(3);
  });

  it('an empty attribute before the TCG ones does not hide them; an attribute type that is no OBJECT IDENTIFIER does not count', async () => {
    const attribute = ([oid, value]: [string, string]) => derSeq(derOidBytes(oid), tlv(0x0c, Buffer.from(value)));
    const emptyFirst = derSeq(tlv(0xa4, derSeq(derSet(derSeq(), ...TPM_SAN_ATTRIBUTES.map(attribute)))));
    expect(await aikProblems({ san: emptyFirst })).toEqual([]);
    const printable = TPM_SAN_ATTRIBUTES.map(([oid, value], i) => derSet(derSeq(i === 1 ? tlv(0x13, derOidBytes(oid).subarray(2)) : derOidBytes(oid), tlv(0x0c, Buffer.from(value)))));
    expect(await aikProblems({ san: derSeq(tlv(0xa4, derSeq(...printable))) })).toEqual([
      `fail ATT_CERT_REQUIREMENTS: AIK certificate subjectAltName lacks the TPM model (${OID_TPM.model}) (§8.3.1)`,
    ]);
  });

  it('an Extended Key Usage without tcg-kp-AIKCertificate, or none', async () => {
    const msg = 'fail ATT_CERT_REQUIREMENTS: AIK certificate Extended Key Usage lacks tcg-kp-AIKCertificate 2.23.133.8.3 (§8.3.1)';
    expect(await aikProblems({ eku: ['1.3.6.1.5.5.7.3.2'] })).toEqual([msg]);
    expect(await aikProblems({ eku: null })).toEqual([msg]);
  });

  it('Basic Constraints with CA true, or absent', async () => {
    const msg = 'fail ATT_CERT_REQUIREMENTS: AIK certificate Basic Constraints must be present with CA false (§8.3.1)';
    expect(await aikProblems({ ca: true })).toEqual([msg]);
    expect(await aikProblems({ omitBasicConstraints: true })).toEqual([msg]);
  });

  it('an AAGUID extension naming another AAGUID, marked critical, or malformed', async () => {
    expect(await aikProblems({ aaguid: '99999999-9999-4999-8999-999999999999' })).toEqual(['fail ATT_AAGUID_MISMATCH: AIK certificate AAGUID extension differs from authData AAGUID (§8.3 step 2)']);
    const critical = await aikProblems({ aaguidCritical: true });
    expect(critical).toContain('fail ATT_AAGUID_MISMATCH: AIK certificate AAGUID extension is critical (§8.3.1)');
    expect(await aikProblems({ aaguidValue: derOctets(new Uint8Array(15)) })).toEqual([
      'fail ATT_AAGUID_MISMATCH: AIK AAGUID extension malformed: AAGUID extension is not an OCTET STRING of 16 bytes',
    ]);
  });
});
