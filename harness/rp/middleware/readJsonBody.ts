import type { Context } from 'hono';
import type { z } from 'zod';
import { RpError } from '../RpError.ts';

/** at most this many schema problems are listed in errorMessage */
const MAX_LISTED_ISSUES = 3;

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
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, MAX_LISTED_ISSUES).map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`);
    throw new RpError('BODY_INVALID', `invalid request: ${issues.join('; ')}`);
  }
  return parsed.data;
}
