import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { database } from '../../db/client';
import type { AppEnv } from '../../env';
import { csvDownload } from '../../lib/csv';
import { AppError } from '../../lib/errors';
import { ANOMALY_STATUSES, DEAD_LETTER_KIND, anomalyDetail, exportAnomalies, listAnomalies } from '../../services/console/anomalies';
import { EVENT_PROVIDERS } from '../../services/console/events';
import { choice, day, fromNotAfterTo, readFilters } from '../../services/console/filters';
import { AnomaliesPage, AnomalyPage, type AnomalyFilterValues } from '../../views/admin/anomalies';
import { CSV_ROW_LIMIT, listQuery } from './shared';

const blank = (value: unknown) => (value === '' ? undefined : value);
const anomalyId = z.string().regex(/^anm_[0-9a-z]{1,40}$/, 'This is not a page of this list');

const anomaliesQuery = listQuery
  .extend({
    status: z.preprocess(blank, z.enum(ANOMALY_STATUSES, 'Choose open, resolved or all').default('open')),
    kind: z.preprocess(blank, z.string().trim().regex(/^[a-z0-9_]{1,60}$/, 'Use a kind as listed, e.g. amount_mismatch').optional()),
    provider: choice(EVENT_PROVIDERS),
    from: day,
    to: day,
    cursor: z.preprocess(blank, anomalyId.optional()),
  })
  .superRefine(fromNotAfterTo);

const LABELS: Record<string, string> = { q: 'Search', status: 'Status', kind: 'Kind', provider: 'Provider', from: 'From', to: 'To', cursor: 'Page', limit: 'Rows' };
const KEYS = ['q', 'status', 'kind', 'provider', 'from', 'to', 'limit'] as const;
/** The dead-letters view has one kind and no provider, so neither travels in its links. */
const DEAD_LETTER_KEYS = ['q', 'status', 'from', 'to', 'limit'] as const;

/** The filters as typed, for the form, the pager and the parser; nothing else from the query travels on. */
function valuesOf(query: Record<string, string>, keys: readonly string[]): AnomalyFilterValues & Record<string, string> {
  return Object.fromEntries(keys.flatMap((key) => (query[key] === undefined ? [] : [[key, query[key]]])));
}

/** The list or the dead-letters view: the same query, with the kind fixed for dead letters. */
async function listPage(c: Context<AppEnv>, deadLetters: boolean) {
  const query = c.req.query();
  const values = valuesOf(query, deadLetters ? DEAD_LETTER_KEYS : KEYS);
  const read = readFilters(anomaliesQuery, query.cursor === undefined ? values : { ...values, cursor: query.cursor }, LABELS);
  if (!read.ok) return c.html(<AnomaliesPage staff={c.var.staff} deadLetters={deadLetters} values={values} problem={read.problem} />, 400);
  const result = await listAnomalies(database(c.env.DB), deadLetters ? { ...read.data, kind: DEAD_LETTER_KIND } : read.data);
  return c.html(<AnomaliesPage staff={c.var.staff} deadLetters={deadLetters} values={values} result={result} />);
}

async function csvFor(c: Context<AppEnv>, deadLetters: boolean) {
  const read = readFilters(anomaliesQuery, valuesOf(c.req.query(), deadLetters ? DEAD_LETTER_KEYS : KEYS), LABELS);
  if (!read.ok) throw new AppError('VALIDATION_FAILED', read.problem);
  const filters = deadLetters ? { ...read.data, kind: DEAD_LETTER_KIND } : read.data;
  const { csv, truncated } = await exportAnomalies(database(c.env.DB), filters, CSV_ROW_LIMIT);
  const name = deadLetters ? 'dead-letters' : 'anomalies';
  return csvDownload(`malipo-${name}-${new Date().toISOString().slice(0, 10)}.csv`, csv, truncated ? { 'x-export-truncated': 'true' } : {});
}

/** `/admin/anomalies` (open first), `/admin/anomalies/dead-letters` and the detail page; viewers may read all. */
export const anomaliesAdmin = new Hono<AppEnv>()
  .get('/', (c) => listPage(c, false))
  .get('/dead-letters', (c) => listPage(c, true))
  .get('/dead-letters.csv', (c) => csvFor(c, true))
  .get('/:id', async (c) => {
    const id = anomalyId.safeParse(c.req.param('id'));
    const detail = id.success ? await anomalyDetail(database(c.env.DB), id.data) : null;
    if (!detail) throw new AppError('NOT_FOUND', 'No such anomaly');
    return c.html(<AnomalyPage staff={c.var.staff} detail={detail} />);
  });

/** `/admin/anomalies.csv`, mounted at the console's root beside the section. */
export const anomaliesCsvAdmin = new Hono<AppEnv>().get('/anomalies.csv', (c) => csvFor(c, false));
