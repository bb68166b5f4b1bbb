import { z } from 'zod';

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

