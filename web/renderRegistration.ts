import { dl, el, statusWord, table } from './dom.ts';

/** The decoded registration the RP returns (harness/rp RegistrationSummary). */
export function renderRegistration(r: any): HTMLElement {
  const box = el('div');
  const flags = r.flags ?? {};
  const flagNames = ['UP', 'UV', 'BE', 'BS', 'AT', 'ED'];
  box.append(
    dl([
      ['Format', r.fmt],
      ['AAGUID', el('code', {}, r.aaguid)],
      ['Model', r.model ?? (r.mds?.state === 'listed' ? '(no description)' : 'unknown (not in MDS)')],
      ['Credential ID', el('code', {}, `${r.credentialId} (${r.credentialIdBytes} bytes)`)],
      ['Signature counter', r.signCount],
      ['Flags', el('span', {}, `0x${Number(flags.raw ?? 0).toString(16).padStart(2, '0')}: `, flagNames.map((f) => `${f}=${flags[f] ? 1 : 0}`).join(' '))],
      ['Discoverable (credProps.rk)', r.residentKey === undefined ? 'not reported by the client' : String(r.residentKey)],
      ['Public key', `${r.publicKey?.kty} ${r.publicKey?.algName}${r.publicKey?.curve ? ` ${r.publicKey.curve}` : ''}${r.publicKey?.bits ? ` ${r.publicKey.bits} bits` : ''}`],
      ['COSE key', el('code', {}, r.publicKey?.diagnostic ?? '')],
      ['Attestation', `${r.attestation?.kind}${r.attestation?.chainProblem ? `: ${r.attestation.chainProblem}` : ''}`],
      ['MDS', el('span', { id: 'mds-verdict' }, r.mds?.message ?? '')],
    ]),
  );
  const chain = r.attestation?.chain ?? [];
  if (chain.length > 0) {
    box.append(
      table(
        'Attestation certificate chain (leaf first)',
        ['#', 'Subject', 'Issuer', 'Valid', 'AAGUID extension', 'SHA-256'],
        chain.map((c: any, i: number) => [i, c.subject, c.issuer, `${c.notBefore} – ${c.notAfter}`, c.aaguidExtension ?? c.aaguidExtensionProblem ?? '—', el('code', {}, c.sha256)]),
      ),
    );
  }
  if (r.mds?.state === 'listed') {
    box.append(
      dl([
        ['MDS status', statusWord(r.mds.statusVerdict)],
        ['Certification', r.mds.certificationLevel ?? 'none reported'],
        ['Latest status report', r.mds.latestStatus],
        ['Chain to MDS roots', `${r.mds.chain.state}: ${r.mds.chain.message}`],
        ['Findings', r.mds.findings.length ? r.mds.findings.join('; ') : 'none'],
      ]),
    );
  }
  box.append(
    table(
      'Microsoft / Entra points judged from this ceremony',
      ['Id', 'Check', 'Status', 'Why'],
      (r.checks ?? []).map((c: any) => [c.id, c.title, statusWord(c.status), c.message]),
    ),
  );
  return box;
}
