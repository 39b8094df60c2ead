/**
 * Text for a terminal: C0/C1 control characters and the bidirectional overrides that can disguise text
 * (Unicode TR#9 explicit embeddings, overrides and isolates) are shown as \uXXXX. Device- and MDS-supplied
 * strings (product names, descriptions, user names, check messages that quote them) go through this
 * before they are printed, so a hostile device cannot drive the user's terminal.
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A JSON document for a terminal or a pipe: JSON.stringify already writes C0 controls inside strings as
 * escapes; DEL, C1 controls and the bidirectional overrides it leaves raw are written as \uXXXX too. They
 * can only occur inside strings (JSON's own syntax is plain ASCII), so the document parses to the same value.
 * The document's own line breaks and indentation stay as they are.
 */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
