import { Hono } from 'hono';
import { database } from '../db/client';
import type { AppEnv } from '../env';
import { csvDownload } from '../lib/csv';
import { AppError, detailsFromIssues, type ErrorDetails } from '../lib/errors';
import { requireUserPage } from '../middleware/auth';
import { exportHistory, historyCsv, historyQuery, listHistory } from '../services/history';
import { HistoryError, HistoryPage, HistoryResults, historyUrl, type FilterValues } from '../views/pages/history';

const FIELD_NAMES: Record<string, string> = { type: 'Type', status: 'Status', from: 'From date', to: 'To date', cursor: 'Page' };

/** One sentence naming every field that did not parse, for the error page and the list's alert. */
function filterMessage(details: ErrorDetails): string {
  const parts = Object.entries(details).map(([field, messages]) => `${FIELD_NAMES[field] ?? field}: ${messages.join(' ')}`);
  return `Some filters are not valid. ${parts.join('. ')}.`;
}

/** What the query asked for, as strings, so the form shows it again even when it did not parse. */
function rawValues(query: Record<string, string>): FilterValues {
  return { type: query.type, status: query.status, from: query.from, to: query.to };
}

/** `/history` (page, or only the list when htmx asks for it) and `/history.csv` for signed-in customers. */
export const historyPages = new Hono<AppEnv>()
  .get('/history', requireUserPage, async (c) => {
    const user = c.var.user!;
    const query = c.req.query();
    // htmx swaps only the list; a history restore (back button, cache miss) needs the whole page.
    const listOnly = c.req.header('hx-target') === 'history-results' && !c.req.header('hx-history-restore-request');
    const parsed = historyQuery.safeParse(query);
    if (!parsed.success) {
      const errors = detailsFromIssues(parsed.error.issues);
      const message = filterMessage(errors);
      if (listOnly) return c.html(<HistoryError message={message} />, 422);
      return c.html(<HistoryPage user={user} values={rawValues(query)} errors={errors} message={message} />, 400);
    }
    const filters = parsed.data;
    const page = await listHistory(database(c.env.DB), user.id, filters);
    const results = { filters, ...page };
    if (listOnly) {
      // The URL htmx pushes, without the empty and default fields the form sends.
      c.header('hx-push-url', historyUrl('/history', filters, filters.cursor));
      return c.html(<HistoryResults {...results} />);
    }
    return c.html(<HistoryPage user={user} values={filters} results={results} />);
  })
  /** The same filters and owner as the page, every matching item up to HISTORY_EXPORT_CAP (10,000 rows). */
  .get('/history.csv', requireUserPage, async (c) => {
    const parsed = historyQuery.safeParse(c.req.query());
    if (!parsed.success) {
      const errors = detailsFromIssues(parsed.error.issues);
      throw new AppError('VALIDATION_FAILED', filterMessage(errors), errors);
    }
    const { items, truncated } = await exportHistory(database(c.env.DB), c.var.user!.id, { ...parsed.data, cursor: undefined });
    const today = new Date().toISOString().slice(0, 10);
    return csvDownload(`malipo-history-${today}.csv`, historyCsv(items), truncated ? { 'x-export-truncated': 'true' } : {});
  });
