import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateMicrosoft, type CompatInput } from '../../harness/compat/index.ts';
import { checkFacts, gatherFacts } from '../../harness/compat/evidence.ts';
import { simRegistration, type SimRegistration } from './compatFixtures.ts';

let clean: SimRegistration;
beforeAll(async () => {
  clean = await simRegistration();
});
const withAttestation = (change: Record<string, unknown>): CompatInput => ({ ...clean.input, attestation: { ...clean.attestation, ...change } as CompatInput['attestation'] });
const evidence = (input: CompatInput, id: string) => evaluateMicrosoft(input).requirements.find((r) => r.id === id)!.evidence;

describe('alternatives that pass together', () => {
  it('each passing alternative keeps its own status; the ones that did not pass are information', () => {
    const f = gatherFacts({ checks: [{ id: 'PIN-TOKEN-001', status: 'pass', message: '' }, { id: 'UV-BUILTIN-001', status: 'warn', message: 'slow' }, { id: 'BIO-UV-001', status: 'skip', message: '' }] });
    expect(checkFacts(f, { needs: [['PIN-TOKEN-001', 'UV-BUILTIN-001', 'BIO-UV-001']] })).toEqual([
      { status: 'pass', text: 'PIN-TOKEN-001 pass' },
      { status: 'warn', text: 'UV-BUILTIN-001 warn: slow' },
      { status: 'info', text: 'BIO-UV-001 skip' },
    ]);
  });
});

describe('MS-ATTESTATION when the chain names no root subject', () => {
  it('says where the chain ends only when it is known', () => {
    expect(evidence(withAttestation({ rootSubject: undefined }), 'MS-ATTESTATION')[0]).toBe('pass: chain ends in the MDS root ""');
    expect(evidence(withAttestation({ rootSubject: undefined, rootSource: 'given' }), 'MS-ATTESTATION')[0]).toBe("fail: the chain does not end in the MDS entry's attestationRootCertificates");
  });
});
