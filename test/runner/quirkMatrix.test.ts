import { describe, expect, it } from 'vitest';
import { listQuirks } from '../../authenticator-sim/quirks/index.ts';
import { failing, runHarness } from './runHarness.ts';

/**
 * The quirk matrix (DESIGN.md "Simulator quirks", issue 6): each quirk makes the simulator misbehave on
 * purpose, and the checks named for it must fail, the run must exit 1, and the Microsoft/Entra verdicts
 * must turn where MICROSOFT-ENTRA.md says so. The clean simulator passes every applicable check.
 */
const NFC = ['--device', 'sim:nfc', '--suite', 'nfc'];

const MATRIX: Record<string, { checks: string[]; microsoft?: string; entra?: string; args?: string[] }> = {
  'counter-stuck': { checks: ['MC-COUNTER-001', 'GA-COUNTER-001', 'WEBAUTHN-COUNTER-001', 'U2F-AUTH-004'] },
  'bad-assertion-signature': { checks: ['GA-SIGNATURE-001', 'RK-MULTI-003', 'U2F-AUTH-003', 'U2F-AUTH-005', 'U2F-INTEROP-001'] },
  'bad-attestation-signature': { checks: ['ATT-PACKED-001', 'U2F-REG-002'] },
  'wrong-rpid-hash': { checks: ['MC-RPID-001', 'GA-RPID-001', 'U2F-INTEROP-001'] },
  'uv-without-pin': { checks: ['MC-FLAGS-002', 'GA-FLAGS-002', 'UV-FLAG-001', 'UV-FLAG-002'] },
  'no-hmac-secret': { checks: ['HMAC-SUPPORT-001'], microsoft: 'not-compatible' },
  'no-resident-keys': { checks: ['RK-SUPPORT-001'], microsoft: 'not-compatible', entra: 'blocked' },
  'zero-aaguid': { checks: ['INFO-AAGUID-001', 'MDS-ENTRY-001'], microsoft: 'not-compatible' },
  'self-attestation': { checks: ['ATT-PACKED-001', 'MDS-CHAIN-001'], microsoft: 'not-compatible' },
  'noncanonical-cbor': { checks: ['INFO-ENCODING-001', 'MC-CBOR-001', 'GA-CBOR-001'] },
  'pin-retries-not-decremented': { checks: ['CLIENTPIN-V1-WRONG-001', 'CLIENTPIN-V2-WRONG-001'] },
  'ctaphid-ignore-seq': { checks: ['CTAPHID-ERR-003'] },
  'exclude-list-ignored': { checks: ['MC-EXCLUDE-001'] },
  'evil-strings': { checks: [] },
  'mds-revoked': { checks: ['MDS-STATUS-001'], microsoft: 'not-compatible' },
  'mds-root-compromised': { checks: ['MDS-STATUS-001'] },
  'hmac-secret-no-uv-split': { checks: ['HMAC-UVSPLIT-001'], microsoft: 'not-compatible' },
  'cred-protect-ignored': {
    checks: ['CREDPROTECT-MC-001', 'CREDPROTECT-L2-001', 'CREDPROTECT-L3-001', 'CREDPROTECT-L3-003', 'CREDPROTECT-CM-001'],
  },
  // The simulator as a card (CTAP 2.1 §11.3): the in-process applet behind the NFC layer, nfc area only.
  'nfc-select-any-aid': { checks: ['NFC-SELECT-003'], args: NFC },
  'nfc-no-select-needed': { checks: ['NFC-SELECT-004'], args: NFC },
  'nfc-wrong-version': { checks: ['NFC-SELECT-002'], args: NFC },
  'nfc-no-command-chaining': { checks: ['NFC-CHAIN-001'], args: NFC },
  'nfc-no-response-chaining': { checks: ['NFC-RESP-001', 'NFC-RESP-002'], args: NFC },
  'nfc-extended-as-short': { checks: ['NFC-EXT-001'], args: NFC },
  'nfc-status-updates-unasked': { checks: ['NFC-STATUS-001', 'NFC-STATUS-002'], args: NFC },
  'nfc-lax-apdus': { checks: ['NFC-APDU-001', 'NFC-APDU-002', 'NFC-APDU-003', 'NFC-APDU-004'], args: NFC },
};

describe('the quirk matrix', () => {
  it('should cover every quirk the simulator has', () => {
    expect(Object.keys(MATRIX).sort()).toEqual(listQuirks().map((q) => q.name).sort());
  });

  it('should pass every applicable check on the clean simulator, exit 0 and judge it Microsoft-compatible', async () => {
    const { code, report } = await runHarness([]);
    expect(failing(report)).toEqual([]);
    expect(code).toBe(0);
    for (const c of report.checks.filter((c) => c.status === 'skip')) expect(c.message).not.toBe('');
    expect(report.checks.length).toBeGreaterThanOrEqual(150);
    expect(report.microsoft?.verdict).toBe('compatible');
    expect(report.entra?.verdict).toBe('allowed');
  }, 120_000);

  it('should pass every nfc check on the clean simulator as a card', async () => {
    const { code, report } = await runHarness(NFC);
    expect(failing(report)).toEqual([]);
    expect(report.checks.filter((c) => c.status === 'pass').map((c) => c.id)).toHaveLength(report.checks.length);
    expect(report.device.transport).toBe('nfc');
    expect(code).toBe(0);
  }, 120_000);

  for (const [quirk, expected] of Object.entries(MATRIX)) {
    it(`should catch ${quirk}: ${expected.checks.join(', ') || 'nothing may fail'}`, async () => {
      const { code, report } = await runHarness([...(expected.args ?? []), '--sim-quirk', quirk]);
      const failed = failing(report);
      if (expected.checks.length === 0) {
        expect(failed).toEqual([]);
        expect(code).toBe(0);
      } else {
        expect(failed).toEqual(expect.arrayContaining(expected.checks));
        expect(code).toBe(1);
      }
      if (expected.microsoft) expect(report.microsoft?.verdict).toBe(expected.microsoft);
      if (expected.entra) expect(report.entra?.verdict).toBe(expected.entra);
    }, 120_000);
  }
});
