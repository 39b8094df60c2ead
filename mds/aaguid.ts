/** AAGUID as bytes or text → canonical lowercase hyphenated UUID text (RFC 9562 §4), as MDS3 writes it. */
export function aaguidToString(aaguid: Uint8Array | string): string {
  const hex = typeof aaguid === 'string' ? aaguid.replace(/-/g, '').toLowerCase() : Buffer.from(aaguid).toString('hex');
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new TypeError(`not an AAGUID: ${typeof aaguid === 'string' ? aaguid : hex}`);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function aaguidToBytes(aaguid: string): Uint8Array {
  return new Uint8Array(Buffer.from(aaguidToString(aaguid).replace(/-/g, ''), 'hex'));
}

export const ZERO_AAGUID = '00000000-0000-0000-0000-000000000000';
