import { Hono } from 'hono';
import { z } from 'zod';
import { database } from '../../db/client';
import type { AppEnv } from '../../env';
import { csvDownload } from '../../lib/csv';
import { AppError } from '../../lib/errors';
import { exportAudit, listAudit } from '../../services/audit';
import { day, fromNotAfterTo, readFilters } from '../../services/console/filters';
import { AuditPage, type AuditFilterValues } from '../../views/admin/audit';
import { CSV_ROW_LIMIT, listQuery } from './shared';

const blank = (value: unknown) => (value === '' ? undefined : value);
const text = (max: number, pattern: RegExp, message: string) => z.preprocess(blank, z.string().trim().max(max).regex(pattern, message).optional());

const auditQuery = listQuery
  .extend({
    staffEmail: z.preprocess(blank, z.string().trim().max(200).optional()),
    action: text(100, /^[a-z0-9_.]+$/, 'Use an action like purchase.requery'),
    targetType: text(50, /^[a-z0-9_]+$/, 'Use a target type like purchase'),
    targetId: z.preprocess(blank, z.string().trim().max(200).optional()),
    from: day,
    to: day,
    cursor: z.preprocess(blank, z.string().regex(/^aud_[0-9a-z]{1,40}$/, 'This is not a page of this list').optional()),
  })
  .superRefine(fromNotAfterTo);

const LABELS: Record<string, string> = { staffEmail: 'Staff email', action: 'Action', targetType: 'Target type', targetId: 'Target id', from: 'From', to: 'To', cursor: 'Page', limit: 'Rows' };
const KEYS = ['staffEmail', 'action', 'targetType', 'targetId', 'from', 'to', 'limit'] as const;

function valuesOf(query: Record<string, string>): AuditFilterValues {
  return Object.fromEntries(KEYS.map((key) => [key, query[key]]));
}

/** `/admin/audit`: the append-only log of staff actions; viewers may read it. */
export const auditAdmin = new Hono<AppEnv>().get('/', async (c) => {
  const query = c.req.query();
  const read = readFilters(auditQuery, query, LABELS);
  if (!read.ok) return c.html(<AuditPage staff={c.var.staff} values={valuesOf(query)} problem={read.problem} />, 400);
  const { entries, nextCursor } = await listAudit(database(c.env.DB), read.data);
  return c.html(<AuditPage staff={c.var.staff} values={valuesOf(query)} result={{ rows: entries, nextCursor }} />);
});

/** `/admin/audit.csv`, mounted at the console's root beside the section. */
export const auditCsvAdmin = new Hono<AppEnv>().get('/audit.csv', async (c) => {
  const read = readFilters(auditQuery, c.req.query(), LABELS);
  if (!read.ok) throw new AppError('VALIDATION_FAILED', read.problem);
  const { csv, truncated } = await exportAudit(database(c.env.DB), read.data, CSV_ROW_LIMIT);
  return csvDownload(`malipo-audit-${new Date().toISOString().slice(0, 10)}.csv`, csv, truncated ? { 'x-export-truncated': 'true' } : {});
});
