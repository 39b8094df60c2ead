import type { Context } from 'hono';
import type { z } from 'zod';
import { RpError } from '../RpError.ts';

import { measureJson } from './measureJson.ts';

/** at most this many schema problems are listed in errorMessage */
const MAX_LISTED_ISSUES = 3;
/**
 * No request of the WebAuthn or conformance APIs nests deeper than 6; a value nested thousands deep would
 * overflow the stack of whatever walks or stringifies it later (echoed extensions, error messages).
 */
export const MAX_JSON_DEPTH = 32;

/**
 * The one way routes read a body: Content-Type must be JSON, the text must parse, and the value must
 * match `schema`. Each failure is a 4xx RpError whose message names the member at fault.
 */
export async function readJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new RpError('UNSUPPORTED_MEDIA_TYPE', `Content-Type must be application/json (got ${JSON.stringify(type.slice(0, 64))})`, 415);
  }
  const text = await c.req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new RpError('BODY_NOT_JSON', `request body is not JSON: ${(e as Error).message.slice(0, 200)}`);
  }
  if (measureJson(value, MAX_JSON_DEPTH).depth > MAX_JSON_DEPTH) {
    throw new RpError('BODY_INVALID', `request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, MAX_LISTED_ISSUES).map((i) => `${i.path.length ? i.path.map(String).join('.').slice(0, 200) : 'body'}: ${i.message}`);
    throw new RpError('BODY_INVALID', `invalid request: ${issues.join('; ')}`);
  }
  return parsed.data;
}
