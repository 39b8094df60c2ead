import { dl, el, statusWord, table } from './dom.ts';

/** a labelled fact card: the few things one wants first */
function fact(label: string, value: Node | string, cls = ''): HTMLElement {
  return el('div', { class: 'fact' }, el('span', { class: 'k' }, label), el('span', { class: `v ${cls}`.trim() }, value));
}

/** a collapsible block; `open` for what matters most */
function block(title: string, open: boolean, ...children: (Node | string)[]): HTMLDetailsElement {
  const d = el('details', { class: 'block' }, el('summary', {}, title), el('div', { class: 'body' }, ...children));
  d.open = open;
  return d;
}

function trust(r: any): { text: string; cls: string } {
  const mds = r.mds ?? {};
  if (mds.state !== 'listed') return { text: mds.state === 'not-listed' ? 'not in MDS' : 'no verdict (MDS not loaded)', cls: 'v-unknown' };
  const chain = mds.chain?.state;
  const good = mds.statusVerdict === 'pass' && chain === 'valid';
  const bad = mds.statusVerdict === 'fail' || chain === 'invalid';
  return { text: `status ${mds.statusVerdict}, chain ${chain}`, cls: good ? 'v-good' : bad ? 'v-bad' : 'v-unknown' };
}

/** The decoded registration the RP returns (harness/rp RegistrationSummary): facts first, details folded. */
export function renderRegistration(r: any): HTMLElement {
  const box = el('div');
  const flags = r.flags ?? {};
  const flagNames = ['UP', 'UV', 'BE', 'BS', 'AT', 'ED'];
  const t = trust(r);
  box.append(
    el(
      'div',
      { class: 'facts' },
      fact('Model', r.model ?? (r.mds?.state === 'listed' ? '(no description)' : 'unknown (not in MDS)')),
      fact('Trust verdict', el('span', { id: 'trust-verdict' }, t.text), t.cls),
      fact('AAGUID', el('code', {}, r.aaguid)),
      fact('Attestation', `${r.fmt}, ${r.attestation?.kind}${r.attestation?.chain?.length ? ` (${r.attestation.chain.length} certificates)` : ''}`),
      fact('User verified', flags.UV ? 'yes (UV=1)' : 'no (UV=0)', flags.UV ? 'v-good' : 'v-unknown'),
      fact('Key', `${r.publicKey?.algName ?? '?'}${r.publicKey?.curve ? ` ${r.publicKey.curve}` : ''}${r.publicKey?.bits ? ` ${r.publicKey.bits} bits` : ''}`),
    ),
  );
  const checks = r.checks ?? [];
  box.append(
    block(
      `Microsoft / Entra points judged from this ceremony (${checks.filter((c: any) => c.status === 'fail').length} failed of ${checks.length})`,
      true,
      table('', ['Id', 'Check', 'Status', 'Why'], checks.map((c: any) => [el('code', {}, c.id), c.title, statusWord(c.status), c.message])),
    ),
  );
  box.append(
    block(
      'Authenticator data and credential',
      false,
      dl([
        ['Credential ID', el('code', {}, `${r.credentialId} (${r.credentialIdBytes} bytes)`)],
        ['Signature counter', r.signCount],
        ['Flags', `0x${Number(flags.raw ?? 0).toString(16).padStart(2, '0')}: ${flagNames.map((f) => `${f}=${flags[f] ? 1 : 0}`).join(' ')}`],
        ['Discoverable (credProps.rk)', r.residentKey === undefined ? 'not reported by the client' : String(r.residentKey)],
        ['Public key', `${r.publicKey?.kty} ${r.publicKey?.algName}${r.publicKey?.curve ? ` ${r.publicKey.curve}` : ''}`],
      ]),
      el('pre', { 'aria-label': 'COSE key in CBOR diagnostic notation' }, r.publicKey?.diagnostic ?? ''),
    ),
  );
  const chain = r.attestation?.chain ?? [];
  box.append(
    block(
      `Attestation: ${r.fmt}${chain.length ? `, ${chain.length} certificates` : ''}`,
      false,
      r.attestation?.chainProblem ? el('p', {}, r.attestation.chainProblem) : '',
      chain.length
        ? table(
            'Certificate chain (leaf first)',
            ['#', 'Subject', 'Issuer', 'Valid', 'AAGUID extension', 'SHA-256'],
            chain.map((c: any, i: number) => [i, c.subject, c.issuer, `${c.notBefore} – ${c.notAfter}`, c.aaguidExtension ?? c.aaguidExtensionProblem ?? '—', el('code', {}, c.sha256)]),
          )
        : el('p', { class: 'muted' }, 'No certificate chain.'),
    ),
  );
  const mds = r.mds ?? {};
  box.append(
    block(
      'Metadata (MDS)',
      mds.state === 'listed' && t.cls === 'v-bad',
      el('p', { id: 'mds-verdict' }, mds.message ?? ''),
      mds.state === 'listed'
        ? dl([
            ['Status', statusWord(mds.statusVerdict)],
            ['Certification', mds.certificationLevel ?? 'none reported'],
            ['Latest status report', mds.latestStatus],
            ['Chain to MDS roots', `${mds.chain?.state}: ${mds.chain?.message}`],
            ['Findings', mds.findings?.length ? mds.findings.join('; ') : 'none'],
          ])
        : '',
    ),
  );
  return box;
}
