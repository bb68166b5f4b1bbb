import { Hono } from 'hono';
import { database } from '../../db/client';
import { CURRENCIES } from '../../durable/ledger-types';
import type { AppEnv } from '../../env';
import { csvDownload } from '../../lib/csv';
import { AppError } from '../../lib/errors';
import { parse } from '../../middleware/validate';
import { depositDetail, exportDeposits, listConsoleDeposits } from '../../services/console/deposits';
import { choice, day, fromNotAfterTo, readFilters, recordId } from '../../services/console/filters';
import { DepositPage, DepositsPage, type DepositFilterValues } from '../../views/admin/deposits';
import { CSV_ROW_LIMIT, listQuery } from './shared';

const depositQuery = listQuery
  .extend({
    method: choice(['mpesa', 'monnify']),
    status: choice(['pending', 'succeeded', 'failed']),
    currency: choice(CURRENCIES),
    from: day,
    to: day,
  })
  .superRefine(fromNotAfterTo);
const LABELS = { q: 'Search', method: 'Method', status: 'Status', currency: 'Currency', from: 'From date', to: 'To date', cursor: 'Page', limit: 'Page size' };

/** What the form shows again: the filters as typed, even when they did not parse. */
function formValues(query: Record<string, string>): DepositFilterValues {
  const { q, method, status, currency, from, to, limit } = query;
  return { q, method, status, currency, from, to, limit };
}

/** `/admin/deposits` and `/admin/deposits/:id` (read-only; every staff role). */
export const depositsAdmin = new Hono<AppEnv>()
  .get('/', async (c) => {
    const query = c.req.query();
    const filters = readFilters(depositQuery, query, LABELS);
    const page = { staff: c.var.staff, values: formValues(query), now: Date.now() };
    if (!filters.ok) return c.html(<DepositsPage {...page} problem={filters.problem} />, 400);
    const result = await listConsoleDeposits(database(c.env.DB), filters.data);
    return c.html(<DepositsPage {...page} result={result} />);
  })
  .get('/:id', async (c) => {
    const detail = await depositDetail(database(c.env.DB), parse(recordId, c.req.param('id')));
    if (!detail) throw new AppError('NOT_FOUND', 'No deposit with this id');
    return c.html(<DepositPage staff={c.var.staff} detail={detail} now={Date.now()} />);
  });

/**
 * `/admin/deposits.csv`: the list's filters, no paging, at most CSV_ROW_LIMIT rows. The path sits beside
 * the section's mount point, so this app is mounted at the console's root (index.tsx).
 */
export const depositsCsvAdmin = new Hono<AppEnv>().get('/deposits.csv', async (c) => {
  const filters = readFilters(depositQuery, c.req.query(), LABELS);
  if (!filters.ok) throw new AppError('VALIDATION_FAILED', filters.problem);
  const { csv, truncated } = await exportDeposits(database(c.env.DB), filters.data, CSV_ROW_LIMIT);
  return csvDownload(`malipo-deposits-${new Date().toISOString().slice(0, 10)}.csv`, csv, truncated ? { 'x-export-truncated': 'true' } : {});
});
