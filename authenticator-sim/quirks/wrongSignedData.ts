/** The bytes that should have been signed with the last bit of the last byte flipped: "the wrong data". */
export function wrongSignedData(data: Uint8Array): Uint8Array {
  const out = Uint8Array.from(data);
  if (out.length > 0) out[out.length - 1]! ^= 0x01;
  return out;
}
