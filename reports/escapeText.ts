/**
 * Text from a device or an MDS statement is untrusted: it may carry markup, control characters, bidi
 * overrides or megabytes. Every renderer passes such text through `cleanText` (visible escapes for control
 * and format characters, truncation) and then its own format's escaping.
 */

/** C0/C1 controls except TAB and LF, DEL, lone surrogates, line/paragraph separators, bidi controls, BOM */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/gu;

export interface CleanTextOptions {
  /** longest output in UTF-16 code units before the truncation note (default 4096) */
  max?: number;
  /** keep LF and TAB (default true); false turns them into visible escapes too */
  keepNewlines?: boolean;
}

/** Replaces unsafe characters by visible `\u{…}` escapes and truncates with a note saying how much was cut. */
export function cleanText(text: string, options: CleanTextOptions = {}): string {
  const max = options.max ?? 4096;
  // cut first (on a code point boundary) so a 100 KB string costs no more than `max` to clean
  let cut = 0;
  let body = text;
  if (text.length > max) {
    let end = max;
    const c = text.charCodeAt(end - 1);
    if (c >= 0xd800 && c <= 0xdbff) end--;
    body = text.slice(0, end);
    cut = text.length - end;
  }
  let out = body.replace(UNSAFE, (ch) => `\\u{${ch.codePointAt(0)!.toString(16).padStart(4, '0')}}`);
  if (options.keepNewlines === false) out = out.replace(/[\t\n]/g, (ch) => (ch === '\n' ? '\\n' : '\\t'));
  return cut > 0 ? `${out}… [${cut} more characters]` : out;
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** For HTML text and attribute values (always quoted with "). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ENTITIES[ch]!);
}

/** cleanText then escapeHtml */
export function html(text: unknown, max = 4096): string {
  return escapeHtml(cleanText(String(text ?? ''), { max }));
}

/** For XML 1.0 text and attribute values; cleanText has removed every character XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return text
    .replace(/[&<>"']/g, (ch) => HTML_ENTITIES[ch]!)
    .replace(/[\t\n\r]/g, (ch) => `&#${ch.charCodeAt(0)};`)
    .replace(/[\ufffe\uffff]/g, '\ufffd');
}

/** For Markdown inline text and table cells: no markup, no HTML, no line breaks. */
export function escapeMarkdown(text: unknown, max = 300): string {
  return cleanText(String(text ?? ''), { max, keepNewlines: false })
    .replace(/[\\`*_{}[\]()#+!|~>-]/g, (ch) => `\\${ch}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;');
}

/**
 * A JSON-like value with every string cleaned and truncated, for display (getInfo, MDS summary, policy
 * fragments, unknown evidence members). Depth and element counts are bounded too.
 */
export function cleanValue(value: unknown, maxString = 512, depth = 0): unknown {
  if (typeof value === 'string') return cleanText(value, { max: maxString, keepNewlines: false });
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[nested too deeply]';
  if (Array.isArray(value)) {
    const items = value.slice(0, 200).map((v) => cleanValue(v, maxString, depth + 1));
    if (value.length > 200) items.push(`[${value.length - 200} more items]`);
    return items;
  }
  const out: Record<string, unknown> = {};
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [k, v] of entries.slice(0, 200)) out[cleanText(k, { max: 128, keepNewlines: false })] = cleanValue(v, maxString, depth + 1);
  if (entries.length > 200) out['…'] = `[${entries.length - 200} more members]`;
  return out;
}
