import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateMicrosoft, type CompatInput, type MdsUsed } from '../../harness/compat/index.ts';
import type { MetadataBlobPayloadEntry } from '../../mds/MdsTypes.ts';
import type { StatusEvaluation } from '../../mds/evaluateStatus.ts';
import type { AuthenticatorInfo } from '../../harness/protocol/index.ts';
import { simRegistration, type SimRegistration } from './compatFixtures.ts';

/**
 * What the Microsoft requirements learn from the MDS entry (MDS3 metadata statement: protocolFamily,
 * userVerificationDetails, attestationTypes, description; status reports), each point from an entry that
 * differs in that one member from the simulator's, looked up for the simulator's verified registration.
 */
let clean: SimRegistration;
let entry: MetadataBlobPayloadEntry;
beforeAll(async () => {
  clean = await simRegistration();
  entry = clean.attestation.mdsEntry!;
});

/** an MDS whose only entry is `change` applied to the simulator's (a lookup, as MdsStore gives it) */
const mdsWith = (change: (e: MetadataBlobPayloadEntry) => MetadataBlobPayloadEntry, no?: number): MdsUsed => {
  const e = change(entry);
  return { store: { byAaguid: (a) => (a === clean.aaguid ? e : undefined), ...(no !== undefined ? { no } : {}) }, testMaterial: true };
};
const statementWith = (change: Record<string, unknown>) => mdsWith((e) => ({ ...e, metadataStatement: { ...e.metadataStatement!, ...change } as MetadataBlobPayloadEntry['metadataStatement'] }));
const judge = (input: CompatInput, id: string) => {
  const r = evaluateMicrosoft(input).requirements.find((x) => x.id === id)!;
  return { status: r.status, evidence: r.evidence };
};
const withMds = (mds: MdsUsed): CompatInput => ({ ...clean.input, mds });
const withInfo = (change: Partial<AuthenticatorInfo>): CompatInput => ({ ...clean.input, info: { ...clean.info, ...change } });
const withAttestation = (change: Record<string, unknown>): CompatInput => ({ ...clean.input, attestation: { ...clean.attestation, ...change } as CompatInput['attestation'] });

describe('MS-FIDO2 from the MDS entry', () => {
  it('fails a protocolFamily other than fido2, or none, naming it', () => {
    expect(judge(withMds(statementWith({ protocolFamily: 'u2f' })), 'MS-FIDO2')).toEqual({ status: 'fail', evidence: expect.arrayContaining(['fail: MDS protocolFamily "u2f", not "fido2"']) });
    expect(judge(withMds(mdsWith(({ metadataStatement: _m, ...e }) => e)), 'MS-FIDO2').evidence).toContain('fail: MDS protocolFamily undefined, not "fido2"');
  });

  it('names only the FIDO 2 versions getInfo lists', () => {
    expect(judge(withInfo({ versions: ['U2F_V2', 'FIDO_2_1', 'FIDO_2_1_PRE'] }), 'MS-FIDO2').evidence[0]).toBe('pass: getInfo versions include FIDO_2_1, FIDO_2_1_PRE');
  });
});

describe('MS-UV from the MDS entry', () => {
  const methods = (...sets: string[][]) => statementWith({ userVerificationDetails: sets.map((s) => s.map((userVerificationMethod) => ({ userVerificationMethod }))) });

  it('passes a passcode or biometric method, each named once', () => {
    const r = judge(withMds(methods(['presence_internal'], ['fingerprint_internal', 'passcode_external'], ['fingerprint_internal'])), 'MS-UV');
    expect(r.status).toBe('pass');
    expect(r.evidence).toContain('pass: MDS userVerificationDetails: fingerprint_internal, passcode_external');
  });

  it('fails presence-only or no method, listing what is there', () => {
    expect(judge(withMds(methods(['presence_internal', 'none'])), 'MS-UV')).toEqual({ status: 'fail', evidence: expect.arrayContaining(['fail: MDS userVerificationDetails have no passcode or biometric method (presence_internal, none)']) });
    expect(judge(withMds(statementWith({ userVerificationDetails: undefined })), 'MS-UV').evidence).toContain('fail: MDS userVerificationDetails have no passcode or biometric method (none)');
    // the method name must start with the modality
    expect(judge(withMds(methods(['xpasscode_internal', 'fingerprintinternal'])), 'MS-UV').status).toBe('fail');
  });

  it('shows the getInfo options it found and the built-in modality as information', () => {
    const r = judge(withInfo({ options: { rk: true, clientPin: true, uv: false }, uvModality: 0x02 }), 'MS-UV');
    expect(r.evidence.slice(0, 2)).toEqual(['pass: getInfo options: clientPin=true, uv=false', 'built-in user verification: fingerprint_internal (uvModality 0x00000002)']);
    const { uvModality: _u, ...noModality } = clean.info;
    expect(judge({ ...clean.input, info: noModality }, 'MS-UV').evidence.join('\n')).not.toContain('built-in user verification');
  });
});

describe('MS-CERTIFIED from the status', () => {
  it('shows each status finding with its severity (information bare) and names a missing level', () => {
    const report = { status: 'X', effectiveDate: '2024-01-01' };
    const status: StatusEvaluation = {
      verdict: 'warn',
      certified: false,
      findings: [
        { status: 'UPDATE_AVAILABLE', severity: 'warn', message: 'update available', report },
        { status: 'SELF_ASSERTION_SUBMITTED', severity: 'info', message: 'self-asserted', report },
        { status: 'REVOKED', severity: 'fail', message: 'revoked', report },
      ],
      history: [],
    };
    const r = judge(withAttestation({ status }), 'MS-CERTIFIED');
    expect(r).toEqual({ status: 'fail', evidence: ['fail: not FIDO certified (latest certification status: none)', 'warn: MDS update available', 'MDS self-asserted', 'fail: MDS revoked', 'pass: MDS-STATUS-001 pass'] });
    const warned = judge(withAttestation({ status: { ...status, certified: true, certificationLevel: 'FIDO_CERTIFIED_L2', findings: [status.findings[0]!] } }), 'MS-CERTIFIED');
    expect(warned).toEqual({ status: 'warn', evidence: ['pass: certification status FIDO_CERTIFIED_L2', 'warn: MDS update available', 'pass: MDS-STATUS-001 pass'] });
  });
});

describe('MS-MDS-LISTED', () => {
  it('names the BLOB serial when it has one', () => {
    const nowhere = (no?: number): MdsUsed => ({ store: { byAaguid: () => undefined, ...(no !== undefined ? { no } : {}) }, testMaterial: true });
    expect(judge(withMds(nowhere(7)), 'MS-MDS-LISTED').evidence).toContain(
      `fail: AAGUID ${clean.aaguid} is not in the MDS BLOB consulted (serial 7); Microsoft ingests MDS monthly, so a new listing can take up to 4 weeks to reach it`,
    );
    expect(judge(withMds(nowhere()), 'MS-MDS-LISTED').evidence).toContain(
      `fail: AAGUID ${clean.aaguid} is not in the MDS BLOB consulted; Microsoft ingests MDS monthly, so a new listing can take up to 4 weeks to reach it`,
    );
  });

  it('an AAGUID that cannot be vouched for is a skip, not a fail, unless a chain contradicts the listing', () => {
    // self attestation has no chain: it cannot vouch, nor contradict
    const self = judge(withAttestation({ attestationType: 'self', chainValid: false, trustPath: [], chainPath: [] }), 'MS-MDS-LISTED');
    expect(self.status).toBe('skip');
    expect(self.evidence).toContain("skip: AAGUID not verified (self attestation: the AAGUID is the key's own claim): its MDS entry may belong to another model");
    // a chain to the entry's roots whose certificate names another AAGUID: not verified, but not contradicted either
    const mismatch = judge(withAttestation({ problems: [{ code: 'ATT_AAGUID_MISMATCH', severity: 'warn', message: 'x' }] }), 'MS-MDS-LISTED');
    expect(mismatch.status).toBe('skip');
    expect(mismatch.evidence.join('\n')).toContain("skip: AAGUID not verified (the certificate's AAGUID extension differs from authData)");
    // a chain that ends elsewhere contradicts it
    expect(judge(withAttestation({ chainValid: true, rootSource: 'given' }), 'MS-MDS-LISTED').status).toBe('fail');
  });

  it('says so when the AAGUID is unknown, and when the listed entry has no description', () => {
    expect(judge({ mds: clean.input.mds! }, 'MS-MDS-LISTED').evidence).toEqual(['skip: AAGUID unknown (no getInfo, no registration)']);
    expect(judge(withMds(statementWith({ description: undefined })), 'MS-MDS-LISTED').evidence).toContain('pass: listed in MDS as "(no description)"');
    expect(judge(withMds(mdsWith(({ metadataStatement: _m, ...e }) => e)), 'MS-MDS-LISTED').evidence).toContain('pass: listed in MDS as "(no description)"');
  });
});

describe('MS-ATTESTATION and MS-AAGUID', () => {
  it('shows the MDS attestationTypes, all of them, and nothing when the entry has none', () => {
    expect(judge(withMds(statementWith({ attestationTypes: ['basic_full', 'attca'] })), 'MS-ATTESTATION').evidence).toContain('MDS attestationTypes: basic_full, attca');
    expect(judge(withMds(statementWith({ attestationTypes: undefined })), 'MS-ATTESTATION').evidence.join('\n')).not.toContain('attestationTypes');
    expect(judge(withMds(mdsWith(({ metadataStatement: _m, ...e }) => e)), 'MS-ATTESTATION').evidence.join('\n')).not.toContain('attestationTypes');
  });

  it('fails an all-zero attested AAGUID', () => {
    const zero = '00000000-0000-0000-0000-000000000000';
    const r = judge(withAttestation({ aaguid: zero }), 'MS-AAGUID');
    expect(r.status).toBe('fail');
    expect(r.evidence).toEqual([`pass: getInfo AAGUID ${clean.aaguid} is non-zero`, 'fail: attested AAGUID is all zeros', 'the same AAGUID on every unit of a model cannot be judged from one unit', 'pass: INFO-AAGUID-001 pass']);
  });
});
