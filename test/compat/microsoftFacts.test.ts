import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateMicrosoft, microsoftInformation, TEST_MDS_NOTE, type CompatInput } from '../../harness/compat/index.ts';
import type { AuthenticatorInfo } from '../../harness/protocol/index.ts';
import { simRegistration, testMds, type SimRegistration } from './compatFixtures.ts';

/**
 * Each Microsoft requirement's own facts (getInfo, attestation, MDS), one input change at a time from the
 * clean simulator's registration: the status AND the evidence line that says why, so a requirement that
 * reads the wrong member, compares a value with itself or drops a fact fails here.
 */
let clean: SimRegistration;
beforeAll(async () => {
  clean = await simRegistration();
});

const judge = (input: CompatInput, id: string) => {
  const r = evaluateMicrosoft(input).requirements.find((x) => x.id === id)!;
  return { status: r.status, evidence: r.evidence };
};
const withInfo = (change: Partial<AuthenticatorInfo>): CompatInput => ({ ...clean.input, info: { ...clean.info, ...change } });
const withAttestation = (change: Record<string, unknown>): CompatInput => ({ ...clean.input, attestation: { ...clean.attestation, ...change } as CompatInput['attestation'] });

describe('Microsoft requirements: getInfo facts', () => {
  it('MS-FIDO2 passes on FIDO_2_0 alone and fails on a U2F-only version list', () => {
    expect(judge(withInfo({ versions: ['FIDO_2_0'] }), 'MS-FIDO2')).toEqual({ status: 'pass', evidence: expect.arrayContaining(['pass: getInfo versions include FIDO_2_0', 'pass: MDS protocolFamily "fido2"']) });
    const u2f = judge(withInfo({ versions: ['U2F_V2'] }), 'MS-FIDO2');
    expect(u2f.status).toBe('fail');
    expect(u2f.evidence).toContain('fail: getInfo versions ["U2F_V2"] have no FIDO_2_x');
  });

  it('MS-UV needs clientPin or uv in getInfo options (either value: the option is the capability)', () => {
    const none = judge(withInfo({ options: { rk: true } }), 'MS-UV');
    expect(none.status).toBe('fail');
    expect(none.evidence).toContain('fail: getInfo options have neither clientPin nor uv');
    const uvOnly = judge(withInfo({ options: { rk: true, uv: false } }), 'MS-UV');
    expect(uvOnly.evidence).toContain('pass: getInfo options: uv=false');
    expect(uvOnly.status).toBe('pass');
  });

  it('MS-RK fails unless options.rk is true, naming the value found', () => {
    expect(judge(withInfo({ options: { ...clean.info.options, rk: false } }), 'MS-RK')).toEqual({ status: 'fail', evidence: expect.arrayContaining(['fail: getInfo options.rk false (must be true)']) });
    const { rk: _rk, ...noRk } = clean.info.options ?? {};
    expect(judge(withInfo({ options: noRk }), 'MS-RK').evidence).toContain('fail: getInfo options.rk absent (must be true)');
    expect(judge(clean.input, 'MS-RK').evidence).toContain('pass: getInfo options.rk true');
  });

  it('MS-HMAC fails when getInfo does not list hmac-secret', () => {
    const r = judge(withInfo({ extensions: ['credProtect'] }), 'MS-HMAC');
    expect(r.status).toBe('fail');
    expect(r.evidence).toContain('fail: getInfo extensions ["credProtect"] lack hmac-secret');
    expect(judge(clean.input, 'MS-HMAC').evidence).toContain('pass: getInfo extensions include hmac-secret');
  });

  it('MS-AAGUID fails on an all-zero or malformed getInfo AAGUID, and always says one unit cannot show model-wide sameness', () => {
    const zero = judge(withInfo({ aaguid: new Uint8Array(16) }), 'MS-AAGUID');
    expect(zero.status).toBe('fail');
    expect(zero.evidence).toContain('fail: getInfo AAGUID is all zeros');
    expect(judge(withInfo({ aaguid: new Uint8Array(15).fill(1) }), 'MS-AAGUID').evidence).toContain('fail: getInfo aaguid is not 16 bytes');
    const ok = judge(clean.input, 'MS-AAGUID');
    expect(ok.status).toBe('pass');
    expect(ok.evidence).toEqual(expect.arrayContaining([`pass: getInfo AAGUID ${clean.aaguid} is non-zero`, `pass: attested AAGUID ${clean.aaguid} is non-zero`, 'the same AAGUID on every unit of a model cannot be judged from one unit']));
  });
});

describe('Microsoft requirements: attestation and MDS facts', () => {
  it('MS-MDS-LISTED compares the getInfo AAGUID with the attested one (not with itself)', () => {
    const other = Uint8Array.from(clean.info.aaguid, (b) => b ^ 0xff);
    const r = judge(withInfo({ aaguid: other }), 'MS-MDS-LISTED');
    expect(r.status).toBe('fail');
    expect(r.evidence.join('\n')).toMatch(/getInfo AAGUID [0-9a-f-]+ differs from the attested AAGUID be7c888f/);
    const ok = judge(clean.input, 'MS-MDS-LISTED');
    expect(ok.evidence.slice(0, 2)).toEqual([`pass: getInfo AAGUID equals the attested AAGUID ${clean.aaguid}`, 'pass: listed in MDS as "fido-harness simulator"']);
  });

  it('MS-MDS-LISTED skips without an MDS and fails on the all-zero AAGUID', () => {
    const { mds: _m, ...noMds } = clean.input;
    expect(judge(noMds, 'MS-MDS-LISTED')).toEqual({ status: 'skip', evidence: expect.arrayContaining(['skip: no MDS BLOB was consulted']) });
    const zero = judge({ ...withAttestation({ aaguid: '00000000-0000-0000-0000-000000000000' }), info: { ...clean.info, aaguid: new Uint8Array(16) } }, 'MS-MDS-LISTED');
    expect(zero.status).toBe('fail');
    expect(zero.evidence).toContain('fail: the all-zero AAGUID names no model and cannot be listed in MDS');
  });

  it('MS-MDS-LISTED fails (not skips) when the attestation chain leads elsewhere than the entry\'s roots', () => {
    const r = judge(withAttestation({ chainValid: false }), 'MS-MDS-LISTED');
    expect(r.status).toBe('fail');
    expect(r.evidence.join('\n')).toContain('the key is not the listed model');
  });

  it('MS-ATTESTATION requires packed: another format with an x5c fails', () => {
    const r = judge(withAttestation({ format: 'fido-u2f', attestationType: 'basic' }), 'MS-ATTESTATION');
    expect(r.status).toBe('fail');
    expect(r.evidence[0]).toBe('fail: attestation format "fido-u2f", packed with x5c required');
    // the chain to the MDS root is judged for packed x5c only: nothing about it is said for another format
    expect(r.evidence.join('\n')).not.toMatch(/chain/);
  });

  it('MS-ATTESTATION fails on packed self attestation and on a clear UP flag', () => {
    const self = judge(withAttestation({ attestationType: 'self' }), 'MS-ATTESTATION').evidence;
    expect(self[0]).toBe('fail: packed self attestation (no x5c): no chain to an MDS root');
    expect(self.join('\n')).not.toMatch(/chain ends|does not end/);
    const noUp = judge(withAttestation({ authData: { ...clean.attestation.authData, up: false } }), 'MS-ATTESTATION');
    expect(noUp.status).toBe('fail');
    expect(noUp.evidence).toContain('fail: authData UP flag clear (WebAuthn L3 §7.1 step 14)');
  });

  it('MS-ATTESTATION passes only when the chain ends in the MDS root, and names where it ends otherwise', () => {
    const ok = judge(clean.input, 'MS-ATTESTATION');
    expect(ok.status).toBe('pass');
    expect(ok.evidence[0]).toBe(`pass: chain ends in the MDS root "${clean.attestation.rootSubject}"`);
    expect(clean.attestation.rootSubject).toMatch(/CN=/);
    expect(ok.evidence).toContain('MDS attestationTypes: basic_full');
    const given = judge(withAttestation({ rootSource: 'given', rootSubject: 'CN=Somebody' }), 'MS-ATTESTATION');
    expect(given.status).toBe('fail');
    expect(given.evidence).toContain('fail: the chain does not end in the MDS entry\'s attestationRootCertificates (it ends in "CN=Somebody", given)');
    const { mds: _m, ...noMds } = withAttestation({ rootSource: 'given' });
    expect(judge(noMds, 'MS-ATTESTATION').evidence).toContain('skip: no MDS BLOB was consulted: the chain to the MDS roots cannot be judged');
    const { attestation: _a, ...noReg } = clean.input;
    expect(judge(noReg, 'MS-ATTESTATION').evidence).toContain('skip: no registration was verified');
  });

  it('MS-ATTESTATION fails when the AAGUID has no MDS entry to take a root from', async () => {
    const mds = await testMds({ aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8' });
    const r = judge({ ...clean.input, attestation: { ...clean.attestation, rootSource: 'given' } as CompatInput['attestation'], mds: mds.used }, 'MS-ATTESTATION');
    expect(r.status).toBe('fail');
    expect(r.evidence).toContain(`fail: AAGUID ${clean.aaguid} has no MDS entry, so no MDS root to chain to`);
  });

  it('MS-ATTESTATION counts the attestation\'s own problems but leaves the MDS status to MS-CERTIFIED', () => {
    const own = judge(withAttestation({ problems: [{ code: 'ATT_SIGNATURE', severity: 'fail', message: 'bad signature' }] }), 'MS-ATTESTATION');
    expect(own.status).toBe('fail');
    expect(own.evidence).toContain('fail: ATT_SIGNATURE: bad signature');
    const status = judge(withAttestation({ problems: [{ code: 'ATT_STATUS', severity: 'fail', message: 'revoked' }] }), 'MS-ATTESTATION');
    expect(status.status).toBe('pass');
    const warned = judge(withAttestation({ problems: [{ code: 'ATT_SIGNATURE', severity: 'warn', message: 'odd' }] }), 'MS-ATTESTATION');
    expect(warned.evidence.join('\n')).not.toContain('odd');
  });

  it('MS-CERTIFIED fails on NOT_FIDO_CERTIFIED and passes on a certified level, naming it', async () => {
    expect(judge(clean.input, 'MS-CERTIFIED').evidence).toContain('pass: certification status FIDO_CERTIFIED_L1');
    const mds = await testMds({ info: clean.info, statusReports: [{ status: 'NOT_FIDO_CERTIFIED', effectiveDate: '2024-01-01' }] });
    const { input } = await simRegistration([], { mds });
    const r = judge(input, 'MS-CERTIFIED');
    expect(r.status).toBe('fail');
    expect(r.evidence).toContain('fail: not FIDO certified (latest certification status: NOT_FIDO_CERTIFIED)');
  });
});

describe('Microsoft verdict and information', () => {
  it('is incomplete when only a skip is left, and not-compatible as soon as one requirement fails', () => {
    const { mds: _m, ...noMds } = clean.input;
    expect(evaluateMicrosoft(noMds).verdict).toBe('incomplete');
    expect(evaluateMicrosoft(withInfo({ extensions: [] })).verdict).toBe('not-compatible');
    expect(evaluateMicrosoft(clean.input).verdict).toBe('compatible');
    expect(evaluateMicrosoft(clean.input).mdsNote).toBe(TEST_MDS_NOTE);
  });

  it('says "nothing could be measured" only where a requirement had nothing but information', () => {
    const { checks: _c, ...noChecks } = clean.input;
    const ev = evaluateMicrosoft(noChecks);
    expect(ev.requirements.find((r) => r.id === 'MS-MULTI-ACCOUNT')?.evidence).toEqual(['skip: nothing could be measured at this entry point']);
    expect(ev.requirements.filter((r) => r.evidence.some((e) => e.includes('nothing could be measured'))).map((r) => r.id)).toEqual(['MS-MULTI-ACCOUNT']);
    // information alone measures nothing either
    const aaguid = evaluateMicrosoft({}).requirements.find((r) => r.id === 'MS-AAGUID')!;
    expect(aaguid.evidence).toEqual(['the same AAGUID on every unit of a model cannot be judged from one unit', 'skip: nothing could be measured at this entry point']);
    expect(aaguid.status).toBe('skip');
  });

  it('MS-ATTESTATION skips while the statement signature was not verified, unless something already fails', () => {
    const unverified = judge(withAttestation({ signatureValid: false }), 'MS-ATTESTATION');
    expect(unverified.status).toBe('skip');
    expect(unverified.evidence).toContain('skip: the attestation signature was not verified (no clientDataJSON or clientDataHash)');
    const failing = judge(withAttestation({ signatureValid: false, format: 'fido-u2f' }), 'MS-ATTESTATION');
    expect(failing.status).toBe('fail');
    expect(failing.evidence.join('\n')).not.toContain('was not verified');
  });

  it('names the built-in user verification method and whether it is set up', () => {
    const uv = (info: Partial<AuthenticatorInfo>) => microsoftInformation({ info: { versions: ['FIDO_2_1'], aaguid: new Uint8Array(16), ...info } }).find((i) => i.id === 'INFO-UV-MODALITY')?.value;
    expect(uv({})).toBe('none (not reported)');
    expect(uv({ options: { uv: false } })).toBe('a method it does not name (no uvModality), not set up yet (uv=false)');
    expect(uv({ options: { uv: true }, uvModality: 2 })).toMatch(/^fingerprint.*, set up \(uv=true\)$/i);
    expect(uv({ uvModality: 2 })).toMatch(/^fingerprint/i);
    expect(uv({ uvModality: 2 })).not.toContain('uv=');
  });

  it('reports what Microsoft does not require as information, from getInfo as it is', () => {
    const info: AuthenticatorInfo = { versions: ['FIDO_2_0', 'FIDO_2_1'], aaguid: new Uint8Array(16).fill(1), extensions: ['credProtect'], options: { credMgmt: true, ep: false }, remainingDiscoverableCredentials: 7, firmwareVersion: 5, transports: ['usb', 'nfc'] };
    expect(microsoftInformation({ info, transport: 'hid' })).toEqual([
      { id: 'INFO-TESTED-OVER', title: 'Tested over', value: 'USB HID' },
      { id: 'INFO-CTAP21', title: 'CTAP 2.1', value: 'yes (versions: FIDO_2_0, FIDO_2_1)' },
      { id: 'INFO-CREDPROTECT', title: 'credProtect extension', value: 'yes' },
      { id: 'INFO-CREDMGMT', title: 'Credential management', value: 'credMgmt=true' },
      { id: 'INFO-EP', title: 'Enterprise attestation', value: 'ep=false' },
      { id: 'INFO-RK-COUNT', title: 'Remaining discoverable credentials', value: '7' },
      { id: 'INFO-FIRMWARE', title: 'Firmware version', value: '5' },
      { id: 'INFO-TRANSPORTS', title: 'Transports', value: 'usb, nfc' },
      { id: 'INFO-UV-MODALITY', title: 'Built-in user verification', value: 'none (not reported)' },
    ]);
    const bio: AuthenticatorInfo = { ...info, uvModality: 0x02, options: { uv: false, bioEnroll: false } };
    expect(microsoftInformation({ info: bio }).find((i) => i.id === 'INFO-UV-MODALITY')?.value).toBe('fingerprint_internal (uvModality 0x00000002), not set up yet (uv=false)');
    const bare: AuthenticatorInfo = { versions: ['FIDO_2_0'], aaguid: new Uint8Array(16).fill(1), options: { credentialMgmtPreview: true } };
    expect(microsoftInformation({ info: bare, transport: 'carrier-pigeon' }).map((i) => i.value)).toEqual(['carrier-pigeon', 'no (versions: FIDO_2_0)', 'no', 'credentialMgmtPreview=true', 'no', 'not reported', 'not reported', 'not reported', 'none (not reported)']);
    expect(microsoftInformation({ info: { ...bare, options: {} } }).find((i) => i.id === 'INFO-CREDMGMT')?.value).toBe('no');
    expect(microsoftInformation({ transport: 'nfc' })).toEqual([{ id: 'INFO-TESTED-OVER', title: 'Tested over', value: 'NFC (PC/SC)' }]);
    expect(microsoftInformation({})).toEqual([]);
  });
});
