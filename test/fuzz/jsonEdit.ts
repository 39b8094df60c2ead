import fc from 'fast-check';

/**
 * One structure-aware edit of a JSON value (the fuzzers): a member picked by index among all members,
 * replaced, removed, made huge, appended to, or — for a base64/base64url string — decoded, its bytes edited
 * and encoded again, so that the decoders behind the JSON see well-formed garbage.
 */
export interface JsonEdit {
  path: number;
  op: 'replace' | 'delete' | 'bytes' | 'append' | 'huge';
  value: unknown;
  bytes: Array<[number, number]>;
}

export const jsonEdit: fc.Arbitrary<JsonEdit> = fc.record({
  path: fc.nat(),
  op: fc.constantFrom('replace', 'replace', 'delete', 'bytes', 'bytes', 'append', 'huge'),
  value: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(null, '', 0, -1, 1e308, [], {}, '\u0000', 'A'.repeat(5000), '__proto__', '2026-02-30', -0.5)),
  bytes: fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }),
});

/** every path (list of keys) to a member of `v` */
function paths(v: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (v && typeof v === 'object') {
    for (const [k, child] of Object.entries(v)) {
      const p = [...prefix, Array.isArray(v) ? Number(k) : k];
      out.push(p);
      paths(child, p, out);
    }
  }
  return out;
}

/** `body` with the edit applied (a copy). `encoding` is how binary members are written. */
export function applyJsonEdit(body: unknown, e: JsonEdit, encoding: 'base64url' | 'base64' = 'base64url'): unknown {
  const copy = structuredClone(body) as Record<string, unknown>;
  const all = paths(copy);
  if (all.length === 0) return e.value;
  const path = all[e.path % all.length]!;
  let parent: any = copy;
  for (const k of path.slice(0, -1)) parent = parent[k];
  const key = path[path.length - 1]!;
  const old = parent[key];
  if (e.op === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (e.op === 'bytes' && typeof old === 'string') {
    const b = Buffer.from(old, encoding);
    for (const [at, v] of e.bytes) if (b.length) b[at % b.length] = v;
    const cut = e.bytes[0]![1] % 5 === 0 ? b.subarray(0, e.bytes[0]![0] % (b.length + 1)) : b;
    parent[key] = cut.toString(encoding);
  } else if (e.op === 'append' && typeof old === 'string') {
    parent[key] = old + (JSON.stringify(e.value) ?? '');
  } else if (e.op === 'huge') {
    // a long string, or 2000 copies of a scalar (objects become null, so that edits cannot compound into gigabytes)
    parent[key] = typeof old === 'string' ? old.repeat(200).slice(0, 60_000) : Array.from({ length: 2000 }, () => (old !== null && typeof old === 'object' ? null : old));
  } else {
    parent[key] = e.value;
  }
  return copy;
}
