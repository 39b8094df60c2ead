/**
 * A strict little XML 1.0 parser for the tests (no XML library is installed): prolog, elements, attributes
 * (quoted, no duplicates), text, the five predefined entities and numeric character references. Anything
 * else, including a mismatched end tag or a stray '<' or '&', throws. Written for these tests.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*/;

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);|&|</g, (m, e: string | undefined) => {
    if (!e) throw new Error(`stray ${m} in character data`);
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (!(e in named)) throw new Error(`unknown entity &${e};`);
    return named[e]!;
  });
}

export function parseXml(xml: string): XmlElement {
  // XML 1.0 §2.2 Char: no C0 controls except TAB, LF, CR
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(xml)) throw new Error('character not allowed in XML 1.0');
  let i = 0;
  const skipWs = () => {
    while (/\s/.test(xml[i] ?? '')) i++;
  };
  if (xml.startsWith('<?xml')) i = xml.indexOf('?>') + 2;
  skipWs();
  const element = (): XmlElement => {
    if (xml[i] !== '<') throw new Error(`expected < at ${i}`);
    i++;
    const name = NAME.exec(xml.slice(i))?.[0];
    if (!name) throw new Error(`bad element name at ${i}`);
    i += name.length;
    const el: XmlElement = { name, attrs: {}, children: [], text: '' };
    for (;;) {
      skipWs();
      if (xml.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (xml[i] === '>') {
        i++;
        break;
      }
      const an = NAME.exec(xml.slice(i))?.[0];
      if (!an) throw new Error(`bad attribute at ${i}`);
      i += an.length;
      if (xml[i] !== '=' || xml[i + 1] !== '"') throw new Error(`attribute ${an} not ="…" at ${i}`);
      const end = xml.indexOf('"', i + 2);
      if (end < 0) throw new Error('unterminated attribute');
      if (an in el.attrs) throw new Error(`duplicate attribute ${an}`);
      el.attrs[an] = decodeEntities(xml.slice(i + 2, end));
      i = end + 1;
    }
    for (;;) {
      const lt = xml.indexOf('<', i);
      if (lt < 0) throw new Error(`unclosed <${name}>`);
      el.text += decodeEntities(xml.slice(i, lt));
      i = lt;
      if (xml.startsWith('</', i)) {
        const close = `</${name}>`;
        if (!xml.startsWith(close, i)) throw new Error(`mismatched end tag at ${i}, expected ${close}`);
        i += close.length;
        return el;
      }
      el.children.push(element());
    }
  };
  const root = element();
  skipWs();
  if (i !== xml.length) throw new Error('content after the root element');
  return root;
}
