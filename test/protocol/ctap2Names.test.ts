import { describe, expect, it } from 'vitest';
import {
  ctapCommandName,
  CtapStatus,
  CtapStatusError,
  ctapStatusName,
  decryptPersistentInfo,
  describeUvModality,
  encryptPersistentInfo,
  formatCtapStatus,
  isDefinedCtapStatus,
  paddedPin,
  pinBytes,
  pinHash,
  uvModalityNames,
} from '../../harness/protocol/index.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const un = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

describe('CTAP status codes (CTAP 2.1 §8.2)', () => {
  it('should name defined codes verbatim', () => {
    expect(ctapStatusName(0x00)).toBe('CTAP2_OK');
    expect(ctapStatusName(0x01)).toBe('CTAP1_ERR_INVALID_COMMAND');
    expect(ctapStatusName(0x31)).toBe('CTAP2_ERR_PIN_INVALID');
    expect(ctapStatusName(0x40)).toBe('CTAP2_ERR_UNAUTHORIZED_PERMISSION');
    expect(ctapStatusName(0x7f)).toBe('CTAP1_ERR_OTHER');
    expect(ctapStatusName(0xdf)).toBe('CTAP2_ERR_SPEC_LAST');
  });

  it('should name the extension range 0xE0-0xEF and the vendor range 0xF0-0xFF as such, other values unassigned', () => {
    expect(ctapStatusName(0xe0)).toBe('CTAP2_ERR_EXTENSION_FIRST');
    expect(ctapStatusName(0xe1)).toBe('CTAP2_ERR_EXTENSION_SPECIFIC');
    expect(ctapStatusName(0xee)).toBe('CTAP2_ERR_EXTENSION_SPECIFIC');
    expect(ctapStatusName(0xef)).toBe('CTAP2_ERR_EXTENSION_LAST');
    expect(ctapStatusName(0xf0)).toBe('CTAP2_ERR_VENDOR_FIRST');
    expect(ctapStatusName(0xf1)).toBe('CTAP2_ERR_VENDOR_SPECIFIC');
    expect(ctapStatusName(0xfe)).toBe('CTAP2_ERR_VENDOR_SPECIFIC');
    for (const c of [0x07, 0x10, 0x13, 0x41, 0x7e, 0x80, 0xde]) expect(ctapStatusName(c), c.toString(16)).toBe('UNASSIGNED');
  });

  it('should format a code as two hex digits and its name', () => {
    expect(formatCtapStatus(0x05)).toBe('0x05 CTAP1_ERR_TIMEOUT');
    expect(formatCtapStatus(0x31)).toBe('0x31 CTAP2_ERR_PIN_INVALID');
    expect(formatCtapStatus(0x13)).toBe('0x13 UNASSIGNED');
  });

  it('should tell defined codes (and the extension and vendor ranges) from unassigned ones', () => {
    for (const c of [0x00, 0x0b, 0x11, 0x3f, 0x40, 0x7f, 0xdf, 0xe0, 0xe7, 0xef, 0xf0, 0xf9, 0xff]) expect(isDefinedCtapStatus(c), c.toString(16)).toBe(true);
    for (const c of [0x07, 0x0c, 0x10, 0x13, 0x20, 0x41, 0x80, 0xde, 0x100]) expect(isDefinedCtapStatus(c), c.toString(16)).toBe(false);
  });

  it('should carry the code in a CtapStatusError, with the detail after the formatted code', () => {
    const e = new CtapStatusError(CtapStatus.CTAP2_ERR_PIN_BLOCKED, 'three wrong PINs');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('CtapStatusError');
    expect(e.code).toBe(0x32);
    expect(e.message).toBe('0x32 CTAP2_ERR_PIN_BLOCKED: three wrong PINs');
    expect(new CtapStatusError(0x2e).message).toBe('0x2e CTAP2_ERR_NO_CREDENTIALS');
    expect(new CtapStatusError(0x2e, '').message).toBe('0x2e CTAP2_ERR_NO_CREDENTIALS');
  });

  it('should name command bytes (CTAP 2.1 §6, the 2.1 prototypes of §6.8)', () => {
    expect(ctapCommandName(0x01)).toBe('authenticatorMakeCredential');
    expect(ctapCommandName(0x0d)).toBe('authenticatorConfig');
    expect(ctapCommandName(0x41)).toBe('prototypeCredentialManagement');
    expect(ctapCommandName(0x03)).toBe('0x03');
    expect(ctapCommandName(0xc0)).toBe('0xc0');
  });
});

describe('uvModality bits (CTAP 2.1 §6.4; FIDO Registry of Predefined Values §3.1)', () => {
  it('should name each USER_VERIFY_* bit', () => {
    const registry: [number, string][] = [
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
    for (const [bit, name] of registry) expect(uvModalityNames(bit)).toEqual([name]);
  });

  it('should name every bit set, in bit order, and give unknown bits as one hex value', () => {
    expect(uvModalityNames(0x00000206)).toEqual(['fingerprint_internal', 'passcode_internal', 'none']);
    expect(uvModalityNames(0)).toEqual([]);
    expect(uvModalityNames(0x00002000)).toEqual(['0x00002000']);
    expect(uvModalityNames(0x00006002)).toEqual(['fingerprint_internal', '0x00006000']);
    expect(uvModalityNames(0x80000001)).toEqual(['presence_internal', '0x80000000']);
  });

  it('should describe the bits in one line with the value in hex', () => {
    expect(describeUvModality(2)).toBe('fingerprint_internal (uvModality 0x00000002)');
    expect(describeUvModality(0x0a)).toBe('fingerprint_internal, voiceprint_internal (uvModality 0x0000000a)');
    expect(describeUvModality(0)).toBe('no method (uvModality 0x00000000)');
    expect(describeUvModality(0x80000000)).toBe('0x80000000 (uvModality 0x80000000)');
  });
});

describe('encIdentifier / encCredStoreState for the persistent pinUvAuthToken (CTAP 2.2 §6.4)', () => {
  // Vectors computed with Python `cryptography` (HKDF-SHA-256, salt 32 zero bytes, info = the member name,
  // 16 bytes; AES-128-CBC without padding): token 00..1f, IV a0..af, plaintext 10..1f.
  const token = Uint8Array.from({ length: 32 }, (_, i) => i);
  const iv = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
  const plaintext = Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i);
  const encIdentifier = 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf' + '7a9f1e9d025ca2b0515c2ebfee7af6fe';
  const encCredStoreState = 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf' + '54b7610b5ba7bcedc3d4e1e0948e398c';

  it('should encrypt as IV || AES-128-CBC under the member key', () => {
    expect(hex(encryptPersistentInfo(token, 'encIdentifier', plaintext, iv))).toBe(encIdentifier);
    expect(hex(encryptPersistentInfo(token, 'encCredStoreState', plaintext, iv))).toBe(encCredStoreState);
  });

  it('should decrypt the vectors, and give other bytes under another token or member', () => {
    expect(hex(decryptPersistentInfo(token, 'encIdentifier', un(encIdentifier))!)).toBe(hex(plaintext));
    expect(hex(decryptPersistentInfo(token, 'encCredStoreState', un(encCredStoreState))!)).toBe(hex(plaintext));
    expect(hex(decryptPersistentInfo(token, 'encCredStoreState', un(encIdentifier))!)).not.toBe(hex(plaintext));
    expect(hex(decryptPersistentInfo(new Uint8Array(32), 'encIdentifier', un(encIdentifier))!)).not.toBe(hex(plaintext));
  });

  it('should refuse a value that is not IV || whole AES blocks', () => {
    expect(decryptPersistentInfo(token, 'encIdentifier', new Uint8Array(16))).toBeUndefined();
    expect(decryptPersistentInfo(token, 'encIdentifier', new Uint8Array(31))).toBeUndefined();
    expect(decryptPersistentInfo(token, 'encIdentifier', new Uint8Array(33))).toBeUndefined();
    expect(decryptPersistentInfo(token, 'encIdentifier', new Uint8Array(40))).toBeUndefined();
    expect(decryptPersistentInfo(token, 'encIdentifier', new Uint8Array(32))).toHaveLength(16);
    expect(decryptPersistentInfo(token, 'encIdentifier', new Uint8Array(48))).toHaveLength(32);
  });
});

describe('PIN bytes, hash and padding (CTAP 2.1 §6.5.1, §6.5.5.5)', () => {
  it('should NFC-normalise and UTF-8 encode a PIN string, and take bytes as they are', () => {
    expect(hex(pinBytes('1234'))).toBe('31323334');
    // "é" as e + combining acute (U+0065 U+0301) normalises to U+00E9, UTF-8 c3 a9
    expect(hex(pinBytes('e\u0301'))).toBe('c3a9');
    expect(hex(pinBytes(Uint8Array.of(0x65, 0xcc, 0x81)))).toBe('65cc81');
    expect(pinBytes('x')).toBeInstanceOf(Uint8Array);
  });

  it('should hash to LEFT(SHA-256(pin), 16)', () => {
    // SHA-256("1234") = 03ac674216f3e15c761ee1a5e255f067953623c8b388b4459e13f978d7c846f4
    expect(hex(pinHash('1234'))).toBe('03ac674216f3e15c761ee1a5e255f067');
    expect(hex(pinHash(Uint8Array.of(0x31, 0x32, 0x33, 0x34)))).toBe('03ac674216f3e15c761ee1a5e255f067');
    expect(hex(pinHash('e\u0301'))).toBe(hex(pinHash('\u00e9')));
  });

  it('should pad with zeros to 64 bytes, or to the next multiple of 16 beyond it, or to the size asked', () => {
    const p = paddedPin('1234');
    expect(p).toHaveLength(64);
    expect(hex(p)).toBe('31323334' + '00'.repeat(60));
    expect(paddedPin('1'.repeat(64))).toHaveLength(64);
    expect(paddedPin('1'.repeat(65))).toHaveLength(80);
    expect(hex(paddedPin('1'.repeat(70)).subarray(64))).toBe('31'.repeat(6) + '00'.repeat(10));
    expect(paddedPin('1'.repeat(80))).toHaveLength(80);
    expect(paddedPin('12', 16)).toHaveLength(16);
    expect(paddedPin('1'.repeat(17), 16)).toHaveLength(32);
  });
});
