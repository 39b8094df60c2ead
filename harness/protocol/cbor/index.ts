export { CborError, type CborErrorCode } from './CborError.ts';
export { CborTagged } from './CborTagged.ts';
export type { CborMap, CborValue } from './CborValue.ts';
export {
  compareCanonicalKeys,
  decodeCbor,
  decodeCborItem,
  type CborFinding,
  type DecodeCborOptions,
  type DecodedCbor,
} from './decodeCbor.ts';
export { encodeCanonicalCbor, encodeCborAsGiven } from './encodeCanonicalCbor.ts';
export { cborDiagnostic } from './cborDiagnostic.ts';
