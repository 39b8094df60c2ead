/**
 * A small JSON Schema (draft 2020-12) validator for the keywords report.schema.json uses: $ref (local
 * "#/$defs/…"), const, enum, type, minLength, pattern, minimum, required, properties, additionalProperties
 * (boolean), items. Other keywords are ignored. It stops at the FIRST violation, in this order: at each
 * value its own keywords (type, enum…), then for objects the missing required members (in schema order),
 * then the members in document order; arrays element by element. Paths are JSON Pointers (RFC 6901).
 */
export interface JsonSchema {
  $ref?: string;
  const?: unknown;
  enum?: unknown[];
  type?: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';
  minLength?: number;
  pattern?: string;
  minimum?: number;
  required?: string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean;
  items?: JsonSchema;
  $defs?: Record<string, JsonSchema>;
  [keyword: string]: unknown;
}

export interface SchemaViolation {
  path: string;
  reason: string;
}

function pointerToken(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function resolve(root: JsonSchema, ref: string): JsonSchema {
  const m = /^#\/\$defs\/([^/]+)$/.exec(ref);
  const target = m ? root.$defs?.[m[1]!] : undefined;
  // a schema error, not a data error: the schema ships with the code
  if (!target) throw new Error(`report schema: unresolvable $ref ${ref}`);
  return target;
}

export function validateJsonSchema(value: unknown, schema: JsonSchema, root: JsonSchema = schema, path = ''): SchemaViolation | undefined {
  if (schema.$ref) return validateJsonSchema(value, resolve(root, schema.$ref), root, path);
  if ('const' in schema && value !== schema.const) return { path, reason: `must be ${show(schema.const)}, got ${show(value)}` };
  if (schema.enum && !schema.enum.includes(value as never)) {
    return { path, reason: `must be one of ${schema.enum.map(show).join(', ')}, got ${show(value)}` };
  }
  if (schema.type) {
    const actual = typeOf(value);
    const ok = schema.type === actual || (schema.type === 'number' && actual === 'integer');
    if (!ok) return { path, reason: `must be ${schema.type === 'integer' ? 'an integer' : `of type ${schema.type}`}, got ${actual}` };
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) return { path, reason: `must have at least ${schema.minLength} character(s)` };
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
      return { path, reason: `must match ${schema.pattern}, got ${show(value)}` };
    }
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { path, reason: 'must be a finite number' };
    if (schema.minimum !== undefined && value < schema.minimum) return { path, reason: `must be >= ${schema.minimum}, got ${value}` };
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const name of schema.required ?? []) {
      if (!Object.hasOwn(obj, name)) return { path: `${path}/${pointerToken(name)}`, reason: 'is required but missing' };
    }
    for (const [key, member] of Object.entries(obj)) {
      const sub = schema.properties?.[key];
      const memberPath = `${path}/${pointerToken(key)}`;
      if (sub) {
        const v = validateJsonSchema(member, sub, root, memberPath);
        if (v) return v;
      } else if (schema.additionalProperties === false) {
        return { path: memberPath, reason: 'is not an allowed member here' };
      }
    }
  }
  if (Array.isArray(value) && schema.items) {
    for (let i = 0; i < value.length; i++) {
      const v = validateJsonSchema(value[i], schema.items, root, `${path}/${i}`);
      if (v) return v;
    }
  }
  return undefined;
}
