import { Hono } from 'hono';
import { z } from 'zod';
import { database } from '../../db/client';
import { CURRENCIES, ENTRY_STATUSES, SYSTEM_ACCOUNTS, TRANSFER_KINDS, transferId } from '../../durable/ledger-types';
import type { AppEnv } from '../../env';
import { csvDownload } from '../../lib/csv';
import { AppError } from '../../lib/errors';
import { choice, day, fromNotAfterTo, readFilters } from '../../services/console/filters';
import { exportTransfers, listTransfers, transferDetail } from '../../services/console/ledger';
import { LedgerPage, TransferPage, type LedgerFilterValues } from '../../views/admin/ledger';
import { CSV_ROW_LIMIT, listQuery } from './shared';

const blank = (value: unknown) => (value === '' ? undefined : value);

const ledgerQuery = listQuery
  .extend({
    userId: z.preprocess(blank, z.string().trim().max(100).optional()),
    currency: choice(CURRENCIES),
    account: choice(SYSTEM_ACCOUNTS),
    kind: choice(TRANSFER_KINDS),
    status: choice(ENTRY_STATUSES),
    from: day,
    to: day,
    cursor: z.preprocess(blank, z.string().regex(/^\d{1,15}\.ent_[0-9a-f]{1,40}$/, 'This is not a page of this list').optional()),
  })
  .superRefine(fromNotAfterTo);

/** The shape `walletLedger` accepts for transfer ids; anything else cannot name a transfer. */

const LABELS: Record<string, string> = { q: 'Search', userId: 'Customer id', currency: 'Currency', account: 'Other account', kind: 'Kind', status: 'Status', from: 'From', to: 'To', cursor: 'Page', limit: 'Rows' };
const KEYS = ['q', 'userId', 'currency', 'account', 'kind', 'status', 'from', 'to', 'limit'] as const;

/** The filters as typed, for the form and the pager (nothing else from the query string travels on). */
function valuesOf(query: Record<string, string>): LedgerFilterValues {
  return Object.fromEntries(KEYS.map((key) => [key, query[key]]));
}

/** `/admin/ledger` and `/admin/ledger/:transferId`; viewers may read both. */
export const ledgerAdmin = new Hono<AppEnv>()
  .get('/', async (c) => {
    const query = c.req.query();
    const read = readFilters(ledgerQuery, query, LABELS);
    if (!read.ok) return c.html(<LedgerPage staff={c.var.staff} values={valuesOf(query)} problem={read.problem} />, 400);
    const result = await listTransfers(database(c.env.DB), read.data);
    return c.html(<LedgerPage staff={c.var.staff} values={valuesOf(query)} result={result} />);
  })
  .get('/:transferId', async (c) => {
    const id = transferId.safeParse(c.req.param('transferId'));
    const detail = id.success ? await transferDetail(database(c.env.DB), id.data) : null;
    if (!id.success || !detail) throw new AppError('NOT_FOUND', 'No such transfer in the ledger copy');
    return c.html(<TransferPage staff={c.var.staff} transferId={id.data} detail={detail} />);
  });

/**
 * `/admin/ledger.csv`: the list's filters without paging, up to CSV_ROW_LIMIT rows. It sits beside
 * the section (not under `/ledger/`), so it is mounted at the console's root.
 */
export const ledgerCsvAdmin = new Hono<AppEnv>().get('/ledger.csv', async (c) => {
  const read = readFilters(ledgerQuery, c.req.query(), LABELS);
  if (!read.ok) throw new AppError('VALIDATION_FAILED', read.problem);
  const { csv, truncated } = await exportTransfers(database(c.env.DB), read.data, CSV_ROW_LIMIT);
  return csvDownload(`malipo-ledger-${new Date().toISOString().slice(0, 10)}.csv`, csv, truncated ? { 'x-export-truncated': 'true' } : {});
});
