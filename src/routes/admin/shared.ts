import { z } from 'zod';
import { AppError } from '../../lib/errors';

/** Every console list: free-text search, cursor and page size; each list adds its own filters. */
export const listQuery = z.object({
  q: z.string().trim().max(100).optional(),
  cursor: z.string().trim().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** CSV exports use the same filters without paging, up to this many rows. */
export const CSV_ROW_LIMIT = 10_000;

/** Every staff action states why; the reason is stored in the audit log. */
export const reason = z.string().trim().min(3, 'Say why (at least 3 characters)').max(500);

/**
 * Runs a staff change; a refusal the form can show (a conflict or a bad value) comes back as its
 * field messages, for the route to re-render with 422 (htmx swaps 422 in). Anything else, such as
 * an unknown record's 404, is thrown on.
 */
export async function refusalOf(run: () => Promise<unknown>): Promise<Record<string, string[]> | null> {
  try {
    await run();
    return null;
  } catch (error) {
    if (!(error instanceof AppError) || (error.code !== 'CONFLICT' && error.code !== 'VALIDATION_FAILED')) throw error;
    return error.details ?? { _: [error.message] };
  }
}
