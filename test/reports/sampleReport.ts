/** Reports for the reports tests, built through the model's own createReport (summary counted, not typed in). */
import { createReport, type CheckResult, type Report } from '../../reports/index.ts';
import { EVIL_TEXT } from '../../authenticator-sim/quirks/index.ts';

export const HUGE = 'A'.repeat(100 * 1024);

export function check(id: string, suite: string, status: CheckResult['status'], extra: Partial<CheckResult> = {}): CheckResult {
  return { id, suite, title: `${id} title`, specRef: 'CTAP 2.1 §6.4', status, message: `${id} ${status}`, durationMs: 1.5, ...extra };
}

export function sampleReport(overrides: Partial<Parameters<typeof createReport>[0]> = {}): Report {
  return createReport({
    tool: { name: 'fido-harness', version: '0.1.0' },
    startedAt: '2026-06-01T10:00:00.000Z',
    finishedAt: '2026-06-01T10:00:05.000Z',
    device: { transport: 'sim', aaguid: 'be7c888f-f407-45b9-bab1-f1e15cedc047', getInfo: { versions: ['FIDO_2_0', 'FIDO_2_1'] }, mds: { found: true, description: 'fido-harness simulator', latestStatus: 'FIDO_CERTIFIED_L1' } },
    checks: [
      check('INFO-VERSIONS-001', 'getinfo', 'pass', {
        evidence: { exchanges: [{ label: 'authenticatorGetInfo (0x04)', requestHex: '04', responseHex: '00a10181684649444f5f325f30', responseDiagnostic: '{1: ["FIDO_2_0"]}', status: '0x00 CTAP2_OK', durationMs: 0.4 }] },
      }),
      check('INFO-AAGUID-001', 'getinfo', 'warn'),
      check('CTAP2-MC-001', 'makecredential', 'fail', { evidence: { expected: '0x19 CTAP2_ERR_CREDENTIAL_EXCLUDED', actual: '0x00 CTAP2_OK' } }),
      check('CTAP2-MC-002', 'makecredential', 'skip', { message: 'needs a PIN' }),
      check('CTAP2-GA-001', 'getassertion', 'error', { message: 'TypeError: boom' }),
      check('CTAP2-GA-002', 'getassertion', 'pass'),
    ],
    microsoft: { verdict: 'not-compatible', requirements: [{ id: 'MS-RK', title: 'Discoverable credentials', status: 'fail', source: 'S1, S2', checkIds: ['RK-DISCOVER-001'], evidence: ['fail: getInfo options.rk false'] }] },
    entra: { verdict: 'allowed', policySource: 'default', policy: {}, reasons: [{ id: 'EN-ES256', status: 'pass', message: 'ES256', source: 'S6' }], suggestedPolicy: {} },
    ...overrides,
  });
}

/** A report where every device- and MDS-supplied string carries the evil-strings quirk's text, and one is 100 KB. */
export function evilReport(getInfo: Record<string, unknown>): Report {
  const evil = EVIL_TEXT;
  return sampleReport({
    device: { transport: `sim${evil}`, path: evil, aaguid: 'be7c888f-f407-45b9-bab1-f1e15cedc047', getInfo, mds: { found: true, description: `${evil}${HUGE}`, findings: [evil] } },
    checks: [
      check('INFO-EXT-001', `getinfo${evil}`, 'fail', { title: evil, message: `${evil}${HUGE}`, specRef: evil, evidence: { expected: evil, actual: HUGE, trace: [evil], exchanges: [{ label: evil, status: evil, requestDiagnostic: evil, responseDiagnostic: `"${evil}"` }], vendorBlob: { [evil]: evil } } }),
      check('INFO-EXT-002', 'getinfo', 'pass', { title: HUGE }),
    ],
    microsoft: { verdict: 'compatible', requirements: [{ id: 'MS-FIDO2', title: evil, status: 'pass', source: evil, checkIds: [`X${evil}`], evidence: [evil, HUGE] }], information: [{ id: 'INFO-X', title: evil, value: evil }] },
    entra: { verdict: 'allowed', policySource: 'file', policy: { note: evil }, reasons: [{ id: 'EN-UV', status: 'pass', message: evil, source: evil }], suggestedPolicy: { aaGuids: [evil] }, authenticationMethod: { aaGuid: evil, model: evil, attestationLevel: 'attested', passkeyType: 'deviceBound' } },
  });
}
