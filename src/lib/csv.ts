/**
 * CSV for every download Malipo offers (customer history, staff exports): RFC 4180 records joined
 * by CRLF, plus protection against formula injection, because these files are opened in spreadsheets.
 */

export type CsvValue = string | number | bigint | boolean | Date | null | undefined;

/** One column: its header and how to read the cell from a row. */
export type CsvColumn<T> = { header: string; value: (row: T) => CsvValue };

/** Cells a spreadsheet would run as a formula (or a DDE command) when they start with one of these. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain negative decimal is data, not a formula: "-1500.00" stays readable (and numeric). */
const NEGATIVE_NUMBER = /^-\d+(\.\d+)?$/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * Encodes one cell. Numbers are written as they are; a text cell that a spreadsheet would treat as a
 * formula gets a leading apostrophe (OWASP "CSV injection"), except a plain negative number. Then
 * RFC 4180 quoting: a cell with a quote, comma, CR or LF is wrapped in quotes, inner quotes doubled.
 */
export function csvCell(value: CsvValue): string {
  let text: string;
  if (value === null || value === undefined) text = '';
  else if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'number') text = Number.isFinite(value) ? String(value) : '';
  else if (typeof value === 'string') text = FORMULA_START.test(value) && !NEGATIVE_NUMBER.test(value) ? `'${value}` : value;
  else text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The whole file: a header record, then one record per row, each ending in CRLF. */
export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: Iterable<T>): string {
  const lines = [columns.map((column) => csvCell(column.header)).join(',')];
  for (const row of rows) lines.push(columns.map((column) => csvCell(column.value(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** An export of at most `cap` rows, from a query that fetched `cap + 1`: the extra row says it was cut short. */
export function cappedCsv<T>(columns: readonly CsvColumn<T>[], rows: T[], cap: number): { csv: string; truncated: boolean } {
  return { csv: toCsv(columns, rows.slice(0, cap)), truncated: rows.length > cap };
}

/**
 * A download response for `csv`. The filename is reduced to letters, digits, dot, dash and
 * underscore so it cannot break out of the Content-Disposition header; exports hold personal
 * data, so nothing may cache them.
 */
export function csvDownload(filename: string, csv: string, headers: Record<string, string> = {}): Response {
  const safe = filename.replace(/[^A-Za-z0-9._-]/g, '_') || 'export.csv';
  return new Response(csv, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${safe}"`,
      'cache-control': 'no-store',
      ...headers,
    },
  });
}

/** Minor units as a plain major-unit decimal for spreadsheets, without floating point: 150050 → "1500.50", -5 → "-0.05". */
export function majorUnits(minor: number): string {
  const abs = Math.abs(minor);
  return `${minor < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Timestamps in staff exports are UTC ISO 8601, so a spreadsheet in any office reads them the same. */
export function isoOrEmpty(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '' : new Date(ms).toISOString();
}
