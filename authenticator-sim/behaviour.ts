import {
  encodeCanonicalCbor,
  type AuthenticatorInfo,
  type CborMap,
} from '../harness/protocol/index.ts';

/**
 * The points where the simulator can be made to misbehave on purpose. The core calls these and nothing
 * else varies: each quirk (quirks/, README "Simulator quirks") overrides one or two members, so a
 * misbehaviour lives in one place instead of `if`s across the handlers.
 */
export interface Behaviour {
  /** the signature counter after `current` (CTAP 2.1 §6.1.2 step 17 / §6.2.2: increase it) */
  nextSignCount(current: number): number;
  /**
   * the signature counter authenticatorReset leaves (WebAuthn L3 §6.1.1: a counter that never goes back;
   * CTAP 2.1 §6.6 deletes every credential, so no MUST keeps it: the simulator keeps it)
   */
  signCountAfterReset(current: number): number;
  /** the bytes an assertion signature covers: authenticatorData || clientDataHash (WebAuthn L3 §6.3.3 step 11) */
  assertionSignedData(data: Uint8Array): Uint8Array;
  /** the bytes an attestation signature covers: authenticatorData || clientDataHash (WebAuthn L3 §8.2) */
  attestationSignedData(data: Uint8Array): Uint8Array;
  /** the rpIdHash written into authenticatorData (SHA-256 of the RP ID, WebAuthn L3 §6.1) */
  rpIdHash(rpId: string, correct: Uint8Array): Uint8Array;
  /** the flags byte written into authenticatorData */
  authDataFlags(flags: number): number;
  /** the AAGUID written into attested credential data and getInfo */
  aaguid(aaguid: Uint8Array): Uint8Array;
  /** getInfo as answered, after the simulator built it from what it implements */
  getInfo(info: AuthenticatorInfo): AuthenticatorInfo;
  /**
   * whether getInfo lists the large blobs the simulator has (largeBlobs, maxSerializedLargeBlobArray,
   * largeBlobKey); tokens follow the features, so a key that leaves them out still grants lbw (CTAP 2.1
   * §6.5.5.7.2 step 4: it must not)
   */
  listLargeBlobs: boolean;
  /** the attestation the simulator makes when it was configured for `configured` */
  attestationMode(configured: AttestationMode): AttestationMode;
  /** how response maps are encoded (CTAP 2.1 §8: canonical CBOR) */
  encodeResponse(map: CborMap): Uint8Array;
  /** whether a request that is not CTAP2 canonical CBOR is refused with CTAP2_ERR_INVALID_CBOR (CTAP 2.1 §8: it is) */
  strictRequestCbor: boolean;
  /**
   * whether a token got with the PIN counts as the user's presence (CTAP 2.1 §6.5.5.7.2: it does not, the
   * token starts with userPresent false, so the next makeCredential/getAssertion still asks for a touch)
   */
  pinTokenProvesPresence: boolean;
  /** whether getAssertion with up=true asks for the touch before it sets UP (CTAP 2.1 §6.2.2 step 9: it must) */
  assertionAsksPresence: boolean;
  /** whether getAssertion with up=false still waits for a touch (CTAP 2.1 §6.2.2 step 9: presence only when up is true) */
  presenceWithoutUp: boolean;
  /** whether a wrong PIN lowers the retry counter (CTAP 2.1 §6.5.5.5: it must) */
  decrementPinRetries: boolean;
  /** whether excludeList is honoured (CTAP 2.1 §6.1.2 step 11: it must) */
  honourExcludeList: boolean;
  /** whether getAssertion without an allowList returns discoverable credentials most recent first (CTAP 2.1 §6.2.2 step 7: it must) */
  discoverableNewestFirst: boolean;
  /** whether discoverable credentials are offered (getInfo rk) */
  residentKeys: boolean;
  /** whether hmac-secret is offered */
  hmacSecret: boolean;
  /** whether hmac-secret uses CredRandomWithUV after UV and CredRandomWithoutUV otherwise (CTAP 2.1 §12.5: it must) */
  hmacSecretUvSplit: boolean;
  /** whether hmac-secret's output2 is computed from salt2 (CTAP 2.1 §12.5: HMAC-SHA-256(CredRandom, salt2)) */
  hmacSecretUsesSalt2: boolean;
  /** whether hmac-secret's outputs are computed from the salts at all (CTAP 2.1 §12.5: HMAC-SHA-256(CredRandom, salt)) */
  hmacSecretUsesSalts: boolean;
  /** whether CredRandom is kept per credential (CTAP 2.1 §12.5: generated once, at makeCredential), not drawn anew per assertion */
  hmacSecretStableCredRandom: boolean;
  /** the credProtect level kept (and reported) for a requested level 1-3 (CTAP 2.1 §12.1: the one requested) */
  credProtectLevel(requested: number): number;
  /** whether CTAPHID continuation packets must arrive in sequence (CTAP 2.1 §11.2.4: they must) */
  enforceContinuationSequence: boolean;
  /** whether the UV flag may be set without any verification (it must not) */
  claimUvWithoutVerification: boolean;
  /**
   * user.name / user.displayName as getAssertion returns them (§6.2.2 step 12; the evil-strings quirk
   * appends HTML and control characters, for the reports' escaping). Credential management lists names as
   * stored: decorating them there would be a device that renames users, which the cred-mgmt checks rightly
   * fail, and evil-strings must make nothing fail (test/runner/quirkMatrix.test.ts).
   */
  decorateUserText(text: string): string;
  /** NFC (CTAP 2.1 §11.3.3): whether SELECT of another AID is refused with 6A82 (ISO 7816-4 §5.1.3: it must) */
  nfcRejectOtherAids: boolean;
  /** NFC: whether commands before the FIDO applet is selected are refused (CTAP 2.1 §11.3.3: SELECT comes first) */
  nfcRequireSelect: boolean;
  /** NFC: the version string answered to SELECT (CTAP 2.1 §11.3.3: "U2F_V2" with CTAP1, else "FIDO_2_0") */
  nfcSelectVersion(correct: string): string;
  /** NFC: whether chained commands (CLA bit 0x10) are joined before they run (CTAP 2.1 §11.3.5, ISO 7816-4 §5.3.3) */
  nfcCommandChaining: boolean;
  /** NFC: whether a short-encoded command's answer is cut at Ne with 61XX / GET RESPONSE (CTAP 2.1 §11.3.5) */
  nfcResponseChaining: boolean;
  /** NFC: whether an extended-encoded command is answered whole in one extended response (CTAP 2.1 §11.3.5) */
  nfcExtendedResponses: boolean;
  /** NFC: whether status updates (9100) go only to clients that asked with P1 0x80, carrying 1 or 2 (CTAP 2.1 §11.3.6) */
  nfcStatusUpdatesAsSpecified: boolean;
  /** NFC: whether a wrong CLA, INS, P1-P2 or Lc gets its ISO 7816-4 §5.1.3 status word (6E00, 6D00, 6A86, 6700) */
  nfcStrictApdus: boolean;
  /** whether makeCredential follows attestationFormatsPreference (CTAP 2.2 §6.1.2: the first supported format) */
  honourAttestationFormatsPreference: boolean;
  /** whether vendor-facilitated enterprise attestation goes to any RP (CTAP 2.1 §7.1: only pre-configured RP IDs) */
  enterpriseAttestationForAnyRp: boolean;
  /** whether any finger passes fingerprint verification (CTAP 2.1 §6.5.5.7.3: only an enrolled one may) */
  bioMatchAnyFinger: boolean;
  /** samples an enrollment needs after the first good one; returning more than asked never completes it */
  bioRemainingSamples(remaining: number): number;
}

export type AttestationMode = 'packed' | 'self' | 'none';

export const defaultBehaviour: Behaviour = {
  nextSignCount: (current) => current + 1,
  signCountAfterReset: (current) => current,
  assertionSignedData: (data) => data,
  attestationSignedData: (data) => data,
  rpIdHash: (_rpId, correct) => correct,
  authDataFlags: (flags) => flags,
  aaguid: (aaguid) => aaguid,
  getInfo: (info) => info,
  listLargeBlobs: true,
  attestationMode: (configured) => configured,
  encodeResponse: (map) => encodeCanonicalCbor(map),
  strictRequestCbor: true,
  pinTokenProvesPresence: false,
  assertionAsksPresence: true,
  presenceWithoutUp: false,
  decrementPinRetries: true,
  honourExcludeList: true,
  discoverableNewestFirst: true,
  residentKeys: true,
  hmacSecret: true,
  hmacSecretUvSplit: true,
  hmacSecretUsesSalt2: true,
  hmacSecretUsesSalts: true,
  hmacSecretStableCredRandom: true,
  credProtectLevel: (requested) => requested,
  enforceContinuationSequence: true,
  claimUvWithoutVerification: false,
  decorateUserText: (text) => text,
  nfcRejectOtherAids: true,
  nfcRequireSelect: true,
  nfcSelectVersion: (correct) => correct,
  nfcCommandChaining: true,
  nfcResponseChaining: true,
  nfcExtendedResponses: true,
  nfcStatusUpdatesAsSpecified: true,
  nfcStrictApdus: true,
  honourAttestationFormatsPreference: true,
  enterpriseAttestationForAnyRp: false,
  bioMatchAnyFinger: false,
  bioRemainingSamples: (remaining) => remaining,
};
