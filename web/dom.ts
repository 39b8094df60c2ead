/** Tiny DOM builders. Text always goes in through textContent: names from keys and reports may carry markup. */
type Child = Node | string | number | boolean | null | undefined;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

/** a definition list from [term, value] pairs; undefined values are left out */
export function dl(rows: [string, Child][]): HTMLDListElement {
  const list = el('dl');
  for (const [term, value] of rows) {
    if (value === undefined || value === null) continue;
    list.append(el('dt', {}, term), el('dd', {}, value));
  }
  return list;
}

/** a table with a header row (and a caption unless empty); cells are text or nodes */
export function table(caption: string, head: string[], rows: Child[][]): HTMLTableElement {
  const t = el('table');
  if (caption) t.append(el('caption', {}, caption));
  const thead = el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h))));
  const tbody = el('tbody');
  for (const r of rows) tbody.append(el('tr', {}, ...r.map((c) => el('td', {}, c))));
  t.append(thead, tbody);
  return t;
}

/** a status word styled by its value (pass, fail, warn, skip, error) */
export function statusWord(status: string): HTMLSpanElement {
  return el('span', { class: /^(pass|fail|warn|skip|error)$/.test(status) ? `badge ${status}` : '' }, status);
}

export function replace(target: HTMLElement, ...children: Child[]): void {
  target.replaceChildren(...children.filter((c) => c !== null && c !== undefined).map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
}
