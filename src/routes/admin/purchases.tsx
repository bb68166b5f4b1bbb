import { Hono } from 'hono';
import { database } from '../../db/client';
import type { AppEnv } from '../../env';
import { csvDownload } from '../../lib/csv';
import { AppError } from '../../lib/errors';
import { parse } from '../../middleware/validate';
import { choice, day, fromNotAfterTo, readFilters, recordId } from '../../services/console/filters';
import { exportPurchases, listConsolePurchases, purchaseDetail } from '../../services/console/purchases';
import { PurchasePage, PurchasesPage, type PurchaseFilterValues } from '../../views/admin/purchases';
import { CSV_ROW_LIMIT, listQuery } from './shared';

const purchaseQuery = listQuery
  .extend({
    category: choice(['airtime', 'data', 'electricity', 'tv']),
    status: choice(['pending', 'delivered', 'failed', 'reversed']),
    escalated: choice(['yes', 'no']),
    from: day,
    to: day,
  })
  .superRefine(fromNotAfterTo);
const LABELS = { q: 'Search', category: 'Category', status: 'Status', escalated: 'Escalated', from: 'From date', to: 'To date', cursor: 'Page', limit: 'Page size' };

/** What the form shows again: the filters as typed, even when they did not parse. */
function formValues(query: Record<string, string>): PurchaseFilterValues {
  const { q, category, status, escalated, from, to, limit } = query;
  return { q, category, status, escalated, from, to, limit };
}

/** `/admin/purchases` and `/admin/purchases/:id` (read-only; every staff role). */
export const purchasesAdmin = new Hono<AppEnv>()
  .get('/', async (c) => {
    const query = c.req.query();
    const filters = readFilters(purchaseQuery, query, LABELS);
    const page = { staff: c.var.staff, values: formValues(query), now: Date.now() };
    if (!filters.ok) return c.html(<PurchasesPage {...page} problem={filters.problem} />, 400);
    const result = await listConsolePurchases(database(c.env.DB), filters.data);
    return c.html(<PurchasesPage {...page} result={result} />);
  })
  .get('/:id', async (c) => {
    const detail = await purchaseDetail(database(c.env.DB), parse(recordId, c.req.param('id')));
    if (!detail) throw new AppError('NOT_FOUND', 'No purchase with this id');
    return c.html(<PurchasePage staff={c.var.staff} detail={detail} now={Date.now()} />);
  });

/**
 * `/admin/purchases.csv`: the list's filters, no paging, at most CSV_ROW_LIMIT rows. The path sits beside
 * the section's mount point, so this app is mounted at the console's root (index.tsx).
 */
export const purchasesCsvAdmin = new Hono<AppEnv>().get('/purchases.csv', async (c) => {
  const filters = readFilters(purchaseQuery, c.req.query(), LABELS);
  if (!filters.ok) throw new AppError('VALIDATION_FAILED', filters.problem);
  const { csv, truncated } = await exportPurchases(database(c.env.DB), filters.data, CSV_ROW_LIMIT);
  return csvDownload(`malipo-purchases-${new Date().toISOString().slice(0, 10)}.csv`, csv, truncated ? { 'x-export-truncated': 'true' } : {});
});
