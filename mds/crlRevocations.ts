import { DerClass, DerTag, derChildren, readDerExact, type DerNode } from './der.ts';

const UTC_TIME = 23;
const GENERALIZED_TIME = 24;

/** RFC 5280 §4.1.2.5.1 UTCTime YYMMDDHHMMSSZ (YY < 50 is 20YY) and §4.1.2.5.2 GeneralizedTime YYYYMMDDHHMMSSZ. */
function derTime(node: DerNode): Date {
  const text = Buffer.from(node.value).toString('latin1');
  const m = node.tagNumber === UTC_TIME ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (node.tagClass !== DerClass.UNIVERSAL || !m) throw new Error(`CRL time ${JSON.stringify(text)} is not a UTCTime or GeneralizedTime in Z form`);
  const year = node.tagNumber === UTC_TIME ? (Number(m[1]) < 50 ? 2000 : 1900) + Number(m[1]) : Number(m[1]);
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

const isTime = (n: DerNode | undefined) => n?.tagClass === DerClass.UNIVERSAL && (n.tagNumber === UTC_TIME || n.tagNumber === GENERALIZED_TIME);

/**
 * The revokedCertificates of a CRL (RFC 5280 §5.1: TBSCertList = version?, signature, issuer, thisUpdate,
 * nextUpdate?, revokedCertificates?, [0] crlExtensions?), read from its DER: serial (lowercase hex without
 * leading zero octets, as ChainCertificate.serialNumber gives it) → revocationDate. @peculiar/x509 loses
 * every entry of a CRL without nextUpdate (it reads the revoked list in nextUpdate's place), which would let
 * a certificate such a CRL revokes through. Throws on a structure it cannot read.
 */
export function crlRevocations(der: Uint8Array): Map<string, Date> {
  const tbs = derChildren(readDerExact(der))[0];
  if (!tbs) throw new Error('CRL has no tbsCertList');
  const fields = derChildren(tbs);
  let i = fields[0]?.tagClass === DerClass.UNIVERSAL && fields[0].tagNumber === DerTag.INTEGER ? 1 : 0;
  i += 2; // signature AlgorithmIdentifier, issuer Name
  if (!isTime(fields[i])) throw new Error('CRL thisUpdate missing');
  i++;
  if (isTime(fields[i])) i++;
  const out = new Map<string, Date>();
  const list = fields[i];
  if (!list || list.tagClass !== DerClass.UNIVERSAL || list.tagNumber !== DerTag.SEQUENCE) return out;
  for (const entry of derChildren(list)) {
    const [serial, date] = derChildren(entry);
    if (!serial || serial.tagNumber !== DerTag.INTEGER || !date) throw new Error('CRL entry without userCertificate and revocationDate');
    let start = 0;
    while (start < serial.value.length - 1 && serial.value[start] === 0) start++;
    out.set(Buffer.from(serial.value.subarray(start)).toString('hex'), derTime(date));
  }
  return out;
}
