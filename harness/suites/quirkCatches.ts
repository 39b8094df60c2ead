import type { EntraVerdict, MicrosoftVerdict } from '../../reports/model.ts';
import type { CheckId } from './checkIds.ts';

/** What a simulator quirk must turn: the checks that catch it, and the verdicts it must give. */
export interface QuirkCatch {
  /** checks that must fail on it (empty: nothing may fail) */
  checks: readonly CheckId[];
  /** checks that must warn on it (what the spec allows but a vendor should know: CheckWarning) */
  warns?: readonly CheckId[];
  microsoft?: MicrosoftVerdict;
  entra?: EntraVerdict;
  /** run arguments the quirk needs (a transport, a suite) */
  args?: readonly string[];
}

/** the simulator as a card (CTAP 2.1 §11.3): the in-process applet behind the NFC layer, nfc area only */
export const NFC_ARGS = ['--device', 'sim:nfc', '--suite', 'nfc'] as const;

/**
 * The quirk matrix's data (test/runner/quirkMatrix.test.ts runs every row): each simulator quirk
 * (authenticator-sim/quirks/, which may not import the harness) with the checks that catch it. A new quirk
 * or check is one line here; ids are typed, so a renamed check does not compile.
 */
export const QUIRK_CATCHES: Readonly<Record<string, QuirkCatch>> = {
  'counter-stuck': { checks: ['MC-COUNTER-001', 'GA-COUNTER-001', 'WEBAUTHN-COUNTER-001', 'U2F-AUTH-004'] },
  'bad-assertion-signature': { checks: ['GA-SIGNATURE-001', 'RK-MULTI-003', 'U2F-AUTH-003', 'U2F-AUTH-005', 'U2F-INTEROP-001'] },
  'bad-attestation-signature': { checks: ['ATT-PACKED-001', 'U2F-REG-002'], microsoft: 'not-compatible' },
  'wrong-rpid-hash': { checks: ['MC-RPID-001', 'GA-RPID-001', 'U2F-INTEROP-001', 'EA-PLATFORM-001', 'CTAP22-ATTFMT-001'], microsoft: 'not-compatible' },
  'uv-without-pin': { checks: ['MC-FLAGS-002', 'GA-FLAGS-002', 'UV-FLAG-001', 'UV-FLAG-002'], microsoft: 'not-compatible', entra: 'blocked' },
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
  'mds-root-compromised': { checks: ['MDS-STATUS-001'], microsoft: 'not-compatible' },
  'hmac-secret-no-uv-split': { checks: ['HMAC-UVSPLIT-001'], microsoft: 'not-compatible' },
  'hmac-secret-salt2-ignored': { checks: ['HMAC-GA-002', 'HMAC-GA-004'], microsoft: 'not-compatible' },
  'hmac-secret-salt-ignored': { checks: ['HMAC-GA-002', 'HMAC-GA-004', 'HMAC-STABLE-001'], microsoft: 'not-compatible' },
  'hmac-secret-fresh-credrandom': { checks: ['HMAC-GA-002', 'HMAC-GA-004', 'HMAC-STABLE-001', 'HMAC-STABLE-002', 'HMAC-UVSPLIT-001'], microsoft: 'not-compatible' },
  'cred-protect-ignored': { checks: ['CREDPROTECT-MC-001', 'CREDPROTECT-L2-001', 'CREDPROTECT-L3-001', 'CREDPROTECT-L3-003', 'CREDPROTECT-CM-001'] },
  'bio-enroll-never-completes': { checks: ['BIO-ENROLL-001', 'BIO-ENROLL-002', 'BIO-NAME-001', 'BIO-REMOVE-001', 'BIO-UV-001', 'BIO-UV-004'] },
  'bio-uv-any-finger': { checks: ['BIO-UV-002', 'BIO-UV-003'] },
  'ea-any-rp': { checks: ['EA-VENDOR-001'] },
  'attestation-preference-ignored': { checks: ['CTAP22-ATTFMT-001', 'CTAP22-ATTFMT-002'] },
  'lax-cbor-requests': { checks: ['MC-CBOR-004', 'GA-CBOR-002'] },
  'pin-token-presence': { checks: ['MC-UP-001', 'GA-UP-002'] },
  'up-without-touch': { checks: ['GA-UP-001'] },
  'touch-when-up-false': { checks: ['GA-UP-001'] },
  'assertion-without-touch': { checks: ['GA-FLAGS-001', 'GA-UP-002'] },
  'unsupported-permission-granted': { checks: ['CLIENTPIN-UNAUTHPERM-001'] },
  // allowed (no MUST keeps the counter across reset), so a warning and nothing failing
  'counter-reset-on-reset': { checks: [], warns: ['RESET-003'] },
  'rk-oldest-first': { checks: ['RK-DISCOVER-001', 'RK-MULTI-001', 'RK-OVERWRITE-001'] },
  'nfc-select-any-aid': { checks: ['NFC-SELECT-003'], args: NFC_ARGS },
  'nfc-no-select-needed': { checks: ['NFC-SELECT-004'], args: NFC_ARGS },
  'nfc-wrong-version': { checks: ['NFC-SELECT-002'], args: NFC_ARGS },
  'nfc-no-command-chaining': { checks: ['NFC-CHAIN-001'], args: NFC_ARGS },
  'nfc-no-response-chaining': { checks: ['NFC-RESP-001', 'NFC-RESP-002'], args: NFC_ARGS },
  'nfc-extended-as-short': { checks: ['NFC-EXT-001'], args: NFC_ARGS },
  'nfc-status-updates-unasked': { checks: ['NFC-STATUS-001', 'NFC-STATUS-002'], args: NFC_ARGS },
  'nfc-lax-apdus': { checks: ['NFC-APDU-001', 'NFC-APDU-002', 'NFC-APDU-003', 'NFC-APDU-004'], args: NFC_ARGS },
};
