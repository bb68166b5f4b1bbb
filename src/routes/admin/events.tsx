import { Hono } from 'hono';
import { z } from 'zod';
import { database } from '../../db/client';
import type { AppEnv } from '../../env';
import { csvDownload } from '../../lib/csv';
import { AppError } from '../../lib/errors';
import { EVENT_OUTCOMES, EVENT_PROVIDERS, eventDetail, exportEvents, listEvents } from '../../services/console/events';
import { choice, day, fromNotAfterTo, readFilters } from '../../services/console/filters';
import { EventPage, EventsPage, type EventFilterValues } from '../../views/admin/events';
import { CSV_ROW_LIMIT, listQuery } from './shared';

const blank = (value: unknown) => (value === '' ? undefined : value);
const eventId = z.string().regex(/^evt_[0-9a-z]{1,40}$/, 'This is not a page of this list');

const eventsQuery = listQuery
  .extend({
    provider: choice(EVENT_PROVIDERS),
    outcome: choice(EVENT_OUTCOMES),
    from: day,
    to: day,
    cursor: z.preprocess(blank, eventId.optional()),
  })
  .superRefine(fromNotAfterTo);

const LABELS: Record<string, string> = { q: 'Search', provider: 'Provider', outcome: 'Outcome', from: 'From', to: 'To', cursor: 'Page', limit: 'Rows' };
const KEYS = ['q', 'provider', 'outcome', 'from', 'to', 'limit'] as const;

function valuesOf(query: Record<string, string>): EventFilterValues {
  return Object.fromEntries(KEYS.map((key) => [key, query[key]]));
}

/** `/admin/events` (provider webhooks) and `/admin/events/:id`; viewers may read both. */
export const eventsAdmin = new Hono<AppEnv>()
  .get('/', async (c) => {
    const query = c.req.query();
    const read = readFilters(eventsQuery, query, LABELS);
    if (!read.ok) return c.html(<EventsPage staff={c.var.staff} values={valuesOf(query)} problem={read.problem} />, 400);
    const result = await listEvents(database(c.env.DB), read.data);
    return c.html(<EventsPage staff={c.var.staff} values={valuesOf(query)} result={result} />);
  })
  .get('/:id', async (c) => {
    const id = eventId.safeParse(c.req.param('id'));
    const detail = id.success ? await eventDetail(database(c.env.DB), id.data) : null;
    if (!detail) throw new AppError('NOT_FOUND', 'No such webhook event');
    return c.html(<EventPage staff={c.var.staff} detail={detail} />);
  });

/** `/admin/events.csv`, mounted at the console's root beside the section; payloads are cut short. */
export const eventsCsvAdmin = new Hono<AppEnv>().get('/events.csv', async (c) => {
  const read = readFilters(eventsQuery, c.req.query(), LABELS);
  if (!read.ok) throw new AppError('VALIDATION_FAILED', read.problem);
  const { csv, truncated } = await exportEvents(database(c.env.DB), read.data, CSV_ROW_LIMIT);
  return csvDownload(`malipo-webhook-events-${new Date().toISOString().slice(0, 10)}.csv`, csv, truncated ? { 'x-export-truncated': 'true' } : {});
});
