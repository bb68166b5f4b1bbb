import { Hono } from 'hono';
import { database } from '../../db/client';
import type { AppEnv } from '../../env';
import { csvDownload } from '../../lib/csv';
import { AppError } from '../../lib/errors';
import { parse } from '../../middleware/validate';
import { approvalThresholds } from '../../services/adjustments';
import { customerDetail, exportCustomers, listCustomers } from '../../services/console/customers';
import { choice, readFilters, recordId } from '../../services/console/filters';
import { CustomerPage, CustomersPage, type CustomerFilterValues } from '../../views/admin/customers';
import { CSV_ROW_LIMIT, listQuery } from './shared';

const customerQuery = listQuery.extend({ status: choice(['active', 'suspended']) });
const LABELS = { q: 'Search', status: 'Status', cursor: 'Page', limit: 'Page size' };

/** What the form shows again: the filters as typed, even when they did not parse. */
function formValues(query: Record<string, string>): CustomerFilterValues {
  return { q: query.q, status: query.status, limit: query.limit };
}

/** `/admin/customers` and `/admin/customers/:id` (read-only; every staff role). */
export const customersAdmin = new Hono<AppEnv>()
  .get('/', async (c) => {
    const query = c.req.query();
    const filters = readFilters(customerQuery, query, LABELS);
    if (!filters.ok) return c.html(<CustomersPage staff={c.var.staff} values={formValues(query)} problem={filters.problem} />, 400);
    const result = await listCustomers(database(c.env.DB), filters.data);
    return c.html(<CustomersPage staff={c.var.staff} values={formValues(query)} result={result} />);
  })
  .get('/:id', async (c) => {
    const id = parse(recordId, c.req.param('id'));
    const detail = await customerDetail(c.env, id);
    if (!detail) throw new AppError('NOT_FOUND', 'No customer with this id');
    return c.html(<CustomerPage staff={c.var.staff} detail={detail} now={Date.now()} thresholds={approvalThresholds(c.var.config)} />);
  });

/**
 * `/admin/customers.csv`: the list's filters, no paging, at most CSV_ROW_LIMIT rows. The path sits beside
 * the section's mount point, so this app is mounted at the console's root (index.tsx).
 */
export const customersCsvAdmin = new Hono<AppEnv>().get('/customers.csv', async (c) => {
  const filters = readFilters(customerQuery, c.req.query(), LABELS);
  if (!filters.ok) throw new AppError('VALIDATION_FAILED', filters.problem);
  const { csv, truncated } = await exportCustomers(database(c.env.DB), filters.data, CSV_ROW_LIMIT);
  return csvDownload(`malipo-customers-${new Date().toISOString().slice(0, 10)}.csv`, csv, truncated ? { 'x-export-truncated': 'true' } : {});
});
