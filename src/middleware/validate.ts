import type { Context } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from '../env';
import { AppError, detailsFromIssues } from '../lib/errors';

/** The JSON API takes JSON only: anything else is refused before a body is read. */
export async function jsonBody<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<z.output<S>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send a JSON body (Content-Type: application/json)');
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new AppError('VALIDATION_FAILED', 'The body is not valid JSON', { _: ['The body is not valid JSON'] });
  }
  return parse(schema, body);
}

export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError('VALIDATION_FAILED', 'Some fields are not valid', detailsFromIssues(result.error.issues));
  return result.data;
}

/** Form posts: the parsed value, or the field messages to re-render the form with (422). */
export async function formBody<S extends z.ZodType>(
  c: Context<AppEnv>,
  schema: S,
): Promise<{ ok: true; data: z.output<S>; raw: Record<string, string> } | { ok: false; errors: Record<string, string[]>; raw: Record<string, string> }> {
  const form = await c.req.parseBody();
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(form)) if (typeof value === 'string') raw[key] = value;
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, data: result.data, raw };
  return { ok: false, errors: detailsFromIssues(result.error.issues), raw };
}
