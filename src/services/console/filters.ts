/**
 * Pieces the console lists share: GET-form filter parsing, date ranges as id ranges,
 * LIKE patterns, cursor pages and CSV cells. No Hono here: routes validate with these schemas.
 */
import { gte, lt, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { z } from 'zod';
import { idFloor } from '../../lib/crypto';
import { detailsFromIssues } from '../../lib/errors';

/** A select left on "Any" sends `''`: that is no filter, not a bad value. */
export function choice<const T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.enum(values, { error: `Choose one of: ${values.join(', ')}` }).optional(),
  );
}

/**
 * Parses a list's query string. A bad value is the staff member's typo, so instead of throwing it
 * returns one sentence naming each field (`labels` turns field names into the form's labels) for
 * the page to show above the form, with status 400.
 */
export function readFilters<S extends z.ZodType>(
  schema: S,
  query: Record<string, string>,
  labels: Record<string, string>,
): { ok: true; data: z.output<S> } | { ok: false; problem: string } {
  const result = schema.safeParse(query);
  if (result.success) return { ok: true, data: result.data };
  const parts = Object.entries(detailsFromIssues(result.error.issues)).map(([field, messages]) => `${labels[field] ?? field}: ${messages.join(' ')}`);
  return { ok: false, problem: `Some filters are not valid. ${parts.join('. ')}.` };
}

/** A record id in a console path; anything longer than an id can be is refused before a query. */
export const recordId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'is not an id');

/** `YYYY-MM-DD` from a date input; `''` means no bound. */
export const day = z.preprocess(
  (value) => (value === '' ? undefined : value),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-01-31')
    .refine((text) => {
      const date = new Date(`${text}T00:00:00Z`);
      return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
    }, 'Not a real date')
    .optional(),
);

/** Refinement for a from/to pair: an empty range is a typo, not a question. */
export function fromNotAfterTo(value: { from?: string; to?: string }, ctx: z.RefinementCtx) {
  if (value.from && value.to && value.from > value.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'The end date is before the start date' });
}

/**
 * The console's two clocks. Neither zone has daylight saving, so a fixed offset is exact:
 * Kenya (M-Pesa, KES) is UTC+3, Nigeria (Monnify, VTpass, NGN) is UTC+1.
 */
export const ZONES = {
  'Africa/Nairobi': { offsetHours: 3, abbreviation: 'EAT' },
  'Africa/Lagos': { offsetHours: 1, abbreviation: 'WAT' },
} as const;
export type ConsoleZone = keyof typeof ZONES;

/** Milliseconds at local midnight starting `date` in `zone`. */
export function dayStartMs(date: string, zone: ConsoleZone): number {
  return Date.parse(`${date}T00:00:00Z`) - ZONES[zone].offsetHours * 3600_000;
}

const DAY_MS = 24 * 3600_000;

/**
 * A from/to date filter as bounds on the primary key: ids start with their creation time
 * (`newId`), so `[from 00:00, day after to 00:00)` is an id range the primary-key index answers.
 */
export function idRange(column: SQLiteColumn, prefix: string, range: { from?: string; to?: string }, zone: ConsoleZone): SQL[] {
  const bounds: SQL[] = [];
  if (range.from) bounds.push(gte(column, idFloor(prefix, dayStartMs(range.from, zone))));
  if (range.to) bounds.push(lt(column, idFloor(prefix, dayStartMs(range.to, zone) + DAY_MS)));
  return bounds;
}

/**
 * Events shown on a detail page. Webhooks can be sent by anyone who knows a reference, so a record
 * could collect thousands: the page shows the first ones and links to the events list for the rest.
 */
export const DETAIL_EVENT_LIMIT = 50;

/** One page of a newest-first list fetched with `limit + 1` rows: the cursor is the last id shown. */
export function pageOf<T>(rows: T[], limit: number, idOf: (row: T) => string): { rows: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > limit && last ? idOf(last) : null };
}

