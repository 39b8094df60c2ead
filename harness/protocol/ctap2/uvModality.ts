/**
 * User verification method bits, as getInfo uvModality carries them (CTAP 2.1 §6.4), named as in the FIDO
 * Registry of Predefined Values §3.1 (USER_VERIFY_* constants, lower case without the prefix, as MDS3
 * userVerificationMethod strings are).
 */
const USER_VERIFY_METHODS: ReadonlyArray<readonly [number, string]> = [
  [0x00000001, 'presence_internal'],
  [0x00000002, 'fingerprint_internal'],
  [0x00000004, 'passcode_internal'],
  [0x00000008, 'voiceprint_internal'],
  [0x00000010, 'faceprint_internal'],
  [0x00000020, 'location_internal'],
  [0x00000040, 'eyeprint_internal'],
  [0x00000080, 'pattern_internal'],
  [0x00000100, 'handprint_internal'],
  [0x00000200, 'none'],
  [0x00000400, 'all'],
  [0x00000800, 'passcode_external'],
  [0x00001000, 'pattern_external'],
];

/** The method names set in `bits` (unknown bits as hex). */
export function uvModalityNames(bits: number): string[] {
  const names = USER_VERIFY_METHODS.filter(([bit]) => (bits & bit) !== 0).map(([, name]) => name);
  const known = USER_VERIFY_METHODS.reduce((m, [bit]) => m | bit, 0);
  const rest = bits & ~known;
  return rest ? [...names, `0x${(rest >>> 0).toString(16).padStart(8, '0')}`] : names;
}

/** One line: "fingerprint_internal (uvModality 0x00000002)". */
export function describeUvModality(bits: number): string {
  return `${uvModalityNames(bits).join(', ') || 'no method'} (uvModality 0x${(bits >>> 0).toString(16).padStart(8, '0')})`;
}
