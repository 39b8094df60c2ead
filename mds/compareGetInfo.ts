import type { AuthenticatorInfo } from '../harness/protocol/index.ts';

export interface GetInfoDifference {
  /** getInfo member name, e.g. "versions", "options.rk", "algorithms" */
  member: string;
  /** "difference": the statement does not describe this authenticator; "note": both are fine (state, not capability) */
  severity: 'difference' | 'note';
  live: unknown;
  statement: unknown;
  message: string;
}

/**
 * Options whose true/false both mean "supported" (CTAP 2.1 §6.4: false = supported but not yet configured,
 * absent = not supported); a true/false disagreement is device state, not a wrong statement.
 */
const STATEFUL_OPTIONS = new Set(['clientPin', 'uv', 'bioEnroll', 'userVerificationMgmtPreview', 'uvBioEnroll', 'alwaysUv']);

const sortedStrings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).sort() : undefined);

function hexAaguid(v: unknown): string | undefined {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'string') return v.replace(/-/g, '').toLowerCase();
  return undefined;
}

/**
 * MDS-GETINFO (docs/microsoft-entra.md): compares a live authenticatorGetInfo with the metadata
 * statement's `authenticatorGetInfo` (Metadata Statement v3.0 §4) and lists every difference in versions,
 * extensions, aaguid, options, algorithms, pinUvAuthProtocols and transports. Set-valued members are
 * compared as sets (order is not meaningful in getInfo). A missing statement getInfo is itself a difference.
 */
export function compareGetInfo(live: AuthenticatorInfo, statement: Record<string, unknown> | undefined): GetInfoDifference[] {
  const out: GetInfoDifference[] = [];
  if (!statement || typeof statement !== 'object') {
    return [{ member: 'authenticatorGetInfo', severity: 'difference', live: 'present', statement: undefined, message: 'the metadata statement has no authenticatorGetInfo to compare with' }];
  }
  const setMember = (member: string, l: unknown, s: unknown) => {
    const a = sortedStrings(l);
    const b = sortedStrings(s);
    let message: string;
    if (a === undefined && b === undefined) return;
    if (a === undefined) message = `${member} absent from the live getInfo, statement has ${b!.join(', ')}`;
    else if (b === undefined) message = `${member} absent from the statement, live getInfo has ${a.join(', ')}`;
    else {
      const missing = b.filter((x) => !a.includes(x));
      const extra = a.filter((x) => !b.includes(x));
      if (!missing.length && !extra.length) return;
      message = [missing.length ? `statement lists ${missing.join(', ')} that the authenticator does not report` : '', extra.length ? `authenticator reports ${extra.join(', ')} that the statement does not list` : '']
        .filter(Boolean)
        .join('; ');
    }
    out.push({ member, severity: 'difference', live: l, statement: s, message });
  };
  setMember('versions', live.versions, statement.versions);
  setMember('extensions', live.extensions, statement.extensions);
  setMember('algorithms', live.algorithms?.map((a) => ({ type: a.type, alg: a.alg })), (statement.algorithms as unknown[] | undefined)?.map((a) => {
    const x = a as { type?: unknown; alg?: unknown };
    return { type: x.type, alg: x.alg };
  }));
  setMember('pinUvAuthProtocols', live.pinUvAuthProtocols?.map(String), (statement.pinUvAuthProtocols as unknown[] | undefined)?.map(String));
  setMember('transports', live.transports, statement.transports);

  const la = hexAaguid(live.aaguid);
  const sa = hexAaguid(statement.aaguid);
  if (la !== sa) out.push({ member: 'aaguid', severity: 'difference', live: la, statement: sa, message: `aaguid: authenticator ${la ?? 'none'}, statement ${sa ?? 'none'}` });

  const lo = live.options ?? {};
  const so = (statement.options ?? {}) as Record<string, unknown>;
  for (const key of [...new Set([...Object.keys(lo), ...Object.keys(so)])].sort()) {
    const l = lo[key];
    const s = so[key];
    if (l === s) continue;
    const bothPresent = l !== undefined && s !== undefined;
    out.push({
      member: `options.${key}`,
      severity: bothPresent && STATEFUL_OPTIONS.has(key) ? 'note' : 'difference',
      live: l,
      statement: s,
      message:
        bothPresent && STATEFUL_OPTIONS.has(key)
          ? `options.${key}: authenticator ${String(l)}, statement ${String(s)} (both mean supported; the value reflects configuration)`
          : `options.${key}: authenticator ${l === undefined ? 'absent' : String(l)}, statement ${s === undefined ? 'absent' : String(s)}`,
    });
  }
  return out;
}
