import { type SQL, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

/** `column LIKE '%text%'`: a search's `%`, `_` and `\` are matched literally, never as patterns. */
export function contains(column: SQLiteColumn, text: string): SQL {
  return sql`${column} LIKE ${`%${likeLiteral(text)}%`} ESCAPE '\\'`;
}

/** `column LIKE 'text%'`, the text matched literally. */
export function startsWith(column: SQLiteColumn, text: string): SQL {
  return sql`${column} LIKE ${`${likeLiteral(text)}%`} ESCAPE '\\'`;
}

function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}
